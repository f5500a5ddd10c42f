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
  /**
   * Optional bulk read, answering exactly what get() would: for every name of `slots` the source has a value for,
   * `into[slot]` = that value; the other slots are left as they are (undefined). One pass over the source's
   * attributes instead of a lookup per name.
   */
  readInto?(slots: AttributeSlots, into: (Value | undefined)[]): void;
}

/**
 * Names read into numbered slots (a mapping set's source snapshot): slot `i` holds the value of `names[i]`,
 * matched case-insensitively. Answers `slotOf` for any spelling with one map lookup once that spelling was seen
 * (a directory spells its names the same way in every object).
 */
export class AttributeSlots {
  readonly names: readonly string[];
  readonly #slotOfLowerName: ReadonlyMap<string, number>;
  /** any spelling asked for → its slot, -1 for a name no slot holds; bounded like LOWER_NAMES */
  readonly #slotOfSpelling = new Map<string, number>();

  /** `names` must differ case-insensitively (a TypeError otherwise). */
  constructor(names: readonly string[]) {
    const slotOfLowerName = new Map<string, number>();
    names.forEach((name, slot) => {
      const lower = name.toLowerCase();
      if (slotOfLowerName.has(lower)) throw new TypeError(`AttributeSlots: ${name} is named twice`);
      slotOfLowerName.set(lower, slot);
    });
    this.names = Object.freeze([...names]);
    this.#slotOfLowerName = slotOfLowerName;
  }

  /** the slot holding `name` (any case), -1 when none does */
  slotOf(name: string): number {
    let slot = this.#slotOfSpelling.get(name);
    if (slot === undefined) {
      slot = this.#slotOfLowerName.get(lowerName(name)) ?? -1;
      if (this.#slotOfSpelling.size < LOWER_NAMES_LIMIT) this.#slotOfSpelling.set(name, slot);
    }
    return slot;
  }
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

/**
 * Up to this many distinct names a source scans its record for and remembers the answers; past it, it builds its
 * index. The default AD scoping filter reads 3 names, several times over (its exclusions expand to 8 groups).
 */
const SCANS_BEFORE_INDEX = 4;

/**
 * Reads a record (and its defaults) case-insensitively: of two spellings of one name the later in the record wins,
 * and a default answers only for a name the record has no value for. Lazy: the record is read when asked, so it
 * must not change while the source is in use (see frozenRecordSource; attributeSource indexes at once).
 */
class RecordSource implements AttributeSource {
  readonly #record: Readonly<Record<string, Value | undefined>>;
  readonly #defaults: Readonly<Record<string, Value | undefined>> | undefined;
  #byLowerName: Map<string, Value> | undefined;
  /** names scanned for and their answers: [lower, value, lower, value, …] */
  #scanned: (string | Value | undefined)[] | undefined;

  constructor(record: Readonly<Record<string, Value | undefined>>, defaults: Readonly<Record<string, Value | undefined>> | undefined) {
    this.#record = record;
    this.#defaults = defaults;
  }

  get(name: string): Value | undefined {
    const lower = lowerName(name);
    if (this.#byLowerName === undefined) {
      const scanned = (this.#scanned ??= []);
      for (let i = 0; i < scanned.length; i += 2) if (scanned[i] === lower) return scanned[i + 1] as Value | undefined;
      if (scanned.length < 2 * SCANS_BEFORE_INDEX) {
        const value = this.#scan(lower);
        scanned.push(lower, value);
        return value;
      }
      this.index();
    }
    return this.#byLowerName!.get(lower);
  }

  readInto(slots: AttributeSlots, into: (Value | undefined)[]): void {
    const byLowerName = this.#byLowerName;
    if (byLowerName !== undefined) {
      const names = slots.names;
      for (let slot = 0; slot < names.length; slot++) {
        const value = byLowerName.get(lowerName(names[slot] as string));
        if (value !== undefined) into[slot] = value;
      }
      return;
    }
    const record = this.#record;
    // for…in, not Object.entries: no [name, value] pair per attribute; own properties only, as Object.entries (an
    // attribute a server names `__proto__` makes its value the record's prototype, whose members are not attributes)
    for (const name in record) {
      if (!Object.hasOwn(record, name)) continue;
      const slot = slots.slotOf(name);
      if (slot < 0) continue;
      const value = record[name];
      if (value !== undefined) into[slot] = value;
    }
    const defaults = this.#defaults;
    if (defaults === undefined) return;
    // a slot still empty has no record value: the first default of that name answers, as in index()
    for (const name in defaults) {
      if (!Object.hasOwn(defaults, name)) continue;
      const slot = slots.slotOf(name);
      if (slot < 0 || into[slot] !== undefined) continue;
      const value = defaults[name];
      if (value !== undefined) into[slot] = value;
    }
  }

  /** Builds the lower-case index (eagerly for attributeSource: its callers may reuse their record). */
  index(): void {
    const byLowerName = new Map<string, Value>();
    const record = this.#record;
    for (const name in record) {
      if (!Object.hasOwn(record, name)) continue;
      const value = record[name];
      if (value !== undefined) byLowerName.set(lowerName(name), value);
    }
    const defaults = this.#defaults;
    if (defaults !== undefined) {
      for (const name in defaults) {
        if (!Object.hasOwn(defaults, name)) continue;
        const value = defaults[name];
        const lower = lowerName(name);
        if (value !== undefined && !byLowerName.has(lower)) byLowerName.set(lower, value);
      }
    }
    this.#byLowerName = byLowerName;
  }

  #scan(lower: string): Value | undefined {
    const record = this.#record;
    let found: Value | undefined;
    for (const name in record) {
      if (lowerName(name) !== lower || !Object.hasOwn(record, name)) continue;
      const value = record[name];
      if (value !== undefined) found = value;
    }
    if (found !== undefined || this.#defaults === undefined) return found;
    const defaults = this.#defaults;
    for (const name in defaults) {
      const value = defaults[name];
      if (value !== undefined && lowerName(name) === lower && Object.hasOwn(defaults, name)) return value;
    }
    return undefined;
  }
}

/**
 * An AttributeSource over a plain record, matching names case-insensitively (of two spellings of one name, the later
 * in the record wins). `defaults` answer for the names the record has no value for, as `{ ...defaults, ...record }`
 * would, without building that copy. The record is read at once: changing it afterwards changes nothing.
 */
export function attributeSource(record: Readonly<Record<string, Value | undefined>>, defaults?: Readonly<Record<string, Value | undefined>>): AttributeSource {
  const source = new RecordSource(record, defaults);
  source.index();
  return source;
}

/**
 * attributeSource over a record that never changes (an imported source object): read only when asked, so an object
 * whose mapping reads its attributes in one pass (readInto) and whose scope reads a few by name never has an index
 * built — per object of a full sync, ~30 map insertions and their allocation saved.
 */
export function frozenRecordSource(record: Readonly<Record<string, Value | undefined>>, defaults?: Readonly<Record<string, Value | undefined>>): AttributeSource {
  return new RecordSource(record, defaults);
}
