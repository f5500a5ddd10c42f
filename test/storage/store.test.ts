import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CloudsyncError } from '../../src/errors/index.ts';
import { MIGRATIONS, openStore, SQLITE_FILE_NAME } from '../../src/storage/index.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { BACKENDS } from './backends.ts';

for (const backend of BACKENDS) {
  describe(`store [${backend.name}]`, () => {
    it('opens migrated to the latest schema, with every migration recorded', async () => {
      const { store, dispose } = await backend.open();
      try {
        assert.equal(store.dialect, backend.name);
        const tables = await store.db.introspection.getTables();
        const names = tables.map((t) => t.name);
        for (const table of ['tenants', 'directory_objects', 'smtp_addresses', 'memberships', 'changes', 'extension_properties', 'domains', 'client_secrets', 'signing_keys']) {
          assert.ok(names.includes(table), `table ${table}`);
        }
        const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(store.db);
        assert.deepEqual(applied.rows.map((r) => r.name), Object.keys(MIGRATIONS).sort());
      } finally {
        await dispose();
      }
    });

    it('enforces the unique indexes the directory relies on, only among live objects', async () => {
      const { store, dispose } = await backend.open();
      try {
        await store.db.insertInto('tenants').values({ id: 't', name: 't', organization: '{}', change_seq: 0, change_floor: 0, created_at: 'now' }).execute();
        const row = { tenant_id: 't', type: 'user', display_name: '', immutable_id: null, app_id: null, sync_enabled: 0, created_at: 'now', deleted_at: null, data: '{}' };
        await store.db.insertInto('directory_objects').values({ ...row, id: '1', upn_key: 'a@x' }).execute();
        await assert.rejects(store.db.insertInto('directory_objects').values({ ...row, id: '2', upn_key: 'a@x' }).execute());
        await store.db.updateTable('directory_objects').set({ deleted_at: 'then' }).where('id', '=', '1').execute();
        await store.db.insertInto('directory_objects').values({ ...row, id: '2', upn_key: 'a@x' }).execute();
      } finally {
        await dispose();
      }
    });
  });
}

describe('store [sqlite file]', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-sqlite-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data across reopen, in WAL mode with foreign keys on', async () => {
    const first = await openStore({ dataDir: join(dir, 'nested', 'data') });
    await first.db.insertInto('tenants').values({ id: 't', name: 't', organization: '{}', change_seq: 0, change_floor: 0, created_at: 'now' }).execute();
    const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(first.db);
    assert.equal(mode.rows[0]?.journal_mode, 'wal');
    const fk = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(first.db);
    assert.equal(fk.rows[0]?.foreign_keys, 1);
    await assert.rejects(
      first.db
        .insertInto('directory_objects')
        .values({ tenant_id: 'missing', id: 'x', type: 'user', display_name: '', upn_key: null, immutable_id: null, app_id: null, sync_enabled: 0, created_at: 'now', deleted_at: null, data: '{}' })
        .execute(),
    );
    await first.close();
    assert.ok(existsSync(join(dir, 'nested', 'data', SQLITE_FILE_NAME)));
    const second = await openStore({ dataDir: join(dir, 'nested', 'data') });
    assert.equal((await second.db.selectFrom('tenants').selectAll().execute()).length, 1);
    await second.close();
  });

  it('creates databases with 16 KiB pages, and opens and migrates an older 4 KiB one as it is', async () => {
    const fresh = await openStore({ dataDir: join(dir, 'fresh') });
    const pageSize = async (db: typeof fresh.db) => (await sql<{ page_size: number }>`PRAGMA page_size`.execute(db)).rows[0]?.page_size;
    assert.equal(await pageSize(fresh.db), 16384);
    await fresh.close();
    mkdirSync(join(dir, 'older'));
    const older = new DatabaseSync(join(dir, 'older', SQLITE_FILE_NAME));
    older.exec('PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE kept (x text)');
    older.close();
    const store = await openStore({ dataDir: join(dir, 'older') });
    assert.equal(await pageSize(store.db), 4096);
    await store.db.insertInto('tenants').values({ id: 't', name: 't', organization: '{}', change_seq: 0, change_floor: 0, created_at: 'now' }).execute();
    assert.equal((await store.db.selectFrom('tenants').selectAll().execute()).length, 1);
    await store.close();
  });

  it('lets several processes write one data directory (WAL, busy timeout, write-first transactions)', async () => {
    const shared = join(dir, 'shared'); // fresh: the three processes also race to create and migrate it
    const script = fileURLToPath(new URL('./fixtures/sqlite-writer.ts', import.meta.url));
    const run = (tag: string) =>
      new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [script, shared, tag], (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim())));
      });
    assert.deepEqual(await Promise.all([run('a'), run('b'), run('c')]), ['150', '150', '150']);
    const store = await openStore({ dataDir: shared });
    const users = await store.db.selectFrom('directory_objects').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'user').executeTakeFirst();
    assert.equal(Number(users?.n), 450);
    await store.close();
  });

  it('misuse is a TypeError; an unreachable PostgreSQL is ERR_STORE_UNAVAILABLE', async () => {
    await assert.rejects(openStore({ databaseUrl: 'mysql://x' }), TypeError);
    await assert.rejects(openStore({} as { dataDir: string }), TypeError);
    await assert.rejects(openStore({ databaseUrl: 'postgres://nobody:secret@127.0.0.1:1/none' }), (error: unknown) => {
      assert.ok(error instanceof CloudsyncError);
      assert.equal(error.code, 'ERR_STORE_UNAVAILABLE');
      assert.equal(error.message.includes('secret'), false, 'the password is not shown');
      return true;
    });
  });
});

after(() => stopPostgres());
