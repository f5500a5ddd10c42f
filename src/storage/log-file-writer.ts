/**
 * The provisioning log's writer thread (src/storage/log-file-writer-worker.ts): its own connection to the log's file
 * (src/storage/provisioning-log-file.ts), so that executing the log's INSERTs and COMMITs — ~0.9 s of a
 * 200,000-user full sync — happens on the other core, beside the engine's thread.
 *
 * What crosses to the thread is each batch's statements as text and flat parameter lists (strings, numbers,
 * nulls): rows, not the engine's entry objects, whose structured clone cost more than the inserts it would move
 * (measured: 2.7 s more CPU per 200,000 entries; posting the rows: ~0.2 s).
 *
 * Invariants:
 * - `write` resolves once its batch has committed, and rejects when it failed (the batch rolled back as a whole):
 *   a caller that awaits a write reads its rows back, as with a write on the store's own connection. The engine
 *   keeps a bounded number of writes in flight instead of awaiting each at once (synchronization-cycle.ts).
 * - Batches commit in the order they were written.
 * - The thread starts with the first write, keeps the process alive only while a batch is in flight, and `stop()`
 *   joins it after the batches written before it, before the store closes its own connection.
 * - If the thread ends unasked, every batch in flight and every later write rejects with ERR_STORE_UNAVAILABLE.
 */
import { Worker } from 'node:worker_threads';
import { CloudsyncError } from '../errors/index.ts';
import type { BulkStatement } from './bulk-insert.ts';
import type { Bindable, LogFileWriterCommand, LogFileWriterReply, LogFileWriterWorkerData } from './log-file-writer-worker.ts';

/** How long (ms) `stop()` waits for the batches in flight and the thread's close before terminating it. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * The least a batch waits (ms) for the log file's write lock. Another connection takes it for the retention pass
 * (the store's own, `DELETE … WHERE activity_date_time < …` tenant by tenant), which on a large log holds it for
 * seconds; when that pass shared the engine's connection it simply ran between two batches, and a batch failing
 * after the store's usual 5 s would now fail the cycle instead. Waiting costs the engine nothing until its log
 * writes in flight are all waiting.
 */
const MIN_LOCK_WAIT_MS = 120_000;

export interface LogFileWriter {
  /** Runs `statements` as one transaction on the thread; settles once it committed or rolled back. */
  write(statements: Iterable<BulkStatement>): Promise<void>;
  /** The batches written so far committed (or failed), the connection closed, the thread joined. Idempotent. */
  stop(): Promise<void>;
}

interface InFlight {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export function startLogFileWriter(file: string, options: { readonly busyTimeoutMs: number }): LogFileWriter {
  let thread: WriterThread | undefined;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  return {
    write(statements) {
      if (stopping) return Promise.reject(new TypeError('the provisioning log writer is stopped'));
      try {
        // Started on the first write: a CLI command that opens the store and reads never pays for a thread.
        thread ??= startThread(file, options.busyTimeoutMs);
      } catch (error) {
        return Promise.reject(new CloudsyncError('ERR_STORE_UNAVAILABLE', `cannot start the provisioning log's writer thread: ${(error as Error).message}`, { cause: error, details: { file } }));
      }
      return thread.write(statements);
    },
    stop() {
      stopping = true;
      stopped ??= thread === undefined ? Promise.resolve() : thread.stop();
      return stopped;
    },
  };
}

interface WriterThread {
  write(statements: Iterable<BulkStatement>): Promise<void>;
  stop(): Promise<void>;
}

function startThread(file: string, busyTimeoutMs: number): WriterThread {
  const workerData: LogFileWriterWorkerData = { file, busyTimeoutMs: Math.max(busyTimeoutMs, MIN_LOCK_WAIT_MS) };
  const worker = new Worker(new URL('./log-file-writer-worker.ts', import.meta.url), {
    workerData,
    name: 'cloudsync-log-writer',
    // None of the process's flags (--cpu-prof, --inspect, --import hooks) belong to this thread.
    execArgv: [],
    // A batch of a thousand entries is ~1 MB of parameters, but one write can be far bigger (a sweep's staged
    // deletions are one write): the same old-space cap as the service's own thread (bin/cloudsync.js), so a write
    // the engine's thread could build, this one can take.
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  const inFlight = new Map<number, InFlight>();
  let nextId = 1;
  let ended: Error | undefined;
  let stopping = false;

  const release = () => {
    if (inFlight.size === 0) worker.unref();
  };
  worker.on('message', (reply: LogFileWriterReply) => {
    const waiting = inFlight.get(reply.id);
    if (waiting === undefined) return;
    inFlight.delete(reply.id);
    release();
    if (reply.type === 'committed') waiting.resolve();
    else {
      waiting.reject(
        new CloudsyncError('ERR_STORE_UNAVAILABLE', `cannot write the provisioning log (${file}): ${reply.message}`, {
          details: { file, ...(reply.code === undefined ? {} : { sqliteCode: reply.code }) },
        }),
      );
    }
  });
  // Without a listener an error thrown in the thread would be rethrown here and end the process; its end is
  // what matters, below.
  worker.on('error', (error) => {
    ended ??= error;
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      const cause = ended;
      ended = new CloudsyncError('ERR_STORE_UNAVAILABLE', `the provisioning log's writer thread ended${stopping ? '' : ' unexpectedly'}`, {
        ...(cause === undefined ? {} : { cause }),
        details: { file },
      });
      for (const waiting of inFlight.values()) waiting.reject(ended);
      inFlight.clear();
      resolve();
    });
  });
  // After the 'message' listener: adding one refs the worker again (Node), which would keep an idle process alive.
  worker.unref();

  return {
    write(statements) {
      if (ended !== undefined) return Promise.reject(ended);
      // Everything inside the executor: a throw (a row of the wrong width, a value the clone refuses) rejects.
      return new Promise<void>((resolve, reject) => {
        const command: LogFileWriterCommand = {
          type: 'batch',
          id: nextId++,
          // Rows hold strings, numbers and nulls (provisioning-log-row.ts); the clone checks the rest.
          statements: [...statements] as { text: string; parameters: Bindable[] }[],
        };
        inFlight.set(command.id, { resolve, reject });
        worker.ref();
        try {
          worker.postMessage(command);
        } catch (error) {
          // nothing was posted: misuse by our own code
          inFlight.delete(command.id);
          release();
          throw error;
        }
      });
    },
    async stop() {
      stopping = true;
      worker.ref();
      // Commands are handled in order: the stop comes after every batch already posted.
      worker.postMessage({ type: 'stop' } satisfies LogFileWriterCommand);
      const timeout = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timeout);
    },
  };
}
