/**
 * deleteMany: one transaction with the state and change rows of `delete` called once per id, in order — deleted
 * items, memberships kept for a restore, contacts removed with their links, SMTP addresses released — and all or
 * nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../storage/backends.ts';
import { deltaRound, rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

const ids = (page: { readonly items: readonly { readonly id: string }[] }) => page.items.map((o) => o.id).sort();

for (const backend of BACKENDS) {
  describe(`directory deleteMany [${backend.name}]`, () => {
    const f = useDirectory(backend);

    /** A tenant with users u0…u3 (each with an SMTP address), group g holding u0, u1 and u3, and u0 and u1 reporting to u3. */
    async function world() {
      const { tenantId, domain } = await f.tenant();
      const users = await f.directory.createMany(tenantId, 'user', Array.from({ length: 4 }, (_, i) => ({ userPrincipalName: `u${i}@${domain}`, displayName: `User ${i}`, mail: `u${i}@${domain}` })));
      const group = await f.directory.create(tenantId, 'group', { displayName: 'g' });
      for (const i of [0, 1, 3]) await f.directory.addMember(tenantId, group.id, users[i]!.id);
      await f.directory.setManager(tenantId, users[0]!.id, users[3]!.id);
      await f.directory.setManager(tenantId, users[1]!.id, users[3]!.id);
      return { tenantId, domain, users, group };
    }

    it('users go to deleted items, leave their groups (delta reports it) and come back with them on restore', async () => {
      const { tenantId, domain, users, group } = await world();
      const [u0, u1, u2, u3] = users;
      const userRound = await deltaRound(f.directory, tenantId, 'user');
      const groupRound = await deltaRound(f.directory, tenantId, 'group');
      f.now = new Date('2025-01-02T00:00:00Z');
      await f.directory.deleteMany(tenantId, 'user', [u0!.id, `U1@${domain}`, u2!.id]);

      for (const u of [u0, u1, u2]) {
        await rejectsWith(f.directory.get(tenantId, 'user', u!.id), 'ERR_DIR_NOT_FOUND');
        assert.equal((await f.directory.getDeleted(tenantId, u!.id))['deletedDateTime'], '2025-01-02T00:00:00.000Z');
      }
      assert.deepEqual(ids(await f.directory.listDeleted(tenantId, 'user', { top: 10 })), [u0!.id, u1!.id, u2!.id].sort());
      assert.deepEqual(ids(await f.directory.listMembers(tenantId, group.id)), [u3!.id]);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, u3!.id)), []);
      // their addresses and UPNs are free
      await f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `u2@${domain}` });
      await f.directory.create(tenantId, 'user', { userPrincipalName: `u2@${domain}` });

      const userChanges = await deltaRound(f.directory, tenantId, 'user', userRound.token);
      const removed = userChanges.items.filter((i) => i['@removed'] !== undefined);
      assert.deepEqual(removed.map((i) => i.id).sort(), [u0!.id, u1!.id, u2!.id].sort());
      const groupChanges = await deltaRound(f.directory, tenantId, 'group', groupRound.token);
      assert.deepEqual(groupChanges.items.map((i) => i.id), [group.id]);
      const members = (groupChanges.items[0]!['members@delta'] as { id: string; '@removed'?: unknown }[]).sort((x, y) => x.id.localeCompare(y.id));
      assert.deepEqual(members, [u0!.id, u1!.id].sort().map((id) => ({ id, '@odata.type': '#microsoft.graph.user', '@removed': { reason: 'deleted' } })));

      // a restore brings the same object back, with its membership and its manager
      const restored = await f.directory.restore(tenantId, u0!.id);
      assert.equal(restored.id, u0!.id);
      assert.equal(restored['deletedDateTime'], undefined);
      assert.deepEqual(ids(await f.directory.listMembers(tenantId, group.id)), [u0!.id, u3!.id].sort());
      assert.equal((await f.directory.getManager(tenantId, u0!.id)).id, u3!.id);
      await rejectsWith(f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `u0@${domain}` }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      const back = await deltaRound(f.directory, tenantId, 'group', groupChanges.token);
      assert.deepEqual(back.items[0]!['members@delta'], [{ id: u0!.id, '@odata.type': '#microsoft.graph.user' }]);
    });

    it('the change rows are those of one delete per id: a group deleted earlier in the call is no longer a group its members leave', async () => {
      const rowsOf = async (order: (g: { outer: string; inner: string; other: string }) => string[], many: boolean) => {
        const { tenantId } = await f.tenant();
        const [outer, inner, other] = await f.directory.createMany(tenantId, 'group', ['outer', 'inner', 'other'].map((displayName) => ({ displayName })));
        await f.directory.addMember(tenantId, outer!.id, inner!.id);
        await f.directory.addMember(tenantId, other!.id, inner!.id);
        const names = new Map([[outer!.id, 'outer'], [inner!.id, 'inner'], [other!.id, 'other']]);
        const { seq } = await f.store.db.selectFrom('changes').select((eb) => eb.fn.max<number>('seq').as('seq')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
        const ordered = order({ outer: outer!.id, inner: inner!.id, other: other!.id });
        if (many) await f.directory.deleteMany(tenantId, 'group', ordered);
        else for (const id of ordered) await f.directory.delete(tenantId, 'group', id);
        const rows = await f.store.db.selectFrom('changes').select(['object_id', 'kind', 'detail']).where('tenant_id', '=', tenantId).where('seq', '>', seq).orderBy('seq').execute();
        return rows.map((r) => `${names.get(r.object_id)} ${r.kind}${r.detail === null ? '' : ` ${names.get((JSON.parse(r.detail) as { id: string }).id)}`}`);
      };
      const outerFirst = (g: { outer: string; inner: string; other: string }) => [g.outer, g.inner];
      const innerFirst = (g: { outer: string; inner: string; other: string }) => [g.inner, g.outer, g.other];
      assert.deepEqual(await rowsOf(outerFirst, true), ['outer deleted', 'other memberRemoved inner', 'inner deleted']);
      assert.deepEqual(await rowsOf(outerFirst, true), await rowsOf(outerFirst, false));
      const [left, ...rest] = [await rowsOf(innerFirst, true)].map((rows) => [rows.slice(0, 2).sort(), ...rows.slice(2)])[0]!;
      assert.deepEqual([left, ...rest], [['other memberRemoved inner', 'outer memberRemoved inner'], 'inner deleted', 'outer deleted', 'other deleted']);
      assert.deepEqual(await rowsOf(innerFirst, true), await rowsOf(innerFirst, false));
    });

    it('contacts are removed for good, with their memberships, manager links and addresses', async () => {
      const { tenantId, domain, users, group } = await world();
      const contacts = await f.directory.createMany(tenantId, 'orgContact', [0, 1, 2].map((i) => ({ displayName: `c${i}`, mail: `c${i}@${domain}` })));
      await f.directory.addMember(tenantId, group.id, contacts[0]!.id);
      await f.directory.setManager(tenantId, users[2]!.id, contacts[1]!.id);
      await f.directory.deleteMany(tenantId, 'orgContact', [contacts[0]!.id, contacts[1]!.id]);
      for (const c of contacts.slice(0, 2)) {
        await rejectsWith(f.directory.get(tenantId, 'orgContact', c.id), 'ERR_DIR_NOT_FOUND');
        await rejectsWith(f.directory.getDeleted(tenantId, c.id), 'ERR_DIR_NOT_FOUND');
        await rejectsWith(f.directory.restore(tenantId, c.id), 'ERR_DIR_NOT_FOUND');
      }
      assert.equal((await f.directory.get(tenantId, 'orgContact', contacts[2]!.id)).displayName, 'c2');
      assert.deepEqual(ids(await f.directory.listMembers(tenantId, group.id)), [users[0]!.id, users[1]!.id, users[3]!.id].sort());
      await rejectsWith(f.directory.getManager(tenantId, users[2]!.id), 'ERR_DIR_NOT_FOUND');
      await f.directory.create(tenantId, 'orgContact', { displayName: 'again', mail: `c0@${domain}` });
      await rejectsWith(f.directory.create(tenantId, 'orgContact', { displayName: 'taken', mail: `c2@${domain}` }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
    });

    it('all or nothing: the first id delete would refuse decides the error, and nothing is deleted', async () => {
      const { tenantId, domain, users, group } = await world();
      const [u0, u1] = users;
      const missing = '00000000-0000-0000-0000-000000000000';
      const e = await rejectsWith(f.directory.deleteMany(tenantId, 'user', [u0!.id, missing, u1!.id]), 'ERR_DIR_NOT_FOUND');
      const single = await rejectsWith(f.directory.delete(tenantId, 'user', missing), 'ERR_DIR_NOT_FOUND');
      assert.deepEqual([e.message, e.details], [single.message, single.details]);
      // an id given twice, by id and by UPN, or of another type is not found the second time or at all
      const twice = await rejectsWith(f.directory.deleteMany(tenantId, 'user', [u0!.id, `u0@${domain}`]), 'ERR_DIR_NOT_FOUND');
      assert.equal(twice.details?.['id'], `u0@${domain}`);
      await rejectsWith(f.directory.deleteMany(tenantId, 'user', [u1!.id, u1!.id]), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.deleteMany(tenantId, 'user', [u0!.id, group.id]), 'ERR_DIR_NOT_FOUND');
      assert.deepEqual(ids(await f.directory.listMembers(tenantId, group.id)).length, 3);
      assert.equal((await f.directory.listDeleted(tenantId, 'user', { top: 10 })).items.length, 0);

      // synced objects: the API may not delete them, the provisioning actor may
      await f.directory.update(tenantId, 'user', u1!.id, { onPremisesSyncEnabled: true }, { actor: 'provisioning' });
      const mastered = await rejectsWith(f.directory.deleteMany(tenantId, 'user', [u0!.id, u1!.id]), 'ERR_DIR_ON_PREMISES_MASTERED');
      assert.equal(mastered.details?.['objectId'], u1!.id);
      assert.equal((await f.directory.get(tenantId, 'user', u0!.id)).id, u0!.id);
      await f.directory.deleteMany(tenantId, 'user', [u0!.id, u1!.id], { actor: 'provisioning' });
      assert.equal((await f.directory.listDeleted(tenantId, 'user', { top: 10 })).items.length, 2);
      await f.directory.deleteMany(tenantId, 'user', []);
      await assert.rejects(f.directory.deleteMany(tenantId, 'user', [42 as unknown as string]), TypeError);
    });

    it('more ids than one statement takes (500): every one is deleted and restorable', async () => {
      const { tenantId, domain } = await f.tenant();
      const many = await f.directory.createMany(tenantId, 'user', Array.from({ length: 1_203 }, (_, i) => ({ userPrincipalName: `m${i}@${domain}`, mail: `m${i}@${domain}` })));
      const group = await f.directory.create(tenantId, 'group', { displayName: 'all' });
      for (const u of many.slice(0, 3).concat(many.slice(-3))) await f.directory.addMember(tenantId, group.id, u.id);
      await f.directory.deleteMany(tenantId, 'user', many.map((u) => u.id), { actor: 'provisioning' });
      assert.equal((await f.directory.list(tenantId, 'user', { top: 10 })).items.length, 0);
      let deleted = 0;
      for (let page = await f.directory.listDeleted(tenantId, 'user', { top: 999 }); ; page = await f.directory.listDeleted(tenantId, 'user', { top: 999, skipToken: page.nextSkipToken! })) {
        deleted += page.items.length;
        if (page.nextSkipToken === undefined) break;
      }
      assert.equal(deleted, many.length);
      await f.directory.restore(tenantId, many.at(-1)!.id);
      assert.deepEqual(ids(await f.directory.listMembers(tenantId, group.id)), [many.at(-1)!.id]);
      await rejectsWith(f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `m1202@${domain}` }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      await f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `m700@${domain}` });
    });
  });
}

stopHarnessAfterAll();
