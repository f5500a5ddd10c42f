/**
 * The provisioning log's own SQLite file, `<dataDir>/provisioning-log.db`, attached to the store's connection as
 * schema `log`, and written by a thread of its own (src/storage/log-file-writer.ts).
 *
 * Why a second file: SQLite lets one connection at a time write a database file, and the engine's thread holds that
 * lock for most of a synchronization. In the same file, a thread inserting the log would wait for the engine's
 * transactions and make them wait in turn; in a file of its own the log has its own lock and its own WAL, so its
 * inserts and commits run on the other core while the engine works on the next batch. Executing the log's inserts
 * was ~0.9 s of a 200,000-user full sync on the engine's thread (docs/engine.md, session 8).
 *
 * Where the table lives: the migrations create `provisioning_logs` in the main file (0004) and change it there, as
 * they always did; once they have run, `moveProvisioningLogToItsFile` moves it. Queries keep saying
 * `provisioning_logs`: https://www.sqlite.org/lang_attach.html — "If the name of the table is unique across all
 * attached databases and the main and temp databases, then the schema-name prefix is not required."
 *
 * Crash safety of the move. The same page: "If the main database is ":memory:" or if the journal_mode is WAL, then
 * transactions continue to be atomic within each individual database file" — not across them, so one transaction
 * copying the rows and dropping the old table could, killed between its two commits, keep the drop and lose the
 * copy. Two transactions instead, each within one file: the copy into the log file commits first; only then is the
 * old table dropped. Killed in between, the next open copies again (rows already there are kept, not doubled) and
 * drops. Until the drop the main file's table is the one queries see — "the table chosen is the one in the
 * database that was least recently attached", and main is attached first — so nothing reads a half-made copy.
 */
import { closeSync, openSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { enableWal, SQLITE_PAGE_SIZE } from './node-sqlite-database.ts';

/** The log's file in the data directory, beside SQLITE_FILE_NAME. */
export const PROVISIONING_LOG_FILE_NAME = 'provisioning-log.db';

/** The schema name the store's connection attaches the log's file under. */
export const PROVISIONING_LOG_SCHEMA = 'log';

const TABLE = 'provisioning_logs';

/**
 * The main connection reads the log (the API's pages and `$filter`s) and prunes it; the writer thread has its own
 * connection and cache. 8 MiB keeps a page of recent entries and the upper levels of their indexes.
 */
const ATTACHED_CACHE_KIB = 8192;

/**
 * Attaches `file` as PROVISIONING_LOG_SCHEMA, created with mode 0600 when missing (it holds the synchronized
 * objects' names and values; SQLite gives its -wal and -shm files the database file's mode) and in WAL mode like the
 * main file. Outside any transaction: SQLite refuses ATTACH inside one.
 */
export function attachProvisioningLogFile(database: DatabaseSync, file: string, busyTimeoutMs: number): void {
  closeSync(openSync(file, 'a', 0o600));
  database.prepare(`ATTACH DATABASE ? AS ${PROVISIONING_LOG_SCHEMA}`).run(file);
  // The main file's page size, for the same reasons (node-sqlite-database.ts); it applies only to a file without
  // tables yet, and an existing log keeps its own.
  database.exec(`PRAGMA ${PROVISIONING_LOG_SCHEMA}.page_size = ${SQLITE_PAGE_SIZE}`);
  enableWal(database, PROVISIONING_LOG_SCHEMA, busyTimeoutMs);
  database.exec(`PRAGMA ${PROVISIONING_LOG_SCHEMA}.synchronous = NORMAL`);
  database.exec(`PRAGMA ${PROVISIONING_LOG_SCHEMA}.cache_size = -${ATTACHED_CACHE_KIB}`);
}

function hasTable(database: DatabaseSync, schema: string): boolean {
  return database.prepare(`SELECT 1 AS found FROM ${schema}.sqlite_schema WHERE type = 'table' AND name = ?`).get(TABLE) !== undefined;
}

/**
 * After the migrations: the table (with its indexes and rows) moved from the main file into the attached log file,
 * as the comment at the top describes; nothing to do once it has moved. A log file that already holds the table (a
 * move cut short) keeps it and gains the rows it lacks; one holding a table of another shape makes the copy fail,
 * and the error ends the store's open with the main file's table untouched.
 */
export function moveProvisioningLogToItsFile(database: DatabaseSync): void {
  if (!hasTable(database, 'main')) return;
  // IMMEDIATE takes the write lock of both files: processes opening the data directory together move it once, and
  // the one that comes second finds the table gone (or copied already, and copies nothing twice).
  database.exec('BEGIN IMMEDIATE');
  try {
    if (!hasTable(database, 'main')) {
      database.exec('COMMIT');
      return;
    }
    const definition = database.prepare(`SELECT sql FROM main.sqlite_schema WHERE type = 'table' AND name = ?`).get(TABLE) as { sql: string };
    const indexes = database.prepare(`SELECT sql FROM main.sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).all(TABLE) as { sql: string }[];
    const columns = (database.prepare(`SELECT name FROM pragma_table_info(?, 'main')`).all(TABLE) as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
    // `CREATE TABLE provisioning_logs (` and `CREATE INDEX name ON provisioning_logs (…)`, as sqlite_schema keeps
    // them, become statements on the log's schema; an index's table is named without a schema, in the index's own.
    database.exec(qualified(definition.sql, /^CREATE TABLE\s+/i, 'CREATE TABLE IF NOT EXISTS '));
    for (const index of indexes) database.exec(qualified(index.sql, /^CREATE (UNIQUE )?INDEX\s+/i, 'CREATE $1INDEX IF NOT EXISTS '));
    database.exec(`INSERT OR IGNORE INTO ${PROVISIONING_LOG_SCHEMA}.${TABLE} (${columns}) SELECT ${columns} FROM main.${TABLE}`);
    database.exec('COMMIT');
  } catch (error) {
    if (database.isTransaction) database.exec('ROLLBACK');
    throw error;
  }
  // Only the main file changes here, and only once the copy has committed.
  database.exec(`DROP TABLE IF EXISTS main.${TABLE}`);
}

function qualified(statement: string, head: RegExp, replacement: string): string {
  if (!head.test(statement)) throw new TypeError(`unexpected definition in sqlite_schema: ${statement}`);
  return statement.replace(head, `${replacement}${PROVISIONING_LOG_SCHEMA}.`);
}
