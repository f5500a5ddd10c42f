/**
 * Reference resolution across its pages (REFERENCE_PAGE, 1,000 pending entries): 1,250 users whose managers form a
 * tree, so that links, chains and the manager a link names fall in other pages than the user. The directory is read
 * back after a full cycle, an unchanged one, and a delta that moves and removes managers across pages. Runs with the
 * SQL connector space on every backend and with the in-memory connector space on the first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { MemoryConnectorSpace, type ConnectorSpace } from '../../src/engine/index.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';
import { MemorySource } from './memory-source.ts';
import { addManagerTree, dnOf, managersByName, nameOf, treeManagers } from './manager-tree.ts';

const USERS = 1250;

const VARIANTS = [
  ...BACKENDS.map((backend) => ({ backend, space: 'sql' as const })),
  ...(BACKENDS[0] ? [{ backend: BACKENDS[0], space: 'memory' as const }] : []),
];

for (const { backend, space } of VARIANTS) {
  describe(`reference resolution over several pages (${backend.name}, ${space} connector space)`, () => {
    let dispose: () => Promise<void>;
    let f: EngineFixture;
    let connectorSpace: ConnectorSpace;
    const source = new MemorySource();
    const cycle = (mode: 'full' | 'delta') => f.cycle(source, mode, { connectorSpace });

    const managers = () => managersByName(f);

    before(async () => {
      let store;
      ({ store, dispose } = await backend.open());
      f = await engineFixture(store);
      connectorSpace = space === 'sql' ? f.connectorSpace : new MemoryConnectorSpace();
      // user i reports to user ⌊i/2⌋: a tree ten levels deep; user 0 reports to nobody
      addManagerTree(source, USERS);
    });
    after(async () => {
      await dispose();
    });

    test('a full cycle links every manager; an unchanged one links nothing; a delta moves and removes them', async () => {
      let report = await cycle('full');
      assert.equal(report.failed, 0);
      assert.equal(report.referencesAdded, USERS - 1);
      const expected = treeManagers(USERS);
      assert.deepEqual(await managers(), expected);

      report = await cycle('full');
      assert.deepEqual([report.referencesAdded, report.referencesRemoved, report.failed], [0, 0, 0]);

      // every 97th user now reports to user 1 (unless that closes a chain: user 1 itself), user 1249 to nobody
      for (let i = 97; i < USERS - 1; i += 97) {
        source.modify(dnOf(i), { manager: dnOf(1) });
        expected.set(nameOf(i), nameOf(1));
      }
      source.modify(dnOf(USERS - 1), { manager: undefined });
      expected.set(nameOf(USERS - 1), '-');
      report = await cycle('delta');
      assert.equal(report.failed, 0);
      assert.deepEqual([report.referencesAdded, report.referencesRemoved], [12, 12 + 1]);
      assert.deepEqual(await managers(), expected);
    });
  });
}

after(async () => {
  await stopPostgres();
});
