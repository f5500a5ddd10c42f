/**
 * objectGUIDs as scope keys. Scope is remembered by the GUID of the OU or group, never by its DN, so a
 * renamed or moved OU keeps its objects in scope (Entra ignores renames; Connect deletes on them).
 *
 * AD returns objectGUID as 16 bytes whose first three fields are little-endian (MS-DTYP §2.3.4.2 GUID
 * packet representation): bytes 03 02 01 00 - 05 04 - 07 06 - 08 09 - 0A…0F form the string
 * "00010203-0405-0607-0809-0a0b0c0d0e0f" once reordered. The string form is lowercase, without braces.
 *
 * Graph's containerFilter.includedContainers and groupFilter.includedGroups are plain strings (DNs). We keep
 * that shape and pin the GUID inside the string with AD's extended-DN syntax (MS-ADTS §3.1.1.3.1.2.1,
 * LDAP_SERVER_EXTENDED_DN_OID): `<GUID=d3b07384-…>;OU=Sales,DC=contoso,DC=com`. Graph accepts the string;
 * our engine reads the GUID and treats the DN after `;` as a display hint only.
 */

const GUID_TEXT = /^\{?([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})\}?$/;

/** Canonical lowercase GUID text from text (any case, braces, with or without dashes) or AD's 16 bytes. */
export function normalizeGuid(guid: string | Uint8Array): string | undefined {
  if (typeof guid === 'string') {
    const match = GUID_TEXT.exec(guid.trim());
    if (match === null) return undefined;
    return `${match[1]}-${match[2]}-${match[3]}-${match[4]}-${match[5]}`.toLowerCase();
  }
  if (guid.length !== 16) return undefined;
  const hex = (indexes: readonly number[]): string =>
    indexes.map((i) => (guid[i] as number).toString(16).padStart(2, '0')).join('');
  return `${hex([3, 2, 1, 0])}-${hex([5, 4])}-${hex([7, 6])}-${hex([8, 9])}-${hex([10, 11, 12, 13, 14, 15])}`;
}

export interface ScopeReference {
  /** canonical GUID when the entry is pinned (`<GUID=…>;…` or a bare GUID) */
  readonly guid: string | undefined;
  /** the DN part, if any; authoritative only when there is no GUID */
  readonly dn: string | undefined;
  /** the entry as written */
  readonly text: string;
}

const EXTENDED_COMPONENT = /^<([A-Za-z]+)=([^>]*)>;?/;

/** Parses one includedContainers / includedGroups entry: a DN, a bare GUID, or an extended DN. */
export function parseScopeReference(text: string): ScopeReference {
  const bare = normalizeGuid(text);
  if (bare !== undefined) return Object.freeze({ guid: bare, dn: undefined, text });
  let rest = text.trim();
  let guid: string | undefined;
  for (let match = EXTENDED_COMPONENT.exec(rest); match !== null; match = EXTENDED_COMPONENT.exec(rest)) {
    if ((match[1] as string).toUpperCase() === 'GUID') guid = normalizeGuid(match[2] as string) ?? guid;
    rest = rest.slice(match[0].length);
  }
  return Object.freeze({ guid, dn: rest === '' ? undefined : rest, text });
}

/** The entry to store: the GUID pinned in front of the DN, so the Graph string stays readable. */
export function formatScopeReference(guid: string, dn?: string): string {
  const canonical = normalizeGuid(guid);
  if (canonical === undefined) throw new TypeError(`not a GUID: ${guid}`);
  return dn === undefined || dn === '' ? `<GUID=${canonical}>` : `<GUID=${canonical}>;${dn}`;
}
