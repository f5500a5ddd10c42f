/**
 * Multi-row INSERTs for the write-heavy paths of a full synchronization (directory objects, connector space,
 * provisioning log): one statement text per (table, columns, row count), compiled once and executed as raw SQL.
 *
 * Why not the query builder: Kysely builds, freezes, visits and compiles an operation-node tree for every row and
 * value (`parseInsertExpression`, `compileQuery`), about 10 µs per row on this machine — a quarter of what a
 * 200,000-object synchronization spent outside SQLite. The rows here are already plain column-ordered arrays, so
 * the only work left is binding.
 *
 * Limits that could bite: SQLite binds at most 32,766 parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since
 * 3.32) and PostgreSQL 65,535 (the wire protocol's Int16 count); `MAX_PARAMETERS` stays under both. Table and column
 * names come from our own code, never from input, and are still quoted.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { SqlDialect } from '../directory/directory-store.ts';

const MAX_PARAMETERS = 30_000;
/** Rows per statement: enough to amortise the per-statement cost, few enough that each prepared text is reused. */
const MAX_ROWS_PER_STATEMENT = 500;

export interface BulkInsert {
  readonly table: string;
  readonly columns: readonly string[];
  /** `ON CONFLICT (…) DO NOTHING` on these columns (a unique key), for inserts that may be replayed. */
  readonly onConflictDoNothing?: readonly string[];
  /** An upsert: `ON CONFLICT (key) DO UPDATE SET c = excluded.c` for each of `set` (both dialects spell it so). */
  readonly onConflictUpdate?: { readonly key: readonly string[]; readonly set: readonly string[] };
}

const quote = (identifier: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(identifier)) throw new TypeError(`'${identifier}' is not a plain SQL identifier`);
  return `"${identifier}"`;
};

const texts = new Map<string, string>();

function statementText(dialect: SqlDialect, insert: BulkInsert, rowCount: number): string {
  const upsert = insert.onConflictUpdate;
  const key = `${dialect}\u0000${insert.table}\u0000${insert.columns.join(',')}\u0000${insert.onConflictDoNothing?.join(',') ?? ''}\u0000${upsert === undefined ? '' : `${upsert.key.join(',')}=${upsert.set.join(',')}`}\u0000${rowCount}`;
  let text = texts.get(key);
  if (text !== undefined) return text;
  const width = insert.columns.length;
  const tuples: string[] = [];
  for (let row = 0; row < rowCount; row++) {
    const placeholders: string[] = [];
    for (let column = 0; column < width; column++) placeholders.push(dialect === 'postgres' ? `$${row * width + column + 1}` : '?');
    tuples.push(`(${placeholders.join(',')})`);
  }
  if (insert.onConflictDoNothing !== undefined && upsert !== undefined) throw new TypeError(`${insert.table}: onConflictDoNothing and onConflictUpdate exclude each other`);
  const conflict =
    insert.onConflictDoNothing !== undefined ? ` on conflict (${insert.onConflictDoNothing.map(quote).join(', ')}) do nothing`
    : upsert !== undefined ? ` on conflict (${upsert.key.map(quote).join(', ')}) do update set ${upsert.set.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`
    : '';
  text = `insert into ${quote(insert.table)} (${insert.columns.map(quote).join(', ')}) values ${tuples.join(',')}${conflict}`;
  // Row counts vary only in each call's last chunk, so the cache stays small; the bound is for safety.
  if (texts.size > 1_000) texts.clear();
  texts.set(key, text);
  return text;
}

/** One multi-row INSERT: its text (cached per table, columns and row count) and its parameters, row after row. */
export interface BulkStatement {
  readonly text: string;
  readonly parameters: unknown[];
}

/**
 * The statements that insert `rows` (each an array in `insert.columns` order), as few as the parameter limits allow:
 * what insertRows runs, and what the provisioning log's writer thread runs on its own connection
 * (src/storage/log-file-writer.ts).
 */
export function* bulkInsertStatements(dialect: SqlDialect, insert: BulkInsert, rows: ReadonlyArray<ReadonlyArray<unknown>>): Generator<BulkStatement> {
  const width = insert.columns.length;
  if (width === 0) throw new TypeError('a bulk insert needs at least one column');
  const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / width)));
  for (let start = 0; start < rows.length; start += perStatement) {
    const count = Math.min(perStatement, rows.length - start);
    const parameters: unknown[] = new Array(count * width);
    for (let row = 0; row < count; row++) {
      const values = rows[start + row]!;
      if (values.length !== width) throw new TypeError(`row ${start + row} of ${insert.table} has ${values.length} values for ${width} columns`);
      for (let column = 0; column < width; column++) parameters[row * width + column] = values[column];
    }
    // one statement's parameters at a time: a caller inserting many rows never holds them all twice
    yield { text: statementText(dialect, insert, count), parameters };
  }
}

/**
 * Inserts `rows` (each an array in `insert.columns` order) in as few statements as the parameter limits allow.
 * Runs on whatever `executor` is: pass the transaction when the rows must commit with other writes.
 */
export async function insertRows(executor: Kysely<any>, dialect: SqlDialect, insert: BulkInsert, rows: ReadonlyArray<ReadonlyArray<unknown>>): Promise<void> {
  for (const { text, parameters } of bulkInsertStatements(dialect, insert, rows)) await executor.executeQuery(CompiledQuery.raw(text, parameters));
}
