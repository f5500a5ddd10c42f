/**
 * The little of RFC 4514 the connectors need: splitting a DN string into its first RDN and its parent.
 *
 * RFC 4514 §2: RDNs are separated by unescaped commas; §2.4 escapes a comma as `\,` or `\2C`. Servers return DNs
 * in that form (no RFC 1779 quoting), so an unescaped comma is a separator.
 */

/** Index of the first unescaped comma, or -1. */
function firstSeparator(dn: string): number {
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i];
    if (ch === '\\') { i++; continue; }
    if (ch === ',') return i;
  }
  return -1;
}

/** `CN=Ann,OU=Sales,DC=corp` → `OU=Sales,DC=corp`; '' for a single RDN. */
export function parentDn(dn: string): string {
  const i = firstSeparator(dn);
  return i < 0 ? '' : dn.slice(i + 1).trim();
}

/** `CN=Ann,OU=Sales,DC=corp` → `CN=Ann`. */
export function firstRdn(dn: string): string {
  const i = firstSeparator(dn);
  return (i < 0 ? dn : dn.slice(0, i)).trim();
}

/** The comparison key of a DN as servers print it: RDNs trimmed, lower case (good enough for AD and OpenLDAP). */
export function dnKey(dn: string): string {
  return dn.split(/(?<!\\),/).map((p) => p.trim()).join(',').toLowerCase();
}

/** Case-insensitive comparison of DNs as servers print them. */
export function sameDn(a: string, b: string): boolean {
  return dnKey(a) === dnKey(b);
}

/** True when `dn` is `base` or below it. */
export function isUnder(dn: string, base: string): boolean {
  const d = dn.toLowerCase().replace(/\s*,\s*/g, ',');
  const b = base.toLowerCase().replace(/\s*,\s*/g, ',');
  return d === b || d.endsWith(`,${b}`);
}
