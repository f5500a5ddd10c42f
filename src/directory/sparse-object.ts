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
 * - Rows written dense (before sparse storage) contain every member, so `denseJson` returns them unchanged; they are
 *   never rewritten.
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

/** The stored `"@odata.type"` member value (a JSON string) → its object type. */
const TYPE_OF_ODATA_TEXT: ReadonlyMap<string, ObjectType> = new Map(OBJECT_TYPES.map((type) => [JSON.stringify(ODATA_TYPES[type]), type]));

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

/** The text a row stores for `data` (a full object of `type`): its members that have a value, in order. */
export function sparseJson(type: ObjectType, data: Readonly<Record<string, unknown>>): string {
  const { members, index } = SHAPES[type];
  const sparse: Record<string, unknown> = {};
  for (const name in data) {
    const value = data[name];
    const at = index.get(name);
    if (at !== undefined) {
      const fill = members[at]!.fill;
      if (fill === 'null') {
        if (value === null) continue;
      } else if (fill === 'collection') {
        if (Array.isArray(value) && value.length === 0) continue;
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const attributes = sparseExtensionAttributes(value as Record<string, unknown>);
        if (attributes !== undefined) sparse[name] = attributes;
        continue;
      }
    }
    sparse[name] = value;
  }
  return JSON.stringify(sparse);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function malformed(at: number): TypeError {
  return new TypeError(`stored directory object is not compact JSON (at character ${at})`);
}

/** Index just past the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) throw malformed(start);
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the JSON value starting at `start` (compact JSON: no whitespace between tokens). */
function valueEnd(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return stringEnd(text, start);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) i = stringEnd(text, i) - 1;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    throw malformed(start);
  }
  let i = start;
  while (i < text.length && text.charCodeAt(i) !== COMMA && text.charCodeAt(i) !== CLOSE_BRACE) i++;
  return i;
}

function denseExtensionAttributes(value: string): string {
  if (value === NULL_EXTENSION_ATTRIBUTES || value.charCodeAt(0) !== OPEN_BRACE) return value;
  return JSON.stringify(fullExtensionAttributes(JSON.parse(value) as Record<string, unknown>));
}

/**
 * The full Graph JSON text of a stored object (sparse or dense): the left-out members spliced back in at their
 * place, everything else copied as stored. Values are skipped, not parsed, so a page of objects can be served as
 * text (CloudDirectory.listJson) at about the cost of copying it.
 */
export function denseJson(stored: string): string {
  if (stored.charCodeAt(0) !== OPEN_BRACE) throw malformed(0);
  const keys: string[] = [];
  const members: string[] = [];
  let type: ObjectType | undefined;
  let i = 1;
  if (stored.charCodeAt(1) !== CLOSE_BRACE) {
    for (;;) {
      if (stored.charCodeAt(i) !== QUOTE) throw malformed(i);
      const keyEnd = stringEnd(stored, i);
      const key = stored.slice(i + 1, keyEnd - 1);
      const end = valueEnd(stored, keyEnd + 1);
      if (key === '@odata.type') type = TYPE_OF_ODATA_TEXT.get(stored.slice(keyEnd + 1, end));
      keys.push(key);
      members.push(stored.slice(i, end));
      if (stored.charCodeAt(end) === CLOSE_BRACE) break;
      if (stored.charCodeAt(end) !== COMMA) throw malformed(end);
      i = end + 1;
    }
  }
  if (type === undefined) return stored;
  const shape = SHAPES[type];
  const present = new Uint8Array(shape.members.length);
  for (const key of keys) {
    const at = shape.index.get(key);
    if (at !== undefined) present[at] = 1;
  }
  // Missing shape members go right before the first stored member that comes after them in the shape (or before
  // the appended members, or at the end); stored members keep their order, so a dense row comes back unchanged.
  let next = 0;
  let out = '{';
  const emitMissingBefore = (limit: number) => {
    for (; next < limit; next++) if (present[next] === 0) out += (out.length > 1 ? ',' : '') + shape.members[next]!.text;
  };
  for (let m = 0; m < keys.length; m++) {
    const at = shape.index.get(keys[m]!);
    const isShapeMember = at !== undefined;
    if (keys[m] !== 'id' && keys[m] !== '@odata.type') emitMissingBefore(isShapeMember ? at : shape.members.length);
    if (isShapeMember && at >= next) next = at + 1;
    let member = members[m]!;
    if (isShapeMember && shape.members[at]!.fill === 'extensionAttributes') {
      const colon = member.indexOf(':');
      member = member.slice(0, colon + 1) + denseExtensionAttributes(member.slice(colon + 1));
    }
    out += (out.length > 1 ? ',' : '') + member;
  }
  emitMissingBefore(shape.members.length);
  return out + '}';
}
