/**
 * The dry-run target over the real directory: a batch of deletes plans exactly the writes one delete per object
 * plans, answers reads as if they were made, and changes nothing in the directory.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DryRunTarget } from '../../src/engine/dry-run-target.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { BACKENDS } from '../storage/backends.ts';
import { engineFixture } from './engine-fixture.ts';

for (const backend of BACKENDS) {
  describe(`dry-run target (${backend.name})`, () => {
    test('deleteMany plans one delete per id, hides the objects from reads, and writes nothing', async () => {
      const { store, dispose } = await backend.open();
      try {
        const f = await engineFixture(store);
        const users = await f.directory.createMany(f.tenantId, 'user', [0, 1, 2].map((i) => ({ userPrincipalName: `d${i}@${f.initialDomain}`, displayName: `D ${i}` })));
        const ids = users.map((u) => u.id);
        let n = 0;
        const batched = new DryRunTarget(f.target, () => `b${n++}`);
        const oneByOne = new DryRunTarget(f.target, () => `o${n++}`);
        await batched.deleteMany('user', ids.slice(0, 2));
        for (const id of ids.slice(0, 2)) await oneByOne.delete('user', id);
        assert.deepEqual(batched.writes, oneByOne.writes);
        assert.deepEqual(batched.writes, ids.slice(0, 2).map((id) => ({ operation: 'delete', type: 'user', id })));
        assert.deepEqual((await batched.getMany('user', ids)).map((u) => u?.id), [undefined, undefined, ids[2]]);
        assert.deepEqual((await batched.findBy('user', 'displayName', ['D 0', 'D 1', 'D 2'])).map((u) => u.id), [ids[2]]);
        assert.equal((await f.listAll('user')).length, 3);
        assert.equal((await f.listDeleted('user')).length, 0);
      } finally {
        await dispose();
      }
    });

    test('restoreMany plans one restore per id, returns the objects by id, and restores nothing', async () => {
      const { store, dispose } = await backend.open();
      try {
        const f = await engineFixture(store);
        const users = await f.directory.createMany(f.tenantId, 'user', [0, 1, 2].map((i) => ({ userPrincipalName: `r${i}@${f.initialDomain}`, displayName: `R ${i}` })));
        const ids = users.map((u) => u.id);
        await f.directory.deleteMany(f.tenantId, 'user', ids);
        let n = 0;
        const batched = new DryRunTarget(f.target, () => `b${n++}`);
        const oneByOne = new DryRunTarget(f.target, () => `o${n++}`);
        const restored = await batched.restoreMany(ids.slice(0, 2));
        for (const id of ids.slice(0, 2)) await oneByOne.restore(id);
        assert.deepEqual(batched.writes, oneByOne.writes);
        assert.deepEqual(batched.writes, ids.slice(0, 2).map((id) => ({ operation: 'restore', type: null, id })));
        assert.deepEqual(restored.map((u) => u.id), ids.slice(0, 2));
        assert.equal((await f.listAll('user')).length, 0);
        assert.equal((await f.listDeleted('user')).length, 3);
      } finally {
        await dispose();
      }
    });
  });
}

after(() => stopPostgres());
