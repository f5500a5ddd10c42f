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
import { normalizeValue, type Value } from '../../expressions/value.ts';
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
  const byLower = new Map<string, { name: string; raw: RawValues }>();
  const truncated = new Map<string, { high: number; values: RawValues }>();
  const changes = new Map<string, { name: string; added: RawValues; removed: RawValues }>();
  for (const [name, value] of Object.entries(entry)) {
    if (name === 'dn' || name === '*' || name === '+') continue;
    const raw = rawList(value);
    const ranged = name.includes(';') ? parseRangedName(name) : undefined;
    if (ranged) {
      if (raw.length === 0) continue;
      const key = ranged.attribute.toLowerCase();
      if (options.incrementalValues && ranged.low <= 1 && ranged.high === ranged.low) {
        const change = changes.get(key) ?? { name: ranged.attribute, added: [], removed: [] };
        (ranged.low === 1 ? change.added : change.removed).push(...raw);
        changes.set(key, change);
      } else if (ranged.high === undefined) {
        // `member;range=1500-*` as the first and only chunk cannot happen; `0-*` is the whole list.
        byLower.set(key, { name: ranged.attribute, raw: [...(byLower.get(key)?.raw ?? []), ...raw] });
      } else {
        truncated.set(ranged.attribute, { high: ranged.high, values: raw });
      }
      continue;
    }
    if (raw.length === 0) continue;
    byLower.set(name.toLowerCase(), { name, raw });
  }
  const objectClasses = (byLower.get('objectclass')?.raw ?? []).map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('utf8')));
  const type = classifyObjectType(objectClasses);
  if (!type) return undefined;

  const attributes: Record<string, Value> = {};
  for (const { name, raw } of byLower.values()) {
    const value = normalizeValue(toValue(raw, schema.lookup(name)));
    if (value !== null) attributes[name] = value;
  }
  let valueChanges: Record<string, ValueChange> | undefined;
  for (const change of changes.values()) {
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

  const guidBytes = firstBytes(byLower.get('objectguid')?.raw);
  const consistency = firstBytes(byLower.get('ms-ds-consistencyguid')?.raw);
  const entryUuid = firstText(byLower.get('entryuuid')?.raw);
  const anchors: AnchorCandidates = {
    ...(guidBytes && guidBytes.length === 16 ? { objectGuid: formatGuid(guidBytes), objectGuidBytes: guidBytes } : {}),
    ...(consistency && consistency.length > 0 ? { consistencyGuid: consistency } : {}),
    ...(entryUuid ? { entryUuid } : {}),
  };
  const isDeleted = (firstText(byLower.get('isdeleted')?.raw) ?? '').toUpperCase() === 'TRUE';
  const lastKnownParent = firstText(byLower.get('lastknownparent')?.raw);
  const usn = firstText(byLower.get('usnchanged')?.raw);
  const csn = firstText(byLower.get('entrycsn')?.raw);
  const object: SourceObject = {
    type,
    objectClasses,
    dn: entry.dn,
    parentDn: isDeleted && lastKnownParent ? lastKnownParent : parentDn(entry.dn),
    anchors,
    attributes,
    isDeleted,
    ...(usn && /^\d+$/.test(usn) ? { usnChanged: BigInt(usn) } : {}),
    ...(csn ? { entryCsn: csn } : {}),
    ...(valueChanges ? { valueChanges } : {}),
  };
  return { object, truncated };
}
