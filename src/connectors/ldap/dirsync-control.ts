/**
 * MS-ADTS 3.1.1.3.4.1.3 LDAP_SERVER_DIRSYNC_OID (1.2.840.113556.1.4.841): AD's change tracking.
 *
 *   DirSyncRequestValue ::= SEQUENCE {
 *       Flags       INTEGER,
 *       MaxBytes    INTEGER,
 *       Cookie      OCTET STRING }
 *
 *   DirSyncResponseValue ::= SEQUENCE {
 *       MoreResults INTEGER,
 *       unused      INTEGER,
 *       CookieServer OCTET STRING }
 *
 * "The search MUST be rooted at the NC root and have subtree scope." An empty cookie starts from the beginning;
 * the returned cookie is the watermark for the next call. MoreResults ≠ 0 means "call again with this cookie".
 * The caller needs the "Replicating Directory Changes" right on the NC (or LDAP_DIRSYNC_OBJECT_SECURITY).
 *
 * ldapts does not return response controls from search(); it parses a response control into the request control
 * object with the same OID. So the response fields live on this object and are valid after the search resolves.
 */
import { Ber, BerWriter, Control, type BerReader } from 'ldapts';

/** MS-ADTS 3.1.1.3.4.1.3 flag values. */
export const DIRSYNC_FLAGS = {
  LDAP_DIRSYNC_OBJECT_SECURITY: 0x00000001,
  LDAP_DIRSYNC_ANCESTORS_FIRST_ORDER: 0x00000800,
  LDAP_DIRSYNC_PUBLIC_DATA_ONLY: 0x00002000,
  /** Linked attributes report only changed values: `member;range=1-1` added, `member;range=0-0` removed. */
  LDAP_DIRSYNC_INCREMENTAL_VALUES: 0x80000000,
} as const;

export const DIRSYNC_OID = '1.2.840.113556.1.4.841';

export class DirSyncControl extends Control {
  readonly flags: number;
  readonly maxBytes: number;
  readonly cookie: Uint8Array;
  /** From the response: another round is needed. */
  moreResults = false;
  /** From the response: the new cookie (undefined until a response control was parsed). */
  responseCookie: Uint8Array | undefined;

  constructor(options: { flags: number; cookie?: Uint8Array; maxBytes?: number }) {
    super(DIRSYNC_OID, { critical: true });
    this.flags = options.flags;
    this.cookie = options.cookie ?? new Uint8Array(0);
    this.maxBytes = options.maxBytes ?? 1 << 20;
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    // Flags is a signed 32-bit INTEGER on the wire; 0x80000000 must be encoded as -2147483648.
    value.writeInt(this.flags | 0);
    value.writeInt(this.maxBytes);
    value.writeBuffer(Buffer.from(this.cookie), Ber.OctetString);
    value.endSequence();
    writer.writeBuffer(value.buffer, Ber.OctetString);
  }

  protected override parseControl(reader: BerReader): void {
    if (reader.readSequence()) {
      this.moreResults = (reader.readInt() ?? 0) !== 0;
      reader.readInt();
      this.responseCookie = new Uint8Array(reader.readString(Ber.OctetString, true) ?? Buffer.alloc(0));
    }
  }
}
