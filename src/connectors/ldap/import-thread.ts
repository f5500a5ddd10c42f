/**
 * The import thread's entry point (a worker_threads Worker started by threaded-import.ts): builds the connector
 * its spec describes, runs one fullImport or deltaImport, and posts the batches to the main thread.
 *
 * What runs here instead of on the main thread: ldapts' BER decoding of every search result entry and our
 * normalisation of it (normalizeEntry: attribute syntaxes, generalized times, deferred attributes, ranged member
 * completion) — ~4–5 s of CPU for a 200,000-user OpenLDAP full import, more for Samba.
 *
 * Protocol (one import per thread, then the thread ends):
 * - thread → main: `batch` (in import order), then exactly one of `end` or `error`.
 * - A batch crosses as v8.serialize() bytes whose buffer is transferred (moved, not copied), deserialized by the
 *   main thread with v8.deserialize(). Not as a structured-clone message: Node's message deserializer cost the
 *   main thread ~22 ms per 1,000 OpenLDAP users (4.4 s of main-thread time for 200,000, as much as the parsing
 *   this thread exists to take away), v8.deserialize ~4 ms. Same format, same fidelity: strings, numbers,
 *   bigint, Date, Uint8Array (as Uint8Array), arrays and records come back field for field.
 * - main → thread: `credit`, one per batch the consumer has taken. The thread starts with
 *   IMPORT_THREAD_CREDITS and waits when it has none, so at most that many batches are posted and not yet taken
 *   (each is a structured-clone copy on the main heap).
 *
 * Invariants:
 * - A CloudsyncError crosses as its fields (code, message, path, position, details), so that the main thread
 *   rebuilds the same error: the engine's quarantine policy keys on the code.
 * - The connector's LDAP session is closed before `end`/`error` is posted, so that a thread the main side
 *   terminates afterwards has nothing left open. A termination before that (abort, early stop) drops the socket
 *   with the thread: the server sees a closed connection, as after a network failure.
 */
import { serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { CloudsyncError } from '../../errors/index.ts';
import type { ErrorCode } from '../../errors/index.ts';
import type { Watermark } from '../source-connector.ts';
import { createLdapConnector, type LdapConnectorSpec } from './ldap-connector-spec.ts';

/** What the main thread hands the import thread (worker data: copied by the structured clone algorithm). */
export interface ImportThreadData {
  readonly spec: LdapConnectorSpec;
  readonly operation: { readonly kind: 'fullImport' } | { readonly kind: 'deltaImport'; readonly watermark: Watermark };
  /** ImportOptions without the signal (an AbortSignal cannot cross threads; the main side terminates instead). */
  readonly options: { readonly batchSize?: number; readonly maxInlineValues?: number; readonly withAttributes?: readonly string[] };
  /** Batches the thread may post before the consumer has taken any. */
  readonly credits: number;
}

/** An error as it crosses the thread boundary. */
export type ThreadError =
  | {
    readonly kind: 'cloudsync';
    readonly code: ErrorCode;
    readonly message: string;
    readonly path?: string;
    readonly position?: number;
    readonly details?: Record<string, unknown>;
    readonly stack?: string;
  }
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly stack?: string };

export type ImportThreadMessage =
  /** An ImportBatch, v8.serialize()d. */
  | { readonly type: 'batch'; readonly bytes: Uint8Array }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly error: ThreadError };

export type ImportThreadCommand = { readonly type: 'credit' };

function threadError(error: unknown): ThreadError {
  if (error instanceof CloudsyncError) {
    return {
      kind: 'cloudsync',
      code: error.code,
      message: error.message,
      ...(error.path === undefined ? {} : { path: error.path }),
      ...(error.position === undefined ? {} : { position: error.position }),
      ...(error.details === undefined ? {} : { details: { ...error.details } }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  if (error instanceof Error) return { kind: 'error', name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) };
  return { kind: 'error', name: 'Error', message: String(error) };
}

function post(message: ImportThreadMessage): void {
  try {
    parentPort!.postMessage(message, message.type === 'batch' ? [message.bytes.buffer as ArrayBuffer] : []);
  } catch (cloneFailure) {
    // Only an error's `details` can hold something the structured clone algorithm refuses (a function, a class
    // instance with private state): send the error without them rather than lose its code.
    if (message.type !== 'error' || message.error.kind !== 'cloudsync' || message.error.details === undefined) throw cloneFailure;
    const { details: _dropped, ...rest } = message.error;
    parentPort!.postMessage({ type: 'error', error: rest } satisfies ImportThreadMessage);
  }
}

if (parentPort === null) throw new TypeError('import-thread.ts is a worker entry point; start it with threaded-import.ts');
const port = parentPort;
const data = workerData as ImportThreadData;
let credits = data.credits;
let creditArrived: (() => void) | undefined;
port.on('message', (command: ImportThreadCommand) => {
  if (command.type !== 'credit') return;
  credits++;
  creditArrived?.();
});

let outcome: ImportThreadMessage = { type: 'end' };
let connector: ReturnType<typeof createLdapConnector> | undefined;
try {
  connector = createLdapConnector(data.spec);
  const batches = data.operation.kind === 'fullImport' ? connector.fullImport(data.options) : connector.deltaImport(data.operation.watermark, data.options);
  for await (const batch of batches) {
    while (credits === 0) await new Promise<void>((resolve) => { creditArrived = resolve; });
    creditArrived = undefined;
    credits--;
    // v8.serialize's buffer is its own, exactly sized (never Node's shared pool), so it can be transferred.
    post({ type: 'batch', bytes: serialize(batch) });
  }
} catch (error) {
  outcome = { type: 'error', error: threadError(error) };
}
// A failing close (the server already gone) changes nothing about the import's outcome.
await connector?.close().catch(() => undefined);
post(outcome);
// The credit listener is what would keep this thread alive; without it the thread ends once the message is out
// (close() would drop messages still queued). The main side may also terminate it from here on.
port.removeAllListeners('message');
port.unref();
