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

/** An AttributeSource over a plain record, matching names case-insensitively. */
export function attributeSource(record: Readonly<Record<string, Value | undefined>>): AttributeSource {
  const byLowerName = new Map<string, Value>();
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined) byLowerName.set(name.toLowerCase(), value);
  }
  return { get: (name) => byLowerName.get(name.toLowerCase()) };
}
