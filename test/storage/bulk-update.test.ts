import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { insertRows } from '../../src/storage/bulk-insert.ts';
import { updateRows } from '../../src/storage/bulk-update.ts';
import type { Store } from '../../src/storage/index.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { BACKENDS } from './backends.ts';

after(() => stopPostgres());

const tenants = { table: 'tenants', columns: ['id', 'name', 'organization', 'change_seq', 'change_floor', 'created_at'] } as const;
/** name (text) and change_seq (an integer column: cast, since PostgreSQL reads the values as text) by id */
const renames = { table: 'tenants', key: ['id'], set: ['name', 'change_seq'], casts: { change_seq: 'integer' } } as const;

for (const backend of BACKENDS) {
  /** `test` on a fresh store of the backend, closed afterwards */
  const onStore = (test: (store: Store) => Promise<void>) => async () => {
    const { store, dispose } = await backend.open();
    await test(store).finally(dispose);
  };

  describe(`bulk update [${backend.name}]`, () => {
    it('updates the rows it names, across statement boundaries (1,234 of 1,300 rows), and leaves the others and other columns alone', onStore(async (store) => {
      await insertRows(store.db, store.dialect, tenants, Array.from({ length: 1_300 }, (_, i) => [`t${i}`, `name${i}`, '{"kept":1}', i, 0, 'now']));
      await updateRows(store.db, store.dialect, renames, Array.from({ length: 1_234 }, (_, i) => [`t${i}`, `renamed${i}`, 10_000 + i]));
      const stored = await store.db.selectFrom('tenants').select(['id', 'name', 'organization', 'change_seq']).execute();
      const byId = new Map(stored.map((r) => [r.id, [r.name, r.organization, Number(r.change_seq)]]));
      assert.equal(byId.size, 1_300);
      for (let i = 0; i < 1_300; i++) assert.deepEqual(byId.get(`t${i}`), i < 1_234 ? [`renamed${i}`, '{"kept":1}', 10_000 + i] : [`name${i}`, '{"kept":1}', i]);
    }));

    it('commits with its transaction and rolls back with it', onStore(async (store) => {
      await insertRows(store.db, store.dialect, tenants, [['a', 'a', '{}', 0, 0, 'now']]);
      await assert.rejects(
        store.db.transaction().execute(async (tx) => {
          await updateRows(tx, store.dialect, renames, [['a', 'b', 1]]);
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.deepEqual((await store.db.selectFrom('tenants').select(['name']).execute()).map((r) => r.name), ['a']);
    }));

    it('gives a spec that differs only in its casts its own statement, and refuses a cast type it does not know', onStore(async (store) => {
      await insertRows(store.db, store.dialect, tenants, [['a', 'a', '{}', 0, 0, 'now']]);
      const uncast = { ...renames, casts: {} };
      // PostgreSQL will not put VALUES' text into an integer column uncast; SQLite converts it
      if (store.dialect === 'postgres') await assert.rejects(updateRows(store.db, store.dialect, uncast, [['a', 'b', 7]]));
      else await updateRows(store.db, store.dialect, uncast, [['a', 'b', 7]]);
      await updateRows(store.db, store.dialect, renames, [['a', 'c', 8]]);
      const row = await store.db.selectFrom('tenants').select(['name', 'change_seq']).executeTakeFirstOrThrow();
      assert.deepEqual([row.name, Number(row.change_seq)], ['c', 8]);
      const hostile = { ...renames, casts: { change_seq: 'integer); drop table tenants; --' } } as unknown as typeof renames;
      await assert.rejects(updateRows(store.db, store.dialect, hostile, [['a', 'd', 9]]), TypeError);
    }));
  });
}
