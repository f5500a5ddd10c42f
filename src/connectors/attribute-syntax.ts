/**
 * How raw LDAP attribute values become expression Values.
 *
 * RFC 4517 names the syntaxes; AD adds its own (MS-ADTS 3.1.1.2.2.2 "LDAP Representations"). We only need to know
 * five things about an attribute: is it binary (must never be decoded as text), DN-valued (a reference the engine
 * resolves), integer / large integer (number / bigint), boolean, generalized time (Date), and whether it is
 * single-valued. Servers publish that in their subschema (RFC 4512 §4.2 attributeTypes: SYNTAX, SINGLE-VALUE);
 * the LDAP connector reads it once per connection. An LDIF file has no schema, so the table below covers the
 * attributes AD and inetOrgPerson exports carry.
 *
 * Invariant: a multi-valued attribute is always an array (even with one value) and a single-valued one is never
 * an array, so mappings see the same shape whichever server or file the value came from.
 */
import { reference, type Scalar, type Value } from '../expressions/value.ts';

export const ATTRIBUTE_SYNTAXES = ['string', 'binary', 'dn', 'integer', 'largeInteger', 'boolean', 'time'] as const;
export type AttributeSyntax = (typeof ATTRIBUTE_SYNTAXES)[number];

export interface AttributeInfo {
  readonly syntax: AttributeSyntax;
  readonly singleValued: boolean;
}

export interface AttributeSchema {
  /** Case-insensitive. undefined when the schema does not know the attribute. */
  lookup(name: string): AttributeInfo | undefined;
}

/** RFC 4517 / MS-ADTS syntax OIDs → our syntax classes. Anything unlisted is text. */
export const SYNTAX_BY_OID: Readonly<Record<string, AttributeSyntax>> = {
  '1.3.6.1.4.1.1466.115.121.1.5': 'binary', // Binary
  '1.3.6.1.4.1.1466.115.121.1.8': 'binary', // Certificate
  '1.3.6.1.4.1.1466.115.121.1.9': 'binary', // Certificate List
  '1.3.6.1.4.1.1466.115.121.1.10': 'binary', // Certificate Pair
  '1.3.6.1.4.1.1466.115.121.1.28': 'binary', // JPEG
  '1.3.6.1.4.1.1466.115.121.1.40': 'binary', // Octet String (objectGUID, objectSid, ms-DS-ConsistencyGuid in AD)
  '1.3.6.1.4.1.1466.115.121.1.12': 'dn', // DN
  '1.3.6.1.4.1.1466.115.121.1.34': 'dn', // Name and Optional UID (uniqueMember); the #'BIT STRING' suffix is rare
  '1.3.6.1.4.1.1466.115.121.1.27': 'integer', // INTEGER
  '1.2.840.113556.1.4.906': 'largeInteger', // AD Large Integer (Int64: FILETIMEs, uSNChanged)
  '1.3.6.1.4.1.1466.115.121.1.7': 'boolean', // Boolean
  '1.3.6.1.4.1.1466.115.121.1.24': 'time', // Generalized Time
  '1.2.840.113556.1.4.907': 'binary', // AD Object(Replica-Link) / NT-Sec-Desc
};

const WELL_KNOWN_ENTRIES: ReadonlyArray<readonly [string, AttributeSyntax, boolean]> = [
  // identifiers and bookkeeping
  ['objectGUID', 'binary', true], ['objectSid', 'binary', true], ['mS-DS-ConsistencyGuid', 'binary', true],
  ['sIDHistory', 'binary', false], ['entryUUID', 'string', true], ['entryCSN', 'string', true],
  ['uSNChanged', 'largeInteger', true], ['uSNCreated', 'largeInteger', true], ['isDeleted', 'boolean', true],
  ['whenCreated', 'time', true], ['whenChanged', 'time', true], ['createTimestamp', 'time', true],
  ['modifyTimestamp', 'time', true], ['objectClass', 'string', false], ['distinguishedName', 'dn', true],
  ['lastKnownParent', 'dn', true], ['instanceType', 'integer', true],
  // accounts
  ['sAMAccountName', 'string', true], ['userPrincipalName', 'string', true], ['userAccountControl', 'integer', true],
  ['accountExpires', 'largeInteger', true], ['pwdLastSet', 'largeInteger', true], ['lastLogonTimestamp', 'largeInteger', true],
  ['sAMAccountType', 'integer', true], ['groupType', 'integer', true], ['primaryGroupID', 'integer', true],
  ['uid', 'string', false], ['uidNumber', 'integer', true], ['gidNumber', 'integer', true],
  ['userPassword', 'binary', false], ['thumbnailPhoto', 'binary', true], ['jpegPhoto', 'binary', false],
  ['userCertificate', 'binary', false], ['msExchMailboxGuid', 'binary', true],
  // names and contact details
  ['cn', 'string', true], ['name', 'string', true], ['displayName', 'string', true], ['givenName', 'string', true],
  ['sn', 'string', true], ['initials', 'string', true], ['mail', 'string', true], ['proxyAddresses', 'string', false],
  ['mailNickname', 'string', true], ['targetAddress', 'string', true], ['department', 'string', true],
  ['departmentNumber', 'string', false], ['title', 'string', true], ['company', 'string', true],
  ['employeeID', 'string', true], ['employeeNumber', 'string', true], ['employeeType', 'string', false],
  ['telephoneNumber', 'string', true], ['mobile', 'string', true], ['otherTelephone', 'string', false],
  ['facsimileTelephoneNumber', 'string', true], ['streetAddress', 'string', true], ['l', 'string', true],
  ['st', 'string', true], ['postalCode', 'string', true], ['c', 'string', true], ['co', 'string', true],
  ['physicalDeliveryOfficeName', 'string', true], ['description', 'string', false], ['info', 'string', true],
  ['extensionAttribute1', 'string', true], ['ou', 'string', false], ['o', 'string', false],
  ['preferredLanguage', 'string', true], ['wWWHomePage', 'string', true],
  // references
  ['member', 'dn', false], ['memberOf', 'dn', false], ['manager', 'dn', true], ['directReports', 'dn', false],
  ['uniqueMember', 'dn', false], ['managedBy', 'dn', true], ['owner', 'dn', false], ['seeAlso', 'dn', false],
];

const WELL_KNOWN = new Map<string, AttributeInfo>(
  WELL_KNOWN_ENTRIES.map(([name, syntax, singleValued]) => [name.toLowerCase(), Object.freeze({ syntax, singleValued })]),
);

/** The built-in table (LDIF sources; fallback when a server does not publish its subschema). */
export const WELL_KNOWN_ATTRIBUTES: AttributeSchema = { lookup: (name) => WELL_KNOWN.get(name.toLowerCase()) };

/** The first schema that knows an attribute wins. */
export function layeredSchema(...schemas: AttributeSchema[]): AttributeSchema {
  return { lookup: (name) => { for (const s of schemas) { const info = s.lookup(name); if (info) return info; } return undefined; } };
}

/** Names of the attributes a schema marks binary, from a candidate list (ldapts' explicitBufferAttributes). */
export function isBinaryAttribute(schema: AttributeSchema, name: string): boolean {
  return schema.lookup(name)?.syntax === 'binary';
}

const decoder = new TextDecoder('utf-8');

/** RFC 4517 §3.3.13 GeneralizedTime, e.g. 20240102030405.0Z / 20240102030405Z / with fractions and offsets. */
export function parseGeneralizedTime(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi = '00', s = '00', frac = '0', zone = 'Z'] = m;
  const ms = Math.round(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offset = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5) || '0');
    t -= sign * offset * 60_000;
  }
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function convertOne(raw: string | Uint8Array, syntax: AttributeSyntax): Scalar {
  if (syntax === 'binary') return typeof raw === 'string' ? new Uint8Array(Buffer.from(raw, 'utf8')) : new Uint8Array(raw);
  const text = typeof raw === 'string' ? raw : decoder.decode(raw);
  switch (syntax) {
    case 'string': return text;
    // MS-ADTS 3.1.1.3.4.1.5 extended DN form "<GUID=…>;<SID=…>;CN=…": Samba returns lastKnownParent that way.
    case 'dn': return reference(text.replace(/^(?:<[A-Z]+=[^>]*>;)+/i, ''));
    case 'integer': {
      if (!/^-?\d+$/.test(text)) return text;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case 'largeInteger': return /^-?\d+$/.test(text) ? BigInt(text) : text;
    case 'boolean': return text.toUpperCase() === 'TRUE' ? true : text.toUpperCase() === 'FALSE' ? false : text;
    case 'time': return parseGeneralizedTime(text) ?? text;
  }
}

/**
 * Raw values of one attribute → Value. Unknown attributes are text, single-valued when they carry one value.
 * A value that does not parse in its syntax stays text rather than being dropped: losing data silently is worse.
 */
export function toValue(raw: readonly (string | Uint8Array)[], info: AttributeInfo | undefined): Value {
  const syntax = info?.syntax ?? 'string';
  if (raw.length === 1 && (info ? info.singleValued : true)) return convertOne(raw[0]!, syntax);
  const values = raw.map((r) => convertOne(r, syntax));
  if (values.length === 0) return null;
  if (info ? !info.singleValued : values.length > 1) return values;
  return values[0] ?? null;
}
