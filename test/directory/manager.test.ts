import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

const ids = (page: { items: readonly { id: string }[] }) => page.items.map((i) => i.id).sort();

for (const backend of BACKENDS) {
  describe(`manager and directReports [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('sets, replaces and removes a manager; directReports follow; cycles and wrong types are refused', async () => {
      const { tenantId, domain } = await f.tenant();
      const [ann, ben, cy] = await f.directory.createMany(tenantId, 'user', [
        { userPrincipalName: `ann@${domain}` }, { userPrincipalName: `ben@${domain}` }, { userPrincipalName: `cy@${domain}` },
      ]);
      const contact = await f.directory.create(tenantId, 'orgContact', { displayName: 'Partner Boss' });
      const group = await f.directory.create(tenantId, 'group', { displayName: 'g' });

      await rejectsWith(f.directory.getManager(tenantId, ben!.id), 'ERR_DIR_NOT_FOUND');
      await f.directory.setManager(tenantId, ben!.id, ann!.id);
      await f.directory.setManager(tenantId, cy!.id, ann!.id);
      assert.equal((await f.directory.getManager(tenantId, ben!.id)).id, ann!.id);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, ann!.id)), [ben!.id, cy!.id].sort());

      // a chain back to the user, the user itself, a group: refused, and nothing changed
      await rejectsWith(f.directory.setManager(tenantId, ann!.id, cy!.id), 'ERR_DIR_MANAGER_CYCLE');
      const cycle = await rejectsWith(f.directory.setManager(tenantId, ann!.id, ben!.id), 'ERR_DIR_MANAGER_CYCLE');
      assert.equal(cycle.details?.['managerId'], ben!.id);
      await rejectsWith(f.directory.setManager(tenantId, ann!.id, ann!.id), 'ERR_DIR_MANAGER_CYCLE');
      await rejectsWith(f.directory.setManager(tenantId, ann!.id, group.id), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.setManager(tenantId, ann!.id, 'no-such-id'), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.getManager(tenantId, ann!.id), 'ERR_DIR_NOT_FOUND');

      // replacing: a contact can manage a user
      await f.directory.setManager(tenantId, ben!.id, contact.id);
      assert.equal((await f.directory.getManager(tenantId, ben!.id)).id, contact.id);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, ann!.id)), [cy!.id]);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, contact.id)), [ben!.id]);

      await f.directory.setManager(tenantId, ben!.id, null);
      await rejectsWith(f.directory.getManager(tenantId, ben!.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.setManager(tenantId, ben!.id, null), 'ERR_DIR_NOT_FOUND');
    });

    it('a deleted manager is not shown, comes back with its restore, and is forgotten when purged', async () => {
      const { tenantId, domain } = await f.tenant();
      const [boss, report] = await f.directory.createMany(tenantId, 'user', [{ userPrincipalName: `boss@${domain}` }, { userPrincipalName: `report@${domain}` }]);
      await f.directory.setManager(tenantId, report!.id, boss!.id);
      await f.directory.delete(tenantId, 'user', boss!.id);
      await rejectsWith(f.directory.getManager(tenantId, report!.id), 'ERR_DIR_NOT_FOUND');
      await f.directory.restore(tenantId, boss!.id);
      assert.equal((await f.directory.getManager(tenantId, report!.id)).id, boss!.id);
      await f.directory.delete(tenantId, 'user', boss!.id);
      await f.directory.permanentlyDelete(tenantId, boss!.id);
      const rows = await f.store.db.selectFrom('managers' as never).selectAll().where('tenant_id' as never, '=', tenantId as never).execute();
      assert.deepEqual(rows, []);
    });

    it("a synchronized user's manager is on-premises mastered: the API cannot change it, provisioning can", async () => {
      const { tenantId, domain } = await f.tenant();
      const [boss] = await f.directory.createMany(tenantId, 'user', [{ userPrincipalName: `b@${domain}` }]);
      const synced = await f.directory.create(tenantId, 'user', { userPrincipalName: `s@${domain}`, onPremisesSyncEnabled: true, onPremisesImmutableId: 'abc=' }, { actor: 'provisioning' });
      await rejectsWith(f.directory.setManager(tenantId, synced.id, boss!.id), 'ERR_DIR_ON_PREMISES_MASTERED');
      await f.directory.setManager(tenantId, synced.id, boss!.id, { actor: 'provisioning' });
      assert.equal((await f.directory.getManager(tenantId, synced.id)).id, boss!.id);
    });
  });
}

stopHarnessAfterAll();
