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
 * - Rows are laid out by provisioning-log-row.ts; entries written in the earlier whole-JSON format read the same.
 */
import type { Kysely } from 'kysely';
import type { ProvisioningLogEntry, ProvisioningLogSink } from '../engine/index.ts';
import type { SynchronizationDatabase } from '../synchronization/synchronization-tables.ts';
import type { SqlDialect } from '../directory/directory-store.ts';
import { bulkInsertStatements, insertRows, type BulkInsert } from '../storage/bulk-insert.ts';
import type { LogFileWriter } from '../storage/log-file-writer.ts';
import { GRAPH_PROVISIONING_ACTIONS, GRAPH_PROVISIONING_STATUSES, type StoredProvisioningEntry } from './provisioning-object-summary.ts';
import { entryOf, PROVISIONING_LOG_COLUMNS, rowOf, type EntryOrigin } from './provisioning-log-row.ts';
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
  readonly dialect: SqlDialect;
  /** Embedded SQLite: the thread that writes the log's own file (src/storage/log-file-writer.ts). */
  readonly provisioningLogWriter?: LogFileWriter;
}

export interface ProvisioningLogReader {
  list(tenantId: string, query: LogQuery): Promise<LogPage<StoredProvisioningEntry>>;
  get(tenantId: string, id: string): Promise<StoredProvisioningEntry | undefined>;
}

/** `{tenantId}/{jobId}`, as the scheduler names a job's connector space (and so the engine's configuration). */
export function jobOfConfiguration(configurationId: string): { readonly tenantId: string; readonly jobId: string } {
  const slash = configurationId.indexOf('/');
  if (slash <= 0 || slash === configurationId.length - 1) throw new TypeError(`configuration id ${configurationId} is not {tenantId}/{jobId}`);
  return { tenantId: configurationId.slice(0, slash), jobId: configurationId.slice(slash + 1) };
}

export class SqlProvisioningLog extends LogTable<StoredProvisioningEntry, ProvisioningLogsTable> implements ProvisioningLogSink, ProvisioningLogReader {
  readonly #dialect: SqlDialect;
  readonly #writer: LogFileWriter | undefined;
  /** configuration id → the job's service principal; a job's principal never changes. */
  readonly #principals = new Map<string, StoredProvisioningEntry['servicePrincipal']>();

  constructor(store: LogStore) {
    super(store.db as Kysely<LogDatabase>, 'provisioning_logs', PROVISIONING_LOG_FILTERS, PROVISIONING_LOG_COLUMNS, entryOf);
    this.#dialect = store.dialect;
    this.#writer = store.provisioningLogWriter;
  }

  async #principalOf(configurationId: string, tenantId: string, jobId: string): Promise<StoredProvisioningEntry['servicePrincipal']> {
    if (this.#principals.has(configurationId)) return this.#principals.get(configurationId)!;
    const row = await (this.db as unknown as Kysely<SynchronizationDatabase>)
      .selectFrom('sync_jobs')
      .innerJoin('sync_service_principals', (join) =>
        join.onRef('sync_service_principals.tenant_id', '=', 'sync_jobs.tenant_id').onRef('sync_service_principals.id', '=', 'sync_jobs.service_principal_id'))
      .select(['sync_service_principals.id as id', 'sync_service_principals.display_name as displayName'])
      .where('sync_jobs.tenant_id', '=', tenantId)
      .where('sync_jobs.id', '=', jobId)
      .executeTakeFirst();
    const principal = row === undefined ? null : { id: row.id, displayName: row.displayName };
    // An unknown job (deleted while its cycle ran, or a benchmark's job that never existed) is not cached across
    // writes: a later write asks again, so a job created meanwhile is not pinned to a null principal.
    if (principal !== null) this.#principals.set(configurationId, principal);
    return principal;
  }

  /**
   * One transaction per call, committed when the promise resolves. Not an async function: the rows go to the
   * writer thread and the entries back to the caller's garbage collector at once, where a suspended async frame
   * would keep both alive until the commit (a cycle keeps two writes in flight; holding their entries showed as
   * twice the scavenging on the engine's thread).
   */
  write(entries: readonly ProvisioningLogEntry[]): Promise<void> {
    try {
      if (entries.length === 0) return Promise.resolve();
      const origins = this.#knownOrigins(entries);
      if (origins === undefined) return this.#resolveOrigins(entries).then((resolved) => this.#insert(entries, resolved));
      return this.#insert(entries, origins);
    } catch (error) {
      // a promise-returning method never throws: a malformed entry rejects, as it did when this was async
      return Promise.reject(error);
    }
  }

  /** The origins of `entries`' configurations when every one is cached, else undefined. */
  #knownOrigins(entries: readonly ProvisioningLogEntry[]): Map<string, EntryOrigin> | undefined {
    const origins = new Map<string, EntryOrigin>();
    for (const entry of entries) {
      if (origins.has(entry.configurationId)) continue;
      if (!this.#principals.has(entry.configurationId)) return undefined;
      const { tenantId, jobId } = jobOfConfiguration(entry.configurationId);
      origins.set(entry.configurationId, { tenantId, jobId, servicePrincipal: this.#principals.get(entry.configurationId)! });
    }
    return origins;
  }

  /**
   * Resolved once per configuration per write (a missing job included, which the cache does not keep): one query
   * per entry cost a 200,000-object full sync 200,000 queries.
   */
  async #resolveOrigins(entries: readonly ProvisioningLogEntry[]): Promise<Map<string, EntryOrigin>> {
    const origins = new Map<string, EntryOrigin>();
    for (const entry of entries) {
      if (origins.has(entry.configurationId)) continue;
      const { tenantId, jobId } = jobOfConfiguration(entry.configurationId);
      origins.set(entry.configurationId, { tenantId, jobId, servicePrincipal: await this.#principalOf(entry.configurationId, tenantId, jobId) });
    }
    return origins;
  }

  #insert(entries: readonly ProvisioningLogEntry[], origins: ReadonlyMap<string, EntryOrigin>): Promise<void> {
    const rows: unknown[][] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) rows[i] = rowOf(entries[i]!, origins.get(entries[i]!.configurationId)!);
    const insert: BulkInsert = { table: 'provisioning_logs', columns: PROVISIONING_LOG_COLUMNS, onConflictDoNothing: ['tenant_id', 'id'] };
    if (this.#writer !== undefined) return this.#writer.write(bulkInsertStatements(this.#dialect, insert, rows));
    return this.db.transaction().execute((tx) => insertRows(tx, this.#dialect, insert, rows));
  }
}
