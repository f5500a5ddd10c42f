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

export function sidToString(bytes: Uint8Array, functionName = 'StringFromSid'): string {
  const invalid = (reason: string): CloudsyncError => new CloudsyncError(
    'ERR_EXPR_EVALUATION',
    `${functionName}: the ${bytes.length}-byte value is not a security identifier: ${reason}`,
    { details: { length: bytes.length } },
  );
  if (bytes.length < 8) throw invalid('a SID has at least 8 bytes');
  const revision = bytes[0]!;
  const count = bytes[1]!;
  if (revision !== 1) throw invalid(`revision ${revision}, expected 1`);
  if (count > SID_MAX_SUB_AUTHORITIES) throw invalid(`${count} sub-authorities, at most ${SID_MAX_SUB_AUTHORITIES}`);
  if (bytes.length !== 8 + 4 * count) throw invalid(`${count} sub-authorities need ${8 + 4 * count} bytes`);
  let authority = 0n;
  for (let i = 2; i < 8; i++) authority = (authority << 8n) | BigInt(bytes[i]!);
  const authorityText = authority < 2n ** 32n ? authority.toString() : `0x${authority.toString(16).toUpperCase().padStart(12, '0')}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts = [`S-1-${authorityText}`];
  for (let i = 0; i < count; i++) parts.push(String(view.getUint32(8 + 4 * i, true)));
  return parts.join('-');
}
