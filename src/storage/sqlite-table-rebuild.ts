/**
 * Rebuilds a SQLite table as a rowid table or a WITHOUT ROWID one, keeping its columns, constraints, rows and
 * indexes. SQLite cannot change a table's storage in place (https://www.sqlite.org/withoutrowid.html: "there is no
 * way to convert a rowid table into a WITHOUT ROWID table or the reverse except by creating a new table"), so this
 * follows the "making other kinds of table schema changes" procedure of https://www.sqlite.org/lang_altertable.html:
 * create the new table, copy, drop the old one, rename, recreate the indexes.
 *
 * Must run inside a transaction (the store migrates in one), or a failure halfway leaves the copy beside the table.
 * Only for tables no foreign key references: dropping a referenced table would act on the referencing rows.
 */
import { sql, type Kysely } from 'kysely';

export async function rebuildSqliteTable(db: Kysely<any>, table: string, storage: 'rowid' | 'withoutRowid'): Promise<void> {
  const definition = (await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(db)).rows[0];
  if (definition === undefined) throw new TypeError(`no SQLite table ${table} to rebuild`);
  // sqlite_master keeps each index's CREATE statement; the automatic ones (primary key, UNIQUE) have none and come
  // back with the table.
  const indexes = (await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND sql IS NOT NULL`.execute(db)).rows;
  const copy = `${table}_rebuilt`;
  const head = /^CREATE TABLE\s+(?:"[^"]+"|\S+)\s*\(/i;
  if (!head.test(definition.sql)) throw new TypeError(`unexpected definition of SQLite table ${table}: ${definition.sql}`);
  const columnsAndConstraints = definition.sql.replace(head, '(').replace(/\)\s*(?:WITHOUT\s+ROWID\s*)?$/i, ')');
  await sql.raw(`CREATE TABLE "${copy}" ${columnsAndConstraints}${storage === 'withoutRowid' ? ' WITHOUT ROWID' : ''}`).execute(db);
  await sql.raw(`INSERT INTO "${copy}" SELECT * FROM "${table}"`).execute(db);
  await sql.raw(`DROP TABLE "${table}"`).execute(db);
  await sql.raw(`ALTER TABLE "${copy}" RENAME TO "${table}"`).execute(db);
  for (const index of indexes) await sql.raw(index.sql).execute(db);
}
