/**
 * The embedded store keeps the provisioning log in its own file, provisioning-log.db (0600), attached to the
 * store's connection: a fresh data directory gets it there, and one from before (the log inside cloudsync.db) has
 * its log moved on open, rows and indexes, nothing lost or doubled, also when an earlier move was cut short.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { ProvisioningLogEntry } from '../../src/engine/index.ts';
import { SqlProvisioningLog } from '../../src/provisioning-logs/index.ts';
import { openStore, PROVISIONING_LOG_FILE_NAME, SQLITE_FILE_NAME } from '../../src/storage/index.ts';
import { migrationProvider } from '../../src/storage/migrations/index.ts';
import { adaptNodeSqlite, openNodeSqlite } from '../../src/storage/node-sqlite-database.ts';

const dir = mkdtempSync(join(tmpdir(), 'cloudsync-log-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function entry(i: number): ProvisioningLogEntry {
  const dn = `CN=user${i},OU=Users,DC=corp,DC=example,DC=com`;
  return {
    id: `entry-${String(i).padStart(5, '0')}`,
    cycleId: 'cycle-1',
    configurationId: 'tenant-a/job-1',
    activityDateTime: new Date(Date.UTC(2026, 10, 24, 12, 0, 0, i)).toISOString(),
    action: 'Create',
    status: 'Success',
    steps: [{ name: 'export', status: 'Success', description: `Created user cloud-${i}` }],
    modifiedProperties: [{ displayName: 'displayName', oldValue: null, newValue: `user${i}` }],
    sourceIdentity: { id: `anchor-${i}`, type: 'user', displayName: `user${i}`, dn },
    targetIdentity: { id: `cloud-${i}`, type: 'user' },
    errorCode: null,
    errorMessage: null,
  };
}

/** The tables and indexes of one SQLite file, by name. */
function objectsIn(file: string): string[] {
  const database = new DatabaseSync(file, { readOnly: true });
  try {
    return database.prepare("SELECT name FROM sqlite_schema WHERE name LIKE '%provisioning_logs%' ORDER BY name").all().map((r) => String(r['name']));
  } finally {
    database.close();
  }
}

function countIn(file: string): number {
  const database = new DatabaseSync(file, { readOnly: true });
  try {
    return Number(database.prepare('SELECT count(*) AS n FROM provisioning_logs').get()!['n']);
  } finally {
    database.close();
  }
}

/** A data directory as the store made it before the log had its own file: every migration, the log in cloudsync.db. */
async function olderDataDirectory(name: string, entries: number): Promise<string> {
  const data = join(dir, name);
  mkdirSync(data);
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: adaptNodeSqlite(openNodeSqlite(join(data, SQLITE_FILE_NAME), { busyTimeoutMs: 5000 })) }) });
  try {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error !== undefined) throw error;
    await new SqlProvisioningLog({ db, dialect: 'sqlite' }).write(Array.from({ length: entries }, (_, i) => entry(i)));
  } finally {
    await db.destroy();
  }
  return data;
}

const LOG_OBJECTS = [
  'ix_provisioning_logs_job',
  'ix_provisioning_logs_source',
  'ix_provisioning_logs_status',
  'ix_provisioning_logs_time',
  'provisioning_logs',
  'sqlite_autoindex_provisioning_logs_1',
];

describe('the provisioning log file', () => {
  test('a fresh data directory keeps the log in provisioning-log.db (0600), where written entries land and are read', async () => {
    const data = join(dir, 'fresh');
    const store = await openStore({ dataDir: data });
    try {
      const log = new SqlProvisioningLog(store);
      await log.write([entry(1), entry(2)]);
      const page = await log.list('tenant-a', { top: 10 });
      assert.deepEqual(page.items.map((e) => e.id), ['entry-00002', 'entry-00001']);
      assert.deepEqual(objectsIn(join(data, PROVISIONING_LOG_FILE_NAME)), LOG_OBJECTS);
      assert.deepEqual(objectsIn(join(data, SQLITE_FILE_NAME)), []);
      assert.equal(countIn(join(data, PROVISIONING_LOG_FILE_NAME)), 2);
      assert.equal(statSync(join(data, PROVISIONING_LOG_FILE_NAME)).mode & 0o777, 0o600);
    } finally {
      await store.close();
    }
  });

  test('an older data directory has its log moved on open: every entry, the indexes, and the old table gone', async () => {
    const data = await olderDataDirectory('older', 1200);
    assert.equal(countIn(join(data, SQLITE_FILE_NAME)), 1200);
    for (let open = 1; open <= 2; open++) {
      const store = await openStore({ dataDir: data });
      try {
        const log = new SqlProvisioningLog(store);
        const first = await log.list('tenant-a', { top: 999 });
        assert.equal(first.items[0]!.id, open === 1 ? 'entry-01199' : 'entry-05000', `open ${open}: newest first`);
        assert.deepEqual(await log.get('tenant-a', 'entry-00007'), { ...entry(7), tenantId: 'tenant-a', jobId: 'job-1', servicePrincipal: null });
        await log.write([entry(5000)]);
      } finally {
        await store.close();
      }
      assert.deepEqual(objectsIn(join(data, SQLITE_FILE_NAME)), [], `open ${open}: nothing left in cloudsync.db`);
      assert.deepEqual(objectsIn(join(data, PROVISIONING_LOG_FILE_NAME)), LOG_OBJECTS);
      assert.equal(countIn(join(data, PROVISIONING_LOG_FILE_NAME)), 1201, `open ${open}: every entry once`);
    }
  });

  test('a move cut short after its copy committed (the old table still there) is completed without doubling', async () => {
    const data = await olderDataDirectory('interrupted', 300);
    // what the copy's transaction leaves in the log file when the process dies before the old table is dropped,
    // here with only part of the rows (as if more had been logged in between)
    const log = new DatabaseSync(join(data, PROVISIONING_LOG_FILE_NAME));
    const main = new DatabaseSync(join(data, SQLITE_FILE_NAME), { readOnly: true });
    log.exec(String(main.prepare("SELECT sql FROM sqlite_schema WHERE name = 'provisioning_logs'").get()!['sql']));
    const insert = log.prepare('INSERT INTO provisioning_logs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const row of main.prepare('SELECT * FROM provisioning_logs ORDER BY id LIMIT 100').all()) insert.run(...(Object.values(row) as (string | null)[]));
    main.close();
    log.close();
    const store = await openStore({ dataDir: data });
    try {
      assert.equal((await new SqlProvisioningLog(store).list('tenant-a', { top: 999 })).items.length, 300);
    } finally {
      await store.close();
    }
    assert.equal(countIn(join(data, PROVISIONING_LOG_FILE_NAME)), 300);
    assert.deepEqual(objectsIn(join(data, SQLITE_FILE_NAME)), []);
  });

  test("a batch waits for another connection's write lock on the log (a retention pass) longer than the store's busy timeout", async () => {
    const data = join(dir, 'locked');
    const store = await openStore({ dataDir: data, busyTimeoutMs: 200 });
    const other = new DatabaseSync(join(data, PROVISIONING_LOG_FILE_NAME));
    try {
      const log = new SqlProvisioningLog(store);
      await log.write([entry(1)]);
      other.exec('BEGIN IMMEDIATE');
      other.exec("DELETE FROM provisioning_logs WHERE id = 'entry-00001'");
      const writing = log.write([entry(2), entry(3)]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      other.exec('COMMIT');
      await writing;
      assert.deepEqual((await log.list('tenant-a', { top: 10 })).items.map((e) => e.id), ['entry-00003', 'entry-00002']);
    } finally {
      if (other.isTransaction) other.exec('ROLLBACK');
      other.close();
      await store.close();
    }
  });
});
