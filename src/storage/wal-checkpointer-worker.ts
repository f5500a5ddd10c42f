/**
 * The thread behind src/storage/wal-checkpointer.ts: its own node:sqlite connection to the store's file, which
 * copies committed WAL frames back into the database file so the service's main thread never does.
 *
 * https://www.sqlite.org/pragma.html#pragma_wal_checkpoint — "PASSIVE: Checkpoint as many frames as possible
 * without waiting for any database readers or writers to finish." It never blocks the writer, never invokes the
 * busy handler, and when it backfills every frame "the next writer [restarts] the WAL file from the beginning"
 * (https://www.sqlite.org/wal.html#checkpointing), which is what keeps the WAL file from growing.
 *
 * Imports only Node built-ins: the thread loads no project code, so it starts fast and its heap stays small.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

export interface WalCheckpointerWorkerData {
  /** The SQLite database file (its WAL is `<file>-wal`, its wal-index `<file>-shm`). */
  readonly file: string;
  /** Between looks at the wal-index while commits come. */
  readonly pollIntervalMs: number;
  /** Between looks once no commit came for `idleAfterMs`. */
  readonly idlePollIntervalMs: number;
  readonly idleAfterMs: number;
  /** Checkpoint once this many committed frames are not yet copied into the database file. */
  readonly thresholdFrames: number;
}

/** Messages from the main thread; `stop` asks for a last checkpoint, a closed connection and the thread's end. */
export type WalCheckpointerCommand = { readonly type: 'stop' };

/*
 * How far the WAL is ahead of the database file, read from the wal-index header in `<file>-shm`
 * (https://www.sqlite.org/walformat.html §2.2.1, "The WAL-Index Header"): the first WalIndexHdr keeps
 * `mxFrame` — "the index of the last valid frame in the WAL" — at byte 16, and the WalCkptInfo that follows the
 * two header copies keeps `nBackfill` — "the number of frames in the WAL that have already been backfilled into
 * the database" — at byte 96, both u32 in the host's byte order. The format is shared by every SQLite version
 * that opens the file concurrently, so it cannot change under us. Reading it costs one 100-byte pread; asking
 * SQLite instead (PRAGMA wal_checkpoint) would already be the checkpoint, with its two fsyncs, for a handful of
 * frames. The read takes no lock and may see a header mid-update: it only decides whether to try now, never
 * what to copy.
 */
const MX_FRAME_OFFSET = 16;
const N_BACKFILL_OFFSET = 96;
const HEADER_BYTES = 100;

const { file, pollIntervalMs, idlePollIntervalMs, idleAfterMs, thresholdFrames } = workerData as WalCheckpointerWorkerData;
const port = parentPort;
if (port === null) throw new TypeError('wal-checkpointer-worker.ts runs only as a worker thread (see wal-checkpointer.ts)');

const header = Buffer.alloc(HEADER_BYTES);
const readU32 = endianness() === 'LE' ? (at: number) => header.readUInt32LE(at) : (at: number) => header.readUInt32BE(at);
let shm: number | undefined;

interface WalProgress {
  /** Frames committed to the WAL (since its last restart). */
  readonly mxFrame: number;
  /** Of those, frames not yet copied into the database file. */
  readonly pending: number;
}

/** Undefined when the wal-index cannot be read (then the caller checkpoints anyway). */
function walProgress(): WalProgress | undefined {
  try {
    shm ??= openSync(`${file}-shm`, 'r');
    if (readSync(shm, header, 0, HEADER_BYTES, 0) < HEADER_BYTES) return undefined;
  } catch {
    return undefined;
  }
  const mxFrame = readU32(MX_FRAME_OFFSET);
  const nBackfill = readU32(N_BACKFILL_OFFSET);
  // Right after a restart mxFrame counts the new WAL from 1 while nBackfill may still show the old one's.
  return { mxFrame, pending: mxFrame >= nBackfill ? mxFrame - nBackfill : mxFrame };
}

let database: DatabaseSync | undefined;
let checkpoint: StatementSync | undefined;

/**
 * One PASSIVE checkpoint. Every failure is retried on a later tick and never ends the thread: a busy wal-index
 * (another connection running recovery, or another process's checkpoint — PASSIVE reports that one as `busy`,
 * not as an error) clears up by itself, and anything worse (a disk error, a removed file) also fails the main
 * connection's own statements, which report it; meanwhile the main connection's backstop checkpoint bounds the WAL.
 */
function checkpointNow(): void {
  try {
    if (database === undefined) {
      // mode=rw: never create the file (a data directory removed under a running store stays removed).
      // https://www.sqlite.org/uri.html — "mode=rw … the database is opened for reading and writing", not created.
      const uri = pathToFileURL(file);
      uri.searchParams.set('mode', 'rw');
      // No busy timeout: this thread waits for nobody, it tries again on the next tick.
      database = new DatabaseSync(uri, { timeout: 0 });
      // Checkpointing reads WAL frames and writes database pages directly, not through the page cache.
      database.exec('PRAGMA cache_size = -256');
      // NORMAL like the main connection; in WAL mode a checkpoint fsyncs the WAL before and the database after
      // copying either way, so a crash mid-checkpoint loses nothing (the frames stay in the WAL until reset).
      database.exec('PRAGMA synchronous = NORMAL');
      checkpoint = database.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    }
    checkpoint?.get();
  } catch {
    // A connection that failed to open is reopened on the next try; one that is open stays usable after an error.
    if (checkpoint === undefined) closeQuietly();
  }
}

function closeQuietly(): void {
  try {
    database?.close();
  } catch {
    // closing a connection that never opened fully: nothing to release
  }
  database = undefined;
  checkpoint = undefined;
}

/*
 * When to checkpoint: once `thresholdFrames` are pending, and also when frames are pending but no commit came
 * since the last tick. The WAL restarts from its beginning only when a write transaction starts while every frame
 * is backfilled, so a busy writer keeps appending however often the thread copies; a pause of one interval is the
 * moment to copy the rest, and the writer's next transaction then reuses the file. A writer that never pauses
 * runs into the main connection's backstop instead (see wal-checkpointer.ts).
 */
let lastMxFrame = -1;
let lastCommitSeenAt = performance.now();
let timer: NodeJS.Timeout | undefined;

function look(): void {
  const progress = walProgress();
  if (progress === undefined) {
    checkpointNow();
  } else {
    const quiet = progress.mxFrame === lastMxFrame;
    lastMxFrame = progress.mxFrame;
    if (!quiet) lastCommitSeenAt = performance.now();
    if (progress.pending >= thresholdFrames || (quiet && progress.pending > 0)) checkpointNow();
  }
  // An idle service looks less often; the first commit after a pause is seen one idle interval late at worst.
  timer = setTimeout(look, performance.now() - lastCommitSeenAt > idleAfterMs ? idlePollIntervalMs : pollIntervalMs);
}
timer = setTimeout(look, pollIntervalMs);

port.on('message', (command: WalCheckpointerCommand) => {
  if (command.type !== 'stop') return;
  clearTimeout(timer);
  // Whatever is still pending goes into the database file now, so the main connection's close (the last one
  // closes checkpoints the rest and deletes the WAL) has little left to copy on the main thread.
  checkpointNow();
  closeQuietly();
  if (shm !== undefined) closeSync(shm);
  // With the timer cleared and the port closed the thread's event loop is empty: the thread ends and the main
  // thread's 'exit' fires.
  port.close();
});
