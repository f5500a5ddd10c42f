/**
 * Turns a create or update request (Graph property names → JSON values) into the object's next stored state,
 * enforcing the property catalog: unknown, read-only, provisioning-only and on-premises-mastered properties,
 * value types and lengths, and directory extensions. Pure: constraints that need the database (uniqueness,
 * verified domains) are checked by the caller.
 */
import { isDeepStrictEqual } from 'node:util';
import { CloudsyncError } from '../errors/index.ts';
import type { WriteActor } from './cloud-directory.ts';
import type { ExtensionDefinition } from './extension-definition.ts';
import { normalizeExtensionValue } from './extension-definition.ts';
import { isStorableText } from './storable-text.ts';
import { EXTENSION_TARGET_OF, ODATA_TYPES, type ObjectType } from './object-types.ts';
import {
  CREATE_DEFAULTS,
  EXTENSION_ATTRIBUTE_NAMES,
  EXTENSION_NAME_PATTERN,
  PROPERTY_CATALOG,
  propertyDefinition,
  type PropertyDefinition,
} from './property-catalog.ts';
import { OBJECT_TYPES } from './object-types.ts';
import { fullExtensionAttributes, graphShape } from './sparse-object.ts';

/** Bounds one object's collections (proxyAddresses, otherMails, …), so one request cannot bloat a row. */
const MAX_COLLECTION_SIZE = 1000;

export type StoredObject = Record<string, unknown> & { id: string; '@odata.type': string };

export interface InputContext {
  readonly actor: WriteActor;
  /** Extensions registered in the tenant, by full name. */
  readonly extensions: ReadonlyMap<string, ExtensionDefinition>;
}

export interface AppliedInput {
  readonly data: StoredObject;
  /** Property names whose value changed (for the change log). */
  readonly changed: readonly string[];
}

function invalidValue(name: string, message: string, value?: unknown): CloudsyncError {
  return new CloudsyncError('ERR_DIR_INVALID_VALUE', `${name}: ${message}`, {
    path: name,
    details: { property: name, ...(value === undefined ? {} : { value }) },
  });
}

/** `index`: the position in a collection, named in the error's path (the path is built only for an error). */
function checkString(name: string, value: unknown, maxLength: number | undefined, index?: number): string {
  if (typeof value === 'string' && (maxLength === undefined || value.length <= maxLength) && isStorableText(value)) return value;
  const path = index === undefined ? name : `${name}[${index}]`;
  if (typeof value !== 'string') throw invalidValue(path, 'expected a string', value);
  if (maxLength !== undefined && value.length > maxLength) throw invalidValue(path, `at most ${maxLength} characters`);
  throw invalidValue(path, 'contains U+0000 or an unpaired surrogate, which a directory string cannot hold');
}

// A synchronization cycle stamps every object it writes with the same onPremisesLastSyncDateTime: remembering the
// last conversion saves parsing and formatting the same text 200,000 times in a full sync.
let lastDateTimeText = '';
let lastDateTimeIso = '';

function canonicalDateTime(name: string, value: string): string {
  if (value === lastDateTimeText) return lastDateTimeIso;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalidValue(name, 'expected an ISO 8601 date and time', value);
  const iso = new Date(time).toISOString();
  lastDateTimeText = value;
  lastDateTimeIso = iso;
  return iso;
}

function normalizeValue(name: string, definition: PropertyDefinition, value: unknown, current: unknown): unknown {
  switch (definition.kind) {
    case 'string':
      return value === null ? null : checkString(name, value, definition.maxLength);
    case 'boolean':
      if (value !== null && typeof value !== 'boolean') throw invalidValue(name, 'expected true or false', value);
      return value;
    case 'dateTime':
      if (value === null) return null;
      if (typeof value !== 'string') throw invalidValue(name, 'expected an ISO 8601 date and time', value);
      return canonicalDateTime(name, value);
    case 'stringCollection': {
      if (value === null) return [];
      if (!Array.isArray(value)) throw invalidValue(name, 'expected an array of strings', value);
      if (value.length > MAX_COLLECTION_SIZE) throw invalidValue(name, `at most ${MAX_COLLECTION_SIZE} values`);
      const strings: string[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) strings[i] = checkString(name, value[i], definition.maxLength, i);
      return strings;
    }
    case 'extensionAttributes': {
      if (value === null) return fullExtensionAttributes(null);
      if (typeof value !== 'object' || Array.isArray(value)) throw invalidValue(name, 'expected an object of extensionAttribute1..15', value);
      const merged = fullExtensionAttributes(current as Record<string, unknown> | null | undefined);
      for (const [attribute, v] of Object.entries(value as Record<string, unknown>)) {
        if (!EXTENSION_ATTRIBUTE_NAMES.includes(attribute)) {
          throw new CloudsyncError('ERR_DIR_INVALID_PROPERTY', `${name}/${attribute} is not a property; use extensionAttribute1 … extensionAttribute15`, {
            path: `${name}/${attribute}`,
            details: { property: `${name}/${attribute}` },
          });
        }
        merged[attribute] = v === null ? null : checkString(`${name}/${attribute}`, v, 1024);
      }
      return merged;
    }
    case 'writeOnly':
      return undefined;
  }
}

/**
 * A new object of each type before its input is applied: every member of the Graph shape, in its order, null or
 * empty, with the type's defaults. Built once and cloned: assigning forty-odd computed keys one by one leaves V8 a
 * dictionary-mode object, several times slower to copy, compare and serialize than the clone of a parsed one.
 */
const EMPTY_OBJECTS: Readonly<Record<ObjectType, StoredObject>> = Object.freeze(
  Object.fromEntries(
    OBJECT_TYPES.map((type) => {
      const data: Record<string, unknown> = { id: '', '@odata.type': ODATA_TYPES[type] };
      for (const member of graphShape(type).members) {
        data[member.name] = member.fill === 'collection' ? [] : member.fill === 'extensionAttributes' ? fullExtensionAttributes(null) : null;
      }
      for (const [name, value] of Object.entries(CREATE_DEFAULTS[type])) if (name !== 'onPremisesExtensionAttributes') data[name] = value;
      return [type, Object.freeze(JSON.parse(JSON.stringify(data)) as StoredObject)];
    }),
  ) as Record<ObjectType, StoredObject>,
);

/** Members whose empty value is a fresh array or object, which each new object must own. */
const MUTABLE_MEMBERS: Readonly<Record<ObjectType, readonly { name: string; fill: 'collection' | 'extensionAttributes' }[]>> = Object.freeze(
  Object.fromEntries(
    OBJECT_TYPES.map((type) => [type, graphShape(type).members.filter((m) => m.fill !== 'null') as { name: string; fill: 'collection' | 'extensionAttributes' }[]]),
  ) as Record<ObjectType, { name: string; fill: 'collection' | 'extensionAttributes' }[]>,
);

const REQUIRED: Readonly<Record<ObjectType, readonly string[]>> = Object.freeze(
  Object.fromEntries(
    OBJECT_TYPES.map((type) => [type, Object.entries(PROPERTY_CATALOG[type]).filter(([, d]) => d.required === true).map(([name]) => name)]),
  ) as Record<ObjectType, string[]>,
);

/** The state of a new object before its input is applied: every catalog property present (null or empty). */
export function emptyObject(type: ObjectType, id: string, createdDateTime: string): StoredObject {
  const data: StoredObject = { ...EMPTY_OBJECTS[type] };
  data.id = id;
  for (const member of MUTABLE_MEMBERS[type]) {
    const template = EMPTY_OBJECTS[type][member.name];
    data[member.name] = member.fill === 'collection' ? [...(template as unknown[])] : fullExtensionAttributes(null);
  }
  if ('createdDateTime' in data) data['createdDateTime'] = createdDateTime;
  return data;
}

/**
 * Value equality for stored JSON values: identity first, the deep comparison only for arrays and objects, and not
 * for arrays of different lengths (a create's collections against the empty object's []), which it would answer
 * `false` too, at the cost of a generic comparison.
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return false;
  return isDeepStrictEqual(a, b);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies `input` to `current` (a fresh `emptyObject` for creates, which is filled in place: copying forty-odd
 * members of an object nobody else holds would only feed the garbage collector). Throws the first violation found,
 * naming the property in `path` and `details.property`.
 */
export function applyInput(type: ObjectType, current: StoredObject, input: unknown, context: InputContext, isCreate: boolean): AppliedInput {
  if (!isPlainObject(input)) throw new CloudsyncError('ERR_DIR_INVALID_VALUE', 'the request body must be a JSON object');
  const synced = current['onPremisesSyncEnabled'] === true;
  const data: StoredObject = isCreate ? current : { ...current };
  const changed: string[] = [];
  for (const name of Object.keys(input)) {
    const rawValue = input[name];
    if (name.startsWith('@odata.')) continue; // annotations clients echo back (e.g. @odata.type) carry no data
    if (rawValue === undefined) continue;
    let definition: PropertyDefinition | undefined;
    let next: unknown;
    // whether `next` differs from the current value, when already compared
    let differs: boolean | undefined;
    if (name.startsWith('extension_')) {
      const extension = context.extensions.get(name);
      const target = EXTENSION_TARGET_OF[type];
      if (!EXTENSION_NAME_PATTERN.test(name) || extension === undefined) {
        throw new CloudsyncError('ERR_DIR_INVALID_PROPERTY', `${name} is not a directory extension registered in this tenant`, {
          path: name,
          details: { property: name },
        });
      }
      if (target === undefined || !extension.targetObjects.includes(target)) {
        throw new CloudsyncError('ERR_DIR_EXTENSION_INVALID', `${name} does not target ${target ?? type} objects (targetObjects: ${extension.targetObjects.join(', ')})`, {
          path: name,
          details: { property: name, targetObjects: extension.targetObjects },
        });
      }
      next = normalizeExtensionValue(extension, rawValue);
      if (extension.isSyncedFromOnPremises && synced && context.actor === 'api' && !isDeepStrictEqual(next, data[name] ?? null)) {
        throw mastered(type, current.id, name);
      }
      if (next === null) {
        if (name in data) {
          delete data[name];
          changed.push(name);
        }
        continue;
      }
    } else {
      definition = propertyDefinition(type, name);
      if (definition === undefined) {
        throw new CloudsyncError('ERR_DIR_INVALID_PROPERTY', `${name} is not a property of ${type}`, { path: name, details: { property: name } });
      }
      if (definition.access === 'writeOnly') continue;
      if (definition.access === 'readOnly') {
        if (!isCreate && isDeepStrictEqual(rawValue, data[name])) continue; // echoing an unchanged read-only value back is harmless
        throw new CloudsyncError('ERR_DIR_READ_ONLY_PROPERTY', `${name} is read-only`, { path: name, details: { property: name } });
      }
      next = normalizeValue(name, definition, rawValue, data[name]);
      differs = !sameValue(next, data[name]);
      if (definition.access === 'provisioning' && context.actor !== 'provisioning' && differs) {
        throw new CloudsyncError('ERR_DIR_READ_ONLY_PROPERTY', `${name} is set only by the provisioning service`, {
          path: name,
          details: { property: name },
        });
      }
      if (definition.mastered && synced && context.actor === 'api' && differs) throw mastered(type, current.id, name);
    }
    if (differs ?? !sameValue(next, data[name])) {
      data[name] = next;
      changed.push(name);
    }
  }
  if (isCreate) {
    for (const name of REQUIRED[type]) {
      if (data[name] === null || data[name] === '') {
        throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `${name} is required to create a ${type}`, { path: name, details: { property: name } });
      }
    }
  }
  if (type === 'user') {
    const upn = data['userPrincipalName'];
    if (upn === null || upn === '') throw new CloudsyncError('ERR_DIR_INVALID_VALUE', 'userPrincipalName cannot be empty', { path: 'userPrincipalName' });
    if (typeof upn === 'string' && !/^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(upn)) {
      throw invalidValue('userPrincipalName', `'${upn}' is not of the form alias@domain`, upn);
    }
    if (isCreate && data['mailNickname'] === null && typeof upn === 'string') data['mailNickname'] = upn.slice(0, upn.indexOf('@'));
  }
  return { data, changed };
}

export function mastered(type: ObjectType, id: string, property: string): CloudsyncError {
  return new CloudsyncError(
    'ERR_DIR_ON_PREMISES_MASTERED',
    `${property} of ${type} ${id} is mastered on-premises (onPremisesSyncEnabled is true): change it in the on-premises directory`,
    { path: property, details: { property, objectId: id } },
  );
}
