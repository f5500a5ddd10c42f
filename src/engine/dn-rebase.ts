/**
 * Moving a DN from one parent to another (an OU renamed or moved in AD takes its whole subtree along, and AD's
 * DirSync reports only the OU itself). RFC 4514: RDNs are separated by unescaped commas.
 */
import { canonicalDn } from '../schema/index.ts';

export function splitRdns(dn: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i] as string;
    if (ch === '\\' && i + 1 < dn.length) {
      current += ch + dn[i + 1];
      i++;
    } else if (ch === ',') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts;
}

/** `dn` with its `oldBase` suffix replaced by `newBase`; undefined when `dn` is not strictly below `oldBase`. */
export function rebaseDn(dn: string, oldBase: string, newBase: string): string | undefined {
  if (!canonicalDn(dn).endsWith(',' + canonicalDn(oldBase))) return undefined;
  const rdns = splitRdns(dn);
  const keep = rdns.length - splitRdns(oldBase).length;
  if (keep <= 0) return undefined;
  return [...rdns.slice(0, keep), newBase].join(',');
}
