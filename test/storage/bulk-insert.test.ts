import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { insertRows } from '../../src/storage/bulk-insert.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { BACKENDS } from './backends.ts';

after(() => stopPostgres());

const tenants = { table: 'tenants', columns: ['id', 'name', 'organization', 'change_seq', 'change_floor', 'created_at'] } as const;

for (const backend of BACKENDS) {
  describe(`bulk insert [${backend.name}]`, () => {
    it('stores every row with its values, across statement boundaries (1,234 rows of 6 columns)', async () => {
      const { store, dispose } = await backend.open();
      try {
        const rows = Array.from({ length: 1_234 }, (_, i) => [`t${i}`, `name${i}`, i % 2 === 0 ? '{}' : '{"x":"é"}', i, 0, 'now']);
        await insertRows(store.db, store.dialect, tenants, rows);
        const stored = await store.db.selectFrom('tenants').select(['id', 'name', 'organization', 'change_seq']).orderBy('change_seq').execute();
        assert.deepEqual(
          stored.map((r) => [r.id, r.name, r.organization, Number(r.change_seq)]),
          rows.map((r) => [r[0], r[1], r[2], r[3]]),
        );
      } finally {
        await dispose();
      }
    });

    it('commits with its transaction and rolls back with it', async () => {
      const { store, dispose } = await backend.open();
      try {
        await assert.rejects(
          store.db.transaction().execute(async (tx) => {
            await insertRows(tx, store.dialect, tenants, [['a', 'a', '{}', 0, 0, 'now']]);
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.equal((await store.db.selectFrom('tenants').selectAll().execute()).length, 0);
      } finally {
        await dispose();
      }
    });

    it('skips rows whose key exists when asked to, and fails on them otherwise', async () => {
      const { store, dispose } = await backend.open();
      try {
        await insertRows(store.db, store.dialect, tenants, [['a', 'a', '{}', 0, 0, 'now']]);
        await assert.rejects(insertRows(store.db, store.dialect, tenants, [['a', 'a2', '{}', 0, 0, 'now']]));
        await insertRows(store.db, store.dialect, { ...tenants, onConflictDoNothing: ['id'] }, [['a', 'a2', '{}', 0, 0, 'now'], ['b', 'b', '{}', 1, 0, 'now']]);
        const stored = await store.db.selectFrom('tenants').select(['id', 'name']).orderBy('id').execute();
        assert.deepEqual(stored.map((r) => [r.id, r.name]), [['a', 'a'], ['b', 'b']]);
      } finally {
        await dispose();
      }
    });

    it('upserts: a row whose key exists has the listed columns replaced, the others kept', async () => {
      const { store, dispose } = await backend.open();
      try {
        await insertRows(store.db, store.dialect, tenants, [['a', 'a', '{"kept":1}', 0, 0, 'then']]);
        const upsert = { ...tenants, onConflictUpdate: { key: ['id'], set: ['name', 'change_seq'] } };
        await insertRows(store.db, store.dialect, upsert, [['a', 'a2', '{}', 5, 0, 'now'], ['b', 'b', '{}', 1, 0, 'now']]);
        const stored = await store.db.selectFrom('tenants').select(['id', 'name', 'organization', 'change_seq', 'created_at']).orderBy('id').execute();
        assert.deepEqual(stored.map((r) => [r.id, r.name, r.organization, Number(r.change_seq), r.created_at]), [['a', 'a2', '{"kept":1}', 5, 'then'], ['b', 'b', '{}', 1, 'now']]);
      } finally {
        await dispose();
      }
    });
  });
}

describe('bulk insert: misuse', () => {
  it('refuses a row of the wrong width and an identifier that is not plain', async () => {
    const { store, dispose } = await BACKENDS[0]!.open();
    try {
      await assert.rejects(insertRows(store.db, store.dialect, tenants, [['a']]), TypeError);
      await assert.rejects(insertRows(store.db, store.dialect, { table: 'tenants"; drop table tenants; --', columns: ['id'] }, [['a']]), TypeError);
    } finally {
      await dispose();
    }
  });
});
