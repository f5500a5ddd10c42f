/**
 * The store: one Kysely instance over SQLite (embedded default, a file under the data directory) or PostgreSQL,
 * migrated to the latest schema when opened. Everything persistent goes through it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { CloudsyncError } from '../errors/index.ts';
import type { DirectoryDatabase, DirectoryStore, SqlDialect } from '../directory/directory-store.ts';
import { migrationProvider } from './migrations/index.ts';
import { adaptNodeSqlite, openNodeSqlite } from './node-sqlite-database.ts';
import { startWalCheckpointer } from './wal-checkpointer.ts';
import { startLogFileWriter, type LogFileWriter } from './log-file-writer.ts';
import { attachProvisioningLogFile, moveProvisioningLogToItsFile, PROVISIONING_LOG_FILE_NAME } from './provisioning-log-file.ts';

export type Database = DirectoryDatabase;

export interface Store extends DirectoryStore {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialect;
  /** Where the data lives, for logs: the SQLite file or the Postgres URL without its password. */
  readonly location: string;
  /**
   * Embedded SQLite: the provisioning log's writer thread, which inserts into the log's own file
   * (src/storage/provisioning-log-file.ts). Absent on PostgreSQL, where the log is written on the pool.
   */
  readonly provisioningLogWriter?: LogFileWriter;
  close(): Promise<void>;
}

export type StoreOptions =
  | {
      /**
       * Embedded SQLite: `<dataDir>/cloudsync.db`, and the provisioning log in `<dataDir>/provisioning-log.db`
       * (created, with the directory, when missing).
       */
      readonly dataDir: string;
      readonly databaseUrl?: undefined;
      /** Milliseconds a writer waits for another connection's lock. Default 5000. */
      readonly busyTimeoutMs?: number;
    }
  | {
      /** `postgres://user:password@host:port/database` */
      readonly databaseUrl: string;
      readonly dataDir?: undefined;
      /** Connection pool size. Default 10. */
      readonly poolSize?: number;
    };

export const SQLITE_FILE_NAME = 'cloudsync.db';

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

const INT8_OID = 20;

async function migrateToLatest(db: Kysely<Database>, location: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new CloudsyncError(
      'ERR_STORE_MIGRATION',
      `migration ${failed?.migrationName ?? '(unknown)'} failed on ${location}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, details: { migration: failed?.migrationName } },
    );
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
      throw new TypeError('databaseUrl must start with postgres:// or postgresql://');
    }
    const location = redactUrl(options.databaseUrl);
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Counters (change_seq, seq) are int8; they stay far below 2^53, so numbers are safe and simpler than strings.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // pg's Pool.end() resolves once its clients are told to end, not once their sockets are closed; a server
    // stopping right after would then hit a half-closed client. close() waits for every socket to end.
    const open = new Set<pg.Client>();
    pool.on('connect', (client) => {
      open.add(client);
      client.on('end', () => open.delete(client));
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const close = async () => {
      const ending = [...open].map(
        (client) =>
          new Promise<void>((resolve) => {
            client.on('error', () => {}); // a late error on a closing client is of no interest any more
            client.once('end', () => resolve());
            setTimeout(resolve, 2000).unref();
          }),
      );
      await db.destroy();
      await Promise.all(ending);
    };
    try {
      await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    } catch (error) {
      await close();
      throw new CloudsyncError('ERR_STORE_UNAVAILABLE', `cannot reach PostgreSQL at ${location}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      await migrateToLatest(db, location);
    } catch (error) {
      await close();
      throw error;
    }
    return { db, dialect: 'postgres', location, close };
  }
  if (typeof options.dataDir !== 'string' || options.dataDir === '') throw new TypeError('openStore needs dataDir or databaseUrl');
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, SQLITE_FILE_NAME);
  const logFile = join(options.dataDir, PROVISIONING_LOG_FILE_NAME);
  let database: DatabaseSync;
  try {
    database = openNodeSqlite(file, { busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw new CloudsyncError('ERR_STORE_UNAVAILABLE', `cannot open SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    attachProvisioningLogFile(database, logFile, options.busyTimeoutMs ?? 5000);
  } catch (error) {
    database.close();
    throw new CloudsyncError('ERR_STORE_UNAVAILABLE', `cannot open SQLite database ${logFile}: ${(error as Error).message}`, { cause: error });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: adaptNodeSqlite(database) }) });
  // Kysely runs SQLite migrations outside a transaction and without a lock (it assumes one process), so two
  // processes opening a new data directory at once (a server and `cloudsync tenant create`) could both try to
  // create the tables. One IMMEDIATE transaction around the migrator takes the database's write lock first:
  // the others wait, then find the migrations applied. SQLite's DDL is transactional, so a failure leaves
  // nothing half-migrated.
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  try {
    database.exec(`PRAGMA busy_timeout = ${Math.max(busyTimeoutMs, 60_000)}`);
    database.exec('BEGIN IMMEDIATE');
    try {
      await migrateToLatest(db, file);
      database.exec('COMMIT');
      moveProvisioningLogToItsFile(database);
    } catch (error) {
      if (database.isTransaction) database.exec('ROLLBACK');
      throw error;
    } finally {
      database.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    }
  } catch (error) {
    await db.destroy();
    if (error instanceof CloudsyncError) throw error;
    throw new CloudsyncError('ERR_STORE_UNAVAILABLE', `cannot migrate SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
  const checkpointer = startWalCheckpointer(database, file);
  // The move above either put the log in its file or ended the open: the thread always has its table.
  const provisioningLogWriter = startLogFileWriter(logFile, { busyTimeoutMs });
  // The log's batches in flight commit first, then the threads' last checkpoint: the main connection's close (which,
  // as the files' last connection, checkpoints the rest and deletes the WALs) then has little left to copy, and no
  // thread still holds a file.
  const close = async () => {
    await provisioningLogWriter.stop();
    await checkpointer.stop();
    await db.destroy();
  };
  return { db, dialect: 'sqlite', location: file, provisioningLogWriter, close };
}
