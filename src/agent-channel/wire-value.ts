/**
 * Source objects and attribute values as JSON on the agent channel, and back — with every field checked on the way
 * in, because the service must treat what an agent sends as untrusted input: a broken or hostile agent must not be
 * able to put a malformed object into a cycle (the connector space and the cloud directory would keep it).
 *
 * JSON has no binary, 64-bit integer, date or DN-reference type, so those scalars travel tagged:
 *   Uint8Array → {"b": base64}   bigint → {"n": "decimal"}   Date → {"d": ISO 8601}   DnReference → {"r": dn}
 * Strings, finite numbers and booleans travel as themselves; a multi-valued value is an array of scalars (never
 * nested, never null — the invariant of src/expressions/value.ts).
 */
import { CloudsyncError } from '../errors/index.ts';
import { reference, type Scalar, type Value } from '../expressions/value.ts';
import { SOURCE_OBJECT_TYPES, type AnchorCandidates, type ImportBatch, type SourceObject, type SourceObjectType, type ValueChange } from '../connectors/source-connector.ts';

export type WireScalar = string | number | boolean | { readonly b: string } | { readonly n: string } | { readonly d: string } | { readonly r: string };
export type WireValue = null | WireScalar | readonly WireScalar[];

/** Bounds on one object: far above anything AD produces, far below what would exhaust the service. */
export const WIRE_LIMITS = Object.freeze({
  /** characters of a DN, an attribute name, a watermark */
  maxStringLength: 1_048_576,
  maxAttributes: 2000,
  maxValuesPerAttribute: 100_000,
});

function bad(path: string, message: string): CloudsyncError {
  return new CloudsyncError('ERR_AGENT_PROTOCOL', `${path}: ${message}`, { path });
}

export function encodeScalar(value: Scalar): WireScalar {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a source value is not a finite number');
    return value;
  }
  if (typeof value === 'bigint') return { n: value.toString() };
  if (value instanceof Uint8Array) return { b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof Date) return { d: value.toISOString() };
  return { r: value.dn };
}

export function encodeValue(value: Value): WireValue {
  if (value === null) return null;
  if (Array.isArray(value)) return (value as readonly Scalar[]).map(encodeScalar);
  return encodeScalar(value as Scalar);
}

function text(value: unknown, path: string, options: { readonly empty?: boolean } = {}): string {
  if (typeof value !== 'string') throw bad(path, `expected a string, got ${value === null ? 'null' : typeof value}`);
  if (value.length > WIRE_LIMITS.maxStringLength) throw bad(path, `longer than ${WIRE_LIMITS.maxStringLength} characters`);
  if (options.empty === false && value === '') throw bad(path, 'empty');
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeScalar(wire: unknown, path: string): Scalar {
  if (typeof wire === 'string') return text(wire, path);
  if (typeof wire === 'boolean') return wire;
  if (typeof wire === 'number') {
    if (!Number.isFinite(wire)) throw bad(path, 'not a finite number');
    return wire;
  }
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) throw bad(path, 'expected a scalar value');
  const keys = Object.keys(wire);
  if (keys.length !== 1) throw bad(path, 'a tagged value has exactly one of b, n, d, r');
  const tagged = wire as Record<string, unknown>;
  if ('b' in tagged) {
    const b64 = text(tagged['b'], `${path}.b`);
    if (b64.length % 4 !== 0 || !BASE64.test(b64)) throw bad(`${path}.b`, 'not base64');
    return new Uint8Array(Buffer.from(b64, 'base64'));
  }
  if ('n' in tagged) {
    const digits = text(tagged['n'], `${path}.n`);
    if (!/^-?\d{1,40}$/.test(digits)) throw bad(`${path}.n`, 'not a decimal integer');
    return BigInt(digits);
  }
  if ('d' in tagged) {
    const iso = text(tagged['d'], `${path}.d`);
    const date = new Date(iso);
    if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(iso)) throw bad(`${path}.d`, 'not an ISO 8601 date-time');
    return date;
  }
  if ('r' in tagged) return reference(text(tagged['r'], `${path}.r`));
  throw bad(path, `unknown value tag '${keys[0]}'`);
}

export function decodeValue(wire: unknown, path: string): Value {
  if (wire === null) return null;
  if (Array.isArray(wire)) {
    if (wire.length > WIRE_LIMITS.maxValuesPerAttribute) throw bad(path, `more than ${WIRE_LIMITS.maxValuesPerAttribute} values`);
    return wire.map((item, i) => {
      if (item === null || Array.isArray(item)) throw bad(`${path}[${i}]`, 'a multi-valued value holds scalars only');
      return decodeScalar(item, `${path}[${i}]`);
    });
  }
  return decodeScalar(wire, path);
}

// ---- source objects ----

export interface WireSourceObject {
  readonly type: SourceObjectType;
  readonly objectClasses: readonly string[];
  readonly dn: string;
  readonly parentDn: string;
  readonly anchors: { readonly objectGuid?: string; readonly objectGuidBytes?: string; readonly consistencyGuid?: string; readonly entryUuid?: string };
  readonly attributes: Readonly<Record<string, WireValue>>;
  readonly isDeleted: boolean;
  readonly usnChanged?: string;
  readonly entryCsn?: string;
  readonly valueChanges?: Readonly<Record<string, { added: readonly WireValue[]; removed: readonly WireValue[]; addedObjectGuids?: readonly (string | null)[]; removedObjectGuids?: readonly (string | null)[] }>>;
  readonly deferredAttributes?: readonly string[];
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export function encodeSourceObject(object: SourceObject): WireSourceObject {
  const { anchors } = object;
  const attributes: Record<string, WireValue> = {};
  for (const [name, value] of Object.entries(object.attributes)) attributes[name] = encodeValue(value);
  let valueChanges: Record<string, { added: WireValue[]; removed: WireValue[]; addedObjectGuids?: (string | null)[]; removedObjectGuids?: (string | null)[] }> | undefined;
  if (object.valueChanges !== undefined) {
    valueChanges = {};
    for (const [name, change] of Object.entries(object.valueChanges)) {
      valueChanges[name] = {
        added: change.added.map(encodeValue),
        removed: change.removed.map(encodeValue),
        ...(change.addedObjectGuids === undefined ? {} : { addedObjectGuids: [...change.addedObjectGuids] }),
        ...(change.removedObjectGuids === undefined ? {} : { removedObjectGuids: [...change.removedObjectGuids] }),
      };
    }
  }
  return {
    type: object.type,
    objectClasses: object.objectClasses,
    dn: object.dn,
    parentDn: object.parentDn,
    anchors: {
      ...(anchors.objectGuid === undefined ? {} : { objectGuid: anchors.objectGuid }),
      ...(anchors.objectGuidBytes === undefined ? {} : { objectGuidBytes: b64(anchors.objectGuidBytes) }),
      ...(anchors.consistencyGuid === undefined ? {} : { consistencyGuid: b64(anchors.consistencyGuid) }),
      ...(anchors.entryUuid === undefined ? {} : { entryUuid: anchors.entryUuid }),
    },
    attributes,
    isDeleted: object.isDeleted,
    ...(object.usnChanged === undefined ? {} : { usnChanged: object.usnChanged.toString() }),
    ...(object.entryCsn === undefined ? {} : { entryCsn: object.entryCsn }),
    ...(valueChanges === undefined ? {} : { valueChanges }),
    ...(object.deferredAttributes === undefined ? {} : { deferredAttributes: object.deferredAttributes }),
  };
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(path, 'expected an object');
  return value as Record<string, unknown>;
}

function bytes(value: unknown, path: string): Uint8Array {
  const decoded = decodeScalar({ b: value }, path);
  return decoded as Uint8Array;
}

function stringList(value: unknown, path: string, max: number): string[] {
  if (!Array.isArray(value)) throw bad(path, 'expected an array of strings');
  if (value.length > max) throw bad(path, `more than ${max} entries`);
  return value.map((item, i) => text(item, `${path}[${i}]`));
}

function guidList(value: unknown, path: string): (string | null)[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw bad(path, 'expected an array');
  return value.map((item, i) => (item === null ? null : text(item, `${path}[${i}]`)));
}

const OBJECT_KEYS = new Set(['type', 'objectClasses', 'dn', 'parentDn', 'anchors', 'attributes', 'isDeleted', 'usnChanged', 'entryCsn', 'valueChanges', 'deferredAttributes']);

export function decodeSourceObject(wire: unknown, path: string): SourceObject {
  const fields = record(wire, path);
  for (const key of Object.keys(fields)) if (!OBJECT_KEYS.has(key)) throw bad(`${path}.${key}`, 'not a property of a source object');
  const type = fields['type'];
  if (typeof type !== 'string' || !(SOURCE_OBJECT_TYPES as readonly string[]).includes(type)) {
    throw bad(`${path}.type`, `expected one of ${SOURCE_OBJECT_TYPES.join(', ')}`);
  }
  const anchorFields = record(fields['anchors'], `${path}.anchors`);
  const anchors: { -readonly [K in keyof AnchorCandidates]: AnchorCandidates[K] } = {};
  if (anchorFields['objectGuid'] !== undefined) anchors.objectGuid = text(anchorFields['objectGuid'], `${path}.anchors.objectGuid`);
  if (anchorFields['objectGuidBytes'] !== undefined) {
    anchors.objectGuidBytes = bytes(anchorFields['objectGuidBytes'], `${path}.anchors.objectGuidBytes`);
    if (anchors.objectGuidBytes.length !== 16) throw bad(`${path}.anchors.objectGuidBytes`, 'an objectGUID is 16 bytes');
  }
  if (anchorFields['consistencyGuid'] !== undefined) anchors.consistencyGuid = bytes(anchorFields['consistencyGuid'], `${path}.anchors.consistencyGuid`);
  if (anchorFields['entryUuid'] !== undefined) anchors.entryUuid = text(anchorFields['entryUuid'], `${path}.anchors.entryUuid`);

  const attributeFields = record(fields['attributes'], `${path}.attributes`);
  const names = Object.keys(attributeFields);
  if (names.length > WIRE_LIMITS.maxAttributes) throw bad(`${path}.attributes`, `more than ${WIRE_LIMITS.maxAttributes} attributes`);
  const attributes: Record<string, Value> = {};
  for (const name of names) {
    if (name === '' || name === '__proto__') throw bad(`${path}.attributes`, `'${name}' is not an attribute name`);
    attributes[name] = decodeValue(attributeFields[name], `${path}.attributes.${name}`);
  }
  if (typeof fields['isDeleted'] !== 'boolean') throw bad(`${path}.isDeleted`, 'expected a boolean');

  let valueChanges: Record<string, ValueChange> | undefined;
  if (fields['valueChanges'] !== undefined) {
    valueChanges = {};
    for (const [name, change] of Object.entries(record(fields['valueChanges'], `${path}.valueChanges`))) {
      const at = `${path}.valueChanges.${name}`;
      const c = record(change, at);
      const list = (value: unknown, where: string): Value[] => {
        if (!Array.isArray(value)) throw bad(where, 'expected an array of values');
        return value.map((item, i) => decodeValue(item, `${where}[${i}]`));
      };
      const addedObjectGuids = guidList(c['addedObjectGuids'], `${at}.addedObjectGuids`);
      const removedObjectGuids = guidList(c['removedObjectGuids'], `${at}.removedObjectGuids`);
      valueChanges[name] = {
        added: list(c['added'], `${at}.added`),
        removed: list(c['removed'], `${at}.removed`),
        ...(addedObjectGuids === undefined ? {} : { addedObjectGuids }),
        ...(removedObjectGuids === undefined ? {} : { removedObjectGuids }),
      };
    }
  }
  const usn = fields['usnChanged'];
  if (usn !== undefined && (typeof usn !== 'string' || !/^\d{1,20}$/.test(usn))) throw bad(`${path}.usnChanged`, 'expected a decimal string');
  return {
    type: type as SourceObjectType,
    objectClasses: stringList(fields['objectClasses'], `${path}.objectClasses`, 100),
    dn: text(fields['dn'], `${path}.dn`, { empty: false }),
    parentDn: text(fields['parentDn'], `${path}.parentDn`),
    anchors,
    attributes,
    isDeleted: fields['isDeleted'],
    ...(usn === undefined ? {} : { usnChanged: BigInt(usn as string) }),
    ...(fields['entryCsn'] === undefined ? {} : { entryCsn: text(fields['entryCsn'], `${path}.entryCsn`) }),
    ...(valueChanges === undefined ? {} : { valueChanges }),
    ...(fields['deferredAttributes'] === undefined ? {} : { deferredAttributes: stringList(fields['deferredAttributes'], `${path}.deferredAttributes`, WIRE_LIMITS.maxAttributes) }),
  };
}

export interface WireImportBatch {
  readonly objects: readonly WireSourceObject[];
  readonly deletedAnchors?: readonly string[];
  /** sent even empty: on the batch with the watermark, an empty list still says the listing is complete */
  readonly presentAnchors?: readonly string[];
  readonly reconcileDeletions?: true;
  readonly watermark?: string;
}

export function encodeImportBatch(batch: ImportBatch): WireImportBatch {
  return {
    objects: batch.objects.map(encodeSourceObject),
    ...(batch.deletedAnchors === undefined || batch.deletedAnchors.length === 0 ? {} : { deletedAnchors: [...batch.deletedAnchors] }),
    ...(batch.presentAnchors === undefined ? {} : { presentAnchors: [...batch.presentAnchors] }),
    ...(batch.reconcileDeletions === true ? { reconcileDeletions: true } : {}),
    ...(batch.watermark === undefined ? {} : { watermark: batch.watermark }),
  };
}

/** A batch's anchors by name: strings, never empty (the connector space is keyed by them), at most `max` of them. */
function anchorList(fields: Record<string, unknown>, name: string, path: string, max: number): string[] | undefined {
  const list = fields[name];
  if (list === undefined) return undefined;
  if (Array.isArray(list) && list.length > max) {
    throw new CloudsyncError('ERR_AGENT_BATCH_TOO_LARGE', `${path}.${name}: ${list.length} anchors in one batch; the service asked for at most ${max}`, { path: `${path}.${name}` });
  }
  return stringList(list, `${path}.${name}`, max).map((anchor, i) => text(anchor, `${path}.${name}[${i}]`, { empty: false }));
}

/** `maxObjects` is the batch size the service asked for: a batch larger than that is refused whole. */
export function decodeImportBatch(wire: unknown, path: string, maxObjects: number): ImportBatch {
  const fields = record(wire, path);
  const objects = fields['objects'];
  if (!Array.isArray(objects)) throw bad(`${path}.objects`, 'expected an array');
  if (objects.length > maxObjects) {
    throw new CloudsyncError('ERR_AGENT_BATCH_TOO_LARGE', `${path}.objects: ${objects.length} objects in one batch; the service asked for at most ${maxObjects}`, { path: `${path}.objects` });
  }
  const decoded = objects.map((object, i) => decodeSourceObject(object, `${path}.objects[${i}]`));
  const deletedAnchors = anchorList(fields, 'deletedAnchors', path, maxObjects);
  const presentAnchors = anchorList(fields, 'presentAnchors', path, maxObjects);
  const reconcile = fields['reconcileDeletions'];
  if (reconcile !== undefined && typeof reconcile !== 'boolean') throw bad(`${path}.reconcileDeletions`, 'expected true or false');
  const watermark = fields['watermark'];
  return {
    objects: decoded,
    ...(deletedAnchors === undefined ? {} : { deletedAnchors }),
    ...(presentAnchors === undefined ? {} : { presentAnchors }),
    ...(reconcile === true ? { reconcileDeletions: true } : {}),
    ...(watermark === undefined ? {} : { watermark: text(watermark, `${path}.watermark`) }),
  };
}
