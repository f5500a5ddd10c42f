/**
 * The WAL checkpointer: a worker thread (src/storage/wal-checkpointer-worker.ts) with its own connection that
 * copies the SQLite store's write-ahead log back into the database file, instead of the main connection.
 *
 * https://www.sqlite.org/wal.html#automatic_checkpoint — "By default, SQLite will automatically checkpoint
 * whenever a COMMIT occurs that causes the WAL file to be 1000 pages or more in size". That checkpoint runs inside
 * the committing statement, i.e. synchronously on the service's main thread: ~6 s of a 60 s 200,000-user full
 * sync went into copying pages and fsyncing the database file there. The thread does that work beside it; the
 * main connection keeps a far higher automatic checkpoint as a backstop, so that a starved or dead thread still
 * cannot let the WAL grow without bound.
 *
 * Invariants:
 * - Only PASSIVE checkpoints: the writer is never blocked or made to wait, readers keep their snapshots (a
 *   checkpoint copies no frame newer than the oldest snapshot still in use, so a long reader just delays it).
 * - The thread never keeps the process alive (unref) and never ends it: its failures are retried there, an
 *   unexpected end of the thread hands checkpoints back to the main connection at SQLite's default.
 * - `stop()` joins the thread after its last checkpoint and before the store closes its own connection.
 * - Every process opening the data directory runs its own thread; their checkpoints exclude each other through
 *   SQLite's checkpoint lock (the loser sees `busy` and tries again on its next tick).
 */
import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import type { WalCheckpointerCommand, WalCheckpointerWorkerData } from './wal-checkpointer-worker.ts';

/**
 * How often (ms) the thread looks at the wal-index, while commits come, to see how far the WAL is ahead of the
 * database file. Polling, rather than a message from the main thread after each commit: the look is one 100-byte
 * read of `<file>-shm`, it costs the main thread nothing on its hot path (Kysely's COMMIT goes through our adapter
 * as a plain statement), and it also sees commits of other processes sharing the data directory.
 * Short, because the WAL restarts only if the thread has copied every frame before the writer's next transaction
 * begins: a full sync commits every ~150 ms, and every gap the thread misses lets the WAL grow on towards the
 * backstop, where the main thread copies a transaction's worth of frames again. Measured (200,000 users, a
 * machine at load 7–12): with 100 ms or 25 ms the main thread spent 5–10 s in COMMIT instead of 18–22 s; the WAL
 * peaked at 5,500–11,200 frames either way, so some runs still reached the backstop — the load made the two
 * intervals indistinguishable, and 25 ms is the one that can see each gap. Its cost, 40 wake-ups a second, is
 * paid only while commits come (see the idle interval below).
 */
export const WAL_CHECKPOINT_POLL_INTERVAL_MS = 25;

/**
 * How often (ms) the thread looks once no commit came for WAL_CHECKPOINT_IDLE_AFTER_MS: an idle service's thread
 * then wakes 4 times a second instead of 40.
 */
export const WAL_CHECKPOINT_IDLE_POLL_INTERVAL_MS = 250;

/** Milliseconds without a commit (seen by the thread) after which it looks at the idle interval. */
export const WAL_CHECKPOINT_IDLE_AFTER_MS = 1000;

/**
 * WAL bytes committed but not yet in the database file before the thread checkpoints: SQLite's own default
 * automatic-checkpoint size (1000 pages) at its default 4 KiB page, so the database file sees the same write pattern
 * as before, only off the main thread. Smaller would fsync the database file more often for the same pages; larger
 * keeps a bigger WAL (every reader searches it through the wal-index) and rewrites no fewer pages on an
 * append-heavy sync. In bytes, not frames: the store's databases have 16 KiB pages now (older ones 4 KiB), and
 * 1000 frames of 16 KiB would have let the WAL grow four times as far.
 */
export const WAL_CHECKPOINT_THRESHOLD_BYTES = 1000 * 4096;

/**
 * The WAL bytes at which the main connection's automatic checkpoint (`PRAGMA wal_autocheckpoint`, set in pages of
 * the database's size) runs while the thread runs: ten times the thread's threshold (~40 MB). Not 0: it is what
 * bounds the WAL when the thread falls behind (two busy cores) or dies, and what restarts the WAL when back-to-back
 * transactions never leave the thread a moment in which every frame is backfilled.
 */
export const WAL_AUTOCHECKPOINT_BACKSTOP_BYTES = 10 * WAL_CHECKPOINT_THRESHOLD_BYTES;

/** SQLite's default automatic checkpoint (pages), restored on the main connection if the thread ends unasked. */
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/** The thread's threshold and the main connection's backstop in frames (pages) of a database's page size. */
export function walCheckpointFrames(pageSize: number): { readonly thresholdFrames: number; readonly backstopFrames: number } {
  if (!Number.isInteger(pageSize) || pageSize < 512) throw new TypeError(`${pageSize} is not a SQLite page size`);
  return {
    thresholdFrames: Math.max(1, Math.round(WAL_CHECKPOINT_THRESHOLD_BYTES / pageSize)),
    backstopFrames: Math.max(1, Math.round(WAL_AUTOCHECKPOINT_BACKSTOP_BYTES / pageSize)),
  };
}

/**
 * How long (ms) `stop()` waits for the thread's last checkpoint before terminating it. Generous: the last
 * checkpoint copies at most the backstop's ~40 MB. Terminating is safe at any point — it interrupts JavaScript,
 * not a running SQLite call, and a checkpoint cut short leaves its frames in the WAL.
 */
const STOP_TIMEOUT_MS = 10_000;

export interface WalCheckpointer {
  /** Last checkpoint, connection closed, thread joined. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the thread for the SQLite database `file`, whose open main connection is `database` (already in WAL
 * mode). Call after the store's migrations, so the thread never competes with them for the file.
 */
export function startWalCheckpointer(database: DatabaseSync, file: string): WalCheckpointer {
  const pageSize = Number((database.prepare('PRAGMA page_size').get() as { page_size: number | bigint }).page_size);
  const { thresholdFrames, backstopFrames } = walCheckpointFrames(pageSize);
  database.exec(`PRAGMA wal_autocheckpoint = ${backstopFrames}`);
  const workerData: WalCheckpointerWorkerData = {
    file,
    pollIntervalMs: WAL_CHECKPOINT_POLL_INTERVAL_MS,
    idlePollIntervalMs: WAL_CHECKPOINT_IDLE_POLL_INTERVAL_MS,
    idleAfterMs: WAL_CHECKPOINT_IDLE_AFTER_MS,
    thresholdFrames,
  };
  const worker = new Worker(new URL('./wal-checkpointer-worker.ts', import.meta.url), {
    workerData,
    name: 'cloudsync-wal-checkpointer',
    // None of the process's flags (--cpu-prof, --inspect, --import hooks) belong to this thread.
    execArgv: [],
    // The thread holds a timer, a file descriptor and one connection; a small heap keeps it out of the
    // service's 512 MB budget.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  worker.unref();
  let stopping = false;
  let online = false;
  worker.once('online', () => {
    online = true;
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      try {
        if (!stopping && database.isOpen) database.exec(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
      } catch {
        // the connection is closing concurrently: nothing left to checkpoint for
      }
      resolve();
    });
  });
  // Without a listener an error thrown in the thread would be rethrown here and end the process; the thread's
  // end ('exit', above) is all that matters to the store.
  worker.on('error', () => {});
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        // The process stays up until the thread has checkpointed and closed its connection.
        worker.ref();
        if (!online) {
          // A thread still starting has opened nothing and copied nothing: no last checkpoint to wait for.
          await worker.terminate();
          return;
        }
        worker.postMessage({ type: 'stop' } satisfies WalCheckpointerCommand);
        const timeout = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timeout);
      })();
      return stopped;
    },
  };
}
