/**
 * A page of reference resolution whose closing transaction (endReferencePage: forgotten links, recorded links,
 * settled entries) fails halfway. The database itself refuses the write: a trigger aborts the settlement of one
 * user's entry, after the page's links were inserted in the same transaction. The cycle must stop with the store's
 * error and leave no half-written page (an entry is settled exactly when its links are recorded); once the database
 * accepts writes again, the next cycle links every manager once, and the one after it has nothing to do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import type { ConnectorSpaceDatabase } from '../../src/engine/sql-connector-space.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';
import { MemorySource } from './memory-source.ts';
import { addManagerTree, dnOf, managersByName, treeManagers } from './manager-tree.ts';

// more than one page (REFERENCE_PAGE is 1,000 entries), so that a page before or after the failing one exists
const USERS = 1250;
const FAILING = 700;
const INJECTED = 'injected failure: settling this entry is refused';

for (const backend of BACKENDS) {
  describe(`a reference page whose transaction fails halfway (${backend.name})`, () => {
    let dispose: () => Promise<void>;
    let f: EngineFixture;
    const source = new MemorySource();

    async function refuseSettling(dn: string): Promise<void> {
      const db = f.store.db;
      const when = sql`OLD.refs_pending = 1 AND NEW.refs_pending = 0 AND NEW.dn = ${sql.lit(dn)}`;
      if (f.store.dialect === 'sqlite') {
        await sql`CREATE TRIGGER refuse_settling BEFORE UPDATE OF refs_pending ON connector_space_objects
          WHEN ${when} BEGIN SELECT RAISE(ABORT, ${sql.lit(INJECTED)}); END`.execute(db);
      } else {
        await sql`CREATE FUNCTION refuse_settling() RETURNS trigger AS $$
          BEGIN RAISE EXCEPTION ${sql.lit(INJECTED)}; END $$ LANGUAGE plpgsql`.execute(db);
        await sql`CREATE TRIGGER refuse_settling BEFORE UPDATE OF refs_pending ON connector_space_objects
          FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION refuse_settling()`.execute(db);
      }
    }

    async function acceptSettling(): Promise<void> {
      if (f.store.dialect === 'sqlite') {
        await sql`DROP TRIGGER refuse_settling`.execute(f.store.db);
      } else {
        await sql`DROP TRIGGER refuse_settling ON connector_space_objects`.execute(f.store.db);
        await sql`DROP FUNCTION refuse_settling()`.execute(f.store.db);
      }
    }

    /** Per user with a manager: whether its entry is settled, and whether its manager link is recorded. */
    async function pageState(): Promise<{ dn: string; settled: boolean; recorded: boolean }[]> {
      const rows = await (f.store.db as unknown as Kysely<ConnectorSpaceDatabase>)
        .selectFrom('connector_space_objects as o')
        .select(['o.dn', 'o.refs_pending'])
        .select((eb) => eb.exists(
          eb.selectFrom('connector_space_references as r').select('r.anchor')
            .whereRef('r.configuration_id', '=', 'o.configuration_id').whereRef('r.anchor', '=', 'o.anchor').where('r.attribute', '=', 'manager'),
        ).as('linked'))
        .where('o.configuration_id', '=', f.config.id)
        .where('o.source_type', '=', 'user')
        .where('o.dn', '<>', dnOf(0))
        .execute();
      return rows.map((r) => ({ dn: r.dn, settled: Number(r.refs_pending) === 0, recorded: Boolean(r.linked) }));
    }


    before(async () => {
      let store;
      ({ store, dispose } = await backend.open());
      f = await engineFixture(store);
      addManagerTree(source, USERS);
    });
    after(async () => {
      await dispose();
    });

    test('the cycle stops with the store error, no page is half-written, and the next cycle links every manager once', async () => {
      await refuseSettling(dnOf(FAILING));
      await assert.rejects(f.cycle(source, 'full'), (error: Error) => error.message.includes(INJECTED));

      const state = await pageState();
      assert.equal(state.length, USERS - 1);
      const failing = state.find((s) => s.dn === dnOf(FAILING))!;
      assert.deepEqual(failing, { dn: dnOf(FAILING), settled: false, recorded: false });
      // the failing entry's whole page rolled back with it: every entry is settled exactly when its link is recorded
      assert.deepEqual(state.filter((s) => s.settled !== s.recorded), []);
      assert.ok(state.filter((s) => !s.settled).length >= 2, 'the rolled-back page held more than the failing entry');

      await acceptSettling();
      const expected = treeManagers(USERS);
      let report = await f.cycle(source, 'full');
      assert.equal(report.failed, 0);
      assert.deepEqual(await managersByName(f), expected);
      assert.deepEqual((await pageState()).filter((s) => !s.settled || !s.recorded), []);
      assert.equal((await f.listAll('user')).length, USERS);

      report = await f.cycle(source, 'full');
      assert.deepEqual([report.referencesAdded, report.referencesRemoved, report.failed], [0, 0, 0]);
    });
  });
}

after(async () => {
  await stopPostgres();
});
