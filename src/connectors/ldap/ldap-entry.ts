/**
 * An ldapts search entry → SourceObject.
 *
 * ldapts quirks handled here: it reports every requested-but-absent attribute as `[]` (dropped: absent is absent),
 * and it decodes any value that is valid UTF-8 as a string unless the attribute was listed in
 * explicitBufferAttributes with the server's exact spelling, so binary attributes are converted back to bytes by
 * syntax (lossless: ldapts' decoder is fatal, so a decoded string re-encodes to the same bytes).
 *
 * Ranged attributes (`member;range=0-1499`) are returned separately for the caller to complete
 * (ranged-retrieval.ts). In DirSync results with LDAP_DIRSYNC_INCREMENTAL_VALUES, `member;range=1-1` carries added
 * values and `member;range=0-0` removed ones (MS-ADTS 3.1.1.3.4.1.3); those become `valueChanges`.
 */
import type { Entry } from 'ldapts';
import { isReference, normalizeValue, type Value } from '../../expressions/value.ts';
import { toValue, type AttributeSchema } from '../attribute-syntax.ts';
import { parentDn } from '../distinguished-name.ts';
import { formatGuid } from '../guid.ts';
import { classifyObjectType } from '../object-type.ts';
import type { AnchorCandidates, SourceObject, ValueChange } from '../source-connector.ts';
import { guidOfExtendedDn } from './extended-dn-control.ts';
import { parseRangedName } from './ranged-retrieval.ts';

export type RawValues = (string | Uint8Array)[];

export interface NormalizedEntry {
  readonly object: SourceObject;
  /** Attributes the server truncated: name → the high bound of the chunk received (fetch from high+1). */
  readonly truncated: ReadonlyMap<string, { readonly high: number; readonly values: RawValues }>;
  /**
   * The most values any attribute of `object.attributes` other than objectClass has (0 when none is an array): an
   * object within `maxInlineValues` needs no deferLarge pass, which nearly every object is.
   */
  readonly mostValues: number;
}

export interface NormalizeOptions {
  /** Treat `attr;range=1-1` / `attr;range=0-0` as DirSync incremental value changes. */
  readonly incrementalValues?: boolean;
}

/** One attribute's values as ldapts gives them: a lone value bare, several (or none) as an array. */
type RawAttribute = string | Uint8Array | RawValues;

function rawList(value: RawAttribute): RawValues {
  if (Array.isArray(value)) return value as RawValues;
  return [value as string | Uint8Array];
}

const first = (raw: RawAttribute | undefined): string | Uint8Array | undefined =>
  raw === undefined ? undefined : Array.isArray(raw) ? (raw as RawValues)[0] : (raw as string | Uint8Array);
const firstText = (raw: RawAttribute | undefined): string | undefined => {
  const v = first(raw);
  return v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
};
const firstBytes = (raw: RawAttribute | undefined): Uint8Array | undefined => {
  const v = first(raw);
  return v === undefined ? undefined : typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : new Uint8Array(v);
};

/** The attributes normalizeEntry reads for itself, by lower-case name. */
const BOOKKEEPING = ['objectclass', 'objectguid', 'ms-ds-consistencyguid', 'entryuuid', 'isdeleted', 'usnchanged', 'entrycsn', 'lastknownparent'] as const;
type Bookkeeping = (typeof BOOKKEEPING)[number];
/** Spelling → bookkeeping role (null: none), so that names are not lower-cased again for every entry. */
const bookkeepingByName = new Map<string, Bookkeeping | null>();
const MAX_REMEMBERED_NAMES = 4096;

function bookkeepingOf(name: string): Bookkeeping | null {
  let role = bookkeepingByName.get(name);
  if (role === undefined) {
    const lower = name.toLowerCase();
    role = (BOOKKEEPING as readonly string[]).includes(lower) ? (lower as Bookkeeping) : null;
    if (bookkeepingByName.size < MAX_REMEMBERED_NAMES) bookkeepingByName.set(name, role);
  }
  return role;
}

const NOTHING_TRUNCATED: ReadonlyMap<string, { readonly high: number; readonly values: RawValues }> = new Map();

/** undefined when the entry is not a synced object type (computers, containers, the domain head…). */
export function normalizeEntry(entry: Entry, schema: AttributeSchema, options: NormalizeOptions = {}): NormalizedEntry | undefined {
  // One pass over the entry; this runs once per object of every import, so it avoids intermediate collections
  // (ldapts' bare single values are converted as they are, not wrapped in arrays first).
  const attributes: Record<string, Value> = {};
  let truncated: Map<string, { high: number; values: RawValues }> | undefined;
  let changes: Map<string, { name: string; added: (string | Uint8Array)[]; removed: (string | Uint8Array)[] }> | undefined;
  let wholeRanges: Map<string, { name: string; raw: RawValues }> | undefined;
  let objectClassRaw: RawAttribute | undefined;
  let guidRaw: RawAttribute | undefined;
  let consistencyRaw: RawAttribute | undefined;
  let entryUuid: string | undefined;
  let isDeletedText: string | undefined;
  let usn: string | undefined;
  let csn: string | undefined;
  let lastKnownParentName: string | undefined;
  let mostValues = 0;
  for (const name in entry) {
    if (name === 'dn' || name === '*' || name === '+') continue;
    const raw = entry[name] as RawAttribute;
    // ldapts reports every requested-but-absent attribute as [].
    if (Array.isArray(raw) && raw.length === 0) continue;
    const ranged = name.includes(';') ? parseRangedName(name) : undefined;
    if (ranged) {
      const list = rawList(raw);
      const key = ranged.attribute.toLowerCase();
      if (options.incrementalValues && ranged.low <= 1 && ranged.high === ranged.low) {
        changes ??= new Map();
        const change = changes.get(key) ?? { name: ranged.attribute, added: [], removed: [] };
        (ranged.low === 1 ? change.added : change.removed).push(...list);
        changes.set(key, change);
      } else if (ranged.high === undefined) {
        // `0-*` is the whole list (a server answering an explicit range that covers everything).
        wholeRanges ??= new Map();
        wholeRanges.set(key, { name: ranged.attribute, raw: [...(wholeRanges.get(key)?.raw ?? []), ...list] });
      } else {
        (truncated ??= new Map()).set(ranged.attribute, { high: ranged.high, values: list });
      }
      continue;
    }
    const role = bookkeepingOf(name);
    switch (role) {
      case 'objectclass': objectClassRaw = raw; break;
      case 'objectguid': guidRaw = raw; break;
      case 'ms-ds-consistencyguid': consistencyRaw = raw; break;
      case 'entryuuid': entryUuid = firstText(raw); break;
      case 'isdeleted': isDeletedText = firstText(raw); break;
      case 'usnchanged': usn = firstText(raw); break;
      case 'entrycsn': csn = firstText(raw); break;
      case 'lastknownparent': lastKnownParentName = name; break;
      default: break;
    }
    // toValue never puts null in an array and gives null only for no values, so nothing needs normalising.
    const value = toValue(raw, schema.lookup(name));
    if (value === null) continue;
    attributes[name] = value;
    if (Array.isArray(value) && value.length > mostValues && role !== 'objectclass') mostValues = value.length;
  }
  const objectClasses: string[] = [];
  for (const v of objectClassRaw === undefined ? [] : rawList(objectClassRaw)) objectClasses.push(typeof v === 'string' ? v : Buffer.from(v).toString('utf8'));
  const type = classifyObjectType(objectClasses);
  if (!type) return undefined;
  if (wholeRanges) {
    for (const { name, raw } of wholeRanges.values()) {
      const info = schema.lookup(name);
      const value = normalizeValue(toValue(raw, info ? { ...info, singleValued: false } : { syntax: 'string', singleValued: false }));
      if (value === null) continue;
      attributes[name] = value;
      if (Array.isArray(value) && value.length > mostValues && name.toLowerCase() !== 'objectclass') mostValues = value.length;
    }
  }

  let valueChanges: Record<string, ValueChange> | undefined;
  for (const change of changes?.values() ?? []) {
    const info = schema.lookup(change.name);
    // One value at a time, so that values and their GUIDs stay aligned.
    const asList = (raw: RawValues): Value[] => raw.map((r) => toValue([r], { syntax: info?.syntax ?? 'string', singleValued: true }));
    const guids = (raw: RawValues): (string | null)[] => raw.map((r) => (typeof r === 'string' ? guidOfExtendedDn(r) ?? null : null));
    const addedObjectGuids = guids(change.added);
    const removedObjectGuids = guids(change.removed);
    const anyGuid = [...addedObjectGuids, ...removedObjectGuids].some((g) => g !== null);
    valueChanges ??= {};
    valueChanges[change.name] = {
      added: asList(change.added),
      removed: asList(change.removed),
      ...(anyGuid ? { addedObjectGuids, removedObjectGuids } : {}),
    };
  }

  const guidBytes = firstBytes(guidRaw);
  const consistency = firstBytes(consistencyRaw);
  // Built key by key, in this order (spreads of conditional literals allocated a throwaway object per key).
  const anchors: { -readonly [K in keyof AnchorCandidates]: AnchorCandidates[K] } = {};
  if (guidBytes && guidBytes.length === 16) {
    anchors.objectGuid = formatGuid(guidBytes);
    anchors.objectGuidBytes = guidBytes;
  }
  if (consistency && consistency.length > 0) anchors.consistencyGuid = consistency;
  if (entryUuid) anchors.entryUuid = entryUuid;
  const isDeleted = (isDeletedText ?? '').toUpperCase() === 'TRUE';
  const lastKnownParent = lastKnownParentName === undefined ? undefined : attributes[lastKnownParentName];
  const object: { -readonly [K in keyof SourceObject]: SourceObject[K] } = {
    type,
    objectClasses,
    dn: entry.dn,
    // lastKnownParent is DN-typed, so its extended-DN prefix (Samba) is already stripped.
    parentDn: isDeleted && isReference(lastKnownParent) ? lastKnownParent.dn : parentDn(entry.dn),
    anchors,
    attributes,
    isDeleted,
  };
  if (usn && /^\d+$/.test(usn)) object.usnChanged = BigInt(usn);
  if (csn) object.entryCsn = csn;
  if (valueChanges) object.valueChanges = valueChanges;
  return { object, truncated: truncated ?? NOTHING_TRUNCATED, mostValues };
}
