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
}

export interface NormalizeOptions {
  /** Treat `attr;range=1-1` / `attr;range=0-0` as DirSync incremental value changes. */
  readonly incrementalValues?: boolean;
}

function rawList(value: Entry[string]): RawValues {
  if (Array.isArray(value)) return value as RawValues;
  return [value as string | Uint8Array];
}

const firstText = (raw: RawValues | undefined): string | undefined => {
  const v = raw?.[0];
  return v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
};
const firstBytes = (raw: RawValues | undefined): Uint8Array | undefined => {
  const v = raw?.[0];
  return v === undefined ? undefined : typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : new Uint8Array(v);
};

/** undefined when the entry is not a synced object type (computers, containers, the domain head…). */
export function normalizeEntry(entry: Entry, schema: AttributeSchema, options: NormalizeOptions = {}): NormalizedEntry | undefined {
  // One pass over the entry; this runs once per object of every import, so it avoids intermediate collections.
  const attributes: Record<string, Value> = {};
  const truncated = new Map<string, { high: number; values: RawValues }>();
  let changes: Map<string, { name: string; added: RawValues; removed: RawValues }> | undefined;
  let wholeRanges: Map<string, { name: string; raw: RawValues }> | undefined;
  let objectClassRaw: RawValues | undefined;
  let guidRaw: RawValues | undefined;
  let consistencyRaw: RawValues | undefined;
  let entryUuid: string | undefined;
  let isDeletedText: string | undefined;
  let usn: string | undefined;
  let csn: string | undefined;
  let lastKnownParentName: string | undefined;
  for (const name in entry) {
    if (name === 'dn' || name === '*' || name === '+') continue;
    const raw = rawList(entry[name]!);
    if (raw.length === 0) continue;
    const ranged = name.includes(';') ? parseRangedName(name) : undefined;
    if (ranged) {
      const key = ranged.attribute.toLowerCase();
      if (options.incrementalValues && ranged.low <= 1 && ranged.high === ranged.low) {
        changes ??= new Map();
        const change = changes.get(key) ?? { name: ranged.attribute, added: [], removed: [] };
        (ranged.low === 1 ? change.added : change.removed).push(...raw);
        changes.set(key, change);
      } else if (ranged.high === undefined) {
        // `0-*` is the whole list (a server answering an explicit range that covers everything).
        wholeRanges ??= new Map();
        wholeRanges.set(key, { name: ranged.attribute, raw: [...(wholeRanges.get(key)?.raw ?? []), ...raw] });
      } else {
        truncated.set(ranged.attribute, { high: ranged.high, values: raw });
      }
      continue;
    }
    switch (name.length < 22 ? name.toLowerCase() : '') {
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
    const value = normalizeValue(toValue(raw, schema.lookup(name)));
    if (value !== null) attributes[name] = value;
  }
  const objectClasses = (objectClassRaw ?? []).map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8')));
  const type = classifyObjectType(objectClasses);
  if (!type) return undefined;
  if (wholeRanges) {
    for (const { name, raw } of wholeRanges.values()) {
      const info = schema.lookup(name);
      const value = normalizeValue(toValue(raw, info ? { ...info, singleValued: false } : { syntax: 'string', singleValued: false }));
      if (value !== null) attributes[name] = value;
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
  const anchors: AnchorCandidates = {
    ...(guidBytes && guidBytes.length === 16 ? { objectGuid: formatGuid(guidBytes), objectGuidBytes: guidBytes } : {}),
    ...(consistency && consistency.length > 0 ? { consistencyGuid: consistency } : {}),
    ...(entryUuid ? { entryUuid } : {}),
  };
  const isDeleted = (isDeletedText ?? '').toUpperCase() === 'TRUE';
  const lastKnownParent = lastKnownParentName === undefined ? undefined : attributes[lastKnownParentName];
  const object: SourceObject = {
    type,
    objectClasses,
    dn: entry.dn,
    // lastKnownParent is DN-typed, so its extended-DN prefix (Samba) is already stripped.
    parentDn: isDeleted && isReference(lastKnownParent) ? lastKnownParent.dn : parentDn(entry.dn),
    anchors,
    attributes,
    isDeleted,
    ...(usn && /^\d+$/.test(usn) ? { usnChanged: BigInt(usn) } : {}),
    ...(csn ? { entryCsn: csn } : {}),
    ...(valueChanges ? { valueChanges } : {}),
  };
  return { object, truncated };
}
