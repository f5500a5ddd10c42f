/**
 * Adapts node:sqlite's DatabaseSync to the subset Kysely's SqliteDialect needs, so SQLite costs no native
 * dependency. node:sqlite binds only null, number, bigint, string and Uint8Array: booleans become 0/1 here,
 * which is also how the schema stores them on PostgreSQL.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Bindable = null | number | bigint | string | Uint8Array;

function bindable(value: unknown): Bindable {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(`cannot bind a ${typeof value} to SQLite`);
}

/**
 * The parameters as node:sqlite binds them. A bulk insert binds thousands per statement, nearly all strings, numbers
 * and nulls already: those lists are passed as they are (one pass to look), not copied value by value.
 */
function bindAll(parameters: ReadonlyArray<unknown>): readonly Bindable[] {
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i];
    if (typeof value !== 'string' && typeof value !== 'number' && value !== null) return parameters.map(bindable);
  }
  return parameters as readonly Bindable[];
}

export function adaptNodeSqlite(database: DatabaseSync): SqliteDatabase {
  // Kysely prepares every query anew; caching statements by text saves re-parsing on hot paths (lists, UPN lookups).
  const statements = new Map<string, StatementSync>();
  return {
    close() {
      statements.clear();
      database.close();
    },
    prepare(sqlText: string): SqliteStatement {
      let statement = statements.get(sqlText);
      if (statement === undefined) {
        statement = database.prepare(sqlText);
        if (statements.size > 500) statements.clear();
        statements.set(sqlText, statement);
      }
      const stmt = statement;
      return {
        reader: stmt.columns().length > 0,
        all: (parameters) => stmt.all(...bindAll(parameters)),
        run: (parameters) => {
          const result = stmt.run(...bindAll(parameters));
          return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
        },
        iterate: (parameters) => stmt.iterate(...bindAll(parameters)) as IterableIterator<unknown>,
      };
    },
  };
}

/** The page size (bytes) of a database the store creates; see openNodeSqlite. */
export const SQLITE_PAGE_SIZE = 16384;

export function openNodeSqlite(file: string, options: { readonly busyTimeoutMs: number }): DatabaseSync {
  const database = new DatabaseSync(file, { timeout: options.busyTimeoutMs });
  // 16 KiB pages instead of SQLite's 4 KiB default. A synchronized user is about 3.3 KB of table rows (directory
  // object, connector-space object, provisioning-log entry, each about 1 KB) plus a dozen index entries: at 4 KiB
  // a table leaf holds three or four such rows, so a batch split, balanced and wrote (WAL frames, each checksummed
  // at COMMIT) four times as many pages for the same bytes. Replaying a 100,000-user synchronization's inserts took
  // 26% less time with 16 KiB pages (32 KiB gained little more and wrote 16% more bytes, the randomly keyed index
  // leaves being bigger). Only a database created from now on gets it: SQLite fixes the page size when the first
  // table is written, and a WAL database cannot change it afterwards (an older file keeps working at 4 KiB).
  database.exec(`PRAGMA page_size = ${SQLITE_PAGE_SIZE}`);
  enableWal(database, 'main', options.busyTimeoutMs);
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last transactions.
  // Checkpoints stay SQLite's automatic ones here; the store hands them to a thread (src/storage/wal-checkpointer.ts)
  // once migrated, keeping a far higher automatic checkpoint on this connection as the backstop.
  database.exec('PRAGMA synchronous = NORMAL');
  // https://www.sqlite.org/tempfiles.html §2.5 — "A statement journal file is used to rollback partial results of a
  // single statement within a larger transaction … only created for an UPDATE or INSERT statement that might change
  // multiple rows of a database and which might hit a constraint". Every multi-row INSERT of a synchronization batch
  // is one (unique indexes, upserts), and past 64 KiB SQLite spilled each journal to a new file under /var/tmp:
  // strace of a 20,000-user sync showed 47 MB written to such files by the engine's thread (the WAL got 110 MB).
  // MEMORY keeps statement journals (and transient indices) in memory; they live for one statement, a few MB at most.
  database.exec('PRAGMA temp_store = MEMORY');
  database.exec('PRAGMA foreign_keys = ON');
  // A 64 MiB page cache keeps a 100k-user tenant's hot indexes in memory. No memory-mapped reads: every mapped
  // page a 200,000-object sync touched counted in the service's resident memory (up to the map's 256 MiB), which
  // the service's 512 MB budget cannot afford; the page cache is bounded.
  database.exec('PRAGMA cache_size = -65536');
  database.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
  return database;
}

/**
 * Puts `schema` (`main`, or an attached database) in WAL mode. Switching a fresh file to WAL takes an exclusive
 * lock, and SQLite answers SQLITE_BUSY at once when another process holds one, without consulting the busy handler;
 * several processes opening a new data directory together (a server and `tenant create`) hit exactly that. Retried
 * within the busy timeout instead of failing the open.
 */
export function enableWal(database: DatabaseSync, schema: string, busyTimeoutMs: number): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`'${schema}' is not a plain schema name`);
  const deadline = Date.now() + busyTimeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      database.exec(`PRAGMA ${schema}.journal_mode = WAL`);
      return;
    } catch (error) {
      if (!/database is locked|SQLITE_BUSY/i.test((error as Error).message) || Date.now() + delay > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
    }
  }
}
