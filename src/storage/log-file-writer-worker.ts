/**
 * The thread behind src/storage/log-file-writer.ts: its own node:sqlite connection to the provisioning log's file,
 * which runs each batch's INSERTs as one transaction, in the order the batches came, and answers each batch once it
 * has committed (or failed, rolled back).
 *
 * Imports only Node built-ins: the thread loads no project code, so it starts fast and its heap stays small. The
 * statements arrive as text with their parameters (bulk-insert.ts builds them on the engine's thread); the thread
 * prepares each text once.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

export interface LogFileWriterWorkerData {
  /** The log's SQLite file, already created, migrated and in WAL mode by the store's connection. */
  readonly file: string;
  /** Milliseconds a batch waits for another connection's write lock (the main connection's retention pass). */
  readonly busyTimeoutMs: number;
}

/** Messages from the main thread: a batch to commit, or the end (after the batches before it). */
export type LogFileWriterCommand =
  | { readonly type: 'batch'; readonly id: number; readonly statements: readonly { readonly text: string; readonly parameters: readonly Bindable[] }[] }
  | { readonly type: 'stop' };

/** The answer to a batch: committed, or why not (the transaction rolled back, nothing of the batch kept). */
export type LogFileWriterReply =
  | { readonly type: 'committed'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string; readonly code: string | undefined };

export type Bindable = null | number | bigint | string | Uint8Array;

/**
 * The thread's page cache: it only appends, so the right edges of the table and of its four indexes are what it
 * touches (a few pages each); the main connection keeps its own cache for reads.
 */
const CACHE_KIB = 4096;
/** Prepared statements kept: one text per rows-per-statement count, and a batch has one or two. */
const MAX_STATEMENTS = 64;

const { file, busyTimeoutMs } = workerData as LogFileWriterWorkerData;
const port = parentPort;
if (port === null) throw new TypeError('log-file-writer-worker.ts runs only as a worker thread (see log-file-writer.ts)');

const database = new DatabaseSync(file, { timeout: busyTimeoutMs });
// The store's connection made the file WAL (a persistent setting); these two are per connection.
database.exec('PRAGMA synchronous = NORMAL');
database.exec(`PRAGMA cache_size = -${CACHE_KIB}`);
const statements = new Map<string, StatementSync>();

function prepared(text: string): StatementSync {
  let statement = statements.get(text);
  if (statement === undefined) {
    if (statements.size >= MAX_STATEMENTS) statements.clear();
    statement = database.prepare(text);
    statements.set(text, statement);
  }
  return statement;
}

port.on('message', (command: LogFileWriterCommand) => {
  if (command.type === 'stop') {
    statements.clear();
    database.close();
    port.close();
    return;
  }
  try {
    // IMMEDIATE: the write lock from the start, so a retention pass running on the main connection makes this wait
    // (busy timeout) instead of failing the batch half-way with SQLITE_BUSY.
    database.exec('BEGIN IMMEDIATE');
    for (const { text, parameters } of command.statements) prepared(text).run(...parameters);
    database.exec('COMMIT');
    port.postMessage({ type: 'committed', id: command.id } satisfies LogFileWriterReply);
  } catch (error) {
    if (database.isTransaction) database.exec('ROLLBACK');
    const { message, code } = error as { message: string; code?: unknown };
    port.postMessage({ type: 'failed', id: command.id, message, code: typeof code === 'string' ? code : undefined } satisfies LogFileWriterReply);
  }
});
