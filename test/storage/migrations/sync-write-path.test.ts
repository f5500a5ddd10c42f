/**
 * Migrations 0012 (partial app-id index), 0013 (WITHOUT ROWID `changes` and `smtp_addresses` on SQLite) and 0014
 * (no index on `changes.changed_at` alone) on a database that already holds data: the store is taken back to 0011 (running both `down`s), filled, and migrated
 * forward again. The rows must survive, and the constraints the directory relies on must hold after each step.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { MIGRATIONS } from '../../../src/storage/index.ts';
import { migrationProvider } from '../../../src/storage/migrations/index.ts';
import { stopPostgres } from '../../harness/postgres.ts';
import { BACKENDS } from '../backends.ts';

const BEFORE = '0011-connector-space-inline-references';

async function migrate(db: Kysely<any>, to: string | 'latest'): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error } = to === 'latest' ? await migrator.migrateToLatest() : await migrator.migrateTo(to);
  if (error !== undefined) throw error;
}

/** Rows of the three tables, in a stable order. */
async function contents(db: Kysely<any>) {
  return {
    objects: await db.selectFrom('directory_objects').select(['id', 'type', 'app_id', 'upn_key']).orderBy('id').execute(),
    changes: (await db.selectFrom('changes').selectAll().orderBy('seq').execute()).map((row) => ({ ...row, seq: Number(row.seq) })),
    addresses: await db.selectFrom('smtp_addresses').selectAll().orderBy('address').execute(),
  };
}

for (const backend of BACKENDS) {
  describe(`migrations 0012–0014 on existing data [${backend.name}]`, () => {
    it('keep every row and every unique constraint, down and up', async () => {
      const { store, dispose } = await backend.open();
      const db = store.db as Kysely<any>;
      try {
        assert.ok(Object.keys(MIGRATIONS).includes('0014-changes-age-index'));
        await migrate(db, BEFORE);
        await db.insertInto('tenants').values({ id: 't', name: 't', organization: '{}', change_seq: 0, change_floor: 0, created_at: 'now' }).execute();
        const row = { tenant_id: 't', display_name: '', upn_key: null, immutable_id: null, sync_enabled: 0, created_at: 'now', deleted_at: null, data: '{}' };
        await db.insertInto('directory_objects').values([
          { ...row, id: 'u1', type: 'user', app_id: null, upn_key: 'a@x' },
          { ...row, id: 'u2', type: 'user', app_id: null, upn_key: 'b@x' },
          { ...row, id: 'a1', type: 'application', app_id: 'app-1' },
        ]).execute();
        await db.insertInto('changes').values([
          { tenant_id: 't', seq: 1, object_type: 'user', object_id: 'u1', kind: 'created', detail: null, changed_at: '2026-01-01T00:00:00.000Z' },
          { tenant_id: 't', seq: 2, object_type: 'user', object_id: 'u2', kind: 'created', detail: null, changed_at: '2026-01-01T00:00:01.000Z' },
          { tenant_id: 't', seq: 3, object_type: 'application', object_id: 'a1', kind: 'created', detail: '{"x":1}', changed_at: '2026-01-01T00:00:02.000Z' },
        ]).execute();
        await db.insertInto('smtp_addresses').values([
          { tenant_id: 't', address: 'a@x', object_id: 'u1' },
          { tenant_id: 't', address: 'b@x', object_id: 'u2' },
        ]).execute();
        const before = await contents(db);

        await migrate(db, 'latest');
        assert.deepEqual(await contents(db), before);
        // An app id stays unique across the directory; objects without one (users) are any number.
        await assert.rejects(db.insertInto('directory_objects').values({ ...row, id: 'a2', type: 'application', app_id: 'app-1' }).execute());
        await db.insertInto('directory_objects').values({ ...row, id: 'u3', type: 'user', app_id: null }).execute();
        // The primary keys still refuse duplicates.
        await assert.rejects(db.insertInto('changes').values({ tenant_id: 't', seq: 2, object_type: 'user', object_id: 'u3', kind: 'created', detail: null, changed_at: 'now' }).execute());
        await assert.rejects(db.insertInto('smtp_addresses').values({ tenant_id: 't', address: 'a@x', object_id: 'u3' }).execute());
        if (backend.name === 'sqlite') {
          const tables = await sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('changes', 'smtp_addresses') ORDER BY name`.execute(db);
          assert.deepEqual(tables.rows.map((t) => [t.name, /WITHOUT ROWID\s*$/i.test(t.sql)]), [['changes', true], ['smtp_addresses', true]]);
          const indexes = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('changes', 'smtp_addresses') AND sql IS NOT NULL ORDER BY name`.execute(db);
          assert.deepEqual(indexes.rows.map((i) => i.name), ['ix_changes_object', 'ix_changes_type', 'ix_smtp_addresses_object']);
        }
        const ageIndex = backend.name === 'sqlite'
          ? await sql`SELECT name FROM sqlite_master WHERE name = 'ix_changes_changed_at'`.execute(db)
          : await sql`SELECT indexname FROM pg_indexes WHERE indexname = 'ix_changes_changed_at'`.execute(db);
        assert.equal(ageIndex.rows.length, 0);
        // Only the application's row is in the app-id index now.
        const appIndex = backend.name === 'sqlite'
          ? (await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE name = 'ux_directory_objects_app_id'`.execute(db)).rows[0]?.sql
          : (await sql<{ sql: string }>`SELECT indexdef AS sql FROM pg_indexes WHERE indexname = 'ux_directory_objects_app_id'`.execute(db)).rows[0]?.sql;
        assert.match(appIndex ?? '', /app_id"?\)? IS NOT NULL/i);

        const latest = await contents(db);
        await migrate(db, BEFORE);
        assert.deepEqual(await contents(db), latest);
        await migrate(db, 'latest');
        assert.deepEqual(await contents(db), latest);
      } finally {
        await dispose();
      }
    });
  });
}

after(() => stopPostgres());
