/**
 * GUID and SID text forms of AD's binary identifiers.
 *
 * MS-DTYP 2.3.4.2 "GUID--Packet Representation": Data1 (4 bytes), Data2 (2), Data3 (2) are little-endian,
 * Data4 (8) is a byte array. MS-DTYP 2.3.4.3 "GUID--RPC IDL representation / curly braced string": the text form
 * prints Data1..Data3 as numbers, so the first three groups are the byte-reversed fields. Getting this wrong
 * silently changes every anchor, which is why it has its own tested module.
 *
 * MS-DTYP 2.4.2.2 "SID--Packet Representation": Revision (1), SubAuthorityCount (1), IdentifierAuthority (6,
 * big-endian), SubAuthority[] (4 each, little-endian); text form S-R-I-S-S… (2.4.2.1).
 */


const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatGuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a GUID has 16 bytes, got ${bytes.length}`);
  const h = (i: number) => HEX[bytes[i]!]!;
  // Data1, Data2, Data3 little-endian (printed byte-reversed); Data4 in order.
  return `${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}

const GUID_TEXT = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

export function isGuidText(text: string): boolean {
  return GUID_TEXT.test(text);
}

/** The 16 packet-order bytes of a GUID text. Throws RangeError on anything else. */
export function parseGuid(text: string): Uint8Array {
  const m = GUID_TEXT.exec(text);
  if (!m) throw new RangeError(`not a GUID: ${JSON.stringify(text)}`);
  const le = (h: string) => Buffer.from(h, 'hex').reverse();
  return new Uint8Array(Buffer.concat([le(m[1]!), le(m[2]!), le(m[3]!), Buffer.from(m[4]! + m[5]!, 'hex')]));
}

export function formatSid(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new RangeError(`a SID has at least 8 bytes, got ${bytes.length}`);
  const buffer = Buffer.from(bytes);
  const revision = buffer[0]!;
  const count = buffer[1]!;
  if (bytes.length !== 8 + 4 * count) throw new RangeError(`a SID with ${count} sub-authorities has ${8 + 4 * count} bytes, got ${bytes.length}`);
  const authority = buffer.readUIntBE(2, 6);
  const parts = [`S-${revision}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(buffer.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}
