/**
 * On-demand provisioning: one object (or a group and up to five of its members) through the synchronization
 * cycle now, with every step explained — Graph's `POST …/jobs/{jobId}/provisionOnDemand`.
 *
 * Graph: "Select a user and provision the account on-demand. The rate limit for this API is 5 requests per 10
 * seconds." The portal shows four steps (Entra Cloud Sync, how-to-on-demand-provision): Import user → Determine
 * if user is in scope → Match user between source and target system → Perform action. Graph's result carries them
 * as provisioningSteps (EntryImportAdd/EntryImport, EntrySynchronizationScoping, EntryExportAdd/Update/Delete or
 * EntrySynchronizationSkip) with modifiedProperties, action, changeId and statusInfo.
 *
 * Where this differs from Entra, on purpose:
 *   - Scope is applied. Entra's on-demand "does not apply scoping filters", so a successful test can differ from
 *     what the scheduled run does (a documented complaint). Here the scoping step lists every clause with its
 *     result and states whether the scheduled run includes the object; an object out of scope is not provisioned,
 *     exactly as the scheduled run would not provision it.
 *   - A dry run computes all of it and writes nothing (no cloud write, no connector-space row, no log entry).
 *
 * How writes stay identical to the scheduled cycle's: the objects are run through runSynchronizationCycle itself,
 * confined to them — a source that imports only these objects (and their not-yet-known ancestor OUs, as a full
 * import would have), a connector space whose escrow retries, deletion sweep and pending-reference listing see only
 * them, and no watermark read or written. The cycle's own export step therefore writes the same cloud objects and
 * the same connector-space rows a scheduled cycle would, and the next scheduled cycle finds nothing to do for them.
 * A dry run gives the same cycle a DryRunTarget and a ConnectorSpaceOverlay: it decides exactly what a real run
 * would, and the decisions are read back from the overlay and the planned writes.
 *
 * The detail the cycle does not report (imported values, the scope trace clause by clause, the match candidates)
 * is computed here from the same pure building blocks: src/schema's scope traces and the target's lookups.
 */
import { randomUUID } from 'node:crypto';
import { parentDn, sameDn } from '../connectors/distinguished-name.ts';
import { defaultAnchorOf, type SourceObject, type SourceObjectType } from '../connectors/source-connector.ts';
import { CloudsyncError, isCloudsyncError } from '../errors/index.ts';
import { attributeSource, isReference, type Value } from '../expressions/value.ts';
import {
  canonicalDn,
  REDACTED,
  typeOfDefinition,
  type ClauseTrace,
  type CompiledSchema,
  type CompiledSchemaObjectMapping,
  type GroupSetTrace,
  type MembershipScopeTrace,
  type ObjectPlacement,
  type ObjectScopeTrace,
} from '../schema/index.ts';
import { systemClock } from './clock.ts';
import type { ConnectorSpace, ConnectorSpaceEntry } from './connector-space.ts';
import { ConnectorSpaceOverlay } from './connector-space-overlay.ts';
import { DRY_RUN_ID_PREFIX, DryRunTarget, type PlannedWrite } from './dry-run-target.ts';
import { toTargetJson } from './export-values.ts';
import type { ModifiedProperty, ProvisioningAction, ProvisioningLogEntry, ProvisioningLogSink, ProvisioningStatus } from './provisioning-log.ts';
import { runSynchronizationCycle, type EngineDependencies, type EngineSource, type SynchronizationConfiguration } from './synchronization-cycle.ts';
import type { TargetDirectory, TargetObject, TargetType } from './target-directory.ts';

/** Graph's objectTypeName values for Cloud Sync (compared case-insensitively: Graph's examples use user and Group). */
export const ON_DEMAND_OBJECT_TYPES = ['user', 'group', 'contact'] as const;
export type OnDemandObjectType = (typeof ON_DEMAND_OBJECT_TYPES)[number];

/** Graph: groups are provisioned on demand with up to 5 members (links.members). */
export const ON_DEMAND_MAX_MEMBERS = 5;

const SOURCE_TYPES_OF: Readonly<Record<OnDemandObjectType, readonly SourceObjectType[]>> = Object.freeze({
  user: ['user', 'inetOrgPerson'],
  group: ['group'],
  contact: ['contact'],
});

/** One subject as the request named it; `path` names it in error messages (`parameters[0].subjects[0]`). */
export interface OnDemandSubject {
  readonly objectId: string;
  readonly objectTypeName: string;
  readonly path: string;
}

export interface OnDemandRequest {
  /** Graph's ruleId: the synchronization rule to apply (default: the rule the scheduled cycle would use) */
  readonly ruleId?: string;
  readonly subject: OnDemandSubject & { readonly members?: readonly OnDemandSubject[] };
  /** compute everything, write nothing */
  readonly dryRun: boolean;
}

/** The cycle's own ports; `log` receives the run's provisioning-log entries (never in a dry run). */
export type OnDemandDependencies = Pick<EngineDependencies, 'source' | 'target' | 'connectorSpace' | 'log' | 'clock' | 'newId'>;

/** Graph's provisioningStep, with `details` as Graph gives them: names to text. */
export interface OnDemandStep {
  readonly name: string;
  readonly type: 'Import' | 'Scoping' | 'Matching' | 'Export';
  readonly status: ProvisioningStatus;
  readonly description: string;
  readonly timestamp: string;
  readonly details: Readonly<Record<string, string>>;
}

export interface OnDemandClause {
  /** where the clause sits in the schema (`…scope.groups[0].clauses[1]`) */
  readonly path: string;
  /** inputFilterGroups: the default exclusions (failing them never deprovisions); groups: the scoping filter */
  readonly filter: 'inputFilterGroups' | 'groups';
  readonly groupName: string | null;
  readonly sourceOperandName: string;
  readonly operatorName: string;
  readonly targetValues: readonly string[];
  /** the value the clause saw */
  readonly value: string | null;
  readonly result: boolean;
}

export interface OnDemandScope {
  readonly objectMapping: string | null;
  readonly inScope: boolean;
  /** whether the scheduled run provisions this object (mapping enabled, read by the agent, in scope) */
  readonly scheduledRunIncludes: boolean;
  readonly statement: string;
  readonly container: MembershipScopeTrace | null;
  readonly group: MembershipScopeTrace | null;
  readonly clauses: readonly OnDemandClause[];
}

export interface OnDemandCandidate {
  readonly id: string;
  readonly displayName: string | null;
  readonly onPremisesSyncEnabled: boolean;
}

export interface OnDemandMatch {
  /** the connector-space entry of the object's anchor before the run */
  readonly connectorSpace: { readonly state: string; readonly cloudId: string | null } | null;
  /** the attribute the cloud directory was searched by (null: matched by anchor, or not searched) */
  readonly attribute: string | null;
  readonly value: string | null;
  readonly candidates: readonly OnDemandCandidate[];
  readonly description: string;
}

export const ON_DEMAND_OUTCOMES = ['create', 'join', 'update', 'restore', 'delete', 'unchanged', 'skip', 'failure'] as const;
export type OnDemandOutcome = (typeof ON_DEMAND_OUTCOMES)[number];

export interface OnDemandMemberReference {
  readonly dn: string;
  /** the link group → member exists (dry run: would exist) after the run */
  readonly linked: boolean;
  readonly description: string;
}

/** The result for one object: Graph's on-demand result (the JSON in the response's `value`) plus our details. */
export interface OnDemandResult {
  readonly changeId: string;
  readonly dryRun: boolean;
  readonly startTime: string;
  readonly endTime: string;
  readonly action: ProvisioningAction;
  readonly outcome: OnDemandOutcome;
  readonly statusInfo: { readonly status: ProvisioningStatus; readonly errorCode: string | null; readonly reason: string | null };
  readonly reportableIdentifier: string;
  readonly sourceIdentity: { readonly id: string; readonly type: string; readonly displayName: string | null; readonly dn: string };
  readonly targetIdentity: { readonly id: string | null; readonly type: string | null };
  readonly provisioningSteps: readonly OnDemandStep[];
  readonly modifiedProperties: readonly ModifiedProperty[];
  readonly importedAttributes: Readonly<Record<string, string | null>>;
  readonly scope: OnDemandScope;
  readonly match: OnDemandMatch;
  /** the group's links to the members named in the request */
  readonly memberReferences?: readonly OnDemandMemberReference[];
  /** the members named in the request, each provisioned in the same run */
  readonly members?: readonly OnDemandResult[];
  /** dry run: the cloud writes a real run would make */
  readonly plannedWrites?: readonly PlannedWrite[];
}

// ---- request validation ------------------------------------------------------------------------------------------

const ATTRIBUTE_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;

/**
 * RFC 4514 §3: distinguishedName = [ relativeDistinguishedName *( COMMA relativeDistinguishedName ) ];
 * relativeDistinguishedName = attributeTypeAndValue *( PLUS attributeTypeAndValue ); attributeTypeAndValue =
 * attributeType EQUALS attributeValue; attributeType = descr / numericoid; in a value, `\` escapes a special
 * character or starts two hex digits, and `"` `;` `<` `>` must be escaped (§2.4). Values may not be empty here: no directory we read names objects so.
 * Returns what is wrong and the 0-based position, or undefined for a well-formed DN.
 */
export function distinguishedNameError(dn: string): { readonly message: string; readonly position: number } | undefined {
  if (dn.trim() === '') return { message: 'is empty; give the distinguished name, e.g. CN=Ann,OU=Sales,DC=corp,DC=example,DC=com', position: 0 };
  let start = 0;
  let sawEquals = false;
  const checkAva = (end: number): { message: string; position: number } | undefined => {
    const ava = dn.slice(start, end);
    if (ava.trim() === '') return { message: 'has an empty RDN (a separator with nothing before it)', position: start };
    const equals = ava.indexOf('=');
    if (equals < 0) return { message: `has '${ava.trim()}', which is not attribute=value`, position: start };
    const type = ava.slice(0, equals).trim();
    if (!ATTRIBUTE_TYPE.test(type)) return { message: `has '${type}', which is not an attribute type`, position: start };
    if (ava.slice(equals + 1).trim() === '') return { message: `has ${type}= without a value`, position: start + equals + 1 };
    return undefined;
  };
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i];
    if (ch === '\\') {
      const next = dn[i + 1];
      if (next === undefined) return { message: 'ends with an unfinished escape (\\)', position: i };
      if (/[0-9A-Fa-f]/.test(next)) {
        if (!/[0-9A-Fa-f]/.test(dn[i + 2] ?? '')) return { message: `has \\${next} not followed by a second hex digit`, position: i };
        i += 2;
      } else if (!' "#+,;<=>\\'.includes(next)) {
        return { message: `has \\${next}, which is not an RFC 4514 escape (escape one of  "#+,;<=>\\ or give two hex digits)`, position: i };
      } else i++;
      continue;
    }
    if (ch === '=') sawEquals = true;
    else if (sawEquals && '";<>'.includes(ch!)) {
      return { message: `has an unescaped '${ch}' (RFC 4514 §2.4: write it as \\${ch}${ch === ';' ? '; RDNs are separated by commas' : ''})`, position: i };
    }
    if (ch === ',' || ch === '+') {
      const error = checkAva(i);
      if (error !== undefined) return error;
      start = i + 1;
      sawEquals = false;
    }
  }
  if (!sawEquals && dn.slice(start).trim() === '') return { message: 'ends with a separator and no RDN after it', position: dn.length };
  return checkAva(dn.length);
}

function invalid(message: string, path: string, position?: number): CloudsyncError {
  return new CloudsyncError('ERR_SYNC_ON_DEMAND_INVALID', message, { path, ...(position === undefined ? {} : { position }) });
}

function objectTypeOf(subject: OnDemandSubject): OnDemandObjectType {
  const type = ON_DEMAND_OBJECT_TYPES.find((t) => t === subject.objectTypeName.toLowerCase());
  if (type === undefined) {
    throw invalid(`${subject.path}.objectTypeName: '${subject.objectTypeName}' is not an object type Cloud Sync provisions; use one of ${ON_DEMAND_OBJECT_TYPES.join(', ')}`, `${subject.path}.objectTypeName`);
  }
  return type;
}

function checkDn(subject: OnDemandSubject): void {
  const error = distinguishedNameError(subject.objectId);
  if (error !== undefined) {
    throw invalid(`${subject.path}.objectId: '${subject.objectId}' is not a distinguished name: it ${error.message} (at position ${error.position})`, `${subject.path}.objectId`, error.position);
  }
}

// ---- the confined cycle ---------------------------------------------------------------------------------------------

/** Never stored: the confined connector space answers it so that the cycle runs as a delta cycle without one. */
const NO_WATERMARK = 'on-demand';

/** A source that imports exactly these objects, whatever the cycle asks for. */
function confinedSource(base: EngineSource, objects: readonly SourceObject[]): EngineSource {
  async function* only(): AsyncGenerator<{ readonly objects: readonly SourceObject[] }> {
    yield { objects };
  }
  return {
    // Deltas "report deletions" and there is no anchor listing: the cycle then sweeps nothing.
    capabilities: { ...base.capabilities, deltaImport: true, deltaReportsDeletions: true, incrementalValues: false, anchorListing: false },
    fullImport: only,
    deltaImport: only,
    readObject: (dn, options) => base.readObject(dn, options),
    readValues: (dn, attribute, options) => base.readValues(dn, attribute, options),
    // eslint-disable-next-line require-yield
    listAnchors: async function* () {},
  };
}

/**
 * The connector space as the confined cycle must see it: other objects' escrows are not retried, nothing is
 * swept as unseen, only these anchors' pending references are resolved, and the watermark is neither read nor
 * written (the scheduled cycle's delta position stays where it was).
 */
function confinedConnectorSpace(base: ConnectorSpace, anchors: readonly string[]): ConnectorSpace {
  const sorted = [...new Set(anchors)].sort();
  return {
    get: (a) => base.get(a),
    getByDnKeys: (k) => base.getByDnKeys(k),
    resolveDnKeys: (k) => base.resolveDnKeys(k),
    getByObjectGuids: (g) => base.getByObjectGuids(g),
    getByCloudIds: (i) => base.getByCloudIds(i),
    put: (e) => base.put(e),
    remove: (a) => base.remove(a),
    listContainers: () => base.listContainers(),
    markSeen: (a, m) => base.markSeen(a, m),
    listUnseen: async () => [],
    listDueForRetry: async () => [],
    async listReferencesPending(after, limit) {
      const entries = await base.get(sorted.filter((a) => after === undefined || a > after));
      return [...entries.values()].filter((e) => e.refsPending).sort((x, y) => (x.anchor < y.anchor ? -1 : 1)).slice(0, limit);
    },
    renameSubtree: (o, n) => base.renameSubtree(o, n),
    getReferences: (a, t, x) => base.getReferences(a, t, x),
    putReferences: (s, m) => base.putReferences(s, m),
    listStaleReferences: (a, t, m, l) => base.listStaleReferences(a, t, m, l),
    deleteReferences: (a, t, x) => base.deleteReferences(a, t, x),
    getReferenceSets: (s) => base.getReferenceSets(s),
    listStaleReferenceSets: (o, m, l) => base.listStaleReferenceSets(o, m, l),
    deleteReferenceSets: (s) => base.deleteReferenceSets(s),
    settleReferences: (s, u) => base.settleReferences(s, u),
    endReferencePage: (p) => base.endReferencePage(p),
    listReferrers: (t) => base.listReferrers(t),
    getWatermark: async () => NO_WATERMARK,
    setWatermark: async () => undefined,
    clearEscrows: () => Promise.reject(new TypeError('on-demand provisioning never clears escrows')),
    clear: () => Promise.reject(new TypeError('on-demand provisioning never clears the connector space')),
  };
}

class CapturingLog implements ProvisioningLogSink {
  readonly entries: ProvisioningLogEntry[] = [];
  async write(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    this.entries.push(...entries);
  }
}

// ---- what the cycle sees of an object (kept in step with synchronization-cycle.ts's import and scoping steps) ----

/**
 * The object mapping the cycle applies: the first enabled one (rules by priority) whose sourceObjectName is the
 * object's type, else one naming one of its object classes.
 */
function objectMappingFor(schema: CompiledSchema, object: SourceObject): CompiledSchemaObjectMapping | undefined {
  const enabled = schema.rules.flatMap((rule) => rule.objectMappings.filter((m) => m.enabled));
  const name = (m: CompiledSchemaObjectMapping) => m.mapping.sourceObjectName.toLowerCase();
  const classes = new Set(object.objectClasses.map((c) => c.toLowerCase()));
  return enabled.find((m) => name(m) === object.type.toLowerCase()) ?? enabled.find((m) => classes.has(name(m)));
}

function dnsOf(value: Value | undefined): string[] {
  if (value === undefined || value === null) return [];
  const list = (Array.isArray(value) ? value : [value]) as readonly unknown[];
  return list.map((v) => (isReference(v) ? v.dn : typeof v === 'string' ? v : undefined)).filter((v): v is string => v !== undefined && v !== '');
}

function attributeOf(object: SourceObject, name: string): Value | undefined {
  const key = Object.keys(object.attributes).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object.attributes[key];
}

/** The attributes scoping and mapping see: the object's, plus the virtual ones the cycle's import step adds. */
function cycleAttributes(config: SynchronizationConfiguration, object: SourceObject): Record<string, Value> {
  const attributes: Record<string, Value> = {
    dnsDomainName: config.domain.dnsDomainName,
    ...(config.domain.netBiosName === undefined ? {} : { netBiosName: config.domain.netBiosName }),
    ...object.attributes,
  };
  if (attributeOf(object, 'distinguishedName') === undefined) attributes['distinguishedName'] = object.dn;
  if (attributeOf(object, 'entryDN') === undefined) attributes['entryDN'] = object.dn;
  return attributes;
}

/** Where the object sits (ancestor OU GUIDs) and which synchronized groups it belongs to, as the connector space knows them. */
async function placementOf(connectorSpace: ConnectorSpace, containers: ReadonlyMap<string, string>, object: SourceObject): Promise<ObjectPlacement> {
  const ancestorGuids = new Set<string>();
  for (let dn = parentDn(object.dn); dn !== ''; dn = parentDn(dn)) {
    const guid = containers.get(canonicalDn(dn));
    if (guid !== undefined) ancestorGuids.add(guid);
  }
  const memberOfDns = dnsOf(attributeOf(object, 'memberOf')).map(canonicalDn);
  const groups = memberOfDns.length === 0 ? new Map<string, ConnectorSpaceEntry>() : await connectorSpace.getByDnKeys(memberOfDns);
  const memberOf = new Set(memberOfDns.map((key) => groups.get(key)?.objectGuid).filter((g): g is string => typeof g === 'string'));
  return { distinguishedName: object.dn, ancestorGuids, memberOf, memberOfDns: new Set(memberOfDns) };
}

// ---- the four steps' details ------------------------------------------------------------------------------------------

const MAX_SHOWN_VALUES = 20;

function valueText(value: Value | undefined): string | null {
  if (value === undefined || value === null) return null;
  const one = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : isReference(v) ? v.dn : v instanceof Date ? v.toISOString() : String(v));
  if (!Array.isArray(value)) return one(value);
  if (value.length === 0) return null;
  const shown = (value as readonly unknown[]).slice(0, MAX_SHOWN_VALUES).map(one);
  return JSON.stringify(shown) + (value.length > MAX_SHOWN_VALUES ? ` (${value.length} values, first ${MAX_SHOWN_VALUES} shown)` : '');
}

/** Source attributes read by a redacted mapping: their imported values are not shown either. */
function redactedSourceAttributes(mapping: CompiledSchemaObjectMapping | undefined): ReadonlySet<string> {
  const names = new Set<string>();
  for (const m of mapping?.mapping.attributeMappings ?? []) if (m.redacted) for (const name of m.compiled?.attributes ?? []) names.add(name.toLowerCase());
  return names;
}

function importedAttributes(object: SourceObject, mapping: CompiledSchemaObjectMapping | undefined): Record<string, string | null> {
  const redacted = redactedSourceAttributes(mapping);
  const shown: Record<string, string | null> = { distinguishedName: object.dn };
  for (const name of Object.keys(object.attributes).sort((a, b) => a.localeCompare(b))) {
    shown[name] = redacted.has(name.toLowerCase()) ? REDACTED : valueText(object.attributes[name]);
  }
  for (const name of object.deferredAttributes ?? []) shown[name] = '(too many values to show inline: read in chunks by the engine)';
  return shown;
}

function clausesOf(set: GroupSetTrace, filter: OnDemandClause['filter']): OnDemandClause[] {
  return set.groups.flatMap((group) => group.clauses.map((clause: ClauseTrace) => ({
    path: clause.path,
    filter,
    groupName: group.name ?? null,
    sourceOperandName: clause.sourceOperandName,
    operatorName: clause.operatorName,
    targetValues: clause.targetValues,
    value: valueText(clause.operandValue),
    result: clause.result,
  })));
}

function mappingName(mapping: CompiledSchemaObjectMapping): string {
  return mapping.mapping.name ?? `${mapping.mapping.sourceObjectName} → ${mapping.mapping.targetObjectName} (${mapping.path})`;
}

function membershipText(kind: string, trace: MembershipScopeTrace): string {
  if (!trace.configured) return `no ${kind} scope configured`;
  return trace.result ? `in ${trace.matched} (matched by ${trace.matchedBy === 'guid' ? 'objectGUID' : 'DN'})` : `not in any of the included ${kind}s`;
}

function scopeOf(mapping: CompiledSchemaObjectMapping | undefined, trace: ObjectScopeTrace | undefined, object: SourceObject): OnDemandScope {
  if (mapping === undefined || trace === undefined) {
    return {
      objectMapping: null, inScope: false, scheduledRunIncludes: false, container: null, group: null, clauses: [],
      statement: `The scheduled run does not include this object: no enabled object mapping of the configuration applies to ${object.type} objects.`,
    };
  }
  const clauses = [...clausesOf(trace.filter.inputFilterGroups, 'inputFilterGroups'), ...clausesOf(trace.filter.groups, 'groups')];
  const reasons: string[] = [];
  const named = (entries: readonly { readonly dn: string | undefined; readonly guid: string | undefined }[]) => entries.map((e) => e.dn ?? `<GUID=${e.guid}>`).join('; ');
  if (!trace.container.result) reasons.push(`it is not in any of the included organizational units (${named(mapping.scope.container.entries)})`);
  if (!trace.group.result) reasons.push(`it is not a member of any of the included groups (${named(mapping.scope.group.entries)})`);
  if (!trace.filter.inputFilterGroups.result) reasons.push('it matches a default exclusion (input filter: the service never provisions such objects)');
  if (!trace.filter.groups.result) {
    const failed = clauses.filter((c) => c.filter === 'groups' && !c.result).map((c) => `${c.sourceOperandName} ${c.operatorName} ${c.targetValues.join('|')}`);
    reasons.push(`no scoping filter group passes (failed: ${failed.join('; ')})`);
  }
  const statement = trace.inScope
    ? `The scheduled run includes this object: in scope of '${mappingName(mapping)}' — container: ${membershipText('container', trace.container)}; group: ${membershipText('group', trace.group)}; ` +
      `default exclusions: passed; scoping filter: ${trace.filter.groups.empty ? 'none' : 'passed'}.`
    : `The scheduled run does not include this object: ${reasons.join('; ')}. On-demand provisioning applies the same scope (unlike Entra's), so it does not provision it either.`;
  return { objectMapping: mappingName(mapping), inScope: trace.inScope, scheduledRunIncludes: trace.inScope, statement, container: trace.container, group: trace.group, clauses };
}

const TARGET_TYPE_OF: Readonly<Record<string, TargetType>> = Object.freeze({ user: 'user', group: 'group', contact: 'orgContact', orgcontact: 'orgContact' });

function candidateOf(object: TargetObject): OnDemandCandidate {
  return { id: object.id, displayName: typeof object['displayName'] === 'string' ? object['displayName'] : null, onPremisesSyncEnabled: object['onPremisesSyncEnabled'] === true };
}

/**
 * Which cloud objects the matching step can find: by anchor in the connector space; else users by
 * onPremisesImmutableId (the anchor), groups by onPremisesSecurityIdentifier, contacts by mail — the same keys
 * the cycle's hard match uses. Read-only.
 */
async function matchOf(
  target: TargetDirectory,
  mapping: CompiledSchemaObjectMapping | undefined,
  attributes: Record<string, Value>,
  anchor: string,
  entry: ConnectorSpaceEntry | undefined,
): Promise<OnDemandMatch> {
  const connectorSpace = entry === undefined ? null : { state: entry.state, cloudId: entry.cloudId };
  if (entry?.cloudId != null) {
    return { connectorSpace, attribute: null, value: null, candidates: [], description: `Matched by anchor ${anchor}: the connector space links it to ${entry.targetType} ${entry.cloudId} (${entry.state})` };
  }
  const type = mapping === undefined ? undefined : TARGET_TYPE_OF[mapping.mapping.targetObjectName.toLowerCase()];
  if (mapping === undefined || type === undefined) return { connectorSpace, attribute: null, value: null, candidates: [], description: 'Not matched: no object mapping applies' };
  let attribute: string;
  let value: string | undefined;
  if (type === 'user') {
    attribute = 'onPremisesImmutableId';
    value = anchor;
  } else {
    attribute = type === 'group' ? 'onPremisesSecurityIdentifier' : 'mail';
    const evaluated = mapping.mapping.evaluate(attributeSource(attributes), { isCreate: true }).values[attribute];
    const json = evaluated === undefined ? undefined : toTargetJson(evaluated);
    value = typeof json === 'string' && json !== '' ? json : undefined;
  }
  if (value === undefined) return { connectorSpace, attribute, value: null, candidates: [], description: `Not matched: the object has no ${attribute} to search by` };
  const found = (await target.findBy(type, attribute, [value])).filter((o) => type === 'user' ? o[attribute] === value : String(o[attribute]).toLowerCase() === value.toLowerCase());
  const candidates = found.map(candidateOf);
  const description = candidates.length === 0
    ? `No ${type} in the cloud directory has ${attribute} ${value}: a new ${type}`
    : `${candidates.length} ${type}(s) in the cloud directory with ${attribute} ${value}: ${candidates.map((c) => `${c.id}${c.displayName === null ? '' : ` '${c.displayName}'`}${c.onPremisesSyncEnabled ? ' (synchronized)' : ' (cloud-only)'}`).join(', ')}`;
  return { connectorSpace, attribute, value, candidates, description };
}

// ---- outcome ------------------------------------------------------------------------------------------------------------

function isReferenceEntry(entry: ProvisioningLogEntry): boolean {
  return entry.steps.length > 0 && entry.steps.every((s) => s.name === 'referenceResolution');
}

function outcomeOf(before: ConnectorSpaceEntry | undefined, after: ConnectorSpaceEntry | undefined, logged: ProvisioningLogEntry | undefined, inScope: boolean): OnDemandOutcome {
  if (logged?.status === 'Failure') return 'failure';
  if (after?.state === 'deleted' && before?.state !== 'deleted') return 'delete';
  if (after?.state === 'synced' && before?.state === 'deleted') return 'restore';
  if (after?.state === 'synced' && (before === undefined || before.cloudId === null)) return logged?.action === 'Create' ? 'create' : 'join';
  if (after?.state === 'synced' && logged !== undefined && (logged.action === 'Update' || logged.action === 'Disable')) return logged.modifiedProperties.length > 0 ? 'update' : 'unchanged';
  if (after?.state === 'synced' && logged?.action === 'Create') return 'create';
  return inScope && after?.state === 'synced' ? 'unchanged' : 'skip';
}

const EXPORT_STEP_NAMES: Readonly<Record<OnDemandOutcome, string>> = Object.freeze({
  create: 'EntryExportAdd',
  join: 'EntryExportUpdate',
  update: 'EntryExportUpdate',
  restore: 'EntryExportUpdate',
  delete: 'EntryExportDelete',
  unchanged: 'EntrySynchronizationSkip',
  skip: 'EntrySynchronizationSkip',
  failure: 'EntryExportError',
});

function exportDescription(outcome: OnDemandOutcome, label: string, targetId: string | null, dryRun: boolean, logged: ProvisioningLogEntry | undefined, scope: OnDemandScope): string {
  const id = targetId === null || targetId.startsWith(DRY_RUN_ID_PREFIX) ? '' : ` (${targetId})`;
  const would = (done: string, planned: string) => (dryRun ? `Dry run: ${planned}; nothing was written` : done);
  switch (outcome) {
    case 'create': return would(`${label} was created in the cloud directory${id}`, `${label} would be created in the cloud directory`);
    case 'join': return would(`${label} was joined to the matching cloud object${id} and updated`, `${label} would be joined to the matching cloud object${id}`);
    case 'update': return would(`${label} was updated in the cloud directory${id}`, `${label} would be updated in the cloud directory${id}`);
    case 'restore': return would(`${label} was restored from deleted items${id}`, `${label} would be restored from deleted items${id}`);
    case 'delete': return would(`${label} was deleted from the cloud directory${id} (it left the scope or the source)`, `${label} would be deleted from the cloud directory${id}`);
    case 'unchanged': return `The state of ${label} in both the source and the cloud directory already match${id}: no change needs to be made`;
    case 'skip': return scope.scheduledRunIncludes ? (logged?.steps.at(-1)?.description ?? `${label} is not provisioned`) : `${label} is not provisioned: it is out of scope. ${scope.statement}`;
    case 'failure': return `${label} could not be provisioned: ${logged?.errorMessage ?? 'unknown error'}${dryRun ? ' (dry run: nothing was written)' : ''}`;
  }
}

const ACTION_OF: Readonly<Record<OnDemandOutcome, ProvisioningAction>> = Object.freeze({
  create: 'Create', join: 'Update', update: 'Update', restore: 'Update', delete: 'Delete', unchanged: 'Other', skip: 'Other', failure: 'Other',
});

function displayNameOf(object: SourceObject): string | null {
  for (const name of ['displayName', 'cn', 'name']) {
    const text = valueText(attributeOf(object, name));
    if (text !== null) return text;
  }
  return null;
}

function reportableIdentifierOf(object: SourceObject): string {
  return valueText(attributeOf(object, 'userPrincipalName')) ?? valueText(attributeOf(object, 'mail')) ?? displayNameOf(object) ?? object.dn;
}

// ---- entry point --------------------------------------------------------------------------------------------------------

interface Subject {
  readonly object: SourceObject;
  readonly anchor: string;
}

async function readSubject(source: EngineSource, subject: OnDemandSubject, domain: string): Promise<Subject> {
  checkDn(subject);
  const type = objectTypeOf(subject);
  const object = await source.readObject(subject.objectId);
  if (object === undefined || object.isDeleted) {
    throw new CloudsyncError('ERR_SYNC_ON_DEMAND_NOT_FOUND',
      `${subject.path}.objectId: no object '${subject.objectId}' in the directory of domain ${domain} (or not in the part of it the agent reads); check the DN, e.g. with the agent's LDAP tools`,
      { path: `${subject.path}.objectId`, details: { domain } });
  }
  if (!SOURCE_TYPES_OF[type].includes(object.type)) {
    throw new CloudsyncError('ERR_SYNC_ON_DEMAND_WRONG_TYPE',
      `${subject.path}: '${object.dn}' is ${object.type === 'organizationalUnit' || object.type === 'inetOrgPerson' ? 'an' : 'a'} ${object.type} (objectClass ${object.objectClasses.join(', ')}), not a ${type}; set objectTypeName to ${ON_DEMAND_OBJECT_TYPES.find((t) => SOURCE_TYPES_OF[t].includes(object.type)) ?? 'the object\'s type (Cloud Sync provisions users, groups and contacts)'}`,
      { path: `${subject.path}.objectTypeName`, details: { actualType: object.type } });
  }
  return { object, anchor: defaultAnchorOf(object) };
}

/** The request's rule (Graph's ruleId), or the configuration's rules when none was named. */
function schemaFor(schema: CompiledSchema, ruleId: string | undefined): CompiledSchema {
  if (ruleId === undefined) return schema;
  const rule = schema.rules.find((r) => r.id === ruleId);
  if (rule === undefined) {
    const ids = schema.rules.map((r) => r.id).filter((id): id is string => id !== undefined);
    throw invalid(`parameters[0].ruleId: '${ruleId}' is not a synchronization rule of this job's schema; ${ids.length === 0 ? 'the schema\'s rules have no ids: leave ruleId out' : `use one of ${ids.join(', ')}`}`, 'parameters[0].ruleId');
  }
  return { rules: [rule] };
}

const UNREADABLE_ANCESTOR: ReadonlySet<string> = new Set(['ERR_LDAP_NO_SUCH_OBJECT', 'ERR_LDAP_INSUFFICIENT_ACCESS', 'ERR_LDAP_PROTOCOL', 'ERR_LDAP_INVALID_DN']);

/** The OUs above the object that the connector space does not know yet: imported with it, as a full import would. */
async function unknownAncestorOus(source: EngineSource, connectorSpace: ConnectorSpace, containers: ReadonlyMap<string, string>, objects: readonly SourceObject[]): Promise<SourceObject[]> {
  const wanted = new Set<string>();
  for (const object of objects) for (let dn = parentDn(object.dn); dn !== ''; dn = parentDn(dn)) if (!containers.has(canonicalDn(dn))) wanted.add(dn);
  const found: SourceObject[] = [];
  for (const dn of wanted) {
    let object: SourceObject | undefined;
    try {
      object = await source.readObject(dn);
    } catch (error) {
      // Above the naming context a server may answer with a referral or a refusal rather than "no such object":
      // such an ancestor is no OU the full import would bring either. The source being down is not one of these.
      if (!isCloudsyncError(error) || !UNREADABLE_ANCESTOR.has(error.code)) throw error;
      continue;
    }
    if (object?.type === 'organizationalUnit' && !object.isDeleted) found.push(object);
  }
  // One the connector space knows under another DN (renamed since the last cycle) is left to the scheduled cycle,
  // which renames its subtree: a one-object run must not move other entries.
  const known = await connectorSpace.get(found.map(defaultAnchorOf));
  return found.filter((ou) => !known.has(defaultAnchorOf(ou)));
}

export async function provisionOnDemand(deps: OnDemandDependencies, config: SynchronizationConfiguration, request: OnDemandRequest): Promise<OnDemandResult> {
  const clock = deps.clock ?? systemClock;
  const newId = deps.newId ?? randomUUID;
  const startTime = clock().toISOString();
  const schema = schemaFor(config.schema, request.ruleId);
  const domain = config.domain.dnsDomainName;

  // 1. Validate everything before anything runs: nothing is written for a bad request.
  const members = request.subject.members ?? [];
  if (members.length > ON_DEMAND_MAX_MEMBERS) {
    throw invalid(`${request.subject.path}.links.members: ${members.length} members given; on-demand provisioning takes at most ${ON_DEMAND_MAX_MEMBERS} members of a group per request`, `${request.subject.path}.links.members`);
  }
  if (members.length > 0 && objectTypeOf(request.subject) !== 'group') {
    throw invalid(`${request.subject.path}.links.members: only a group's subject can name members (objectTypeName is ${request.subject.objectTypeName})`, `${request.subject.path}.links.members`);
  }
  const main = await readSubject(deps.source, request.subject, domain);
  const memberSubjects: Subject[] = [];
  const memberDns = dnsOf(attributeOf(main.object, 'member'));
  for (const member of members) {
    const read = await readSubject(deps.source, member, domain);
    if (!memberDns.some((dn) => sameDn(dn, read.object.dn))) {
      throw invalid(`${member.path}.objectId: '${read.object.dn}' is not a member of the group '${main.object.dn}'`, `${member.path}.objectId`);
    }
    memberSubjects.push(read);
  }
  const subjects = [...memberSubjects, main];

  // 2. What the run starts from.
  const containers = new Map<string, string>();
  for (const entry of await deps.connectorSpace.listContainers()) if (entry.objectGuid !== null) containers.set(canonicalDn(entry.dn), entry.objectGuid);
  const ancestors = await unknownAncestorOus(deps.source, deps.connectorSpace, containers, subjects.map((s) => s.object));
  for (const ou of ancestors) if (ou.anchors.objectGuid !== undefined) containers.set(canonicalDn(ou.dn), ou.anchors.objectGuid.toLowerCase());
  const before = await deps.connectorSpace.get(subjects.map((s) => s.anchor));
  const prepared = [];
  for (const subject of subjects) {
    const mapping = objectMappingFor(schema, subject.object);
    const attributes = cycleAttributes(config, subject.object);
    const placement = await placementOf(deps.connectorSpace, containers, subject.object);
    const trace = mapping?.scope.trace(attributeSource(attributes), placement);
    const scope = scopeOf(mapping, trace, subject.object);
    const match = await matchOf(deps.target, mapping, attributes, subject.anchor, before.get(subject.anchor));
    prepared.push({ subject, mapping, scope, match });
  }

  // 3. The cycle itself, confined to these objects; into overlays for a dry run.
  const overlay = request.dryRun ? new ConnectorSpaceOverlay(deps.connectorSpace) : undefined;
  const dryTarget = request.dryRun ? new DryRunTarget(deps.target, newId) : undefined;
  const connectorSpace = overlay ?? deps.connectorSpace;
  const captured = new CapturingLog();
  const report = await runSynchronizationCycle(
    {
      source: confinedSource(deps.source, [...ancestors, ...subjects.map((s) => s.object)]),
      target: dryTarget ?? deps.target,
      connectorSpace: confinedConnectorSpace(connectorSpace, subjects.map((s) => s.anchor)),
      log: captured,
      clock,
      newId,
    },
    { ...config, schema },
    { mode: 'delta' },
  );
  if (!request.dryRun) await deps.log.write(captured.entries);

  // 4. What happened, object by object.
  const after = await connectorSpace.get(subjects.map((s) => s.anchor));
  const endTime = clock().toISOString();
  const results = new Map<string, OnDemandResult>();
  for (const { subject, mapping, scope, match } of prepared) {
    const entries = captured.entries.filter((e) => e.sourceIdentity.id === subject.anchor);
    const logged = entries.find((e) => !isReferenceEntry(e));
    const references = entries.filter(isReferenceEntry);
    const outcome = outcomeOf(before.get(subject.anchor), after.get(subject.anchor), logged, scope.scheduledRunIncludes);
    const afterEntry = after.get(subject.anchor);
    const cloudId = afterEntry?.cloudId ?? before.get(subject.anchor)?.cloudId ?? null;
    const targetType = afterEntry?.targetType ?? (mapping === undefined ? null : TARGET_TYPE_OF[mapping.mapping.targetObjectName.toLowerCase()] ?? null);
    const label = `${subject.object.type} '${reportableIdentifierOf(subject.object)}'`;
    const status: ProvisioningStatus = outcome === 'failure' ? 'Failure' : outcome === 'skip' || outcome === 'unchanged' ? 'Skipped' : references.some((r) => r.status === 'Warning') ? 'Warning' : 'Success';
    const modifiedProperties = [...(logged?.modifiedProperties ?? []), ...references.flatMap((r) => r.modifiedProperties)];
    const imported = importedAttributes(subject.object, mapping);
    const memberReferences = subject === main && memberSubjects.length > 0 ? await memberReferencesOf(connectorSpace, mapping, main, memberSubjects) : undefined;
    const exportDetails: Record<string, string> = { Action: outcome };
    if (outcome === 'unchanged') exportDetails['SkipReason'] = 'RedundantExport';
    if (outcome === 'skip' && !scope.scheduledRunIncludes) exportDetails['SkipReason'] = 'NotInScope';
    if (cloudId !== null && !cloudId.startsWith(DRY_RUN_ID_PREFIX)) exportDetails['Target id'] = cloudId;
    for (const reference of references) exportDetails['References'] = reference.steps.map((s) => s.description).join('; ');
    for (const link of memberReferences ?? []) exportDetails[`Member ${link.dn}`] = link.description;
    if (logged?.errorCode != null) exportDetails['Error code'] = logged.errorCode;
    const steps: OnDemandStep[] = [
      {
        name: before.get(subject.anchor) === undefined ? 'EntryImportAdd' : 'EntryImport',
        type: 'Import',
        status: 'Success',
        description: `Received ${subject.object.type} '${reportableIdentifierOf(subject.object)}' from Active Directory domain ${domain}`,
        timestamp: startTime,
        details: Object.fromEntries(Object.entries(imported).map(([name, value]) => [name, value ?? ''])),
      },
      {
        name: 'EntrySynchronizationScoping',
        type: 'Scoping',
        status: scope.scheduledRunIncludes ? 'Success' : 'Skipped',
        description: `Determine if ${subject.object.type} in scope by evaluating against each scoping filter`,
        timestamp: startTime,
        details: scopeDetails(scope),
      },
      {
        name: 'EntryImport',
        type: 'Matching',
        status: 'Success',
        description: match.description,
        timestamp: startTime,
        details: matchDetails(match),
      },
      {
        name: EXPORT_STEP_NAMES[outcome],
        type: 'Export',
        status,
        description: exportDescription(outcome, label, cloudId, request.dryRun, logged, scope),
        timestamp: endTime,
        details: exportDetails,
      },
    ];
    results.set(subject.anchor, {
      changeId: report.cycleId,
      dryRun: request.dryRun,
      startTime,
      endTime,
      action: logged?.action === 'Disable' ? 'Disable' : ACTION_OF[outcome],
      outcome,
      statusInfo: { status, errorCode: logged?.errorCode ?? null, reason: outcome === 'failure' ? logged?.errorMessage ?? null : outcome === 'skip' ? scope.statement : null },
      reportableIdentifier: reportableIdentifierOf(subject.object),
      sourceIdentity: { id: subject.anchor, type: subject.object.type, displayName: displayNameOf(subject.object), dn: subject.object.dn },
      targetIdentity: { id: cloudId === null || cloudId.startsWith(DRY_RUN_ID_PREFIX) ? null : cloudId, type: targetType },
      provisioningSteps: steps,
      modifiedProperties,
      importedAttributes: imported,
      scope,
      match,
      ...(memberReferences === undefined ? {} : { memberReferences }),
      ...(dryTarget === undefined ? {} : { plannedWrites: dryTarget.writes.filter((w) => w.id === cloudId) }),
    });
  }
  const result = results.get(main.anchor)!;
  return memberSubjects.length === 0 ? result : { ...result, members: memberSubjects.map((m) => results.get(m.anchor)!) };
}

/** The group's links to the named members after the run, through the connector space's record of exported links. */
async function memberReferencesOf(connectorSpace: ConnectorSpace, mapping: CompiledSchemaObjectMapping | undefined, group: Subject, members: readonly Subject[]): Promise<OnDemandMemberReference[]> {
  const attributes = (mapping?.mapping.attributeMappings ?? []).filter((m) => m.definition !== undefined && typeOfDefinition(m.definition) === 'Reference').map((m) => m.targetAttributeName);
  const linked = new Set<string>();
  for (const attribute of attributes) for (const anchor of await connectorSpace.getReferences(group.anchor, attribute, members.map((m) => m.anchor))) linked.add(anchor);
  const entries = await connectorSpace.get(members.map((m) => m.anchor));
  return members.map((member) => {
    const entry = entries.get(member.anchor);
    const isLinked = linked.has(member.anchor);
    const description = isLinked
      ? `linked to the group${entry?.cloudId != null && !entry.cloudId.startsWith(DRY_RUN_ID_PREFIX) ? ` (${entry.cloudId})` : ''}`
      : entry?.state === 'synced' ? 'not linked (the group is not provisioned)' : 'not linked: the member is not provisioned (out of scope or failed)';
    return { dn: member.object.dn, linked: isLinked, description };
  });
}

function scopeDetails(scope: OnDemandScope): Record<string, string> {
  const details: Record<string, string> = {
    'Active in the source system': 'True',
    'Object mapping': scope.objectMapping ?? '(none)',
    'Scoping filter evaluation passed': scope.inScope ? 'True' : 'False',
    'Included in the scheduled run': scope.scheduledRunIncludes ? 'True' : 'False',
    'Scheduled run': scope.statement,
  };
  if (scope.container !== null) details['Container scope'] = membershipText('container', scope.container);
  if (scope.group !== null) details['Group scope'] = membershipText('group', scope.group);
  for (const clause of scope.clauses) {
    const name = `${clause.filter === 'inputFilterGroups' ? 'Default exclusion' : 'Scoping filter'} ${clause.groupName ?? clause.path}: ${clause.sourceOperandName} ${clause.operatorName}${clause.targetValues.length === 0 ? '' : ` ${clause.targetValues.join('|')}`}`;
    details[name] = `${clause.result ? 'True' : 'False'} (value: ${clause.value ?? 'none'})`;
  }
  return details;
}

function matchDetails(match: OnDemandMatch): Record<string, string> {
  const details: Record<string, string> = {};
  if (match.connectorSpace !== null) details['Connector space'] = `${match.connectorSpace.state}${match.connectorSpace.cloudId === null ? '' : ` → ${match.connectorSpace.cloudId}`}`;
  if (match.attribute !== null) details['Matching attribute'] = match.attribute;
  if (match.value !== null) details['Matching value'] = match.value;
  if (match.attribute !== null) details['Candidates found'] = String(match.candidates.length);
  match.candidates.forEach((c, i) => {
    details[`Candidate ${i + 1}`] = `${c.id}${c.displayName === null ? '' : ` '${c.displayName}'`} ${c.onPremisesSyncEnabled ? '(synchronized)' : '(cloud-only)'}`;
  });
  return details;
}
