/**
 * One provisioning log entry as a `provisioning_logs` row, and back. The columns (tenant, id, time, job, service
 * principal id, cycle, action, status, source and target ids, error code) are what `$filter`, paging and retention
 * read; `data` holds only what they do not, so an entry no longer fills a 4 KB page by itself (its full JSON was
 * ≈2.2 KB for a created user, most of it the columns again and property names).
 *
 * `data`, format 1 — a JSON array:
 *
 *   [1, servicePrincipalDisplayName, sourceType, sourceDisplayName, sourceDn, targetType, errorMessage,
 *    [stepName, stepStatus, stepDescription, …], [propertyName, oldValue, newValue, …], activityDateTime?]
 *
 * A step description or property value that IS the source DN, source id, target id or source display name is
 * stored as that reference's index (0…3), and one that ends with it as `[prefix, index]` ("Created user {id}",
 * "Imported inetOrgPerson {dn}"). Unambiguous: the engine's values are strings or null, never numbers or arrays.
 * The last element is present only when the engine's activityDateTime is not already the column's normalized
 * ISO 8601 form, so the entry reads back as written.
 *
 * Rows written before format 1 hold the whole entry as a JSON object (`{…`): they read back unchanged, so no
 * migration rewrites a month of log. A reader meeting a format it does not know fails on that entry rather than
 * show it wrong.
 */
import type { ProvisioningAction, ProvisioningLogEntry, ProvisioningStatus, ProvisioningStep, ProvisioningStepType, ModifiedProperty } from '../engine/index.ts';
import type { StoredProvisioningEntry } from './provisioning-object-summary.ts';
import type { ProvisioningLogsTable } from './log-tables.ts';

/** Column order of the rows `rowOf` builds (the bulk insert's column list). */
export const PROVISIONING_LOG_COLUMNS = [
  'tenant_id',
  'id',
  'activity_date_time',
  'job_id',
  'service_principal_id',
  'cycle_id',
  'action',
  'status',
  'source_id',
  'target_id',
  'error_code',
  'data',
] as const satisfies readonly (keyof ProvisioningLogsTable)[];

/** What the sink knows about an entry's configuration: the scheduler's `{tenantId}/{jobId}` and the job's principal. */
export interface EntryOrigin {
  readonly tenantId: string;
  readonly jobId: string;
  readonly servicePrincipal: StoredProvisioningEntry['servicePrincipal'];
}

const FORMAT = 1;

/** A stored value: the string itself, null, a reference index, or [prefix, reference index]. */
type Packed = string | null | number | readonly [string, number];

/** dn, source id, target id, source display name: the values descriptions and properties repeat most. */
type References = readonly [string, string, string | null, string | null];

/**
 * The last `[prefix, index]` made for each reference: a batch's descriptions share their prefixes ("Created user ",
 * "Imported inetOrgPerson "), and the tuple is serialized at once, never kept, so one can serve every row.
 */
const lastPacked: (readonly [string, number] | undefined)[] = [undefined, undefined, undefined, undefined];

function pack(value: string | null, references: References): Packed {
  if (value === null) return null;
  for (let i = 0; i < references.length; i++) {
    const reference = references[i];
    // An empty reference would match every value's end.
    if (reference === null || reference === undefined || reference.length === 0) continue;
    if (value === reference) return i;
    if (value.length > reference.length && value.endsWith(reference)) {
      const prefixLength = value.length - reference.length;
      const last = lastPacked[i];
      if (last !== undefined && last[0].length === prefixLength && value.startsWith(last[0])) return last;
      return (lastPacked[i] = [value.slice(0, prefixLength), i]);
    }
  }
  return value;
}

function unpack(packed: Packed, references: References, id: string): string | null {
  if (packed === null || typeof packed === 'string') return packed;
  const [prefix, index] = typeof packed === 'number' ? ['', packed] : packed;
  const reference = references[index];
  if (typeof reference !== 'string') throw new TypeError(`provisioning log entry ${id} refers to a value it does not hold (reference ${index})`);
  return prefix + reference;
}

/** The last time normalized, and to what: a batch's entries mostly share their millisecond. */
let lastTime: readonly [written: string, normalized: string] = ['', ''];

/** Normalized so text order is time order whatever clock wrote it. */
function normalizedTime(written: string): string {
  if (written !== lastTime[0]) lastTime = [written, new Date(written).toISOString()];
  return lastTime[1];
}

/** The row of one engine entry, in PROVISIONING_LOG_COLUMNS order. */
export function rowOf(entry: ProvisioningLogEntry, origin: EntryOrigin): unknown[] {
  const time = normalizedTime(entry.activityDateTime);
  const source = entry.sourceIdentity;
  const references: References = [source.dn, source.id, entry.targetIdentity.id, source.displayName];
  // sized up front: grown push by push, each array was copied several times per entry
  const entrySteps = entry.steps;
  const steps: Packed[] = new Array(entrySteps.length * 3);
  for (let i = 0, j = 0; i < entrySteps.length; i++, j += 3) {
    const step = entrySteps[i]!;
    steps[j] = step.name;
    steps[j + 1] = step.status;
    steps[j + 2] = pack(step.description, references);
  }
  const properties = entry.modifiedProperties;
  const modified: Packed[] = new Array(properties.length * 3);
  for (let i = 0, j = 0; i < properties.length; i++, j += 3) {
    const property = properties[i]!;
    modified[j] = property.displayName;
    modified[j + 1] = pack(property.oldValue, references);
    modified[j + 2] = pack(property.newValue, references);
  }
  const data: unknown[] = [
    FORMAT,
    origin.servicePrincipal?.displayName ?? null,
    source.type,
    source.displayName,
    source.dn,
    entry.targetIdentity.type,
    entry.errorMessage,
    steps,
    modified,
  ];
  if (time !== entry.activityDateTime) data.push(entry.activityDateTime);
  return [
    origin.tenantId,
    entry.id,
    time,
    origin.jobId,
    origin.servicePrincipal?.id ?? null,
    entry.cycleId,
    entry.action,
    entry.status,
    source.id,
    entry.targetIdentity.id,
    entry.errorCode,
    JSON.stringify(data),
  ];
}

/** A row (either format) → the entry as it was written. */
export function entryOf(row: ProvisioningLogsTable): StoredProvisioningEntry {
  if (row.data.startsWith('{')) return JSON.parse(row.data) as StoredProvisioningEntry;
  const data = JSON.parse(row.data) as unknown[];
  if (!Array.isArray(data) || data[0] !== FORMAT || data.length < 9) {
    throw new TypeError(`provisioning log entry ${row.id} is stored in a format this version cannot read (${JSON.stringify(Array.isArray(data) ? data[0] : typeof data)})`);
  }
  const [, principalName, sourceType, sourceDisplayName, dn, targetType, errorMessage, packedSteps, packedModified, writtenTime] = data as [
    number, string | null, string, string | null, string, string | null, string | null, Packed[], Packed[], string | undefined,
  ];
  const references: References = [dn, row.source_id, row.target_id, sourceDisplayName];
  const steps: ProvisioningStep[] = [];
  for (let i = 0; i < packedSteps.length; i += 3) {
    steps.push({ name: packedSteps[i] as ProvisioningStepType, status: packedSteps[i + 1] as ProvisioningStatus, description: unpack(packedSteps[i + 2]!, references, row.id)! });
  }
  const modifiedProperties: ModifiedProperty[] = [];
  for (let i = 0; i < packedModified.length; i += 3) {
    modifiedProperties.push({
      displayName: packedModified[i] as string,
      oldValue: unpack(packedModified[i + 1]!, references, row.id),
      newValue: unpack(packedModified[i + 2]!, references, row.id),
    });
  }
  // Keys in the order the sink wrote `{ ...engineEntry, tenantId, jobId, servicePrincipal }` before format 1.
  return {
    id: row.id,
    cycleId: row.cycle_id,
    configurationId: `${row.tenant_id}/${row.job_id}`,
    activityDateTime: writtenTime ?? row.activity_date_time,
    action: row.action as ProvisioningAction,
    status: row.status as ProvisioningStatus,
    steps,
    modifiedProperties,
    sourceIdentity: { id: row.source_id, type: sourceType, displayName: sourceDisplayName, dn },
    targetIdentity: { id: row.target_id, type: targetType },
    errorCode: row.error_code,
    errorMessage,
    tenantId: row.tenant_id,
    jobId: row.job_id,
    servicePrincipal: row.service_principal_id === null ? null : { id: row.service_principal_id, displayName: principalName as string },
  };
}
