/**
 * Security identifiers (objectSid, sIDHistory) between their binary and string forms.
 *
 * [MS-DTYP] 2.4.2.2 SID--Packet Representation: Revision (1 byte, "MUST be set to 0x01"),
 * SubAuthorityCount (1 byte, "The maximum number of elements allowed is 15"), IdentifierAuthority (6 bytes,
 * big-endian), SubAuthority (variable, "SubAuthorityCount" 32-bit values, little-endian).
 * [MS-DTYP] 2.4.2.1 SID String Format Syntax: "S-1-" IdentifierAuthority "-" SubAuthority…, where the
 * authority is decimal when below 2^32 and otherwise "0x" followed by 12 hexadecimal digits.
 */
import { CloudsyncError } from '../errors/index.ts';

export const SID_MAX_SUB_AUTHORITIES = 15;

function invalidSid(bytes: Uint8Array, functionName: string, reason: string): CloudsyncError {
  return new CloudsyncError(
    'ERR_EXPR_EVALUATION',
    `${functionName}: the ${bytes.length}-byte value is not a security identifier: ${reason}`,
    { details: { length: bytes.length } },
  );
}

/** Every AD object's SID is converted once per evaluation: plain numbers (the 48-bit authority is exact in a double). */
export function sidToString(bytes: Uint8Array, functionName = 'StringFromSid'): string {
  if (bytes.length < 8) throw invalidSid(bytes, functionName, 'a SID has at least 8 bytes');
  const revision = bytes[0]!;
  const count = bytes[1]!;
  if (revision !== 1) throw invalidSid(bytes, functionName, `revision ${revision}, expected 1`);
  if (count > SID_MAX_SUB_AUTHORITIES) throw invalidSid(bytes, functionName, `${count} sub-authorities, at most ${SID_MAX_SUB_AUTHORITIES}`);
  if (bytes.length !== 8 + 4 * count) throw invalidSid(bytes, functionName, `${count} sub-authorities need ${8 + 4 * count} bytes`);
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + bytes[i]!;
  let text = authority < 2 ** 32 ? `S-1-${authority}` : `S-1-0x${authority.toString(16).toUpperCase().padStart(12, '0')}`;
  for (let i = 0, at = 8; i < count; i++, at += 4) {
    // little-endian 32-bit, unsigned
    text += `-${(bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0}`;
  }
  return text;
}
