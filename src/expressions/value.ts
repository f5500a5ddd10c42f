/**
 * Values that flow through expressions, scoping filters and attribute mappings.
 *
 * Entra's mapping engine works on directory attribute values: strings mostly, but also booleans, integers
 * (Int64 ones such as FILETIMEs exceed 2^53, hence bigint), binary blobs (objectGUID, objectSid,
 * ms-DS-ConsistencyGuid), dates, DN references (member, manager) and multi-valued attributes
 * (proxyAddresses). `null` is "no value"; an empty array is normalised to null by `normalizeValue`.
 *
 * Invariant: a multi-valued Value never nests arrays and never contains null.
 */

/** A DN-valued attribute (member, manager): resolved to a target object by the engine, not by expressions. */
export interface DnReference {
  readonly kind: 'reference';
  readonly dn: string;
}

export type Scalar = string | number | bigint | boolean | Uint8Array | Date | DnReference;
export type Value = null | Scalar | readonly Scalar[];

export const VALUE_KINDS = ['null', 'string', 'number', 'boolean', 'binary', 'date', 'reference', 'multi'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

export function reference(dn: string): DnReference {
  return Object.freeze({ kind: 'reference', dn });
}

export function isReference(value: unknown): value is DnReference {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'reference' &&
    typeof (value as { dn?: unknown }).dn === 'string';
}

export function kindOf(value: Value): ValueKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'multi';
  switch (typeof value) {
    case 'string': return 'string';
    case 'number':
    case 'bigint': return 'number';
    case 'boolean': return 'boolean';
    default:
      if (value instanceof Uint8Array) return 'binary';
      if (value instanceof Date) return 'date';
      if (isReference(value)) return 'reference';
      throw new TypeError(`not an expression value: ${Object.prototype.toString.call(value)}`);
  }
}

/** Collapses empty arrays to null and single-element arrays stay arrays (multi-valued stays multi-valued). */
export function normalizeValue(value: Value | undefined): Value {
  if (value === undefined) return null;
  if (Array.isArray(value)) {
    const kept = (value as readonly (Scalar | null)[]).filter((v): v is Scalar => v !== null && v !== undefined);
    return kept.length === 0 ? null : kept;
  }
  return value;
}

/** Where expressions read `[attribute]` from. Attribute names are matched case-insensitively, as in AD. */
export interface AttributeSource {
  /** undefined when the object has no such attribute (distinct from a present-but-null value only for IsPresent). */
  get(name: string): Value | undefined;
}

/**
 * Attribute names in lower case, shared by every source: a directory has a few hundred names, and each object's
 * record and each expression spell them the same way again, so the lower-casing (a new string for `givenName`) and
 * hashing of the result happen once per spelling instead of ~100 times per object. Bounded: past the limit (a
 * source inventing names) names are lower-cased per call, as before.
 */
const LOWER_NAMES = new Map<string, string>();
const LOWER_NAMES_LIMIT = 10_000;

function lowerName(name: string): string {
  let lower = LOWER_NAMES.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (LOWER_NAMES.size < LOWER_NAMES_LIMIT) LOWER_NAMES.set(name, lower);
  }
  return lower;
}

class RecordSource implements AttributeSource {
  readonly #byLowerName: ReadonlyMap<string, Value>;

  constructor(byLowerName: ReadonlyMap<string, Value>) {
    this.#byLowerName = byLowerName;
  }

  get(name: string): Value | undefined {
    return this.#byLowerName.get(lowerName(name));
  }
}

/**
 * An AttributeSource over a plain record, matching names case-insensitively (of two spellings of one name, the later
 * in the record wins). `defaults` answer for the names the record has no value for — virtual attributes the
 * engine adds (dnsDomainName, distinguishedName), as `{ ...defaults, ...record }` would, without building that copy.
 */
export function attributeSource(record: Readonly<Record<string, Value | undefined>>, defaults?: Readonly<Record<string, Value | undefined>>): AttributeSource {
  const byLowerName = new Map<string, Value>();
  // for…in, not Object.entries: no [name, value] pair per attribute. Records are plain objects (own, enumerable
  // properties only; nothing enumerable is inherited from Object.prototype).
  for (const name in record) {
    const value = record[name];
    if (value !== undefined) byLowerName.set(lowerName(name), value);
  }
  if (defaults !== undefined) {
    for (const name in defaults) {
      const value = defaults[name];
      const lower = lowerName(name);
      if (value !== undefined && !byLowerName.has(lower)) byLowerName.set(lower, value);
    }
  }
  return new RecordSource(byLowerName);
}
