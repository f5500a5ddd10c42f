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


const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Text position order of the 16 bytes (Data1..Data3 byte-reversed), -1 for a hyphen. */
const GUID_TEXT_ORDER = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15] as const;
/** Reused: formatGuid is synchronous. */
const guidText = Buffer.alloc(36);

/**
 * The RPC IDL text form, lower case. Runs for every AD object of every import (its anchor): written as character
 * codes into one buffer and read out as one flat string, rather than a template of 20 parts (a rope of ~20 strings,
 * 12 MB per 20,000 objects).
 */
export function formatGuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a GUID has 16 bytes, got ${bytes.length}`);
  let at = 0;
  for (const i of GUID_TEXT_ORDER) {
    if (i < 0) {
      guidText[at++] = 0x2d;
    } else {
      const byte = bytes[i]!;
      guidText[at++] = HEX_DIGITS[byte >> 4]!;
      guidText[at++] = HEX_DIGITS[byte & 15]!;
    }
  }
  return guidText.toString('latin1', 0, 36);
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
