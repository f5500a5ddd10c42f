/**
 * The provisioning log on the store (SQLite or PostgreSQL, migration 0004): the engine's ProvisioningLogSink,
 * and the reader behind `GET /v1.0/auditLogs/provisioning`.
 *
 * Invariants:
 * - Entries are immutable: `write` only inserts, and a second write of the same id (a batch written again after
 *   a crash) keeps the first, so an entry never changes once readable. Only retention removes rows.
 * - Every entry belongs to one tenant: the engine's configuration id is the scheduler's `{tenantId}/{jobId}`
 *   (connectorSpaceIdOf), and every read is confined to the tenant asked for.
 * - One batch is one transaction: a cycle's batch of entries becomes visible all at once.
 */
import type { Kysely } from 'kysely';
import type { ProvisioningLogEntry, ProvisioningLogSink } from '../engine/index.ts';
import type { SynchronizationDatabase } from '../synchronization/synchronization-tables.ts';
import { GRAPH_PROVISIONING_ACTIONS, GRAPH_PROVISIONING_STATUSES, type StoredProvisioningEntry } from './provisioning-object-summary.ts';
import { LogTable, type LogPage, type LogQuery } from './log-page.ts';
import type { FilterableProperty } from './log-filter.ts';
import type { LogDatabase, ProvisioningLogsTable } from './log-tables.ts';

/** `$filter` properties of GET /auditLogs/provisioning. */
export const PROVISIONING_LOG_FILTERS: readonly FilterableProperty[] = Object.freeze([
  { name: 'activityDateTime', column: 'activity_date_time', kind: 'dateTime' },
  { name: 'provisioningStatusInfo/status', column: 'status', kind: 'enum', values: invert(GRAPH_PROVISIONING_STATUSES) },
  { name: 'provisioningAction', column: 'action', kind: 'enum', values: invert(GRAPH_PROVISIONING_ACTIONS) },
  { name: 'jobId', column: 'job_id', kind: 'text' },
  { name: 'servicePrincipal/id', column: 'service_principal_id', kind: 'text' },
  { name: 'sourceIdentity/id', column: 'source_id', kind: 'text' },
  { name: 'targetIdentity/id', column: 'target_id', kind: 'text' },
  { name: 'cycleId', column: 'cycle_id', kind: 'text' },
  { name: 'id', column: 'id', kind: 'text' },
  { name: 'changeId', column: 'id', kind: 'text' },
  { name: 'provisioningStatusInfo/errorInformation/errorCode', column: 'error_code', kind: 'text' },
] satisfies FilterableProperty[]);

function invert(record: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return Object.fromEntries(Object.entries(record).map(([ours, graph]) => [graph, ours]));
}

/** The store subset this needs (src/storage's Store satisfies it). */
export interface LogStore {
  // The store's Kysely is typed with the directory's tables; these come from migration 0004.
  readonly db: Kysely<any>;
}

export interface ProvisioningLogReader {
  list(tenantId: string, query: LogQuery): Promise<LogPage<StoredProvisioningEntry>>;
  get(tenantId: string, id: string): Promise<StoredProvisioningEntry | undefined>;
}

const CHUNK = 400;

/** `{tenantId}/{jobId}`, as the scheduler names a job's connector space (and so the engine's configuration). */
export function jobOfConfiguration(configurationId: string): { readonly tenantId: string; readonly jobId: string } {
  const slash = configurationId.indexOf('/');
  if (slash <= 0 || slash === configurationId.length - 1) throw new TypeError(`configuration id ${configurationId} is not {tenantId}/{jobId}`);
  return { tenantId: configurationId.slice(0, slash), jobId: configurationId.slice(slash + 1) };
}

export class SqlProvisioningLog extends LogTable<StoredProvisioningEntry> implements ProvisioningLogSink, ProvisioningLogReader {
  /** configuration id → the job's service principal; a job's principal never changes. */
  readonly #principals = new Map<string, StoredProvisioningEntry['servicePrincipal']>();

  constructor(store: LogStore) {
    super(store.db as Kysely<LogDatabase>, 'provisioning_logs', PROVISIONING_LOG_FILTERS);
  }

  async #principalOf(configurationId: string): Promise<StoredProvisioningEntry['servicePrincipal']> {
    if (this.#principals.has(configurationId)) return this.#principals.get(configurationId)!;
    const { tenantId, jobId } = jobOfConfiguration(configurationId);
    const row = await (this.db as unknown as Kysely<SynchronizationDatabase>)
      .selectFrom('sync_jobs')
      .innerJoin('sync_service_principals', (join) =>
        join.onRef('sync_service_principals.tenant_id', '=', 'sync_jobs.tenant_id').onRef('sync_service_principals.id', '=', 'sync_jobs.service_principal_id'))
      .select(['sync_service_principals.id as id', 'sync_service_principals.display_name as displayName'])
      .where('sync_jobs.tenant_id', '=', tenantId)
      .where('sync_jobs.id', '=', jobId)
      .executeTakeFirst();
    const principal = row === undefined ? null : { id: row.id, displayName: row.displayName };
    // An unknown job (deleted while its cycle ran) is not cached: it is rare and must not pin a null.
    if (principal !== null) this.#principals.set(configurationId, principal);
    return principal;
  }

  async write(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows: ProvisioningLogsTable[] = [];
    for (const entry of entries) {
      const { tenantId, jobId } = jobOfConfiguration(entry.configurationId);
      const stored: StoredProvisioningEntry = { ...entry, tenantId, jobId, servicePrincipal: await this.#principalOf(entry.configurationId) };
      rows.push({
        tenant_id: tenantId,
        id: entry.id,
        // Normalized so text order is time order whatever clock wrote it.
        activity_date_time: new Date(entry.activityDateTime).toISOString(),
        job_id: jobId,
        service_principal_id: stored.servicePrincipal?.id ?? null,
        cycle_id: entry.cycleId,
        action: entry.action,
        status: entry.status,
        source_id: entry.sourceIdentity.id,
        target_id: entry.targetIdentity.id,
        error_code: entry.errorCode,
        data: JSON.stringify(stored),
      });
    }
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        await tx.insertInto('provisioning_logs').values(rows.slice(i, i + CHUNK)).onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing()).execute();
      }
    });
  }
}
