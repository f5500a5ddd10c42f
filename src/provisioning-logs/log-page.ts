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

export async function readLogPage(
  db: Kysely<LogDatabase>,
  table: keyof LogDatabase,
  tenantId: string,
  query: LogQuery,
  properties: readonly FilterableProperty[],
): Promise<LogPage<string>> {
  if (!Number.isInteger(query.top) || query.top < 1) throw new TypeError('top must be a positive integer');
  // Compiled before any SQL runs, so an unsupported filter is refused the same way on both backends.
  const where = query.filter === undefined ? undefined : compileLogFilter(query.filter, properties);
  const after = query.skipToken === undefined ? undefined : decodeListPosition(query.skipToken, ORDER);
  let select = (db as Kysely<any>)
    .selectFrom(table)
    .select(['id', 'activity_date_time', 'data'])
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
    .execute()) as { id: string; activity_date_time: string; data: string }[];
  const more = rows.length > query.top;
  const page = more ? rows.slice(0, query.top) : rows;
  const last = page.at(-1);
  return {
    items: page.map((row) => row.data),
    ...(more && last !== undefined ? { nextSkipToken: encodeListPosition({ order: ORDER, key: last.activity_date_time, id: last.id }) } : {}),
  };
}

/** Rows older than `before` go; entries are never changed, only dropped at the end of their retention. */
export async function pruneLog(db: Kysely<LogDatabase>, table: keyof LogDatabase, before: Date): Promise<number> {
  const result = await (db as Kysely<any>).deleteFrom(table).where('activity_date_time', '<', before.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** One log table read as entries of type T (its `data` column), newest first; shared by both logs. */
export class LogTable<T> {
  protected readonly db: Kysely<LogDatabase>;
  readonly #table: keyof LogDatabase;
  readonly #filters: readonly FilterableProperty[];

  constructor(db: Kysely<LogDatabase>, table: keyof LogDatabase, filters: readonly FilterableProperty[]) {
    this.db = db;
    this.#table = table;
    this.#filters = filters;
  }

  async list(tenantId: string, query: LogQuery): Promise<LogPage<T>> {
    const page = await readLogPage(this.db, this.#table, tenantId, query, this.#filters);
    return { ...page, items: page.items.map((data) => JSON.parse(data) as T) };
  }

  async get(tenantId: string, id: string): Promise<T | undefined> {
    const row = (await (this.db as Kysely<any>).selectFrom(this.#table).select('data').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()) as
      | { data: string }
      | undefined;
    return row === undefined ? undefined : (JSON.parse(row.data) as T);
  }

  /** Drops entries older than `before`, across tenants; returns how many. */
  prune(before: Date): Promise<number> {
    return pruneLog(this.db, this.#table, before);
  }
}
