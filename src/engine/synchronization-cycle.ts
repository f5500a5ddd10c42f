/**
 * One synchronization cycle of one configuration: source directory → cloud directory.
 *
 * Pipeline. A cycle (CYCLE_STEPS) retries due escrows, imports the source in bounded batches and runs every batch
 * through BATCH_STEPS, named after Graph's provisioningStepType: import (enrich the objects: anchor, virtual
 * attributes, placement) → scoping → matching → processing → referenceResolution (note which objects' references
 * changed; resolve AD value changes by objectGUID) → export. After the last batch: deletion reconciliation (a full
 * import's sweep, or listAnchors() when the source's deltas do not report deletions), then reference resolution
 * proper (group members, streamed with readValues(), resolved through the connector space), then the watermark.
 * The accidental-delete threshold is checked before each batch's export and before the sweep.
 *
 * Per-object failures are values: a CloudsyncError thrown for one object (a mapping error, a directory
 * constraint) becomes a Failure entry in the provisioning log and an escrow on the object's connector-space
 * entry (retried after a growing delay); the cycle goes on. ERR_STORE_* (the database is gone) and anything that
 * is not a CloudsyncError (a bug) abort the cycle; what was already exported stays exported.
 *
 * Crash safety — the invariant. For every object, the connector space never claims more than the cloud holds:
 *   1. A create is followed by its `synced` entry + digests. A crash between the two leaves no entry (or the
 *      `creating` entry of an earlier failed attempt, which has no cloud id either); the next cycle's matching finds
 *      the object the crashed run created (users by onPremisesImmutableId, which the directory keeps unique; groups
 *      by onPremisesSecurityIdentifier; contacts by mail, an SMTP address the directory keeps unique) and adopts it,
 *      writing only the properties that differ — so a replay creates no duplicate and, when the create had
 *      completed, writes nothing. (A write-ahead `creating` intent was dropped: without a cloud id it told the
 *      next cycle nothing matching does not find, and it cost an upsert per new object.) Generic-LDAP groups have
 *      no such key: a crash in exactly that window can leave a duplicate group, as it could with the intent.
 *   2. Updates, deletes and restores write the cloud first and the entry (digests, state) after. A crash between
 *      replays the same idempotent write: an update of the same values, a delete that finds the object already
 *      in deleted items (ERR_DIR_NOT_FOUND = done), a restore that finds it already live (adopted).
 *   3. Membership links are added in the cloud, then recorded; removed in the cloud, then forgotten. A replay's
 *      ERR_DIR_MEMBER_EXISTS / ERR_DIR_NOT_FOUND mean "already done". A page's manager links are written in one
 *      setReferences call at the page's end, and recorded (or forgotten) after it, each only if its link was done;
 *      setting the manager a user already has is done too.
 *   4. The watermark is stored only after every batch up to it has been exported and its entries written, and a
 *      full import's final watermark only after the deletion sweep. A crash before it replays the batches: their
 *      objects' digests are unchanged, so nothing is exported twice (at-least-once import, exactly-once effect).
 *   5. References are marked pending on the entry in the same write as the object; resolution clears the mark
 *      only when done, so a crash in the middle is resumed by the next cycle.
 */
import { newObjectId } from '../directory/object-id.ts';
import { firstRdn, parentDn } from '../connectors/distinguished-name.ts';
import { defaultAnchorOf, type SourceConnector, type SourceObject } from '../connectors/source-connector.ts';
import { CloudsyncError, isCloudsyncError, type ErrorCode } from '../errors/index.ts';
import { frozenRecordSource, isReference, type Value } from '../expressions/value.ts';
import {
  applyFlowType,
  canonicalDn,
  REDACTED,
  typeOfDefinition,
  type CompiledAttributeMapping,
  type CompiledSchema,
  type CompiledSchemaObjectMapping,
  type MappingResult,
  type ObjectPlacement,
} from '../schema/index.ts';
import { systemClock, type Clock } from './clock.ts';
import {
  INLINE_REFERENCE_LIMIT, NO_ESCROW, type ReferenceSet, type ReferenceSettlement, type ConnectorSpace, type ConnectorSpaceEntry, type PendingReferenceEntry,
  type ReferenceTarget, type SynchronizedCount,
} from './connector-space.ts';
import { differs, digestOf, EMPTY_DIGEST, logText, toTargetJson, valueDigest } from './export-values.ts';
import type {
  ModifiedProperty,
  ProvisioningAction,
  ProvisioningLogEntry,
  ProvisioningLogSink,
  ProvisioningStatus,
  ProvisioningStep,
  ProvisioningStepType,
} from './provisioning-log.ts';
import { readAhead } from './read-ahead.ts';
import type { ReferenceLink, TargetDirectory, TargetObject, TargetType, TargetValue, TargetWriteResult, TenantDomains } from './target-directory.ts';
import { PENDING_DELETION_REASON_TEXT, type PendingDeletion, type PendingDeletionReason } from './pending-deletion.ts';

/** What the engine needs of a source connector (src/connectors/source-connector.ts). */
export type EngineSource = Pick<SourceConnector, 'capabilities' | 'fullImport' | 'deltaImport' | 'readObject' | 'readValues' | 'listAnchors' | 'changeNotifications'>;

export const CYCLE_MODES = ['full', 'delta', 'auto'] as const;
export type CycleMode = (typeof CYCLE_MODES)[number];

export interface SynchronizationConfiguration {
  /** the configuration (job) id: the connector space's key */
  readonly id: string;
  readonly schema: CompiledSchema;
  /** Entra's Domain secret: supplied to every object as the virtual attributes dnsDomainName and netBiosName */
  readonly domain: { readonly dnsDomainName: string; readonly netBiosName?: string };
  /** adopt cloud-only users with the same UPN / primary SMTP address (Connect's soft match). Default off. */
  readonly softMatch?: { readonly userPrincipalName?: boolean; readonly primarySmtpAddress?: boolean };
  /** objects per import batch (default 2,000: fewer, larger transactions; each commit costs ~5 ms on SQLite) */
  readonly batchSize?: number;
  /** multi-valued attributes longer than this are streamed with readValues (default 5,000) */
  readonly maxInlineValues?: number;
  /** escrow retry delay after the first failure, doubled per failure up to escrowMaxDelayMs (default 2 min / 24 h) */
  readonly escrowBaseDelayMs?: number;
  readonly escrowMaxDelayMs?: number;
  /**
   * Accidental-delete prevention (Entra's DeleteThresholdValue, default 500: at most 499 deletions per cycle; null
   * disables it). A cycle that would reach it stops before deleting with ERR_SYNC_DELETE_THRESHOLD, without storing
   * the watermark, so that the same deletions come again once approved.
   */
  readonly deleteThreshold?: number | null;
  /** approve the deletions of this cycle whatever their number (restart with resetScope ForceDeletes) */
  readonly allowDeletes?: boolean;
  /** anchors whose deletion an admin approved one by one: deleted whatever the threshold, and not counted */
  readonly approvedDeletes?: ReadonlySet<string>;
  /**
   * Sources whose deltas do not report deletions (generic LDAP) are reconciled against a listing of every anchor,
   * O(objects); delta cycles do it at most this often (default 10 min; 0: every delta), and at once after a delta
   * that says it could not name its deletions (ImportBatch.reconcileDeletions). Full cycles always do.
   */
  readonly reconciliationIntervalMs?: number;
}

export const DEFAULT_RECONCILIATION_INTERVAL_MS = 600_000;
/**
 * Objects per import batch: the LDAP connectors' page size (1,000, AD's MaxPageSize), so a batch is a page. The
 * engine starts on the first page as soon as it arrives and ends one page after the server, where batches of two
 * pages waited for a second page first and left a whole batch to do after the last one (Samba, 20,000 users, load
 * ~2: 4.2–4.3 s at 1,000 against 5.0–5.9 s at 2,000; OpenLDAP, 200,000 users: 18.0–18.4 s against 17.7–17.9 s, and
 * 10–20 MB less resident). Each SQLite commit costs a few ms whatever its size, which is what keeps batches this big.
 */
export const DEFAULT_BATCH_SIZE = 1000;

/**
 * Provisioning-log writes a cycle leaves pending while it goes on with the next batches. The SQLite store commits
 * the log on a thread of its own, in its own file (src/storage/log-file-writer.ts): batch N's entries are inserted
 * while batch N+1 is imported, mapped and exported, and a second pending write absorbs a commit that runs long.
 * Each holds a batch's rows (~1 MB per 1,000 entries) until it commits.
 */
export const LOG_WRITES_IN_FLIGHT = 2;

export interface EngineDependencies {
  readonly source: EngineSource;
  readonly target: TargetDirectory;
  readonly connectorSpace: ConnectorSpace;
  readonly log: ProvisioningLogSink;
  readonly clock?: Clock;
  readonly newId?: () => string;
  readonly signal?: AbortSignal;
  /** called after every exported batch (the job's progress; a CLI progress bar) */
  readonly onProgress?: (progress: CycleProgress) => void;
}

export interface CycleProgress {
  readonly cycleId: string;
  readonly mode: 'full' | 'delta';
  /** the step the cycle is in */
  readonly step: 'import' | 'deletionReconciliation' | 'referenceResolution';
  readonly imported: number;
  readonly exported: number;
  readonly failed: number;
}

export interface CycleReport {
  readonly cycleId: string;
  readonly mode: 'full' | 'delta';
  readonly imported: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly restored: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly failed: number;
  readonly referencesAdded: number;
  readonly referencesRemoved: number;
  readonly watermark: string | null;
  /**
   * Synchronized objects by type after the cycle, counted when the cycle could have changed them (a full cycle, or
   * one that created, deleted or restored); undefined otherwise — the count is O(objects), the delta budget is not.
   */
  readonly synchronized?: readonly SynchronizedCount[];
}

type Counters = { -readonly [K in keyof Omit<CycleReport, 'cycleId' | 'mode' | 'watermark' | 'synchronized'>]: number };

const TARGET_TYPE_OF: Readonly<Record<string, TargetType>> = Object.freeze({ user: 'user', group: 'group', contact: 'orgContact', orgcontact: 'orgContact' });

/** The plan for one object, decided by processing and carried out by export. */
export const PLAN_KINDS = ['create', 'adopt', 'update', 'restore', 'delete', 'forget', 'unchanged', 'skip'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

interface WorkItem {
  readonly source: SourceObject;
  readonly anchor: string;
  readonly objectGuid: string | null;
  attributes?: ReturnType<typeof frozenRecordSource>;
  placement?: ObjectPlacement;
  mapping?: CompiledSchemaObjectMapping;
  targetType?: TargetType;
  inScope: boolean;
  deprovisionOnExit: boolean;
  entry?: ConnectorSpaceEntry;
  /** a cloud object found by matching, for an object without a cloud id */
  matched?: TargetObject;
  evaluation?: MappingResult;
  desired?: Record<string, TargetValue>;
  hashes?: Record<string, string>;
  refsDigest?: string | null;
  /** the reference DNs this import carried whole (see ConnectorSpaceEntry.inlineReferences) */
  inlineReferences?: ConnectorSpaceEntry['inlineReferences'];
  /** AD delta value changes of reference attributes (target attribute → change), applied incrementally when possible */
  valueChanges?: { readonly attribute: string; readonly change: NonNullable<SourceObject['valueChanges']>[string] }[];
  /** resolved incremental link changes, written by export */
  linkChanges?: { readonly attribute: string; readonly add: readonly ConnectorSpaceEntry[]; readonly remove: readonly ConnectorSpaceEntry[] }[];
  plan: PlanKind;
  action: ProvisioningAction;
  steps: ProvisioningStep[];
  modified: ModifiedProperty[];
  failure?: { readonly code: string; readonly message: string };
  /** the entry to write after export (undefined: leave it) */
  next?: ConnectorSpaceEntry;
  remove?: boolean;
  /** whether this item gets a provisioning-log entry */
  logged: boolean;
}

interface CycleContext {
  readonly deps: EngineDependencies;
  readonly config: SynchronizationConfiguration;
  readonly clock: Clock;
  readonly newId: () => string;
  readonly cycleId: string;
  readonly mode: 'full' | 'delta';
  readonly mark: string;
  readonly domains: TenantDomains;
  /** canonical DN → objectGUID of every known container */
  readonly containers: Map<string, string>;
  readonly counters: Counters;
  /** deletions held back by the accidental-delete threshold (anchor → deletion); approved ones done this cycle */
  readonly deleteHold: { readonly held: Map<string, PendingDeletion>; approved: number };
  watermark: string | null;
  /** when the cycle began: a reconciliation covers the source as it stood from then on */
  readonly startedAt: string;
  /** a deletion reconciliation ran to its end in this cycle */
  reconciled: boolean;
  /** the delta listed every anchor in scope itself (ImportBatch.presentAnchors), marked with listingMark */
  presentListed: boolean;
  /**
   * A delta met a scoping group changed on a source that reports a group's member list whole, not its changes
   * (generic LDAP): the watermark was forgotten, and a full cycle follows (see rescopeOnScopingGroup).
   */
  rescope: boolean;
  /** the last clock reading as ISO text: timestamps are taken per object, and the text rarely changes between them */
  lastNow?: { readonly ms: number; readonly iso: string };
  /** provisioning-log writes not yet awaited, oldest first (at most LOG_WRITES_IN_FLIGHT) */
  readonly logWrites: Promise<void>[];
  /**
   * Delta cycles of a source with back links the schema follows (see referrersUnaware): per back link (memberOf),
   * the forward attribute (member, lower case) whose reference mappings it answers for.
   */
  readonly backLinks?: readonly BackLink[];
  /**
   * The groups the schema's group scopes name by objectGUID, keyed by their DN as the source names them now
   * (canonicalDn): how an object's memberOf DNs become the GUIDs group scope compares (see scopeGroupsOf).
   * Undefined for a source without memberOf (LDIF): its memberOf DNs resolve through the connector space.
   */
  readonly scopeGroups: ReadonlyMap<string, string> | undefined;
  /** a group scope counts nested members (GroupScopeNesting = Transitive) and the source has memberOf to walk */
  readonly nesting?: GroupNesting;
}

/** What transitive group scope walks: each group's own groups, read once per cycle. */
interface GroupNesting {
  /** the source's back link of member (AD: memberOf) */
  readonly backLink: string;
  /** canonical group DN → the canonical DNs of the groups it is a direct member of */
  readonly parents: Map<string, readonly string[]>;
}

interface BackLink {
  readonly backLink: string;
  readonly forward: string;
}

interface BatchContext {
  readonly cycle: CycleContext;
  readonly items: WorkItem[];
}

type BatchStep = (batch: BatchContext) => Promise<void>;
type CycleStep = (cycle: CycleContext) => Promise<void>;

// ---- helpers ------------------------------------------------------------------------------------------------------

function now(cycle: CycleContext): string {
  const time = cycle.clock();
  const ms = time.getTime();
  if (cycle.lastNow?.ms !== ms) cycle.lastNow = { ms, iso: time.toISOString() };
  return cycle.lastNow.iso;
}

/** Groups in place; copying the list per item (`[...list, item]`) was quadratic in a 2,000-object batch. */
function pushTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const list = groups.get(key);
  if (list === undefined) groups.set(key, [value]);
  else list.push(value);
}

function step(item: WorkItem, name: ProvisioningStepType, status: ProvisioningStatus, description: string): void {
  item.steps.push({ name, status, description });
}

/** Only per-object problems are values; the database going away or a bug aborts the cycle. */
function isObjectFailure(error: unknown): error is CloudsyncError {
  return isCloudsyncError(error) && !error.code.startsWith('ERR_STORE_');
}

function fail(item: WorkItem, name: ProvisioningStepType, error: CloudsyncError | { code: string; message: string }): void {
  item.failure = { code: error.code, message: error.message };
  item.logged = true;
  step(item, name, 'Failure', error.message);
}

function escrowAfterFailure(cycle: CycleContext, entry: Pick<ConnectorSpaceEntry, 'escrow'> | undefined, failure: { code: string; message: string }) {
  const failureCount = (entry?.escrow.failureCount ?? 0) + 1;
  const base = cycle.config.escrowBaseDelayMs ?? 120_000;
  const max = cycle.config.escrowMaxDelayMs ?? 86_400_000;
  const delay = Math.min(max, base * 2 ** Math.min(failureCount - 1, 30));
  return { failureCount, nextRetryAt: new Date(cycle.clock().getTime() + delay).toISOString(), lastError: failure };
}

/**
 * The object mapping of a source object: the first enabled one (rules by priority) whose sourceObjectName is the
 * object's type, else one naming one of its object classes (LDAP2AADProvisioning maps `groupOfNames` and
 * `groupOfUniqueNames`, which the connectors report as type `group`).
 */
function mappingFor(schema: CompiledSchema, sourceType: string, objectClasses: readonly string[] = []): CompiledSchemaObjectMapping | undefined {
  const { enabled, first } = enabledMappingsOf(schema);
  const byType = first.get(sourceType.toLowerCase());
  if (byType !== undefined) return enabled[byType];
  let found = Infinity;
  for (const objectClass of objectClasses) found = Math.min(found, first.get(objectClass.toLowerCase()) ?? Infinity);
  return found === Infinity ? undefined : enabled[found];
}

const ENABLED_MAPPINGS = new WeakMap<CompiledSchema, { readonly enabled: readonly CompiledSchemaObjectMapping[]; readonly first: ReadonlyMap<string, number> }>();

/** A compiled schema's enabled object mappings in rule order, and the position of the first for each source object name. */
function enabledMappingsOf(schema: CompiledSchema): { readonly enabled: readonly CompiledSchemaObjectMapping[]; readonly first: ReadonlyMap<string, number> } {
  let found = ENABLED_MAPPINGS.get(schema);
  if (found === undefined) {
    const enabled = schema.rules.flatMap((rule) => rule.objectMappings.filter((m) => m.enabled));
    const first = new Map<string, number>();
    enabled.forEach((m, i) => {
      const name = m.mapping.sourceObjectName.toLowerCase();
      if (!first.has(name)) first.set(name, i);
    });
    ENABLED_MAPPINGS.set(schema, (found = { enabled, first }));
  }
  return found;
}

function targetTypeOf(mapping: CompiledSchemaObjectMapping): TargetType | undefined {
  return TARGET_TYPE_OF[mapping.mapping.targetObjectName.toLowerCase()];
}

const REFERENCE_MAPPINGS = new WeakMap<CompiledSchemaObjectMapping, { list: readonly CompiledAttributeMapping[]; names: ReadonlySet<string> }>();

/** Reference-typed target attributes of a mapping (members, manager): resolved after their targets exist. */
function referencesOf(mapping: CompiledSchemaObjectMapping): { list: readonly CompiledAttributeMapping[]; names: ReadonlySet<string> } {
  let found = REFERENCE_MAPPINGS.get(mapping);
  if (found === undefined) {
    const list = mapping.mapping.attributeMappings.filter((m) => m.definition !== undefined && typeOfDefinition(m.definition) === 'Reference');
    found = { list, names: new Set(list.map((m) => m.targetAttributeName)) };
    REFERENCE_MAPPINGS.set(mapping, found);
  }
  return found;
}

function referenceMappings(mapping: CompiledSchemaObjectMapping): readonly CompiledAttributeMapping[] {
  return referencesOf(mapping).list;
}

function isReferenceAttribute(mapping: CompiledSchemaObjectMapping, attribute: string): boolean {
  return referencesOf(mapping).names.has(attribute);
}

/** The source attribute a reference mapping reads (`[member]` → member), when it reads exactly one. */
function referenceSourceAttribute(mapping: CompiledAttributeMapping): string | undefined {
  const names = mapping.compiled?.attributes ?? [];
  return names.length === 1 ? names[0] : undefined;
}

function dnsOf(value: Value | readonly Value[] | undefined): string[] {
  if (value === undefined || value === null) return [];
  const list = (Array.isArray(value) ? value.flat() : [value]) as readonly unknown[];
  return list.map((v) => (isReference(v) ? v.dn : typeof v === 'string' ? v : undefined)).filter((v): v is string => v !== undefined && v !== '');
}

const PLACEHOLDER_PREFIX = 'rdn:';

/**
 * The target anchor a link to a not-yet-synchronized object is recorded under: its RDN, not its DN, because the
 * usual way into the scope is a move into a synchronized OU, which changes the DN (the group's link follows it in
 * AD without the group changing). Several objects sharing an RDN only cause an extra reconciliation.
 */
function placeholderAnchor(dn: string): string {
  return PLACEHOLDER_PREFIX + canonicalDn(firstRdn(dn));
}

function isPlaceholder(anchor: string): boolean {
  return anchor.startsWith(PLACEHOLDER_PREFIX);
}

function newEntry(cycle: CycleContext, item: WorkItem, state: ConnectorSpaceEntry['state']): ConnectorSpaceEntry {
  return {
    anchor: item.anchor,
    // the object mapping's source object name (groupOfNames, not the connector's generic `group`), so that later
    // steps that only have the entry find the same mapping
    sourceType: item.mapping?.mapping.sourceObjectName ?? item.source.type,
    targetType: item.targetType ?? null,
    state,
    dn: item.source.dn,
    objectGuid: item.objectGuid,
    cloudId: null,
    exported: null,
    refsDigest: null,
    refsPending: false,
    inlineReferences: null,
    seenMark: cycle.mode === 'full' ? cycle.mark : null,
    escrow: NO_ESCROW,
    updatedAt: now(cycle),
  };
}

function displayNameOf(item: WorkItem): string | null {
  const value = item.source.attributes['displayName'] ?? item.source.attributes['cn'] ?? item.source.attributes['name'];
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : null;
}

// ---- batch steps ------------------------------------------------------------------------------------------------------

const NO_GROUPS: ReadonlySet<string> = new Set<string>();

/** import: anchors, virtual attributes (dnsDomainName, netBiosName, distinguishedName), placement; containers. */
async function importStep(batch: BatchContext): Promise<void> {
  const { cycle } = batch;
  const containerItems = batch.items.filter((i) => i.source.type === 'organizationalUnit');
  if (containerItems.length > 0) {
    const known = await cycle.deps.connectorSpace.get(containerItems.map((i) => i.anchor));
    const entries: ConnectorSpaceEntry[] = [];
    const gone: string[] = [];
    for (const item of containerItems) {
      const entry = known.get(item.anchor);
      if (item.source.isDeleted) {
        if (entry) gone.push(item.anchor);
        cycle.containers.delete(canonicalDn(item.source.dn));
        continue;
      }
      if (entry && canonicalDn(entry.dn) !== canonicalDn(item.source.dn)) {
        // An OU renamed or moved takes its subtree along without the source reporting the children.
        await cycle.deps.connectorSpace.renameSubtree(entry.dn, item.source.dn);
        const oldKey = canonicalDn(entry.dn);
        for (const [key, guid] of [...cycle.containers]) {
          if (key === oldKey || key.endsWith(',' + oldKey)) {
            cycle.containers.delete(key);
            cycle.containers.set(key.slice(0, key.length - oldKey.length) + canonicalDn(item.source.dn), guid);
          }
        }
      }
      if (item.objectGuid !== null) cycle.containers.set(canonicalDn(item.source.dn), item.objectGuid);
      entries.push({ ...(entry ?? newEntry(cycle, item, 'container')), dn: item.source.dn, seenMark: cycle.mode === 'full' ? cycle.mark : entry?.seenMark ?? null, updatedAt: now(cycle) });
    }
    await cycle.deps.connectorSpace.remove(gone);
    await cycle.deps.connectorSpace.put(entries);
  }
  // Group scope names groups by objectGUID: the objects' memberOf DNs resolve through the scoping groups found at
  // the cycle's start (AD: scopeGroupsOf, every group a scope names), else through the connector space.
  let byDn: ReadonlyMap<string, string | null> | undefined = cycle.scopeGroups;
  if (byDn === undefined) {
    const memberOfKeys = new Set<string>();
    for (const item of batch.items) for (const dn of dnsOf(item.source.attributes['memberOf'])) memberOfKeys.add(canonicalDn(dn));
    const entries = memberOfKeys.size === 0 ? new Map<string, ConnectorSpaceEntry>() : await cycle.deps.connectorSpace.getByDnKeys([...memberOfKeys]);
    byDn = new Map([...entries].map(([key, entry]) => [key, entry.objectGuid]));
  }
  const groupGuids = byDn;
  const ancestorsByParent = new Map<string, ReadonlySet<string>>();
  const guidsOf = (keys: Iterable<string>) => {
    const guids = new Set<string>();
    for (const key of keys) {
      const guid = groupGuids.get(key);
      if (guid !== null && guid !== undefined) guids.add(guid);
    }
    return guids;
  };
  const { dnsDomainName, netBiosName } = cycle.config.domain;
  for (const item of batch.items) {
    if (item.source.type === 'organizationalUnit') continue;
    // Virtual attributes: the source's own value of the same name (in any case) wins.
    const dn = item.source.dn;
    const virtual: Record<string, Value> = netBiosName === undefined
      ? { dnsDomainName, distinguishedName: dn, entryDN: dn }
      : { dnsDomainName, netBiosName, distinguishedName: dn, entryDN: dn };
    item.attributes = frozenRecordSource(item.source.attributes, virtual);
    // Most of a batch shares a few parents; the walk canonicalises every ancestor DN, so it is done once per parent.
    const parent = parentDn(item.source.dn);
    let ancestorGuids = ancestorsByParent.get(parent);
    if (ancestorGuids === undefined) {
      const guids = new Set<string>();
      for (let dn = parent; dn !== ''; dn = parentDn(dn)) {
        const guid = cycle.containers.get(canonicalDn(dn));
        if (guid !== undefined) guids.add(guid);
      }
      ancestorsByParent.set(parent, (ancestorGuids = guids));
    }
    const memberOfDns = dnsOf(item.source.attributes['memberOf']).map(canonicalDn);
    // most objects are in no group: they share one empty set (placements are read-only)
    const memberOf = memberOfDns.length === 0 ? NO_GROUPS : guidsOf(memberOfDns);
    const placement: ObjectPlacement = { distinguishedName: item.source.dn, ancestorGuids, memberOf, memberOfDns: memberOfDns.length === 0 ? NO_GROUPS : new Set(memberOfDns) };
    if (cycle.nesting === undefined || memberOfDns.length === 0) item.placement = placement;
    else {
      const reached = await nestedGroupsOf(cycle, cycle.nesting, memberOfDns);
      item.placement = { ...placement, transitiveMemberOf: guidsOf(reached), transitiveMemberOfDns: reached };
    }
    step(item, 'import', 'Success', `Imported ${item.source.type} ${item.source.dn}${item.source.isDeleted ? ' (deleted)' : ''}`);
  }
}

/** scoping: the object mapping that applies and whether the object is in its scope. */
async function scopingStep(batch: BatchContext): Promise<void> {
  for (const item of batch.items) {
    if (item.source.type === 'organizationalUnit') {
      item.plan = 'skip';
      continue;
    }
    const mapping = mappingFor(batch.cycle.config.schema, item.source.type, item.source.objectClasses);
    const targetType = mapping === undefined ? undefined : targetTypeOf(mapping);
    if (mapping === undefined || targetType === undefined) {
      item.inScope = false;
      item.deprovisionOnExit = true;
      step(item, 'scoping', 'Skipped', `No enabled object mapping for source type ${item.source.type}`);
      continue;
    }
    item.mapping = mapping;
    item.targetType = targetType;
    if (item.source.isDeleted) {
      item.inScope = false;
      item.deprovisionOnExit = true;
      step(item, 'scoping', 'Success', 'The object was deleted in the source');
      continue;
    }
    const decision = mapping.scope.decide(item.attributes!, item.placement);
    item.inScope = decision.inScope;
    item.deprovisionOnExit = decision.deprovisionOnExit;
    step(item, 'scoping', item.inScope ? 'Success' : 'Skipped', item.inScope ? `In scope of ${mapping.mapping.name ?? mapping.path}` : `Out of scope of ${mapping.mapping.name ?? mapping.path}`);
  }
}

/** matching: the connector-space entry by anchor; for objects without a cloud object, hard (and soft) match. */
async function matchingStep(batch: BatchContext): Promise<void> {
  const { cycle } = batch;
  const candidates = batch.items.filter((i) => i.plan !== 'skip');
  const entries = await cycle.deps.connectorSpace.get(candidates.map((i) => i.anchor));
  const unmatched: WorkItem[] = [];
  for (const item of candidates) {
    const entry = entries.get(item.anchor);
    if (entry !== undefined) item.entry = entry;
    if (!item.inScope || item.mapping === undefined) continue;
    if (entry?.cloudId != null) {
      step(item, 'matching', 'Success', `Matched by anchor ${item.anchor} to ${entry.targetType} ${entry.cloudId}`);
      continue;
    }
    // New (or a create that may have completed before a crash): evaluate as a create, then look for the object.
    try {
      evaluate(cycle, item, true);
    } catch (error) {
      if (!isObjectFailure(error)) throw error;
      fail(item, 'processing', error);
      continue;
    }
    if (item.failure === undefined) unmatched.push(item);
  }
  const { target } = cycle.deps;
  const byType = new Map<TargetType, WorkItem[]>();
  for (const item of unmatched) pushTo(byType, item.targetType!, item);
  // The directory's filters compare text case-insensitively; base64 anchors are case-sensitive, so candidates are
  // compared again here, exactly where `exact`.
  const probe = async (type: TargetType, property: string, key: (item: WorkItem) => string | undefined, accept: (o: TargetObject) => boolean, how: string, exact = false) => {
    const fold = (v: string) => (exact ? v : v.toLowerCase());
    const items = (byType.get(type) ?? []).filter((i) => i.matched === undefined && key(i) !== undefined);
    if (items.length === 0) return;
    const found = await target.findBy(type, property, [...new Set(items.map((i) => key(i)!))]);
    const byValue = new Map<string, TargetObject[]>();
    for (const object of found) {
      const value = object[property];
      if (typeof value !== 'string') continue;
      pushTo(byValue, fold(value), object);
    }
    for (const item of items) {
      const hits = (byValue.get(fold(key(item)!)) ?? []).filter(accept);
      if (hits.length === 1) {
        item.matched = hits[0];
        step(item, 'matching', 'Success', `${how}: ${property} ${key(item)} → ${type} ${hits[0]!.id}`);
      }
    }
  };
  const text = (item: WorkItem, name: string) => {
    const value = item.desired?.[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const synced = (o: TargetObject) => o['onPremisesSyncEnabled'] === true;
  const cloudOnly = (o: TargetObject) => o['onPremisesSyncEnabled'] !== true && (o['onPremisesImmutableId'] ?? null) === null;
  // Hard match: onPremisesImmutableId is the anchor on users. Groups and contacts have no such property in the
  // directory: they are found by what identifies them uniquely there (a SID; an SMTP address) among synced objects.
  await probe('user', 'onPremisesImmutableId', (i) => i.anchor, () => true, 'Hard match', true);
  await probe('group', 'onPremisesSecurityIdentifier', (i) => text(i, 'onPremisesSecurityIdentifier'), synced, 'Hard match');
  await probe('orgContact', 'mail', (i) => text(i, 'mail'), synced, 'Hard match');
  const soft = cycle.config.softMatch;
  if (soft?.userPrincipalName === true) await probe('user', 'userPrincipalName', (i) => text(i, 'userPrincipalName'), cloudOnly, 'Soft match');
  if (soft?.primarySmtpAddress === true) {
    for (const item of byType.get('user') ?? []) {
      if (item.matched !== undefined) continue;
      const addresses = item.desired?.['proxyAddresses'];
      const primary = Array.isArray(addresses) ? addresses.find((a) => a.startsWith('SMTP:'))?.slice(5) : undefined;
      if (primary === undefined) continue;
      const hits = (await target.findByProxyAddress('user', primary)).filter(cloudOnly);
      if (hits.length === 1) {
        item.matched = hits[0];
        step(item, 'matching', 'Success', `Soft match: primary SMTP address ${primary} → user ${hits[0]!.id}`);
      }
    }
  }
  // A matched object that another source object already owns is a conflict, not a match.
  const matched = unmatched.filter((i) => i.matched !== undefined);
  if (matched.length > 0) {
    const owners = await cycle.deps.connectorSpace.getByCloudIds(matched.map((i) => i.matched!.id));
    for (const item of matched) {
      const owner = owners.get(item.matched!.id);
      if (owner !== undefined && owner.anchor !== item.anchor) {
        fail(item, 'matching', new CloudsyncError('ERR_SYNC_MATCH_CONFLICT',
          `${item.targetType} ${item.matched!.id} matches ${item.source.dn} but is already synchronized from ${owner.dn} (anchor ${owner.anchor})`,
          { details: { cloudId: item.matched!.id, ownerAnchor: owner.anchor } }));
        delete item.matched;
      }
    }
  }
  for (const item of unmatched) if (item.matched === undefined && item.failure === undefined) step(item, 'matching', 'Success', 'No matching object in the cloud directory');
}

/**
 * What `evaluate` exports of a mapping set for a target, worked out once instead of per attribute of every object:
 * the attribute mappings whose target attribute the directory models and that are not references, in mapping order
 * (undefined when two mappings write one target attribute: then `values` decides, as it always did), and the
 * reference mappings the directory links. Invariant: a target's supportsAttribute/supportsReference answers are fixed.
 */
interface ExportPlan {
  readonly target: TargetDirectory;
  readonly attributes: readonly { readonly index: number; readonly name: string; readonly upn: boolean }[] | undefined;
  readonly references: readonly CompiledAttributeMapping[];
}

const EXPORT_PLANS = new WeakMap<CompiledSchemaObjectMapping, ExportPlan>();

function exportPlanOf(target: TargetDirectory, mapping: CompiledSchemaObjectMapping, targetType: TargetType): ExportPlan {
  let plan = EXPORT_PLANS.get(mapping);
  if (plan === undefined || plan.target !== target) {
    const exported = mapping.mapping.attributeMappings.filter((m) => !isReferenceAttribute(mapping, m.targetAttributeName) && target.supportsAttribute(targetType, m.targetAttributeName));
    plan = {
      target,
      attributes: mapping.mapping.distinctTargets ? exported.map((m) => ({ index: m.index, name: m.targetAttributeName, upn: m.targetAttributeName === 'userPrincipalName' })) : undefined,
      references: referenceMappings(mapping).filter((m) => target.supportsReference(targetType, m.targetAttributeName)),
    };
    EXPORT_PLANS.set(mapping, plan);
  }
  return plan;
}

/** Mapping evaluation into the desired target values (JSON), their digests and the reference digest. */
function evaluate(cycle: CycleContext, item: WorkItem, isCreate: boolean): void {
  const mapping = item.mapping!;
  const targetType = item.targetType!;
  const evaluation = mapping.mapping.evaluate(item.attributes!, { isCreate });
  item.evaluation = evaluation;
  const firstError = evaluation.errors[0];
  if (firstError !== undefined) {
    fail(item, 'processing', { code: firstError.code, message: `${firstError.targetAttributeName}: ${firstError.message}` });
    return;
  }
  const plan = exportPlanOf(cycle.deps.target, mapping, targetType);
  const desired: Record<string, TargetValue> = {};
  const hashes: Record<string, string> = {};
  const add = (attribute: string, value: Value, upn: boolean) => {
    let json = toTargetJson(value);
    if (upn && typeof json === 'string') json = fitUpnSuffix(json, cycle.domains);
    desired[attribute] = json;
    hashes[attribute] = valueDigest(json);
  };
  if (plan.attributes !== undefined) {
    // mapping order is the order `values` had: its keys were written in that order
    const attributes = plan.attributes;
    for (let i = 0; i < attributes.length; i++) {
      const { index, name, upn } = attributes[i]!;
      const value = evaluation.valueAt(index);
      if (value !== undefined) add(name, value, upn);
    }
  } else {
    for (const [attribute, value] of Object.entries(evaluation.values)) {
      if (isReferenceAttribute(mapping, attribute)) continue;
      // Attributes the directory does not model (the anchor on groups and contacts, which the connector space
      // keeps; onPremisesDistinguishedName on contacts) are not exported.
      if (!cycle.deps.target.supportsAttribute(targetType, attribute)) continue;
      add(attribute, value, attribute === 'userPrincipalName');
    }
  }
  item.desired = desired;
  item.hashes = hashes;
  // References: a digest of the inline DNs; deferred (huge) lists cannot be digested without streaming them, so
  // they are always reconciled when their object is imported.
  const { references } = plan;
  if (references.length === 0) item.refsDigest = null;
  else {
    const deferred = item.source.deferredAttributes ?? [];
    const parts: string[] = [];
    let streamed = false;
    let linked = 0;
    let inline: Record<string, readonly string[]> | undefined;
    for (const reference of references) {
      const sourceAttribute = referenceSourceAttribute(reference);
      // deferred (huge) lists, and AD deltas that carry value changes instead of the list, are streamed
      let whole = true;
      if (sourceAttribute !== undefined && deferred.length > 0 && deferred.some((a) => a.toLowerCase() === sourceAttribute.toLowerCase())) streamed = !(whole = false);
      const changeKey = sourceAttribute === undefined || item.source.valueChanges === undefined ? undefined
        : Object.keys(item.source.valueChanges).find((a) => a.toLowerCase() === sourceAttribute.toLowerCase());
      if (changeKey !== undefined) {
        streamed = !(whole = false);
        (item.valueChanges ??= []).push({ attribute: reference.targetAttributeName, change: item.source.valueChanges![changeKey]! });
      }
      const dns = dnsOf(plan.attributes !== undefined ? evaluation.valueAt(reference.index) : evaluation.values[reference.targetAttributeName]);
      linked += dns.length;
      parts.push(reference.targetAttributeName, ...dns.map(canonicalDn).sort());
      // Only a direct attribute mapping's values are what readValues would return; an expression's are not the source's.
      if (whole && reference.kind === 'Attribute' && dns.length <= INLINE_REFERENCE_LIMIT) (inline ??= {})[reference.targetAttributeName] = dns;
    }
    item.inlineReferences = inline === undefined ? null : { cycleId: cycle.cycleId, values: inline };
    // Nothing to link on an object that never had links (most users have no manager): no reference resolution, which
    // reads the source once per object. Once it had some, an empty list is a change to reconcile (the links go).
    const nothingEver = !streamed && linked === 0 && (item.entry?.refsDigest ?? null) === null;
    item.refsDigest = nothingEver ? null : streamed ? `streamed:${cycle.cycleId}` : digestOf(JSON.stringify(parts));
  }
}

/**
 * Entra: a userPrincipalName whose suffix is not a verified domain of the tenant is synchronized with the tenant's
 * initial domain instead (user@corp.local → user@contoso.onmicrosoft.com).
 */
export function fitUpnSuffix(upn: string, domains: TenantDomains): string {
  const at = upn.lastIndexOf('@');
  if (at < 0 || domains.initial === '') return upn;
  const suffix = upn.slice(at + 1).toLowerCase();
  return domains.verified.includes(suffix) ? upn : `${upn.slice(0, at)}@${domains.initial}`;
}

/** processing: create / adopt / update / restore / delete / skip, and the entry to write afterwards. */
async function processingStep(batch: BatchContext): Promise<void> {
  const { cycle } = batch;
  for (const item of batch.items) {
    if (item.plan === 'skip' || item.failure !== undefined) continue;
    const entry = item.entry;
    const flowTypes = item.mapping?.flowTypes;
    if (!item.inScope) {
      const leaving = item.deprovisionOnExit && entry !== undefined && entry.state !== 'deleted' && entry.state !== 'container';
      if (leaving && entry.cloudId !== null && flowTypes?.has('Delete') !== false) {
        item.plan = 'delete';
        item.action = 'Delete';
        item.logged = true;
        step(item, 'processing', 'Success', item.source.isDeleted ? 'Deleted in the source: delete in the cloud directory' : 'Left the scope: delete in the cloud directory');
      } else if (leaving && entry.cloudId === null) {
        item.plan = 'forget';
      } else if (entry !== undefined && entry.dn !== item.source.dn && !item.source.isDeleted) {
        item.plan = 'unchanged';
        item.next = { ...entry, dn: item.source.dn, updatedAt: now(cycle) };
      } else {
        item.plan = 'skip';
        // Entra logs a Skipped entry for an object the scope filtered out that was never provisioned.
        item.logged = entry === undefined && !item.source.isDeleted;
      }
      continue;
    }
    const live = entry?.cloudId != null && entry.state === 'synced';
    if (!live) {
      if (item.evaluation === undefined) evaluate(cycle, item, true);
      if (item.failure !== undefined) continue;
      if (entry?.state === 'deleted' && entry.cloudId !== null) {
        item.plan = 'restore';
        item.action = 'Other';
        step(item, 'processing', 'Success', `Back in scope: restore ${entry.targetType} ${entry.cloudId} from deleted items`);
      } else if (item.matched !== undefined) {
        item.plan = 'adopt';
        item.action = 'Update';
        step(item, 'processing', 'Success', `Join the matched object ${item.matched.id}`);
      } else if (flowTypes?.has('Add') === false) {
        item.plan = 'skip';
        step(item, 'processing', 'Skipped', 'The object mapping does not flow Add');
        continue;
      } else {
        item.plan = 'create';
        item.action = 'Create';
        step(item, 'processing', 'Success', `Create a ${item.targetType}`);
      }
      item.logged = true;
      continue;
    }
    evaluate(cycle, item, false);
    if (item.failure !== undefined) continue;
    // An attribute a create left out (no value) and an update's explicit empty value are the same state.
    const changed = Object.keys(item.hashes!).filter((a) => (entry!.exported?.[a] ?? EMPTY_DIGEST) !== item.hashes![a]);
    const refsChanged = item.refsDigest !== null && item.refsDigest !== entry!.refsDigest;
    if (changed.length === 0 || flowTypes?.has('Update') === false) {
      item.plan = 'unchanged';
      // (a full import's seen mark of an otherwise unchanged entry is written by markSeen, not by a put)
      if (refsChanged || entry!.dn !== item.source.dn || entry!.escrow.failureCount > 0) {
        const refsPending = entry!.refsPending || refsChanged;
        item.next = {
          ...entry!,
          dn: item.source.dn,
          refsPending,
          // a pending entry resolves from the values this import carried, as an exported one does (a manager change
          // alone read every changed user back from the source)
          inlineReferences: refsPending ? item.inlineReferences ?? null : null,
          refsDigest: item.refsDigest ?? null,
          escrow: NO_ESCROW,
          seenMark: cycle.mode === 'full' ? cycle.mark : entry!.seenMark,
          updatedAt: now(cycle),
        };
      }
      continue;
    }
    item.plan = 'update';
    item.action = 'Update';
    item.logged = true;
    step(item, 'processing', 'Success', `Update ${changed.length} attribute(s): ${changed.join(', ')}`);
  }
  holdDeletesOverThreshold(cycle, batch.items.filter((i) => i.plan === 'delete'));
}

/**
 * The circuit breaker (Entra: "evaluated per cycle"; DeleteThresholdValue 500 means at most 499 deletions). Deletions
 * already done this cycle plus those about to be done must stay below the threshold; approved ones do not count.
 * Once it is reached, every further deletion of the cycle is held back instead of exported — the item is skipped,
 * its connector-space entry left as it was, the watermark no longer stored — and the cycle goes on, so that it
 * ends with the complete list (runSynchronizationCycle then throws ERR_SYNC_DELETE_THRESHOLD carrying it). The
 * held deletions come again in the next cycle, to be approved (allowDeletes, approvedDeletes) or to vanish once
 * the cause is fixed. What could go wrong: deletions of earlier batches, below the threshold then, were done.
 */
function holdDeletesOverThreshold(cycle: CycleContext, items: readonly WorkItem[]): void {
  const threshold = cycle.config.deleteThreshold === undefined ? 500 : cycle.config.deleteThreshold;
  if (items.length === 0 || threshold === null || cycle.config.allowDeletes === true) return;
  const pending = items.filter((item) => cycle.config.approvedDeletes?.has(item.anchor) !== true);
  cycle.deleteHold.approved += items.length - pending.length;
  const { held } = cycle.deleteHold;
  if (pending.length === 0 || (held.size === 0 && cycle.counters.deleted - cycle.deleteHold.approved + pending.length < threshold)) return;
  for (const item of pending) {
    if (!held.has(item.anchor)) held.set(item.anchor, pendingDeletionOf(item));
    item.plan = 'skip';
    item.action = 'StagedDelete';
    item.logged = true;
    step(item, 'export', 'Skipped', `Held back by the accidental-delete threshold (${threshold}): ${PENDING_DELETION_REASON_TEXT[held.get(item.anchor)!.reason]}`);
  }
}

function pendingDeletionOf(item: WorkItem): PendingDeletion {
  const entry = item.entry!;
  let reason: PendingDeletionReason = 'leftScope';
  if (item.mapping === undefined) reason = item.source.isDeleted ? 'notInSource' : 'noObjectMapping';
  else if (item.source.isDeleted) reason = item.steps.some((s) => s.name === 'scoping') ? 'deletedInSource' : 'notInSource';
  else if (item.placement !== undefined && !item.mapping.scope.container.evaluate(item.placement).result) reason = 'containerOutOfScope';
  else if (item.placement !== undefined && !item.mapping.scope.group.evaluate(item.placement).result) reason = 'groupOutOfScope';
  return { anchor: item.anchor, dn: item.source.dn, sourceType: entry.sourceType, targetType: entry.targetType ?? item.targetType ?? '', cloudId: entry.cloudId!, reason };
}

function deleteThresholdError(cycle: CycleContext): CloudsyncError {
  const threshold = cycle.config.deleteThreshold ?? 500;
  const pendingDeletes = [...cycle.deleteHold.held.values()];
  const deletions = cycle.counters.deleted - cycle.deleteHold.approved + pendingDeletes.length;
  return new CloudsyncError('ERR_SYNC_DELETE_THRESHOLD',
    `this cycle would delete ${deletions} object(s) from the cloud directory, which reaches the accidental-delete threshold of ${threshold}; ` +
    `${pendingDeletes.length} deletion(s) were held back. Check the scope and the source, then allow the deletions (restart with resetScope ForceDeletes) or raise the threshold`,
    { details: { threshold, deletions, deleted: cycle.counters.deleted, pendingDeletes } });
}

/**
 * referenceResolution (per batch): references whose values changed are marked pending on the entry, to be
 * reconciled after every object of the cycle is exported. An AD delta that reports a group's value changes
 * (added/removed members with their objectGUIDs) on a group already in the cloud is applied incrementally
 * instead — O(changes), not O(members) — when every added member already exists in the cloud.
 */
async function referenceResolutionBatchStep(batch: BatchContext): Promise<void> {
  const { connectorSpace } = batch.cycle.deps;
  for (const item of batch.items) {
    if (item.refsDigest === undefined || item.refsDigest === null || item.failure !== undefined) continue;
    const entry = item.entry;
    const incremental = item.valueChanges !== undefined && entry?.state === 'synced' && entry.cloudId !== null && !entry.refsPending &&
      (item.plan === 'update' || item.plan === 'unchanged') && (item.source.deferredAttributes ?? []).length === 0;
    if (incremental) {
      const linkChanges: NonNullable<WorkItem['linkChanges']> = [];
      let complete = true;
      for (const { attribute, change } of item.valueChanges!) {
        const resolve = async (values: readonly Value[], guids: readonly (string | null)[] | undefined) => {
          const byGuid = await connectorSpace.getByObjectGuids((guids ?? []).filter((g): g is string => g !== null).map((g) => g.toLowerCase()));
          const dns = dnsOf(values as Value);
          const byDn = await connectorSpace.getByDnKeys(dns.map(canonicalDn));
          return dns.map((dn, i) => {
            const guid = guids?.[i];
            return (guid === null || guid === undefined ? undefined : byGuid.get(guid.toLowerCase())) ?? byDn.get(canonicalDn(dn));
          });
        };
        const added = await resolve(change.added, change.addedObjectGuids);
        const removed = await resolve(change.removed, change.removedObjectGuids);
        if (added.some((m) => m === undefined || m.state !== 'synced' || m.cloudId === null)) complete = false;
        linkChanges.push({ attribute, add: added.filter((m): m is ConnectorSpaceEntry => m !== undefined), remove: removed.filter((m): m is ConnectorSpaceEntry => m !== undefined && m.cloudId !== null) });
      }
      if (complete) {
        item.linkChanges = linkChanges;
        item.refsDigest = entry!.refsDigest;
        if (item.next !== undefined) item.next = { ...item.next, refsDigest: entry!.refsDigest, refsPending: entry!.refsPending };
        step(item, 'referenceResolution', 'Success', 'Member changes resolved by objectGUID');
        continue;
      }
    }
    if (['create', 'adopt', 'restore', 'update', 'unchanged'].includes(item.plan) && item.refsDigest !== entry?.refsDigest) {
      step(item, 'referenceResolution', 'Success', 'References changed: resolved after every object of the cycle is exported');
    }
  }
}

/**
 * One reference link written to the cloud: a group member, or a single-valued reference (manager) through
 * setReference, where linking replaces the current value. "Already done" answers are success (invariant 3).
 */
async function linkReference(target: TargetDirectory, type: TargetType, id: string, attribute: string, targetId: string): Promise<void> {
  if (attribute !== 'members') {
    if (target.setReference === undefined) throw new TypeError(`the target supports ${type}.${attribute} but cannot set references`);
    await target.setReference(type, id, attribute, targetId);
    return;
  }
  try {
    await target.addMember(id, targetId);
  } catch (error) {
    if (!isCloudsyncError(error) || error.code !== 'ERR_DIR_MEMBER_EXISTS') throw error;
  }
}

/** The inverse; a single-valued reference that a new value already `replaced` is left alone. */
async function unlinkReference(target: TargetDirectory, type: TargetType, id: string, attribute: string, targetId: string, replaced: boolean): Promise<void> {
  if (attribute !== 'members' && replaced) return;
  try {
    if (attribute === 'members') await target.removeMember(id, targetId);
    else await target.setReference!(type, id, attribute, null);
  } catch (error) {
    if (!isCloudsyncError(error) || error.code !== 'ERR_DIR_NOT_FOUND') throw error;
  }
}

/** The incremental link changes resolved by referenceResolution; cloud first, then recorded (invariant 3). */
async function exportLinkChanges(cycle: CycleContext, item: WorkItem): Promise<void> {
  const { target, connectorSpace } = cycle.deps;
  const entry = item.entry!;
  const groupId = entry.cloudId!;
  if ((item.next?.cloudId ?? groupId) !== groupId) {
    item.next = { ...item.next!, refsPending: true };
    return;
  }
  const type = entry.targetType as TargetType;
  for (const { attribute, add, remove } of item.linkChanges ?? []) {
    for (const member of add) await linkReference(target, type, groupId, attribute, member.cloudId!);
    await connectorSpace.putReferences([{ anchor: entry.anchor, attribute, targetAnchors: add.map((m) => m.anchor) }], `${cycle.mark}:refs`);
    for (const member of remove) await unlinkReference(target, type, groupId, attribute, member.cloudId!, add.length > 0);
    await connectorSpace.deleteReferences(entry.anchor, attribute, remove.map((m) => m.anchor));
    cycle.counters.referencesAdded += add.length;
    cycle.counters.referencesRemoved += remove.length;
    if (add.length + remove.length > 0) {
      item.logged = true;
      if (item.action === 'Other') item.action = 'Update';
      item.modified.push({ displayName: attribute, oldValue: null, newValue: `${add.length} added, ${remove.length} removed` });
    }
  }
}

function syncStamp(cycle: CycleContext): Record<string, TargetValue> {
  return { onPremisesSyncEnabled: true, onPremisesLastSyncDateTime: now(cycle) };
}

/** A create when the planned write finds nothing to write to (gone from the cloud, purged, or a contact). */
async function createInstead(cycle: CycleContext, item: WorkItem, description: string): Promise<void> {
  const object = await cycle.deps.target.create(item.targetType!, { ...item.desired!, ...syncStamp(cycle) });
  exported(cycle, item, object.id, description);
  item.action = 'Create';
  cycle.counters.created++;
}

type ObjectExport = (cycle: CycleContext, item: WorkItem) => Promise<void>;

/** The export of each plan kind but `create`, which exportStep batches. A new plan kind breaks the build here. */
const OBJECT_EXPORTS: Readonly<Record<PlanKind, ObjectExport>> = Object.freeze({
  create: async () => {},
  adopt: (cycle, item) => writeDifferences(cycle, item, item.matched!, true),
  async update(cycle, item) {
    const current = await cycle.deps.target.get(item.targetType!, item.entry!.cloudId!);
    // Gone from the cloud behind our back (an admin's hard delete): create it again.
    if (current === undefined) await createInstead(cycle, item, 'Created again (the cloud object was gone)');
    else await writeDifferences(cycle, item, current, false);
  },
  async restore(cycle, item) {
    const id = item.entry!.cloudId!;
    let current: TargetObject | undefined;
    try {
      current = await cycle.deps.target.restore(id);
    } catch (error) {
      if (!isCloudsyncError(error) || error.code !== 'ERR_DIR_NOT_FOUND') throw error;
      current = await cycle.deps.target.get(item.targetType!, id); // already restored by a run that crashed after it
    }
    // Purged (or a contact, which the directory deletes at once): the old object cannot come back.
    if (current === undefined) await createInstead(cycle, item, 'Created (the deleted object could not be restored)');
    else await writeDifferences(cycle, item, current, true);
  },
  async delete(cycle, item) {
    const entry = item.entry!;
    try {
      await cycle.deps.target.delete(entry.targetType as TargetType, entry.cloudId!);
    } catch (error) {
      if (!isCloudsyncError(error) || error.code !== 'ERR_DIR_NOT_FOUND') throw error; // already deleted
    }
    deletedInCloud(cycle, item);
  },
  async forget(_cycle, item) {
    item.remove = true;
  },
  unchanged: async () => {},
  skip: async () => {},
});

/** The entry, log step and counter of an object the cloud has deleted (or had already). */
function deletedInCloud(cycle: CycleContext, item: WorkItem): void {
  const entry = item.entry!;
  item.next = { ...entry, state: 'deleted', dn: item.source.dn, refsPending: false, escrow: NO_ESCROW, updatedAt: now(cycle) };
  step(item, 'export', 'Success', `Deleted ${entry.targetType} ${entry.cloudId}`);
  cycle.counters.deleted++;
}

/**
 * The desired values with the sync stamp, as `{ ...desired, ...syncStamp(cycle) }` has them (same members, same
 * order) without the stamp's own object: a create's input is built 200,000 times in a large full sync.
 */
function stamped(cycle: CycleContext, desired: Readonly<Record<string, TargetValue>>): Record<string, TargetValue> {
  const input: Record<string, TargetValue> = { ...desired };
  input['onPremisesSyncEnabled'] = true;
  input['onPremisesLastSyncDateTime'] = now(cycle);
  return input;
}

/** export: intents, creates (batched), other writes, then the connector-space entries of the batch. */
async function exportStep(batch: BatchContext): Promise<void> {
  const { cycle } = batch;
  const { target, connectorSpace } = cycle.deps;

  // 1. No write-ahead intent: a create that reached the cloud before a crash is found again by matching (see the
  // header), which an intent entry would not change — it carries no cloud id. It cost one upsert per new object.
  const creates = batch.items.filter((i) => i.plan === 'create');

  // 2. Creates, one transaction per target type. The objects the directory refuses fail alone, with the error a
  // create of their own would meet (createEach: a UPN held by a cloud-only user fails that user, not the batch's
  // 1,000 transactions) — "Cloud sync monitors the health of your configuration and places unhealthy objects in a
  // quarantine state" (Entra Cloud Sync docs): an object's failure is its own, escrowed and retried. A target without
  // createEach, or a refusal createEach could not tell apart from one of the whole call, makes the creates one by
  // one, as createMany refusing one object does.
  const byType = new Map<TargetType, WorkItem[]>();
  for (const item of creates) pushTo(byType, item.targetType!, item);
  for (const [type, items] of byType) {
    let created: readonly TargetObject[] | undefined;
    let results: readonly TargetWriteResult[] | undefined;
    if (items.length > 1) {
      try {
        const inputs = items.map((i) => stamped(cycle, i.desired!));
        if (target.createEach !== undefined) results = await target.createEach(type, inputs);
        else created = await target.createMany(type, inputs);
      } catch (error) {
        if (!isObjectFailure(error)) throw error;
      }
    }
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      const result = results?.[index];
      if (result?.ok === false) {
        fail(item, 'export', result.error);
        continue;
      }
      let object = result?.object ?? created?.[index];
      if (object === undefined) {
        try {
          object = await target.create(type, stamped(cycle, item.desired!));
        } catch (error) {
          if (!isObjectFailure(error)) throw error;
          fail(item, 'export', error);
          continue;
        }
      }
      exported(cycle, item, object.id, 'Created');
      const desired = item.desired!;
      for (const name in desired) item.modified.push(modifiedProperty(item, name, null, desired[name]));
      cycle.counters.created++;
    }
  }

  // 3. Everything else, in batch order (creates are done above). Updates and joins of one target type that follow
  // each other are written together (exportUpdates), and so are deletes (exportDeletes) and restores
  // (exportRestores); any other cloud write in between writes the ones before it first, so the cloud sees the
  // writes in the batch's order (a UPN a delete frees, an update may take). At most one of the three runs is
  // pending at a time.
  const updates: WorkItem[] = [];
  const deletes: WorkItem[] = [];
  const restores: WorkItem[] = [];
  for (const item of batch.items) {
    if ((item.plan === 'update' || item.plan === 'adopt') && (target.updateEach !== undefined || target.updateMany !== undefined)) {
      await exportDeletes(cycle, deletes.splice(0));
      await exportRestores(cycle, restores.splice(0));
      if (updates.length > 0 && updates[0]!.targetType !== item.targetType) await exportUpdates(cycle, updates.splice(0));
      updates.push(item);
      // its link changes are written after it (exportUpdates writes them)
      if (item.linkChanges !== undefined) await exportUpdates(cycle, updates.splice(0));
      continue;
    }
    if (item.plan === 'delete' && item.linkChanges === undefined && target.deleteMany !== undefined) {
      await exportUpdates(cycle, updates.splice(0));
      await exportRestores(cycle, restores.splice(0));
      if (deletes.length > 0 && deletes[0]!.entry!.targetType !== item.entry!.targetType) await exportDeletes(cycle, deletes.splice(0));
      deletes.push(item);
      continue;
    }
    // (a run's values are written with updateMany: a target without it restores object by object)
    if (item.plan === 'restore' && item.linkChanges === undefined && target.restoreMany !== undefined && target.updateMany !== undefined) {
      await exportUpdates(cycle, updates.splice(0));
      await exportDeletes(cycle, deletes.splice(0));
      if (restores.length > 0 && restores[0]!.targetType !== item.targetType) await exportRestores(cycle, restores.splice(0));
      restores.push(item);
      continue;
    }
    if (item.linkChanges !== undefined || !WRITES_NOTHING.has(item.plan)) {
      await exportUpdates(cycle, updates.splice(0));
      await exportDeletes(cycle, deletes.splice(0));
      await exportRestores(cycle, restores.splice(0));
    }
    try {
      if (item.plan !== 'create') await OBJECT_EXPORTS[item.plan](cycle, item);
      if (item.linkChanges !== undefined && item.failure === undefined) await exportLinkChanges(cycle, item);
    } catch (error) {
      if (!isObjectFailure(error)) throw error;
      fail(item, 'export', error);
    }
  }
  await exportUpdates(cycle, updates);
  await exportDeletes(cycle, deletes);
  await exportRestores(cycle, restores);

  // 4. The entries, after the cloud writes they describe; objects that arrived in the cloud make the entries
  // that referred to them while they were missing pending again.
  const entries: ConnectorSpaceEntry[] = [];
  const arrived = batch.items.filter((i) => i.failure === undefined && i.next?.state === 'synced' && i.entry?.state !== 'synced');
  if (arrived.length > 0) {
    // A restored object's groups are re-read too: the cloud's restore brings its memberships back, but AD drops a
    // deleted object's links (an undelete from a tombstone does not bring them back) without reporting the groups.
    const targets: string[] = [];
    for (const i of arrived) {
      targets.push(placeholderAnchor(i.source.dn));
      if (i.entry?.state === 'deleted') targets.push(i.anchor);
    }
    const placeholderHolders = await connectorSpace.listReferrers(targets);
    // New to the cloud: referrers may hold them under a placeholder of another RDN. Found here, before the batch's
    // entries are written, so that they are marked in the same write as the arrivals: a crash before it imports the
    // arrivals again (the watermark has not moved), and they are arrivals again.
    const newcomers = cycle.backLinks === undefined ? [] : arrived.filter((i) => i.entry?.state !== 'deleted');
    const unaware = newcomers.length === 0 ? [] : await referrersUnaware(cycle, cycle.backLinks!, newcomers.map((i) => ({ anchor: i.anchor, dn: i.source.dn })));
    const referrers = unaware.length === 0 ? placeholderHolders : [...new Set([...placeholderHolders, ...unaware])];
    // (nearly always none in a full sync: the batch's anchor map only when there are some)
    if (referrers.length > 0) {
      const inBatch = new Map(batch.items.map((i) => [i.anchor, i]));
      const outside = referrers.filter((anchor) => inBatch.get(anchor)?.next === undefined);
      for (const anchor of referrers) {
        const item = inBatch.get(anchor);
        if (item?.next !== undefined) item.next = { ...item.next, refsPending: true };
      }
      const others = await connectorSpace.get(outside);
      for (const entry of others.values()) entries.push({ ...entry, refsPending: true, updatedAt: now(cycle) });
    }
  }
  for (const item of batch.items) {
    if (item.failure !== undefined) {
      if (item.plan === 'skip' && item.entry === undefined && item.mapping === undefined) continue;
      const base = item.entry ?? newEntry(cycle, item, 'creating');
      // References that changed with a failed object are reconciled later, never dropped with its write.
      const refsPending = base.refsPending || item.linkChanges !== undefined || (item.refsDigest != null && item.refsDigest !== base.refsDigest);
      entries.push({ ...base, refsPending, inlineReferences: item.inlineReferences ?? null, seenMark: cycle.mode === 'full' ? cycle.mark : base.seenMark, escrow: escrowAfterFailure(cycle, item.entry, item.failure), updatedAt: now(cycle) });
      cycle.counters.failed++;
      continue;
    }
    if (item.next !== undefined) entries.push(item.next);
    if (item.plan === 'unchanged') cycle.counters.unchanged++;
    if (item.plan === 'skip' && item.source.type !== 'organizationalUnit') cycle.counters.skipped++;
  }
  await connectorSpace.put(entries);
  await connectorSpace.remove(batch.items.filter((i) => i.remove === true).map((i) => i.anchor));
  if (cycle.mode === 'full') {
    await connectorSpace.markSeen(batch.items.filter((i) => i.entry !== undefined && i.next === undefined && i.remove !== true).map((i) => i.anchor), cycle.mark);
  }
}

/** The entry of an object the cloud now holds with the desired values. */
function exported(cycle: CycleContext, item: WorkItem, cloudId: string, description: string): void {
  const refsPending = item.refsDigest !== null && item.refsDigest !== undefined && (item.refsDigest !== item.entry?.refsDigest || item.entry?.refsPending === true || item.entry?.cloudId !== cloudId);
  // Every member is set here, in the order of newEntry and fromRow (which the spread of either kept): no entry to
  // spread and overwrite, for a create no newEntry object either.
  item.next = {
    anchor: item.anchor,
    sourceType: item.mapping?.mapping.sourceObjectName ?? item.source.type,
    targetType: item.targetType ?? null,
    state: 'synced',
    dn: item.source.dn,
    objectGuid: item.objectGuid,
    cloudId,
    exported: item.hashes!,
    refsDigest: item.refsDigest ?? null,
    refsPending,
    inlineReferences: item.inlineReferences ?? null,
    seenMark: cycle.mode === 'full' ? cycle.mark : item.entry?.seenMark ?? null,
    escrow: NO_ESCROW,
    updatedAt: now(cycle),
  };
  step(item, 'export', 'Success', `${description} ${item.targetType} ${cloudId}`);
}

function currentValue(current: TargetObject, attribute: string): unknown {
  if (/^extensionAttribute\d+$/.test(attribute)) {
    const extensions = current['onPremisesExtensionAttributes'] as Record<string, unknown> | null | undefined;
    return extensions?.[attribute] ?? null;
  }
  return current[attribute];
}

/**
 * Writes only what differs between `current` and the desired values, honouring the value-dependent flow types
 * (ValueAddOnly, AttributeAddOnly, MultiValueAddOnly), which need the current value.
 */
async function writeDifferences(cycle: CycleContext, item: WorkItem, current: TargetObject, adopting: boolean): Promise<void> {
  const patch = differencesOf(cycle, item, current, adopting);
  if (patch !== undefined) await cycle.deps.target.update(item.targetType!, current.id, patch);
  differencesWritten(cycle, item, current, patch !== undefined);
}

/** The plan kinds whose export writes nothing to the cloud (creates are written before, in step 2). */
const WRITES_NOTHING: ReadonlySet<PlanKind> = new Set<PlanKind>(['create', 'unchanged', 'skip', 'forget']);

/**
 * The plans `update` and `adopt` of items of one target type, as OBJECT_EXPORTS exports them one by one, with the
 * current objects of the updates read in one call (a join has the object matching found) and the differences
 * written in one transaction (target.updateEach, else updateMany). As with creates, the objects the target refuses
 * fail alone, with the error an update of their own meets; when the target cannot tell them apart (updateMany, or
 * updateEach failing the whole call), the writes are made one by one, so that only the objects refused fail. Each
 * item's link changes follow its write. `restored`: the objects a run of restores brought back (exportRestores),
 * whose values are written here as writeDifferences writes a restored object's.
 */
async function exportUpdates(cycle: CycleContext, items: readonly WorkItem[], restored?: ReadonlyMap<WorkItem, TargetObject>): Promise<void> {
  if (items.length === 0) return;
  const { target } = cycle.deps;
  const type = items[0]!.targetType!;
  const reads = items.filter((i) => i.plan === 'update');
  const current = new Map<WorkItem, TargetObject | undefined>(restored);
  try {
    if (reads.length > 1 && target.getMany !== undefined) {
      const found = await target.getMany(type, reads.map((i) => i.entry!.cloudId!));
      reads.forEach((item, index) => current.set(item, found[index]));
    }
  } catch (error) {
    if (!isObjectFailure(error)) throw error; // read one by one below, so that only the object concerned fails
  }
  let pending: { readonly item: WorkItem; readonly current: TargetObject; readonly patch: Record<string, TargetValue> }[] = [];
  const writePending = async () => {
    let written: readonly TargetObject[] | undefined;
    let results: readonly TargetWriteResult[] | undefined;
    if (pending.length > 1) {
      try {
        const updates = pending.map((p) => ({ id: p.current.id, patch: p.patch }));
        if (target.updateEach !== undefined) results = await target.updateEach(type, updates);
        else written = await target.updateMany!(type, updates);
      } catch (error) {
        if (!isObjectFailure(error)) throw error;
      }
    }
    for (let index = 0; index < pending.length; index++) {
      const { item, current: object, patch } = pending[index]!;
      const result = results?.[index];
      if (result?.ok === false) {
        fail(item, 'export', result.error);
        continue;
      }
      if (written === undefined && result === undefined) {
        try {
          await target.update(type, object.id, patch);
        } catch (error) {
          if (!isObjectFailure(error)) throw error;
          fail(item, 'export', error);
          continue;
        }
      }
      differencesWritten(cycle, item, object, true);
    }
    pending = [];
  };
  for (const item of items) {
    try {
      // a restored object is written as a join's (writeDifferences' `adopting`): its sync stamp too, if it lost it
      const adopting = item.plan !== 'update';
      const object = item.plan === 'adopt' ? item.matched! : current.has(item) ? current.get(item) : await target.get(type, item.entry!.cloudId!);
      if (object === undefined) {
        await writePending(); // the create comes after the writes before it, as object by object
        await createInstead(cycle, item, 'Created again (the cloud object was gone)');
        continue;
      }
      const patch = differencesOf(cycle, item, object, adopting);
      if (patch === undefined) differencesWritten(cycle, item, object, false);
      else pending.push({ item, current: object, patch });
    } catch (error) {
      if (!isObjectFailure(error)) throw error;
      fail(item, 'export', error);
    }
  }
  await writePending();
  for (const item of items) {
    if (item.linkChanges === undefined || item.failure !== undefined) continue;
    try {
      await exportLinkChanges(cycle, item);
    } catch (error) {
      if (!isObjectFailure(error)) throw error;
      fail(item, 'export', error);
    }
  }
}

/**
 * The plan `delete` of items of one target type, as OBJECT_EXPORTS exports them one by one, in one call
 * (target.deleteMany: one transaction, where a scope exit or a sweep of 1,000 objects committed 1,000 times). As with
 * creates and updates, a delete the target refuses fails the whole call, and the deletes are then made one by one,
 * so that only the objects refused fail — and an object already deleted (a replay after a crash) is done, as alone.
 */
async function exportDeletes(cycle: CycleContext, items: readonly WorkItem[]): Promise<void> {
  if (items.length === 0) return;
  let written = false;
  if (items.length > 1) {
    try {
      await cycle.deps.target.deleteMany!(items[0]!.entry!.targetType as TargetType, items.map((i) => i.entry!.cloudId!));
      written = true;
    } catch (error) {
      if (!isObjectFailure(error)) throw error;
    }
  }
  for (const item of items) {
    try {
      if (written) deletedInCloud(cycle, item);
      else await OBJECT_EXPORTS.delete(cycle, item);
    } catch (error) {
      if (!isObjectFailure(error)) throw error;
      fail(item, 'export', error);
    }
  }
}

/**
 * The plan `restore` of items of one target type, as OBJECT_EXPORTS exports them one by one, in two transactions:
 * the restores in one call (target.restoreMany; bringing 1,000 objects back into scope committed 1,000 times), then
 * their values, written through the updates' run (exportUpdates: one updateMany). As with the other runs, a restore
 * the target refuses — a UPN or address taken meanwhile, or an id no longer among the deleted items (restored by a
 * run that crashed after it, or purged) — fails the whole call, and the items are then exported one by one, restore
 * and values each, so that only the objects refused fail and the others are read as already restored or created anew.
 */
async function exportRestores(cycle: CycleContext, items: readonly WorkItem[]): Promise<void> {
  if (items.length === 0) return;
  if (items.length > 1) {
    let restored: readonly TargetObject[] | undefined;
    try {
      restored = await cycle.deps.target.restoreMany!(items.map((i) => i.entry!.cloudId!));
    } catch (error) {
      if (!isObjectFailure(error)) throw error;
    }
    if (restored !== undefined) {
      await exportUpdates(cycle, items, new Map(items.map((item, index) => [item, restored[index]!])));
      return;
    }
  }
  for (const item of items) {
    try {
      await OBJECT_EXPORTS.restore(cycle, item);
    } catch (error) {
      if (!isObjectFailure(error)) throw error;
      fail(item, 'export', error);
    }
  }
}

/** Per mapping set, the target attributes whose last mapping has a value-dependent flow type (applied on export). */
const VALUE_FLOWS = new WeakMap<readonly CompiledAttributeMapping[], ReadonlyMap<string, CompiledAttributeMapping>>();

function valueFlowsOf(mappings: readonly CompiledAttributeMapping[]): ReadonlyMap<string, CompiledAttributeMapping> {
  let flows = VALUE_FLOWS.get(mappings);
  if (flows === undefined) {
    const last = new Map<string, CompiledAttributeMapping>();
    for (const m of mappings) last.set(m.targetAttributeName, m);
    flows = new Map([...last].filter(([, m]) => m.flowType !== 'Always' && m.flowType !== 'ObjectAddOnly'));
    VALUE_FLOWS.set(mappings, flows);
  }
  return flows;
}

/**
 * The patch writeDifferences writes (the differing values and the sync stamp), or undefined when there is nothing
 * to write; logs each difference as a modified property.
 */
function differencesOf(cycle: CycleContext, item: WorkItem, current: TargetObject, adopting: boolean): Record<string, TargetValue> | undefined {
  const patch: Record<string, TargetValue> = {};
  const valueFlows = valueFlowsOf(item.mapping!.mapping.attributeMappings);
  const desiredValues = item.desired!;
  // for…in over the engine's own plain object: Object.entries made a pair per attribute of every updated object
  for (const attribute in desiredValues) {
    const desired = desiredValues[attribute]!;
    const old = currentValue(current, attribute);
    let value: TargetValue = desired;
    const mapping = valueFlows.get(attribute);
    if (mapping !== undefined) {
      const applied = applyFlowType(mapping.flowType, desired as Value, (old ?? null) as Value, { isCreate: false, multivalued: mapping.definition?.multivalued === true });
      if (applied === undefined) continue;
      value = toTargetJson(applied);
    }
    if (!differs(old, value)) continue;
    patch[attribute] = value;
    item.modified.push(modifiedProperty(item, attribute, old, value));
    if (attribute === 'accountEnabled' && value === false && old === true && item.action === 'Update') item.action = 'Disable';
  }
  const wrote = Object.keys(patch).length > 0 || (adopting && current['onPremisesSyncEnabled'] !== true);
  return wrote ? { ...patch, onPremisesSyncEnabled: true, onPremisesLastSyncDateTime: now(cycle) } : undefined;
}

/** Counters and the entry after writeDifferences' write (`wrote`) or its finding that there was nothing to write. */
function differencesWritten(cycle: CycleContext, item: WorkItem, current: TargetObject, wrote: boolean): void {
  if (item.plan === 'restore') cycle.counters.restored++;
  else if (wrote) cycle.counters.updated++;
  else {
    // The cloud already holds the values (a replay after a crash, or a join of an identical object): nothing written.
    cycle.counters.unchanged++;
    item.logged = false;
  }
  exported(cycle, item, current.id, item.plan === 'restore' ? 'Restored' : item.plan === 'adopt' ? 'Joined' : 'Updated');
}

function modifiedProperty(item: WorkItem, attribute: string, oldValue: unknown, newValue: unknown): ModifiedProperty {
  // redactedTargets, not the lineage: the lineage is built per object on first use (an object per written attribute)
  const redacted = item.evaluation?.redactedTargets.has(attribute) === true;
  return {
    displayName: attribute,
    oldValue: redacted && oldValue !== null && oldValue !== undefined ? REDACTED : logText(oldValue),
    newValue: redacted ? REDACTED : logText(newValue),
  };
}

export const BATCH_STEPS: readonly BatchStep[] = Object.freeze([importStep, scopingStep, matchingStep, processingStep, referenceResolutionBatchStep, exportStep]);

// ---- cycle steps ------------------------------------------------------------------------------------------------------

async function runBatch(cycle: CycleContext, objects: readonly SourceObject[]): Promise<void> {
  // A source may report an object twice in one batch (a change during the read): its last state wins, so that
  // two creates of one anchor can never race.
  const latest = new Map<string, SourceObject>();
  for (const object of objects) {
    const anchor = defaultAnchorOf(object);
    latest.delete(anchor);
    latest.set(anchor, object);
  }
  // the anchor computed above (for AD objects a base64 of the GUID's bytes each time), not again per item
  const items: WorkItem[] = [];
  latest.forEach((source, anchor) => items.push({
    source,
    anchor,
    objectGuid: source.anchors.objectGuid?.toLowerCase() ?? null,
    inScope: false,
    deprovisionOnExit: false,
    plan: 'unchanged',
    action: 'Other',
    steps: [],
    modified: [],
    logged: false,
  }));
  cycle.counters.imported += items.length;
  const batch: BatchContext = { cycle, items };
  for (const batchStep of BATCH_STEPS) await batchStep(batch);
  await writeLog(cycle, items.filter((i) => i.logged).map((i) => logEntry(cycle, i)));
  reportProgress(cycle, 'import');
}

function reportProgress(cycle: CycleContext, step: CycleProgress['step']): void {
  const c = cycle.counters;
  cycle.deps.onProgress?.({
    cycleId: cycle.cycleId,
    mode: cycle.mode,
    step,
    imported: c.imported,
    exported: c.created + c.updated + c.deleted + c.restored,
    failed: c.failed,
  });
}

function logEntry(cycle: CycleContext, item: WorkItem): ProvisioningLogEntry {
  const status: ProvisioningStatus = item.failure !== undefined ? 'Failure' : item.plan === 'skip' ? 'Skipped' : 'Success';
  return {
    id: cycle.newId(),
    cycleId: cycle.cycleId,
    configurationId: cycle.config.id,
    activityDateTime: now(cycle),
    action: item.action,
    status,
    steps: item.steps,
    modifiedProperties: item.modified,
    sourceIdentity: { id: item.anchor, type: item.source.type, displayName: displayNameOf(item), dn: item.source.dn },
    targetIdentity: { id: item.next?.cloudId ?? item.entry?.cloudId ?? item.matched?.id ?? null, type: item.targetType ?? null },
    errorCode: item.failure?.code ?? null,
    errorMessage: item.failure?.message ?? null,
  };
}

/** Escrowed objects whose retry time has come are read again and processed (delta cycles; a full import sees them anyway). */
async function retryEscrowsStep(cycle: CycleContext): Promise<void> {
  if (cycle.mode === 'full') return;
  let after: string | undefined;
  for (;;) {
    const due = await cycle.deps.connectorSpace.listDueForRetry(now(cycle), after, 100);
    if (due.length === 0) return;
    const objects: SourceObject[] = [];
    const missing: ConnectorSpaceEntry[] = [];
    for (const entry of due) {
      const object = await cycle.deps.source.readObject(entry.dn);
      if (object !== undefined && defaultAnchorOf(object) === entry.anchor) objects.push(object);
      else missing.push(entry);
    }
    // Not readable any more (deleted, moved out of the imported containers): the next full cycle settles it;
    // until then it is retried at the escrow's pace rather than every cycle.
    await cycle.deps.connectorSpace.put(missing.map((entry) => ({
      ...entry,
      escrow: escrowAfterFailure(cycle, entry, entry.escrow.lastError ?? { code: 'ERR_LDAP_NO_SUCH_OBJECT', message: `${entry.dn} is not in the source any more` }),
      updatedAt: now(cycle),
    })));
    await runBatch(cycle, objects);
    after = due[due.length - 1]!.anchor;
  }
}

async function importStepOfCycle(cycle: CycleContext): Promise<void> {
  const { source, connectorSpace, signal } = cycle.deps;
  const memberships = membershipsAttribute(cycle.config, source);
  const options = {
    batchSize: cycle.config.batchSize ?? DEFAULT_BATCH_SIZE, maxInlineValues: cycle.config.maxInlineValues ?? 5000,
    ...(signal === undefined ? {} : { signal }),
    ...(memberships === undefined ? {} : { withAttributes: [memberships] }),
  };
  const stream = cycle.mode === 'full' ? source.fullImport(options) : source.deltaImport(cycle.watermark!, options);
  // the next batch is read from the source while this one is processed (the directory server works meanwhile)
  for await (const batch of readAhead(stream)) {
    signal?.throwIfAborted();
    await runBatch(cycle, batch.objects);
    // before the batch's watermark: a crash in between imports the group's change, and its members, again
    if (cycle.mode === 'delta') await scopeGroupMembersStep(cycle, batch.objects);
    if (cycle.mode === 'delta' && batch.deletedAnchors !== undefined && batch.deletedAnchors.length > 0) await deletedAnchorsStep(cycle, batch.deletedAnchors);
    if (cycle.mode === 'delta' && batch.presentAnchors !== undefined) {
      await connectorSpace.markSeen(batch.presentAnchors, listingMark(cycle));
      if (batch.watermark !== undefined) cycle.presentListed = true;
    }
    // Forgetting the last reconciliation before the watermark moves past the deletions the listing stands for: this
    // cycle's deletionReconciliationStep sweeps (against the present anchors, or a listing of its own), and the next
    // one lists if this one dies before. No spacing: the source paid a pass over every entry to say this (an RFC 4533
    // present phase), and the sweep costs less than that (docs/engine.md); a session log on the server avoids both.
    if (cycle.mode === 'delta' && batch.reconcileDeletions === true) await connectorSpace.setReconciledAt?.(null);
    if (batch.watermark !== undefined) {
      if (cycle.mode === 'delta' && cycle.deleteHold.held.size === 0 && !cycle.rescope) {
        // every batch up to here is exported (invariant 4); held deletions must come again, so it stays put then
        await connectorSpace.setWatermark(batch.watermark);
      }
      cycle.watermark = batch.watermark;
    }
  }
}

/**
 * The groups named by objectGUID in the enabled mappings' group scopes (groupFilter.includedGroups) and scoping
 * filters (IS_MEMBER_OF clauses), by their DN as the source names them now: every group a scope compares, so
 * importStep asks nothing else. AD only (a source with AD's back links; undefined for others).
 * MS-ADTS 3.1.1.3.1.2.4 Alternative Forms of DNs: "Active Directory supports several alternative forms of DNs that can be used to specify objects in
 * requests sent to the DC, for example, as the baseObject in a SearchRequest … <GUID=object_guid>", so readObject
 * finds a group whatever it has been renamed to or wherever it was moved. Read once per cycle, member list
 * included: a scoping group is a pilot's (Entra's group-scope filtering of deltas stops at 50,000 members).
 * A group the source no longer has is left out: nobody is its member, and the accidental-delete threshold holds
 * what leaves the scope with it. Other sources' memberOf values resolve through the connector space (importStep).
 */
async function scopeGroupsOf(config: SynchronizationConfiguration, source: EngineSource): Promise<ReadonlyMap<string, string> | undefined> {
  if (source.capabilities.backLinks?.['member'] === undefined) return undefined;
  const byDn = new Map<string, string>();
  const guids = new Set<string>();
  for (const mapping of enabledMappingsOf(config.schema).enabled) {
    for (const entry of mapping.scope.group.entries) if (entry.guid !== undefined) guids.add(entry.guid);
    // scoping-filter clauses IS_MEMBER_OF compare the same memberships
    for (const guid of mapping.scope.filter.memberships.groups) guids.add(guid);
  }
  for (const guid of guids) {
    // its DN only: the member list (up to 50,000 values, ranged 1,500 at a time) is not needed to place objects
    const group = await source.readObject(`<GUID=${guid}>`, { identityOnly: true });
    if (group !== undefined && !group.isDeleted) byDn.set(canonicalDn(group.dn), guid);
  }
  return byDn;
}

/**
 * Who joined or left a scoping group in a delta. AD reports a membership change on the group (its member values,
 * with each member's objectGUID), never on the member, whose memberOf is a back link: without this, an account
 * added to the pilot group would wait for a change of its own to be synchronized, and one removed would stay. Each
 * member added to or removed from a group that a group scope or an IS_MEMBER_OF clause names is read again (by objectGUID, with its memberOf)
 * and runs through the pipeline as a batch of its own, so that scoping decides anew: created, restored or
 * deprovisioned. Members the delta reported anyway (in this batch) are not read twice.
 */
async function scopeGroupMembersStep(cycle: CycleContext, objects: readonly SourceObject[]): Promise<void> {
  const scopeGroups = cycle.scopeGroups;
  if (scopeGroups === undefined) return;
  if (!cycle.deps.source.capabilities.incrementalValues) return await rescopeOnScopingGroup(cycle, scopeGroups, objects);
  if (scopeGroups.size === 0) return;
  const scoping = new Set(scopeGroups.values());
  const reported = new Set<string>();
  for (const object of objects) if (object.anchors.objectGuid !== undefined) reported.add(object.anchors.objectGuid.toLowerCase());
  const members = new Set<string>();
  for (const object of objects) {
    if (object.type !== 'group' || object.valueChanges === undefined) continue;
    if (!scoping.has(object.anchors.objectGuid?.toLowerCase() ?? '')) {
      // with nesting, a group inside a scoping group (at any depth) scopes its members too
      if (cycle.nesting === undefined) continue;
      const reached = await nestedGroupsOf(cycle, cycle.nesting, dnsOf(object.attributes['memberOf']).map(canonicalDn));
      if (![...reached].some((dn) => scopeGroups.has(dn))) continue;
    }
    for (const [attribute, change] of Object.entries(object.valueChanges)) {
      if (attribute.toLowerCase() !== 'member') continue;
      for (const guid of [...(change.addedObjectGuids ?? []), ...(change.removedObjectGuids ?? [])]) {
        if (guid !== null && !reported.has(guid.toLowerCase())) members.add(`<GUID=${guid.toLowerCase()}>`);
      }
    }
  }
  const batchSize = cycle.config.batchSize ?? DEFAULT_BATCH_SIZE;
  // With nesting, a group that joined or left carries its own members (at any depth) in or out: they are read too.
  const visited = new Set<string>();
  let queue = [...members];
  while (queue.length > 0) {
    const read: SourceObject[] = [];
    for (let start = 0; start < queue.length; start += SOURCE_READS_IN_FLIGHT) {
      const found = await Promise.all(queue.slice(start, start + SOURCE_READS_IN_FLIGHT).map((dn) => cycle.deps.source.readObject(dn)));
      for (const object of found) if (object !== undefined) read.push(object);
    }
    for (const dn of queue) visited.add(dn.toLowerCase());
    const next: string[] = [];
    for (const object of read) {
      visited.add(canonicalDn(object.dn));
      if (object.anchors.objectGuid !== undefined) visited.add(`<GUID=${object.anchors.objectGuid.toLowerCase()}>`);
      if (cycle.nesting !== undefined && object.type === 'group') {
        for (const dn of dnsOf(object.attributes['member'])) if (!visited.has(canonicalDn(dn))) next.push(dn);
      }
    }
    for (let start = 0; start < read.length; start += batchSize) await runBatch(cycle, read.slice(start, start + batchSize));
    queue = [...new Set(next)].filter((dn) => !visited.has(canonicalDn(dn)));
  }
}

/**
 * Group scope on a source whose deltas report a group's member list whole (generic LDAP). OpenLDAP's memberof
 * overlay rewrites each member's memberOf when a group changes and leaves the member's entryCSN and modifyTimestamp
 * as they were (slapd 2.5, tested), and its dynlist overlay computes memberOf without touching the member at all,
 * so a delta reports the group and none of its members, and nothing records who
 * the members were before. When a delta reports a group that a scope names (by entryUUID or by DN) or, with
 * nesting, one that reaches such a group, the watermark is forgotten before this batch's could be stored, and
 * runSynchronizationCycle goes on with a full cycle, which places every object by its memberOf as it is now: who
 * joined arrives, who left is deprovisioned (under the accidental-delete threshold). A crash in between leaves no
 * watermark, so the next cycle is that full one. The price is a full import per change of a scoping group
 * (docs/engine.md).
 */
async function rescopeOnScopingGroup(cycle: CycleContext, scopeGroups: ReadonlyMap<string, string>, objects: readonly SourceObject[]): Promise<void> {
  if (cycle.rescope) return;
  const pinned = new Set(scopeGroups.values());
  const named = new Set(scopeGroups.keys());
  for (const mapping of enabledMappingsOf(cycle.config.schema).enabled) {
    for (const entry of mapping.scope.group.entries) if (entry.guid === undefined && entry.dn !== undefined) named.add(canonicalDn(entry.dn));
  }
  if (pinned.size === 0 && named.size === 0) return;
  for (const object of objects) {
    if (object.type !== 'group') continue;
    const guid = (object.anchors.objectGuid ?? object.anchors.entryUuid)?.toLowerCase();
    let scoping = (guid !== undefined && pinned.has(guid)) || named.has(canonicalDn(object.dn));
    if (!scoping && cycle.nesting !== undefined) {
      const reached = await nestedGroupsOf(cycle, cycle.nesting, dnsOf(object.attributes['memberOf']).map(canonicalDn));
      scoping = [...reached].some((dn) => named.has(dn));
    }
    if (!scoping) continue;
    cycle.rescope = true;
    await cycle.deps.connectorSpace.setWatermark(null);
    return;
  }
}

/**
 * The attribute imports must read for scoping to see memberships (AD: memberOf, member's back link), when a group
 * scope or an IS_MEMBER_OF clause compares them; undefined otherwise, and the import spares the directory computing
 * it for every entry.
 */
function membershipsAttribute(config: SynchronizationConfiguration, source: EngineSource): string | undefined {
  const backLink = source.capabilities.backLinks?.['member'];
  if (backLink === undefined) return undefined;
  const compared = enabledMappingsOf(config.schema).enabled.some((m) => m.scope.group.entries.length > 0 || m.scope.filter.memberships.groups.length > 0);
  return compared ? backLink : undefined;
}

/** Transitive group scope, when a mapping asks for it and the source keeps memberOf (AD). */
function nestingOf(config: SynchronizationConfiguration, source: EngineSource): { nesting?: GroupNesting } {
  const backLink = source.capabilities.backLinks?.['member'];
  if (backLink === undefined) return {};
  const transitive = enabledMappingsOf(config.schema).enabled.some((m) =>
    (m.scope.group.nesting === 'Transitive' && m.scope.group.entries.length > 0) || m.scope.filter.memberships.transitive);
  return transitive ? { nesting: { backLink, parents: new Map() } } : {};
}

/**
 * The groups `direct` (canonical DNs of an object's groups) reach through nesting, themselves included: each
 * group's own memberOf, read once per cycle and kept (a cycle reads each group at most once, however many members
 * share it). A group met again ends that branch, so cycles of nesting (which AD allows) end the walk.
 */
async function nestedGroupsOf(cycle: CycleContext, nesting: GroupNesting, direct: readonly string[]): Promise<ReadonlySet<string>> {
  const reached = new Set<string>();
  const queue = [...direct];
  while (queue.length > 0) {
    const dn = queue.pop()!;
    if (reached.has(dn)) continue;
    reached.add(dn);
    let parents = nesting.parents.get(dn);
    if (parents === undefined) {
      const found: string[] = [];
      try {
        for await (const chunk of cycle.deps.source.readValues(dn, nesting.backLink)) for (const parent of dnsOf(chunk)) found.push(canonicalDn(parent));
      } catch (error) {
        // gone since the object named it: it reaches nothing
        if (!isCloudsyncError(error) || error.code !== 'ERR_LDAP_NO_SUCH_OBJECT') throw error;
      }
      nesting.parents.set(dn, (parents = found));
    }
    for (const parent of parents) if (!reached.has(parent)) queue.push(parent);
  }
  return reached;
}

/**
 * Deletions a delta reports by anchor alone (a generic LDAP server's RFC 4533 delete phase names entryUUIDs): what
 * the connector space knows of each is deleted as the reconciliation sweep deletes what it no longer finds — the
 * accidental-delete threshold counts them, a mapping without the Delete flow keeps its object — before the batch's
 * watermark is stored, so a crash reports them again. An anchor the connector space does not know is nothing to do.
 */
async function deletedAnchorsStep(cycle: CycleContext, anchors: readonly string[]): Promise<void> {
  const { connectorSpace } = cycle.deps;
  for (let start = 0; start < anchors.length; start += 1000) {
    const entries = await connectorSpace.get(anchors.slice(start, start + 1000));
    const gone: string[] = [];
    const items: WorkItem[] = [];
    for (const entry of entries.values()) {
      if (entry.state === 'deleted') continue;
      if (entry.state === 'container') {
        cycle.containers.delete(canonicalDn(entry.dn));
        gone.push(entry.anchor);
      } else if (entry.cloudId === null) gone.push(entry.anchor);
      else {
        const item = sweptItem(cycle, entry, 'Deleted in the source directory');
        if (item.mapping === undefined || item.mapping.flowTypes.has('Delete')) items.push(item);
      }
    }
    await connectorSpace.remove(gone);
    if (items.length === 0) continue;
    holdDeletesOverThreshold(cycle, items);
    await exportStep({ cycle, items });
    await writeLog(cycle, items.map((i) => logEntry(cycle, i)));
    reportProgress(cycle, 'import');
  }
}

/** What a delta's anchor listing marks the entries it lists with (listAnchors(), or the delta's presentAnchors). */
const listingMark = (cycle: CycleContext): string => `${cycle.mark}:listing`;

/**
 * Deletions the import did not report: after a full import, every entry it did not see; after a delta that listed
 * what is present (presentAnchors), every entry it did not list; after another delta from a source whose deltas
 * miss deletions, every entry listAnchors() does not list, when the reconciliation interval has passed.
 */
async function deletionReconciliationStep(cycle: CycleContext): Promise<void> {
  const { source, connectorSpace } = cycle.deps;
  let mark = cycle.mark;
  if (cycle.mode === 'delta' && cycle.presentListed) {
    mark = listingMark(cycle);
  } else if (cycle.mode === 'delta') {
    if (source.capabilities.deltaReportsDeletions || !source.capabilities.anchorListing) return;
    const interval = cycle.config.reconciliationIntervalMs ?? DEFAULT_RECONCILIATION_INTERVAL_MS;
    const last = (await connectorSpace.getReconciledAt?.()) ?? null;
    if (last !== null && cycle.clock().getTime() - Date.parse(last) < interval) return;
    mark = listingMark(cycle);
    for await (const anchors of source.listAnchors({ batchSize: 1000 })) await connectorSpace.markSeen(anchors, mark);
  }
  const candidates: WorkItem[] = [];
  let unseenCount = 0;
  for (let page = await connectorSpace.listUnseen(mark, undefined, 1000); page.length > 0; page = await connectorSpace.listUnseen(mark, page.at(-1)!.anchor, 1000)) {
    unseenCount += page.length;
    for (const entry of page) {
      const item = entry.state !== 'container' && entry.cloudId !== null ? sweptItem(cycle, entry) : undefined;
      if (item !== undefined && item.mapping?.flowTypes.has('Delete') !== false) candidates.push(item);
    }
  }
  const heldBefore = new Set(cycle.deleteHold.held.keys());
  holdDeletesOverThreshold(cycle, candidates);
  // Entra logs the deletions its threshold holds back as StagedDelete; those of the import batches are logged there.
  const staged = candidates.filter((item) => item.action === 'StagedDelete' && !heldBefore.has(item.anchor));
  if (staged.length > 0) await writeLog(cycle, staged.map((item) => logEntry(cycle, item)));
  // Nothing unseen, nothing to sweep: the loop below would scan the whole connector space again to find that out
  // (a second pass over every row, 125–340 ms at 200,000 objects). Nothing writes the connector space in between.
  if (unseenCount === 0) {
    cycle.reconciled = true;
    return;
  }
  let after: string | undefined;
  for (;;) {
    const unseen = await connectorSpace.listUnseen(mark, after, 200);
    if (unseen.length === 0) {
      cycle.reconciled = true;
      return;
    }
    after = unseen[unseen.length - 1]!.anchor;
    // An anchor listing that leaves out OUs must not make the engine forget them (their GUIDs place objects in scope).
    const gone = unseen.filter((e) => (e.state === 'container' && cycle.mode === 'full') || (e.state !== 'container' && e.cloudId === null));
    await connectorSpace.remove(gone.map((e) => e.anchor));
    const items: WorkItem[] = [];
    for (const entry of unseen.filter((e) => e.state !== 'container' && e.cloudId !== null)) {
      const item = sweptItem(cycle, entry);
      if ((item.mapping !== undefined && !item.mapping.flowTypes.has('Delete')) || cycle.deleteHold.held.has(entry.anchor)) continue;
      items.push(item);
    }
    if (items.length > 0) {
      const batch: BatchContext = { cycle, items };
      await exportStep(batch);
      await writeLog(cycle, items.map((i) => logEntry(cycle, i)));
      reportProgress(cycle, 'deletionReconciliation');
    }
  }
}

/**
 * Hands a batch's entries to the log without waiting for them to commit: at most LOG_WRITES_IN_FLIGHT writes are
 * pending, so the oldest is awaited first (its failure thrown) when the bound is reached. runSynchronizationCycle
 * awaits the rest.
 */
async function writeLog(cycle: CycleContext, entries: readonly ProvisioningLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  while (cycle.logWrites.length >= LOG_WRITES_IN_FLIGHT) await cycle.logWrites.shift();
  const write = cycle.deps.log.write(entries);
  // Awaited above or at the cycle's end; until then a rejection must not count as unhandled (which ends the process).
  write.catch(() => {});
  cycle.logWrites.push(write);
}

/** One pending entry's reference resolution in a page, settled (entry, log) at the page's end. */
interface ReferenceOutcome {
  readonly entry: PendingReferenceEntry & { readonly cloudId: string };
  /** per attribute: links added and removed (the log's modifiedProperties) */
  readonly counts: Map<string, { added: number; removed: number }>;
  waiting: number;
  readonly unresolved: string[];
  unresolvedCount: number;
  failure?: CloudsyncError;
}

/**
 * A single-valued reference's cloud writes held for the page's setReferences, and the connector-space writes that
 * follow them only if every one of them is done (cloud first, then recorded: invariant 3).
 */
interface HeldReferenceWrite {
  readonly outcome: ReferenceOutcome;
  readonly attribute: string;
  readonly links: ReferenceLink[];
  /** links to record (re-mark) */
  readonly records: ReferenceSet[];
  /** stale links to forget */
  readonly forget: string[];
  added: number;
  removed: number;
}

function countOf(outcome: ReferenceOutcome, attribute: string): { added: number; removed: number } {
  let counts = outcome.counts.get(attribute);
  if (counts === undefined) outcome.counts.set(attribute, (counts = { added: 0, removed: 0 }));
  return counts;
}

/**
 * A page's held single-valued reference writes, as one setReferences call (one directory transaction instead of
 * one per link: 20,000 managers committed 20,000 times). Each entry's links succeed or fail on their own: a
 * refused link (a manager cycle, a manager gone) is that entry's failure, and its records and forgets are not
 * returned, so the entry stays pending; the other entries' are. Clearing a reference already gone is done.
 */
async function writeHeldReferences(cycle: CycleContext, held: readonly HeldReferenceWrite[]): Promise<{ records: ReferenceSet[]; forgotten: ReferenceSet[] }> {
  const records: ReferenceSet[] = [];
  const forgotten: ReferenceSet[] = [];
  if (held.length === 0) return { records, forgotten };
  const results = await cycle.deps.target.setReferences!(held.flatMap((write) => write.links));
  if (results.length !== held.reduce((n, write) => n + write.links.length, 0)) throw new TypeError('setReferences answered a different number of links');
  let index = 0;
  for (const write of held) {
    let failure: CloudsyncError | undefined;
    for (const link of write.links) {
      const result = results[index++]!;
      if (result.ok || (link.targetId === null && result.error.code === 'ERR_DIR_NOT_FOUND')) continue;
      if (!isObjectFailure(result.error)) throw result.error;
      failure ??= result.error;
    }
    const counts = countOf(write.outcome, write.attribute);
    if (failure !== undefined) {
      write.outcome.failure ??= failure;
      counts.added -= write.added;
      counts.removed -= write.removed;
      continue;
    }
    records.push(...write.records);
    if (write.forget.length > 0) forgotten.push({ anchor: write.outcome.entry.anchor, attribute: write.attribute, targetAnchors: write.forget });
  }
  return { records, forgotten };
}

/** A resolved entry's settlement (pending again on failure or waiting; escrowed on failure) and its log entry, if any. */
function settleReferences(cycle: CycleContext, outcome: ReferenceOutcome, settled: ReferenceSettlement[], log: ProvisioningLogEntry[]): void {
  const { entry, failure, waiting, unresolved, unresolvedCount } = outcome;
  const modified: ModifiedProperty[] = [];
  let added = 0;
  let removed = 0;
  for (const [attribute, counts] of outcome.counts) {
    added += counts.added;
    removed += counts.removed;
    if (counts.added > 0 || counts.removed > 0) modified.push({ displayName: attribute, oldValue: null, newValue: `${counts.added} added, ${counts.removed} removed` });
  }
  cycle.counters.referencesAdded += added;
  cycle.counters.referencesRemoved += removed;
  // the kept values are dropped with it: spent, a later cycle reads the source (see ConnectorSpaceEntry.inlineReferences)
  settled.push({
    anchor: entry.anchor,
    refsPending: failure !== undefined || waiting > 0,
    ...(failure === undefined ? {} : { escrow: escrowAfterFailure(cycle, entry, failure) }),
  });
  if (added === 0 && removed === 0 && unresolved.length === 0 && failure === undefined) return;
  const status: ProvisioningStatus = failure !== undefined ? 'Failure' : unresolved.length > 0 ? 'Warning' : 'Success';
  log.push({
    id: cycle.newId(),
    cycleId: cycle.cycleId,
    configurationId: cycle.config.id,
    activityDateTime: now(cycle),
    action: 'Update',
    status,
    steps: [{
      name: 'referenceResolution',
      status,
      description: failure?.message ?? `${added} reference(s) added, ${removed} removed` +
        (unresolvedCount > 0 ? `; ${unresolvedCount} not synchronized (e.g. ${unresolved[0]})` : '') +
        (waiting > 0 ? `; ${waiting} waiting for their object` : ''),
    }],
    modifiedProperties: modified,
    sourceIdentity: { id: entry.anchor, type: entry.sourceType, displayName: null, dn: entry.dn },
    targetIdentity: { id: entry.cloudId, type: entry.targetType },
    errorCode: failure?.code ?? (unresolved.length > 0 ? ('ERR_SYNC_REFERENCE_UNRESOLVED' satisfies ErrorCode) : null),
    errorMessage: failure?.message ?? null,
  });
}

/**
 * Pending entries resolved per page. A page's writes land in indexes keyed by random values — the managers' two
 * (user, manager), the recorded links' target anchors — where nearly every insert dirties a different 16 KiB
 * page: a commit's WAL bytes grow with the pages it touches, not the rows, so with 20,000 users with managers,
 * pages of 200 rewrote most of those indexes a hundred times (COMMIT ~0.35 s). Pages of 1,000 touch each index page
 * about as often per commit and commit a fifth as often. What a page holds stays bounded: its entries (without
 * their exported digests), at most INLINE_REFERENCE_LIMIT kept DNs and PAGE_STALE_LIMIT stale links per entry.
 */
const REFERENCE_PAGE = 1000;
/** Stale links listed at a time for one (anchor, attribute). */
const STALE_PAGE = 500;
/**
 * Stale links the page reads per kept list. A kept list has at most INLINE_REFERENCE_LIMIT values and few stale
 * links (a manager: the one it replaces); one with this many is listed on its own, STALE_PAGE at a time, so a page
 * holds at most this many per entry whatever its lists' histories.
 */
const PAGE_STALE_LIMIT = 50;

/** Single-object reads in flight at a time (back links, members re-read for scope; one LDAP base search each). */
const SOURCE_READS_IN_FLIGHT = 8;

const ownerKey = (anchor: string, attribute: string) => `${anchor}\u0000${attribute}`;

/** An entry of a page whose references resolution reconciles: synchronized, with a mapping. */
interface ResolvableEntry {
  readonly entry: PendingReferenceEntry & { readonly cloudId: string };
  readonly targetType: TargetType;
  /** the reference attributes the target supports, each read from one source attribute */
  readonly references: readonly { readonly attribute: string; readonly sourceAttribute: string }[];
}

/**
 * What a page reads at once about the lists kept from this cycle's import (whole, in memory): which of their
 * targets are recorded links, their stale links (all of them, or absent when PAGE_STALE_LIMIT or more), and the
 * entries of those stale targets. Read per entry, these were two or three queries each: 40,000 for 20,000 users
 * with managers.
 */
interface KeptListsOfPage {
  /** ownerKey → the recorded links among the list's targets */
  readonly known: ReadonlyMap<string, ReadonlySet<string>>;
  /** ownerKey → every stale link of the (anchor, attribute); absent: listed on its own */
  readonly stale: ReadonlyMap<string, readonly string[]>;
  readonly staleTargets: ReadonlyMap<string, ReferenceTarget>;
}

async function readKeptLists(
  cycle: CycleContext,
  work: readonly ResolvableEntry[],
  keptOf: (entry: PendingReferenceEntry) => Readonly<Record<string, readonly string[]>> | undefined,
  keptByDn: ReadonlyMap<string, ReferenceTarget>,
  mark: string,
): Promise<KeptListsOfPage> {
  const { connectorSpace } = cycle.deps;
  const sets: ReferenceSet[] = [];
  for (const { entry, references } of work) {
    for (const { attribute } of references) {
      const kept = keptOf(entry)?.[attribute];
      if (kept === undefined) continue;
      // every target the list names that has an entry: a superset of those it resolves to
      const targetAnchors = dnsOf(kept).map((dn) => keptByDn.get(canonicalDn(dn))?.anchor).filter((a): a is string => a !== undefined);
      sets.push({ anchor: entry.anchor, attribute, targetAnchors });
    }
  }
  if (sets.length === 0) return { known: new Map(), stale: new Map(), staleTargets: new Map() };
  const known = new Map((await connectorSpace.getReferenceSets(sets)).map((set) => [ownerKey(set.anchor, set.attribute), new Set(set.targetAnchors)]));
  const stale = new Map<string, readonly string[]>();
  for (const set of await connectorSpace.listStaleReferenceSets(sets, mark, PAGE_STALE_LIMIT)) {
    if (set.targetAnchors.length < PAGE_STALE_LIMIT) stale.set(ownerKey(set.anchor, set.attribute), set.targetAnchors);
  }
  const targets = [...stale.values()].flat().filter((anchor) => !isPlaceholder(anchor));
  return { known, stale, staleTargets: targets.length === 0 ? new Map() : await connectorSpace.get(targets) };
}

/**
 * The back links (AD's memberOf, directReports) a source keeps on each object naming its referrers, for the
 * references this schema follows; undefined when there are none to read. Only delta cycles read them: a full import
 * reads every referrer again, and a referrer whose member changed its DN gets a new reference digest, so it is
 * reconciled anyway.
 */
function backLinksOf(config: SynchronizationConfiguration, source: Pick<SourceConnector, 'capabilities'>): readonly BackLink[] | undefined {
  const available = source.capabilities.backLinks;
  if (available === undefined) return undefined;
  const links = new Map<string, string>();
  for (const mapping of enabledMappingsOf(config.schema).enabled) {
    for (const reference of referenceMappings(mapping)) {
      const forward = referenceSourceAttribute(reference)?.toLowerCase();
      const backLink = forward === undefined || !Object.hasOwn(available, forward) ? undefined : available[forward];
      if (backLink !== undefined) links.set(backLink, forward!);
    }
  }
  return links.size === 0 ? undefined : [...links].map(([backLink, forward]) => ({ backLink, forward }));
}

/**
 * The synchronized referrers of objects new to the cloud that have not recorded a link to them. A referrer records
 * a member it could not resolve as a placeholder under the member's RDN (placeholderAnchor), and an arrival makes
 * the holders of its RDN's placeholder pending. An account renamed and moved into the scope at once (pre-staged
 * outside it, put in its groups, moved in on its first day) arrives under another RDN, and AD does not report the
 * groups whose links followed the rename: without this, the links waited for each group's next change. The
 * arrival's back links name its referrers as they are now; each synchronized one whose recorded links lack the
 * arrival is returned, to be marked pending for reference resolution (a group whose value change in this batch
 * adds the newcomer is pending already: its member was not in the cloud yet). One LDAP read per newcomer and back link
 * (SOURCE_READS_IN_FLIGHT at a time), in deltas only; a newcomer gone since its import (no such object) is
 * skipped: the next delta reports it.
 */
async function referrersUnaware(cycle: CycleContext, links: readonly BackLink[], newcomers: readonly { readonly anchor: string; readonly dn: string }[]): Promise<string[]> {
  const { source, connectorSpace, target } = cycle.deps;
  const found: { readonly newcomer: string; readonly forward: string; readonly dnKey: string }[] = [];
  for (let start = 0; start < newcomers.length; start += SOURCE_READS_IN_FLIGHT) {
    await Promise.all(newcomers.slice(start, start + SOURCE_READS_IN_FLIGHT).map(async (newcomer) => {
      for (const { backLink, forward } of links) {
        try {
          for await (const chunk of source.readValues(newcomer.dn, backLink)) {
            for (const dn of dnsOf(chunk)) found.push({ newcomer: newcomer.anchor, forward, dnKey: canonicalDn(dn) });
          }
        } catch (error) {
          if (!isCloudsyncError(error) || error.code !== 'ERR_LDAP_NO_SUCH_OBJECT') throw error;
        }
      }
    }));
  }
  if (found.length === 0) return [];
  const referrers = await connectorSpace.getByDnKeys([...new Set(found.map((f) => f.dnKey))]);
  // (referrer anchor, target attribute) → the newcomers it should link
  const sets = new Map<string, { readonly anchor: string; readonly attribute: string; readonly targetAnchors: string[] }>();
  for (const { newcomer, forward, dnKey } of found) {
    const entry = referrers.get(dnKey);
    // pending already: reference resolution reads its whole list anyway
    if (entry === undefined || entry.state !== 'synced' || entry.cloudId === null || entry.refsPending) continue;
    const mapping = mappingFor(cycle.config.schema, entry.sourceType);
    if (mapping === undefined) continue;
    for (const reference of referenceMappings(mapping)) {
      if (referenceSourceAttribute(reference)?.toLowerCase() !== forward) continue;
      const attribute = reference.targetAttributeName;
      if (!target.supportsReference(entry.targetType as TargetType, attribute)) continue;
      const key = ownerKey(entry.anchor, attribute);
      let set = sets.get(key);
      if (set === undefined) sets.set(key, (set = { anchor: entry.anchor, attribute, targetAnchors: [] }));
      set.targetAnchors.push(newcomer);
    }
  }
  const asked = [...sets.values()];
  if (asked.length === 0) return [];
  const recorded = await connectorSpace.getReferenceSets(asked);
  const unaware = new Set<string>();
  asked.forEach(({ anchor, targetAnchors }, index) => {
    const known = new Set(recorded[index]!.targetAnchors);
    if (targetAnchors.some((newcomer) => !known.has(newcomer))) unaware.add(anchor);
  });
  return [...unaware];
}

/**
 * referenceResolution proper: for every entry with pending references, stream the source values (readValues, in
 * chunks), resolve each DN to an anchor through the connector space, add the links the cloud lacks and mark
 * them; then remove the links not marked in this pass. Never holds a whole member list.
 *
 * Single-valued references (manager) of a target with setReferences are written for the whole page at its end,
 * with their records and forgets after them (writeHeldReferences); group members link one by one as they stream.
 * The connector space is read and written per page where it can be (lists kept from the import, the settled
 * entries, the forgotten links); a streamed list is read, linked and recorded chunk by chunk.
 */
async function referenceResolutionStep(cycle: CycleContext): Promise<void> {
  const { connectorSpace, source, target } = cycle.deps;
  const mark = `${cycle.mark}:refs`;
  let after: string | undefined;
  for (;;) {
    const pending = await connectorSpace.listReferencesPending(after, REFERENCE_PAGE);
    if (pending.length === 0) return;
    after = pending[pending.length - 1]!.anchor;
    const log: ProvisioningLogEntry[] = [];
    // The page's entries are settled together at its end: one transaction, not one per entry (each commit wrote
    // several pages; 20,000 users with managers committed 60,000 times). Until then they stay pending, so a crash
    // repeats the page, and a repeated link is "already done" (invariant 3).
    const settled: ReferenceSettlement[] = [];
    const work: ResolvableEntry[] = [];
    for (const entry of pending) {
      const mapping = mappingFor(cycle.config.schema, entry.sourceType);
      if (entry.state !== 'synced' || entry.cloudId === null || mapping === undefined) {
        settled.push({ anchor: entry.anchor, refsPending: false });
        continue;
      }
      const targetType = entry.targetType as TargetType;
      const references = referenceMappings(mapping).flatMap((reference) => {
        const sourceAttribute = referenceSourceAttribute(reference);
        const attribute = reference.targetAttributeName;
        return sourceAttribute !== undefined && target.supportsReference(targetType, attribute) ? [{ attribute, sourceAttribute }] : [];
      });
      work.push({ entry: entry as ResolvableEntry['entry'], targetType, references });
    }
    // Lists kept from this cycle's import are whole and in memory: their DNs are resolved for the page at once, their
    // recorded and stale links read for it at once, and their links recorded with the page's entries (their stale
    // links are told apart by the list itself).
    const keptOf = (entry: PendingReferenceEntry) => (entry.inlineReferences?.cycleId === cycle.cycleId ? entry.inlineReferences.values : undefined);
    const keptKeys = new Set<string>();
    for (const { entry } of work) for (const dns of Object.values(keptOf(entry) ?? {})) for (const dn of dns) keptKeys.add(canonicalDn(dn));
    const keptByDn = keptKeys.size === 0 ? new Map<string, ReferenceTarget>() : await connectorSpace.resolveDnKeys([...keptKeys]);
    const page = await readKeptLists(cycle, work, keptOf, keptByDn, mark);
    const keptLinks: ReferenceSet[] = [];
    const forgotten: ReferenceSet[] = [];
    const outcomes: ReferenceOutcome[] = [];
    const held: HeldReferenceWrite[] = [];
    for (const { entry, targetType, references } of work) {
      const outcome: ReferenceOutcome = { entry, counts: new Map(), waiting: 0, unresolved: [], unresolvedCount: 0 };
      outcomes.push(outcome);
      try {
        for (const { attribute, sourceAttribute } of references) {
          const counts = countOf(outcome, attribute);
          const write: HeldReferenceWrite | undefined = attribute !== 'members' && target.setReferences !== undefined
            ? { outcome, attribute, links: [], records: [], forget: [], added: 0, removed: 0 }
            : undefined;
          let resolvedCount = 0;
          const kept = keptOf(entry)?.[attribute];
          const key = ownerKey(entry.anchor, attribute);
          const current = new Set<string>();
          for await (const chunk of kept !== undefined ? [kept] : source.readValues(entry.dn, sourceAttribute, { chunkSize: 1000 })) {
            const dns = dnsOf(chunk);
            const byDn = kept !== undefined ? keptByDn : await connectorSpace.resolveDnKeys(dns.map(canonicalDn));
            const resolved: ReferenceTarget[] = [];
            const unresolvedInChunk: string[] = [];
            for (const dn of dns) {
              const member = byDn.get(canonicalDn(dn));
              if (member?.state === 'synced' && member.cloudId !== null) resolved.push(member);
              else if (member?.state === 'creating') outcome.waiting++;
              else unresolvedInChunk.push(dn);
            }
            if (outcome.unresolved.length < 10) outcome.unresolved.push(...unresolvedInChunk.slice(0, 10 - outcome.unresolved.length));
            outcome.unresolvedCount += unresolvedInChunk.length;
            const known = (kept === undefined ? undefined : page.known.get(key)) ??
              await connectorSpace.getReferences(entry.anchor, attribute, resolved.map((m) => m.anchor));
            resolvedCount += resolved.length;
            for (const member of resolved) {
              if (known.has(member.anchor)) continue;
              if (write !== undefined) {
                write.links.push({ type: targetType, id: entry.cloudId, attribute, targetId: member.cloudId! });
                write.added++;
              } else await linkReference(target, targetType, entry.cloudId, attribute, member.cloudId!);
              counts.added++;
            }
            // Unresolved targets are remembered as placeholders (their arrival marks this entry pending again), in
            // the same write as the links just made.
            const targetAnchors = [...unresolvedInChunk.map((dn) => placeholderAnchor(dn)), ...resolved.map((m) => m.anchor)];
            const set: ReferenceSet = { anchor: entry.anchor, attribute, targetAnchors };
            if (kept === undefined && write === undefined) await connectorSpace.putReferences([set], mark);
            else {
              if (write === undefined) keptLinks.push(set);
              else write.records.push(set);
              for (const anchor of targetAnchors) current.add(anchor);
            }
          }
          // A kept list's stale links come with the page when it has fewer than PAGE_STALE_LIMIT: all of them.
          let fromPage = kept === undefined ? undefined : page.stale.get(key);
          for (;;) {
            // Links not re-marked yet (a kept list's, a held write's) are in `current`: at most INLINE_REFERENCE_LIMIT
            // for a kept list, fewer than a STALE_PAGE, so a listing without anything else stale ends the loop.
            const listing = fromPage ?? await connectorSpace.listStaleReferences(entry.anchor, attribute, mark, STALE_PAGE);
            const complete = fromPage !== undefined || listing.length < STALE_PAGE;
            const stale = listing.filter((anchor) => !current.has(anchor));
            if (stale.length === 0) break;
            const members = fromPage !== undefined ? page.staleTargets : await connectorSpace.get(stale);
            fromPage = undefined;
            for (const anchor of stale) {
              if (isPlaceholder(anchor)) continue;
              const member = members.get(anchor);
              if (member?.cloudId != null) {
                // a single-valued reference (manager) resolved in this pass has already replaced the stale value
                if (write === undefined) await unlinkReference(target, targetType, entry.cloudId, attribute, member.cloudId, resolvedCount > 0);
                else if (resolvedCount === 0 && !write.links.some((link) => link.targetId === null)) write.links.push({ type: targetType, id: entry.cloudId, attribute, targetId: null });
              }
              counts.removed++;
              if (write !== undefined) write.removed++;
            }
            if (write === undefined) {
              await connectorSpace.deleteReferences(entry.anchor, attribute, stale);
              // what a complete listing left is current: listing again would find nothing else
              if (complete) break;
              continue;
            }
            // Forgotten only after the held write: one listing of them. A single-valued reference has a link or two
            // per pass and each pass forgets its stale ones, so more than STALE_PAGE does not happen; were it to, the
            // rest would be forgotten by a later pass (an unlink of an absent reference is done).
            write.forget.push(...stale);
            break;
          }
          if (write === undefined) continue;
          if (write.links.length > 0) held.push(write);
          else {
            // nothing to write in the cloud (the link is there; what is stale is a placeholder or already replaced)
            keptLinks.push(...write.records);
            if (write.forget.length > 0) forgotten.push({ anchor: entry.anchor, attribute, targetAnchors: write.forget });
          }
        }
      } catch (error) {
        if (!isObjectFailure(error)) throw error;
        outcome.failure = error;
      }
    }
    const done = await writeHeldReferences(cycle, held);
    keptLinks.push(...done.records);
    forgotten.push(...done.forgotten);
    for (const outcome of outcomes) settleReferences(cycle, outcome, settled, log);
    // one connector-space transaction after the cloud writes it records (invariant 3)
    await connectorSpace.endReferencePage({ forgotten, links: keptLinks, mark, settlements: settled, updatedAt: now(cycle) });
    await writeLog(cycle, log);
    reportProgress(cycle, 'referenceResolution');
  }
}

/** The deletion of an entry the import did not see (the sweep). */
function sweptItem(cycle: CycleContext, entry: ConnectorSpaceEntry, description = 'No longer in the source directory'): WorkItem {
  const mapping = mappingFor(cycle.config.schema, entry.sourceType);
  return {
    source: { type: entry.sourceType as SourceObject['type'], objectClasses: [], dn: entry.dn, parentDn: parentDn(entry.dn), anchors: {}, attributes: {}, isDeleted: true },
    anchor: entry.anchor,
    objectGuid: entry.objectGuid,
    ...(mapping === undefined ? {} : { mapping }),
    targetType: entry.targetType as TargetType,
    inScope: false,
    deprovisionOnExit: true,
    entry,
    plan: 'delete',
    action: 'Delete',
    steps: [{ name: 'import', status: 'Success', description }],
    modified: [],
    logged: true,
  };
}

async function watermarkStep(cycle: CycleContext): Promise<void> {
  // A full import's watermark is stored only now, after its deletion sweep (invariant 4).
  if (cycle.mode === 'full' && cycle.watermark !== null && cycle.deleteHold.held.size === 0) await cycle.deps.connectorSpace.setWatermark(cycle.watermark);
  // Deletions held back must be found again by the next cycle's reconciliation, so it does not count as done.
  if (cycle.reconciled && cycle.deleteHold.held.size === 0) await cycle.deps.connectorSpace.setReconciledAt?.(cycle.startedAt);
}

export const CYCLE_STEPS: readonly CycleStep[] = Object.freeze([
  retryEscrowsStep,
  importStepOfCycle,
  deletionReconciliationStep,
  referenceResolutionStep,
  watermarkStep,
]);

// ---- entry point ------------------------------------------------------------------------------------------------------

/**
 * Runs one cycle. `mode`: `full` imports everything (and sweeps deletions); `delta` imports changes since the
 * stored watermark (a full import when there is none); `auto` (default) is delta when the source supports it and a
 * watermark exists. One cycle per configuration at a time: the caller (the job scheduler) serializes them.
 */
export async function runSynchronizationCycle(
  deps: EngineDependencies,
  config: SynchronizationConfiguration,
  options: { readonly mode?: CycleMode } = {},
): Promise<CycleReport> {
  const clock = deps.clock ?? systemClock;
  // Time-ordered (UUIDv7): log entry ids are the log's primary key, and random ones rewrote a page of that index per
  // row at every batch's commit (2 GB of a 200,000-object full sync's writes).
  const newId = deps.newId ?? (() => newObjectId());
  const watermark = await deps.connectorSpace.getWatermark();
  const requested = options.mode ?? 'auto';
  const mode: 'full' | 'delta' =
    requested === 'full' || watermark === null ? 'full' : requested === 'delta' || deps.source.capabilities.deltaImport ? 'delta' : 'full';
  const containers = new Map<string, string>();
  for (const entry of await deps.connectorSpace.listContainers()) if (entry.objectGuid !== null) containers.set(canonicalDn(entry.dn), entry.objectGuid);
  const cycleId = newId();
  const cycle: CycleContext = {
    deps,
    config,
    clock,
    newId,
    cycleId,
    mode,
    mark: cycleId,
    domains: await deps.target.domains(),
    containers,
    deleteHold: { held: new Map(), approved: 0 },
    startedAt: clock().toISOString(),
    reconciled: false,
    presentListed: false,
    rescope: false,
    counters: { imported: 0, created: 0, updated: 0, deleted: 0, restored: 0, unchanged: 0, skipped: 0, failed: 0, referencesAdded: 0, referencesRemoved: 0 },
    watermark,
    logWrites: [],
    ...(mode === 'delta' ? { backLinks: backLinksOf(config, deps.source) } : {}),
    scopeGroups: await scopeGroupsOf(config, deps.source),
    ...nestingOf(config, deps.source),
  };
  let stepsEnded = false;
  try {
    for (const cycleStep of CYCLE_STEPS) await cycleStep(cycle);
    stepsEnded = true;
  } finally {
    // No log write outlives its cycle. One that failed fails the cycle, as when every write was awaited at once;
    // the error of a step that threw, if one did, is the one that propagates.
    const failedWrite = (await Promise.allSettled(cycle.logWrites.splice(0))).find((r) => r.status === 'rejected');
    if (failedWrite !== undefined && stepsEnded) throw failedWrite.reason;
  }
  if (cycle.deleteHold.held.size > 0) throw deleteThresholdError(cycle);
  const c = cycle.counters;
  // A scoping group changed where the source cannot say how (rescopeOnScopingGroup): the full cycle now. Only when the
  // watermark really is gone: on-demand provisioning's confined connector space keeps none to forget.
  if (cycle.rescope && (await deps.connectorSpace.getWatermark()) === null) {
    const full = await runSynchronizationCycle(deps, config, { mode: 'full' });
    const sum = { ...c };
    for (const key of Object.keys(sum) as (keyof Counters)[]) sum[key] += full[key];
    return { ...full, ...sum };
  }
  const synchronized = mode === 'full' || c.created + c.deleted + c.restored > 0 ? await deps.connectorSpace.countSynced?.() : undefined;
  return { cycleId, mode, ...cycle.counters, watermark: cycle.watermark, ...(synchronized === undefined ? {} : { synchronized }) };
}
