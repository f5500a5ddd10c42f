/**
 * Multi-row UPDATEs by key, the update half of bulk-insert.ts: one statement per up to 500 rows,
 *
 *   WITH v (k1, …, c1, …) AS (VALUES (?, …), …) UPDATE t SET c1 = v.c1, … FROM v WHERE t.k1 = v.k1 AND …
 *
 * which both dialects accept (SQLite since 3.33), compiled once per (table, columns, row count) and executed as raw
 * SQL, instead of one statement per row.
 *
 * What could go wrong: the rows of one statement are updated in no particular order, so a unique index on a `set`
 * column may see two rows holding one value in between although the final state is fine (PostgreSQL checks
 * non-deferrable unique indexes row by row). Callers only set columns no unique index covers, or update row by row.
 * A key given twice updates the row once, with either value. Values arrive untyped on PostgreSQL (text): a column
 * of another type names its type in `casts`.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { SqlDialect } from '../directory/directory-store.ts';

const MAX_ROWS_PER_STATEMENT = 500;

export interface BulkUpdate {
  readonly table: string;
  /** the columns that find the row (its primary key) */
  readonly key: readonly string[];
  readonly set: readonly string[];
  /** SQL types to cast `set` columns to (PostgreSQL types VALUES parameters as text) */
  readonly casts?: Readonly<Record<string, CastType>>;
}

/** The types a column may be cast to: pasted into the statement, so a closed set checked at run time too. */
export const CAST_TYPES = ['integer'] as const;
export type CastType = (typeof CAST_TYPES)[number];

const quote = (identifier: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(identifier)) throw new TypeError(`'${identifier}' is not a plain SQL identifier`);
  return `"${identifier}"`;
};

const texts = new Map<string, string>();

function statementText(dialect: SqlDialect, update: BulkUpdate, rowCount: number): string {
  const casts = update.casts === undefined ? '' : Object.entries(update.casts).map(([column, type]) => `${column}:${type}`).join(',');
  const cacheKey = `${dialect}\u0000${update.table}\u0000${update.key.join(',')}\u0000${update.set.join(',')}\u0000${casts}\u0000${rowCount}`;
  let text = texts.get(cacheKey);
  if (text !== undefined) return text;
  const columns = [...update.key, ...update.set];
  const tuples: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    tuples.push(`(${columns.map((_, column) => (dialect === 'postgres' ? `$${row * columns.length + column + 1}` : '?')).join(',')})`);
  }
  const table = quote(update.table);
  const value = (column: string) => {
    const type = update.casts?.[column];
    if (type === undefined) return `v.${quote(column)}`;
    if (!(CAST_TYPES as readonly string[]).includes(type)) throw new TypeError(`'${String(type)}' is not a cast type of a bulk update`);
    return `cast(v.${quote(column)} as ${type})`;
  };
  text = `with v (${columns.map(quote).join(', ')}) as (values ${tuples.join(',')}) `
    + `update ${table} set ${update.set.map((c) => `${quote(c)} = ${value(c)}`).join(', ')} `
    + `from v where ${update.key.map((c) => `${table}.${quote(c)} = v.${quote(c)}`).join(' and ')}`;
  // Row counts vary only in each call's last chunk, so the cache stays small; the bound is for safety.
  if (texts.size > 1_000) texts.clear();
  texts.set(cacheKey, text);
  return text;
}

/** Updates the rows `rows` name (each an array in key-then-set column order), on whatever `executor` is. */
export async function updateRows(executor: Kysely<any>, dialect: SqlDialect, update: BulkUpdate, rows: ReadonlyArray<ReadonlyArray<unknown>>): Promise<void> {
  const width = update.key.length + update.set.length;
  if (update.key.length === 0 || update.set.length === 0) throw new TypeError('a bulk update needs key and set columns');
  for (let start = 0; start < rows.length; start += MAX_ROWS_PER_STATEMENT) {
    const count = Math.min(MAX_ROWS_PER_STATEMENT, rows.length - start);
    const parameters: unknown[] = [];
    for (let row = start; row < start + count; row++) {
      const values = rows[row]!;
      if (values.length !== width) throw new TypeError(`row ${row} of ${update.table} has ${values.length} values for ${width} columns`);
      for (const v of values) parameters.push(v);
    }
    await executor.executeQuery(CompiledQuery.raw(statementText(dialect, update, count), parameters));
  }
}
