/**
 * MS-ADTS 3.1.1.3.4.1.5 LDAP_SERVER_EXTENDED_DN_OID (1.2.840.113556.1.4.529): DNs in the response (the entry's
 * and DN-valued attributes') come as `<GUID=…>;<SID=…>;CN=…`.
 *
 *   ExtendedDNRequestValue ::= SEQUENCE { Flag INTEGER }   -- 0: hexadecimal GUID/SID, 1: string form
 *
 * DirSync uses it so that linked-value changes identify their targets by objectGUID: a DN reported for a removed
 * member can be stale (the member was renamed after the removal), a GUID cannot.
 */
import { Ber, BerWriter, Control } from 'ldapts';

export const EXTENDED_DN_OID = '1.2.840.113556.1.4.529';

export class ExtendedDnControl extends Control {
  readonly format: 0 | 1;

  constructor(format: 0 | 1 = 1) {
    super(EXTENDED_DN_OID, { critical: false });
    this.format = format;
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(this.format);
    value.endSequence();
    writer.writeBuffer(value.buffer, Ber.OctetString);
  }
}

const EXTENDED = /^<GUID=([0-9a-fA-F-]{32,36})>;/;

/** The objectGUID (string form) of an extended DN, or undefined for a plain DN. */
export function guidOfExtendedDn(dn: string): string | undefined {
  const guid = EXTENDED.exec(dn)?.[1];
  if (!guid) return undefined;
  if (guid.includes('-')) return guid.toLowerCase();
  // Format 0 (hex of the packet bytes): convert to the string form.
  const b = Buffer.from(guid, 'hex');
  const r = (from: number, to: number) => Buffer.from(b.subarray(from, to)).reverse().toString('hex');
  return `${r(0, 4)}-${r(4, 6)}-${r(6, 8)}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10, 16).toString('hex')}`;
}
