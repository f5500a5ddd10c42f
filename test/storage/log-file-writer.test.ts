/**
 * The provisioning log's writer thread against a real SQLite file: each batch is one transaction, committed in
 * order and readable once its write resolves; a failing batch keeps nothing, says which file and why, and the next
 * one still commits; stop() lets the batches in flight finish.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudsyncError } from '../../src/errors/index.ts';
import { bulkInsertStatements, type BulkInsert } from '../../src/storage/bulk-insert.ts';
import { startLogFileWriter } from '../../src/storage/log-file-writer.ts';
import { PROVISIONING_LOG_FILE_NAME } from '../../src/storage/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'cloudsync-log-writer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const INSERT: BulkInsert = { table: 'entries', columns: ['id', 'batch', 'text'], onConflictDoNothing: ['id'] };

function freshFile(name: string): string {
  const file = join(dir, name);
  const database = new DatabaseSync(file);
  database.exec("PRAGMA journal_mode = WAL; CREATE TABLE entries (id text PRIMARY KEY, batch integer NOT NULL, text text NOT NULL)");
  database.close();
  return file;
}

function rowsOf(file: string): { id: string; batch: number }[] {
  const database = new DatabaseSync(file, { readOnly: true });
  try {
    return database.prepare('SELECT id, batch FROM entries ORDER BY rowid').all().map((r) => ({ id: String(r['id']), batch: Number(r['batch']) }));
  } finally {
    database.close();
  }
}

/** `count` rows of batch `batch`; 700 rows make two statements (bulk-insert's 500 rows per statement). */
const batchOf = (batch: number, count: number, text: (i: number) => string | null = (i) => `entry ${i}`) =>
  Array.from({ length: count }, (_, i) => [`${batch}-${i}`, batch, text(i)]);

describe('log file writer', () => {
  test('batches written without waiting commit in order, each readable once its write resolves', async () => {
    const file = freshFile('order.db');
    const writer = startLogFileWriter(file, { busyTimeoutMs: 5000 });
    try {
      const writes = [1, 2, 3].map((batch) => writer.write(bulkInsertStatements('sqlite', INSERT, batchOf(batch, 700))));
      await writes[0];
      assert.ok(rowsOf(file).filter((r) => r.batch === 1).length === 700, 'batch 1 is readable once its write resolved');
      await Promise.all(writes);
      const rows = rowsOf(file);
      assert.equal(rows.length, 2100);
      assert.deepEqual([...new Set(rows.map((r) => r.batch))], [1, 2, 3], 'in the order written');
    } finally {
      await writer.stop();
    }
  });

  test('a batch that fails keeps none of its rows and names the file and the cause; the next batch commits', async () => {
    const file = freshFile('failure.db');
    const writer = startLogFileWriter(file, { busyTimeoutMs: 5000 });
    try {
      // row 600 is in the batch's second statement: the first one's 500 rows must go too
      const failing = writer.write(bulkInsertStatements('sqlite', INSERT, batchOf(1, 700, (i) => (i === 600 ? null : `entry ${i}`))));
      const next = writer.write(bulkInsertStatements('sqlite', INSERT, batchOf(2, 10)));
      await assert.rejects(failing, (error: unknown) => {
        assert.ok(error instanceof CloudsyncError);
        assert.equal(error.code, 'ERR_STORE_UNAVAILABLE');
        assert.ok(error.message.includes(file), error.message);
        assert.match(error.message, /NOT NULL constraint failed: entries\.text/);
        return true;
      });
      await next;
      assert.deepEqual([...new Set(rowsOf(file).map((r) => r.batch))], [2]);
      assert.equal(rowsOf(file).length, 10);
    } finally {
      await writer.stop();
    }
  });

  test('stop() lets the batches in flight commit; a write after it is misuse', async () => {
    const file = freshFile('stop.db');
    const writer = startLogFileWriter(file, { busyTimeoutMs: 5000 });
    const writes = [1, 2].map((batch) => writer.write(bulkInsertStatements('sqlite', INSERT, batchOf(batch, 300))));
    await writer.stop();
    await Promise.all(writes);
    assert.equal(rowsOf(file).length, 600);
    await assert.rejects(writer.write(bulkInsertStatements('sqlite', INSERT, batchOf(3, 1))), TypeError);
    await writer.stop(); // idempotent
  });

  test('the thread starts with the first write, ends with close(), and never holds a finished process open', async () => {
    const script = fileURLToPath(new URL('./fixtures/log-writer-process.ts', import.meta.url));
    const run = (data: string, mode: 'close' | 'leave') =>
      new Promise<{ before: number; opened: number; writing: number; closed?: number }>((resolve, reject) => {
        execFile(process.execPath, [script, data, '50', mode], { timeout: 30_000 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${mode}: ${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)));
      });
    const closed = await run(join(dir, 'process-close'), 'close');
    assert.equal(closed.opened, closed.before + 1, 'opening starts only the WAL checkpointer');
    assert.equal(closed.writing, closed.opened + 1, 'the first log write starts the writer thread');
    assert.equal(closed.closed, closed.before, 'close() joins both');
    // ends within the timeout only because an idle writer thread does not keep the process alive
    const data = join(dir, 'process-leave');
    await run(data, 'leave');
    const database = new DatabaseSync(join(data, PROVISIONING_LOG_FILE_NAME), { readOnly: true });
    try {
      assert.equal(Number(database.prepare('SELECT count(*) AS n FROM provisioning_logs').get()!['n']), 50);
    } finally {
      database.close();
    }
  });
});
