/**
 * How a directory object is stored: sparse. Graph returns every property of an object, `null` (or `[]`) when it
 * has no value ("Properties that have no value are null"); a synchronized user has ~25 such properties plus 15 null
 * onPremisesExtensionAttributes, about half of its JSON. The row keeps only the properties that have a value, and
 * every read puts the others back, so what the directory returns is exactly what it returned when rows were dense.
 *
 * Invariants this relies on:
 * - The full shape of a type (`graphShape`) is the key order `emptyObject` creates, and writes never reorder keys
 *   (they assign in place, and only directory extensions and deletedDateTime are appended). A stored text is
 *   therefore a subsequence of the full shape followed by the appended members, and `denseJson` can splice the
 *   missing members in by position, without parsing values.
 * - Only members equal to their fill are left out (`null`, `[]`, a null extensionAttributeN), so putting the fill
 *   back is exact. Members outside the shape (extensions, deletedDateTime) are stored as they are.
 * - Rows written dense (before sparse storage) contain every member in shape order (the catalog's order has never
 *   changed), so `denseJson` returns their text unchanged and `denseObject` the object they always parsed to; they
 *   are never rewritten, only written sparse when next updated.
 * - `$filter` reads JSON paths: SQLite's json_extract and PostgreSQL's `->>` give SQL NULL both for a JSON null and
 *   for a missing member, and json_each / jsonb_array_elements_text give no rows for a missing array as for `[]`,
 *   so filters treat a left-out member as the stored null it stands for (test/directory/sparse-object.test.ts).
 */
import { ODATA_TYPES, OBJECT_TYPES, type ObjectType } from './object-types.ts';
import { EXTENSION_ATTRIBUTE_NAMES, PROPERTY_CATALOG } from './property-catalog.ts';

/** What a member without a value is in the Graph shape. */
export const FILL_KINDS = ['null', 'collection', 'extensionAttributes'] as const;
export type FillKind = (typeof FILL_KINDS)[number];

export interface ShapeMember {
  readonly name: string;
  readonly fill: FillKind;
  /** `"name":<fill>`, spliced into stored texts that leave the member out. */
  readonly text: string;
}

export interface GraphShape {
  /** Every member of the full object after `id` and `@odata.type`, in the order Graph responses have them. */
  readonly members: readonly ShapeMember[];
  readonly index: ReadonlyMap<string, number>;
}

const NULL_EXTENSION_ATTRIBUTES = `{${EXTENSION_ATTRIBUTE_NAMES.map((name) => `"${name}":null`).join(',')}}`;
/** Parsed rather than built key by key, so that it and its clones are fast-mode objects. */
const NULL_EXTENSION_ATTRIBUTES_OBJECT: Readonly<Record<string, null>> = Object.freeze(JSON.parse(NULL_EXTENSION_ATTRIBUTES) as Record<string, null>);
const FILL_TEXT: Readonly<Record<FillKind, string>> = { null: 'null', collection: '[]', extensionAttributes: NULL_EXTENSION_ATTRIBUTES };

function shapeOf(type: ObjectType): GraphShape {
  const members: ShapeMember[] = [];
  for (const [name, definition] of Object.entries(PROPERTY_CATALOG[type])) {
    // id is always stored; deletedDateTime exists only on deleted items (appended when deleted); write-only
    // properties are never stored.
    if (name === 'id' || name === 'deletedDateTime' || definition.kind === 'writeOnly') continue;
    const fill: FillKind = definition.kind === 'stringCollection' ? 'collection' : definition.kind === 'extensionAttributes' ? 'extensionAttributes' : 'null';
    members.push({ name, fill, text: `${JSON.stringify(name)}:${FILL_TEXT[fill]}` });
  }
  return { members, index: new Map(members.map((m, i) => [m.name, i])) };
}

const SHAPES: Readonly<Record<ObjectType, GraphShape>> = Object.freeze(
  Object.fromEntries(OBJECT_TYPES.map((type) => [type, shapeOf(type)])) as Record<ObjectType, GraphShape>,
);

export function graphShape(type: ObjectType): GraphShape {
  return SHAPES[type];
}

/** onPremisesExtensionAttributes as Graph returns it: all fifteen, in order, null where unset. */
export function fullExtensionAttributes(stored: Readonly<Record<string, unknown>> | null | undefined): Record<string, unknown> {
  const full = { ...NULL_EXTENSION_ATTRIBUTES_OBJECT };
  return stored === null || stored === undefined ? full : Object.assign(full, stored);
}

function sparseExtensionAttributes(value: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  let sparse: Record<string, unknown> | undefined;
  for (const name in value) {
    if (value[name] === null) continue;
    (sparse ??= {})[name] = value[name];
  }
  return sparse;
}

/** The fill kind of each shape member, by its index in `members`. */
const FILL_KINDS_OF: Readonly<Record<ObjectType, readonly FillKind[]>> = Object.freeze(
  Object.fromEntries(OBJECT_TYPES.map((type) => [type, SHAPES[type].members.map((m) => m.fill)])) as Record<ObjectType, FillKind[]>,
);

/**
 * The text a row stores for `data` (a full object of `type`): its members that have a value, in order.
 *
 * Left-out members are set to `undefined` on a shallow copy, which JSON.stringify skips, rather than the others
 * copied into a new object: the copy keeps `data`'s hidden class and key order in one allocation, where adding
 * twenty-odd keys one by one grew the new object's property store several times (a third less time per object).
 */
export function sparseJson(type: ObjectType, data: Readonly<Record<string, unknown>>): string {
  const { index } = SHAPES[type];
  const fills = FILL_KINDS_OF[type];
  const sparse: Record<string, unknown> = { ...data };
  for (const name in data) {
    const at = index.get(name);
    if (at === undefined) continue;
    const value = data[name];
    const fill = fills[at];
    if (fill === 'null') {
      if (value === null) sparse[name] = undefined;
    } else if (fill === 'collection') {
      if (Array.isArray(value) && value.length === 0) sparse[name] = undefined;
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      sparse[name] = sparseExtensionAttributes(value as Record<string, unknown>);
    }
  }
  return JSON.stringify(sparse);
}

const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const COLON = 0x3a;

/** The full object of each type with nothing set: `id`, `@odata.type`, then every shape member's fill. */
const FILLED: Readonly<Record<ObjectType, Readonly<Record<string, unknown>>>> = Object.freeze(
  Object.fromEntries(
    OBJECT_TYPES.map((type) => {
      const text = `{"id":"","@odata.type":${JSON.stringify(ODATA_TYPES[type])}${SHAPES[type].members.map((m) => ',' + m.text).join('')}}`;
      return [type, Object.freeze(JSON.parse(text) as Record<string, unknown>)];
    }),
  ) as Record<ObjectType, Record<string, unknown>>,
);

const TYPE_OF_ODATA: ReadonlyMap<unknown, ObjectType> = new Map(OBJECT_TYPES.map((type) => [ODATA_TYPES[type], type]));

/**
 * The full Graph object of a stored text (sparse or dense). The result is built on a clone of the type's filled
 * template, so it has the shape's member order (which dense rows have too: writes never reorder) followed by the
 * members outside the shape in stored order, and is a fast-mode object (cheap to serialize).
 */
export function denseObject(stored: string): Record<string, unknown> {
  const parsed = JSON.parse(stored) as Record<string, unknown>;
  const type = TYPE_OF_ODATA.get(parsed['@odata.type']);
  if (type === undefined) return parsed;
  const dense: Record<string, unknown> = { ...FILLED[type] };
  for (const member of SHAPES[type].members) {
    // The template's arrays and objects are shared by every clone; each object must own its own.
    if (member.fill === 'collection') {
      if (!(member.name in parsed)) dense[member.name] = [];
    } else if (member.fill === 'extensionAttributes') {
      const value = parsed[member.name];
      parsed[member.name] = value === null ? null : fullExtensionAttributes(value as Record<string, unknown> | undefined);
    }
  }
  for (const name in parsed) dense[name] = parsed[name];
  return dense;
}

/** Index just past the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw new TypeError(`stored directory object has an unterminated string at character ${start}`);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the object or array that opens at `start`. */
function compositeEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  throw new TypeError(`stored directory object has an unterminated value at character ${start}`);
}

const NESTED_KEYS: ReadonlySet<string> = new Set(EXTENSION_ATTRIBUTE_NAMES);
/** Fill texts of the shape members [from, to), each with its leading comma, by `from * (n + 1) + to`. */
const FILL_RUNS: Readonly<Record<ObjectType, string[]>> = Object.freeze(
  Object.fromEntries(OBJECT_TYPES.map((type) => [type, [] as string[]])) as Record<ObjectType, string[]>,
);

function fillRun(type: ObjectType, from: number, to: number): string {
  const members = SHAPES[type].members;
  const key = from * (members.length + 1) + to;
  let run = FILL_RUNS[type][key];
  if (run === undefined) {
    run = '';
    for (let i = from; i < to; i++) run += ',' + members[i]!.text;
    FILL_RUNS[type][key] = run;
  }
  return run;
}

/**
 * The full Graph JSON text of a stored object (sparse or dense), as `JSON.stringify(denseObject(stored))` but
 * without parsing: the missing members' texts are spliced in between the stored ones, so a page of objects is served
 * (CloudDirectory.listJson) at about the cost of copying it.
 *
 * Members are found by the two characters `,"` followed by a key and `":`. That sequence cannot occur inside a JSON
 * string (a quote in a string is always escaped), and after an array element the next character is `,` or `]`,
 * never `:`; so each hit is a member, of the object itself or of onPremisesExtensionAttributes (whose keys are set
 * apart). A text that is not in shape order takes the parsing path.
 */
export function denseJson(stored: string): string {
  if (!stored.startsWith('{"id":"')) return JSON.stringify(denseObject(stored));
  const typeAt = stored.indexOf(',"@odata.type":"');
  const type = typeAt < 0 ? undefined : TYPE_OF_ODATA.get(stored.slice(typeAt + 16, stored.indexOf('"', typeAt + 16)));
  if (type === undefined) return stored;
  const { members, index } = SHAPES[type];
  const total = members.length;
  let out = '';
  let copied = 0;
  let next = 0;
  let i = stored.indexOf(',"', typeAt + 16);
  while (i >= 0) {
    // Members come in shape order, so a member here is the expected one or a later one. Comparing names in place
    // (its closing quote, first character, then the rest) costs a fraction of slicing the key and looking it up.
    const keyStart = i + 2;
    let at = -1;
    for (let j = next; j < total; j++) {
      const name = members[j]!.name;
      if (
        stored.charCodeAt(keyStart + name.length) === QUOTE &&
        stored.charCodeAt(keyStart) === name.charCodeAt(0) &&
        stored.charCodeAt(keyStart + name.length + 1) === COLON &&
        stored.startsWith(name, keyStart)
      ) {
        at = j;
        break;
      }
    }
    let keyEnd: number;
    if (at >= 0) keyEnd = keyStart + members[at]!.name.length;
    else {
      keyEnd = stored.indexOf('"', keyStart);
      if (keyEnd < 0) break;
      // Not a member: an array element (no colon after it, or an escaped quote inside it; keys have no backslash).
      if (stored.charCodeAt(keyEnd + 1) !== COLON || stored.charCodeAt(keyEnd - 1) === BACKSLASH) {
        i = stored.indexOf(',"', keyEnd + 1);
        continue;
      }
      const key = stored.slice(keyStart, keyEnd);
      if (index.has(key)) return JSON.stringify(denseObject(stored)); // out of shape order
      if (!NESTED_KEYS.has(key)) at = total;
    }
    let resumeAt = keyEnd + 1;
    if (at >= 0) {
      if (at > next) {
        out += stored.slice(copied, i) + fillRun(type, next, at);
        copied = i;
      }
      next = at === total ? total : at + 1;
      if (at < total && members[at]!.fill === 'extensionAttributes' && stored.charCodeAt(keyEnd + 2) === OPEN_BRACE) {
        const valueEnd = compositeEnd(stored, keyEnd + 2);
        const value = stored.slice(keyEnd + 2, valueEnd);
        if (value !== NULL_EXTENSION_ATTRIBUTES) {
          out += stored.slice(copied, keyEnd + 2) + JSON.stringify(fullExtensionAttributes(JSON.parse(value) as Record<string, unknown>));
          copied = valueEnd;
        }
        resumeAt = valueEnd;
      }
    }
    i = stored.indexOf(',"', resumeAt);
  }
  if (copied === 0 && next === total) return stored;
  return out + stored.slice(copied, stored.length - 1) + fillRun(type, next, total) + '}';
}
