/**
 * On SQLite, `changes` and `smtp_addresses` become WITHOUT ROWID tables. Both are small rows keyed by their
 * primary key: as rowid tables every row was written twice, once into the table's rowid B-tree and once into the
 * automatic index of the (text) primary key, and each synchronized user adds one row to each. Stored in
 * primary-key order, a row is one B-tree entry; the secondary indexes then end in the primary key instead of a
 * rowid (for `changes` the integer seq, the same size).
 *
 * PostgreSQL keeps every table as a heap beside its primary-key index; there is nothing to change there.
 */
import { SqliteAdapter, type Kysely } from 'kysely';
import { rebuildSqliteTable } from '../sqlite-table-rebuild.ts';

const TABLES = ['changes', 'smtp_addresses'] as const;

function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

export async function up(db: Kysely<any>): Promise<void> {
  if (!isSqlite(db)) return;
  for (const table of TABLES) await rebuildSqliteTable(db, table, 'withoutRowid');
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!isSqlite(db)) return;
  for (const table of TABLES) await rebuildSqliteTable(db, table, 'rowid');
}
