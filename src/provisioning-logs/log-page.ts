/**
 * One page of a log, newest first: keyset paging on (activity time, id), never an offset, so a page stays right
 * while cycles keep appending entries (new entries are newer than any token's position and never shift it).
 * The skip token is the directory's opaque list position (src/directory/skip-token.ts).
 */
import type { Kysely } from 'kysely';
import type { FilterNode } from '../directory/query.ts';
import { decodeListPosition, encodeListPosition } from '../directory/skip-token.ts';
import { compileLogFilter, type FilterableProperty } from './log-filter.ts';
import type { LogDatabase } from './log-tables.ts';

export interface LogQuery {
  /** 1…999 */
  readonly top: number;
  readonly filter?: FilterNode;
  readonly skipToken?: string;
}

export interface LogPage<T> {
  readonly items: readonly T[];
  readonly nextSkipToken?: string;
}

const ORDER = 'activityDateTime desc';

/** The columns every log table has that paging needs. */
interface PagedRow {
  readonly id: string;
  readonly activity_date_time: string;
}

export async function readLogPage<Row extends PagedRow>(
  db: Kysely<LogDatabase>,
  table: keyof LogDatabase,
  tenantId: string,
  query: LogQuery,
  properties: readonly FilterableProperty[],
  columns: readonly string[],
): Promise<LogPage<Row>> {
  if (!Number.isInteger(query.top) || query.top < 1) throw new TypeError('top must be a positive integer');
  // Compiled before any SQL runs, so an unsupported filter is refused the same way on both backends.
  const where = query.filter === undefined ? undefined : compileLogFilter(query.filter, properties);
  const after = query.skipToken === undefined ? undefined : decodeListPosition(query.skipToken, ORDER);
  let select = (db as Kysely<any>)
    .selectFrom(table)
    .select([...columns])
    .where('tenant_id', '=', tenantId);
  if (where !== undefined) select = select.where(where);
  if (after !== undefined) {
    const key = after.key ?? '';
    // A row-value comparison, not `t < k OR (t = k AND id < i)`: PostgreSQL walks the (tenant, time, id) index
    // from the position only for the former (the OR form rescanned from the newest entry on every page).
    select = select.where((eb) => eb(eb.refTuple('activity_date_time', 'id'), '<', eb.tuple(key, after.id)));
  }
  const rows = (await select
    .orderBy('activity_date_time', 'desc')
    .orderBy('id', 'desc')
    .limit(query.top + 1)
    .execute()) as Row[];
  const more = rows.length > query.top;
  const page = more ? rows.slice(0, query.top) : rows;
  const last = page.at(-1);
  return {
    items: page,
    ...(more && last !== undefined ? { nextSkipToken: encodeListPosition({ order: ORDER, key: last.activity_date_time, id: last.id }) } : {}),
  };
}

/**
 * Rows older than `before` go; entries are never changed, only dropped at the end of their retention. Tenant by
 * tenant on the (tenant, time, id) index paging uses, so no index on the time alone is kept up on every insert for
 * a pass that runs once in a while (migration 0010 dropped the provisioning log's). The tenants are found by
 * stepping through the primary key's first column (one indexed min() per tenant), not by a scan.
 */
export async function pruneLog(db: Kysely<LogDatabase>, table: keyof LogDatabase, before: Date): Promise<number> {
  const cutoff = before.toISOString();
  let deleted = 0;
  let tenantId: string | null = null;
  for (;;) {
    let next = (db as Kysely<any>).selectFrom(table).select((eb) => eb.fn.min('tenant_id').as('tenant_id'));
    if (tenantId !== null) next = next.where('tenant_id', '>', tenantId);
    const row = (await next.executeTakeFirst()) as { tenant_id: string | null } | undefined;
    tenantId = row?.tenant_id ?? null;
    if (tenantId === null) return deleted;
    const result = await (db as Kysely<any>).deleteFrom(table).where('tenant_id', '=', tenantId).where('activity_date_time', '<', cutoff).executeTakeFirst();
    deleted += Number(result.numDeletedRows);
  }
}

/** One log table read as entries of type T, newest first; shared by both logs. */
export class LogTable<T, Row extends PagedRow = PagedRow & { data: string }> {
  protected readonly db: Kysely<LogDatabase>;
  readonly #table: keyof LogDatabase;
  readonly #filters: readonly FilterableProperty[];
  readonly #columns: readonly string[];
  readonly #entryOf: (row: Row) => T;

  /** By default an entry is its `data` column's JSON. */
  constructor(
    db: Kysely<LogDatabase>,
    table: keyof LogDatabase,
    filters: readonly FilterableProperty[],
    columns: readonly string[] = ['id', 'activity_date_time', 'data'],
    entryOf: (row: Row) => T = (row) => JSON.parse((row as unknown as { data: string }).data) as T,
  ) {
    this.db = db;
    this.#table = table;
    this.#filters = filters;
    this.#columns = columns;
    this.#entryOf = entryOf;
  }

  async list(tenantId: string, query: LogQuery): Promise<LogPage<T>> {
    const page = await readLogPage<Row>(this.db, this.#table, tenantId, query, this.#filters, this.#columns);
    return { ...page, items: page.items.map(this.#entryOf) };
  }

  async get(tenantId: string, id: string): Promise<T | undefined> {
    const row = (await (this.db as Kysely<any>).selectFrom(this.#table).select([...this.#columns]).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()) as
      | Row
      | undefined;
    return row === undefined ? undefined : this.#entryOf(row);
  }

  /** Drops entries older than `before`, across tenants; returns how many. */
  prune(before: Date): Promise<number> {
    return pruneLog(this.db, this.#table, before);
  }
}
