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

/** Names remembered per layered schema; servers return a few dozen distinct spellings, this only bounds the odd one. */
const MAX_REMEMBERED_NAMES = 4096;

/**
 * The first schema that knows an attribute wins. Looked up for every attribute of every imported entry, so each
 * spelling's answer is remembered (the layers are fixed once built; each lower-cases the name on every call).
 */
export function layeredSchema(...schemas: AttributeSchema[]): AttributeSchema {
  const known = new Map<string, AttributeInfo | undefined>();
  return {
    lookup: (name) => {
      let info = known.get(name);
      if (info !== undefined || known.has(name)) return info;
      for (const s of schemas) { info = s.lookup(name); if (info) break; }
      if (known.size < MAX_REMEMBERED_NAMES) known.set(name, info);
      return info;
    },
  };
}

/** Names of the attributes a schema marks binary, from a candidate list (ldapts' explicitBufferAttributes). */
export function isBinaryAttribute(schema: AttributeSchema, name: string): boolean {
  return schema.lookup(name)?.syntax === 'binary';
}

const decoder = new TextDecoder('utf-8');

const ZERO = 48;
const isDigit = (code: number): boolean => code >= ZERO && code <= ZERO + 9;
/** The number written by the ASCII digits text[from, from + count) (callers checked they are digits). */
function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + (text.charCodeAt(i) - ZERO);
  return n;
}

/**
 * RFC 4517 §3.3.13 GeneralizedTime, e.g. 20240102030405.0Z / 20240102030405Z / with fractions and offsets:
 *
 *   GeneralizedTime = century year month day hour [ minute [ second / leap-second ] ] [ fraction ] [ g-time-zone ]
 *   fraction = ( DOT / COMMA ) 1*(%x30-39);  g-time-zone = %x5A / g-differential;  g-differential = ( MINUS / PLUS ) hour [ minute ]
 *
 * (the zone is optional here, read as UTC). Parsed by hand: it runs for two or three timestamps of every imported
 * entry, and a regular expression's match array and substrings were most of its cost.
 */
export function parseGeneralizedTime(input: string): Date | undefined {
  const text = input.trim();
  const end = text.length;
  let i = 0;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  // yyyymmddhh, then minutes and seconds or neither or minutes alone.
  if (i !== 10 && i !== 12 && i !== 14) return undefined;
  const minute = i >= 12 ? digits(text, 10, 2) : 0;
  const second = i === 14 ? digits(text, 12, 2) : 0;
  let ms = 0;
  if (i < end && (text.charCodeAt(i) === 0x2e || text.charCodeAt(i) === 0x2c)) {
    const from = ++i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (i === from) return undefined;
    ms = fractionMillis(text, from, i);
  }
  let offsetMinutes = 0;
  if (i < end) {
    const sign = text.charCodeAt(i);
    if (sign === 0x5a) {
      i++;
    } else if (sign === 0x2b || sign === 0x2d) {
      const from = ++i;
      while (i < end && isDigit(text.charCodeAt(i))) i++;
      if (i - from !== 2 && i - from !== 4) return undefined;
      offsetMinutes = (digits(text, from, 2) * 60 + (i - from === 4 ? digits(text, from + 2, 2) : 0)) * (sign === 0x2d ? -1 : 1);
    }
  }
  if (i !== end) return undefined;
  const t = Date.UTC(digits(text, 0, 4), digits(text, 4, 2) - 1, digits(text, 6, 2), digits(text, 8, 2), minute, second, ms) - offsetMinutes * 60_000;
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Milliseconds of the fraction digits text[from, to), rounded as `Math.round(Number('0.' + digits) * 1000)`. */
function fractionMillis(text: string, from: number, to: number): number {
  // Up to three digits the product is within 1e-12 of the integer below, so this is exactly what rounding gives.
  if (to - from <= 3) return digits(text, from, to - from) * 10 ** (3 - (to - from));
  let zeros = true;
  for (let i = from; i < to && zeros; i++) zeros = text.charCodeAt(i) === ZERO;
  return zeros ? 0 : Math.round(Number(`0.${text.slice(from, to)}`) * 1000);
}

/** MS-ADTS 3.1.1.3.4.1.5 extended DN form "<GUID=…>;<SID=…>;CN=…": Samba returns lastKnownParent that way. */
const EXTENDED_DN_PREFIX = /^(?:<[A-Z]+=[^>]*>;)+/i;

function convertOne(raw: string | Uint8Array, syntax: AttributeSyntax): Scalar {
  if (syntax === 'binary') return typeof raw === 'string' ? new Uint8Array(Buffer.from(raw, 'utf8')) : new Uint8Array(raw);
  const text = typeof raw === 'string' ? raw : decoder.decode(raw);
  switch (syntax) {
    case 'string': return text;
    case 'dn': return reference(text.charCodeAt(0) === 0x3c ? text.replace(EXTENDED_DN_PREFIX, '') : text);
    case 'integer': {
      if (!/^-?\d+$/.test(text)) return text;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case 'largeInteger': return /^-?\d+$/.test(text) ? BigInt(text) : text;
    case 'boolean':
      if (text === 'TRUE') return true;
      if (text === 'FALSE') return false;
      return text.toUpperCase() === 'TRUE' ? true : text.toUpperCase() === 'FALSE' ? false : text;
    case 'time': return parseGeneralizedTime(text) ?? text;
  }
}

/** One attribute's raw values as ldapts gives them: a single value bare, several (or none) as an array. */
export type RawAttributeValues = string | Uint8Array | readonly (string | Uint8Array)[];

/**
 * Raw values of one attribute → Value. Unknown attributes are text, single-valued when they carry one value.
 * A value that does not parse in its syntax stays text rather than being dropped: losing data silently is worse.
 * Never puts null in an array (every raw value converts to a scalar), so the result needs no normalising.
 */
export function toValue(raw: RawAttributeValues, info: AttributeInfo | undefined): Value {
  const syntax = info?.syntax ?? 'string';
  const singleValued = info ? info.singleValued : true;
  if (!Array.isArray(raw)) {
    const value = convertOne(raw as string | Uint8Array, syntax);
    return singleValued ? value : [value];
  }
  const list = raw as readonly (string | Uint8Array)[];
  if (list.length === 0) return null;
  // A known single-valued attribute that came with several values keeps the first.
  if (list.length === 1 ? singleValued : info?.singleValued === true) return convertOne(list[0]!, syntax);
  const values: Scalar[] = [];
  for (const r of list) values.push(convertOne(r, syntax));
  return values;
}
