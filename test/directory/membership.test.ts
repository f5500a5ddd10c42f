import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

const ids = (page: { items: readonly { id: string }[] }) => page.items.map((i) => i.id).sort();

for (const backend of BACKENDS) {
  describe(`group membership [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('groups hold users, groups and contacts; nesting is transitive; cycles are refused', async () => {
      const { tenantId, domain } = await f.tenant();
      const [u1, u2] = await f.directory.createMany(tenantId, 'user', [{ userPrincipalName: `u1@${domain}` }, { userPrincipalName: `u2@${domain}` }]);
      const contact = await f.directory.create(tenantId, 'orgContact', { displayName: 'c' });
      const [top, middle, bottom] = await f.directory.createMany(tenantId, 'group', [{ displayName: 'top' }, { displayName: 'middle' }, { displayName: 'bottom' }]);
      const app = await f.directory.create(tenantId, 'application', { displayName: 'a' });
      await f.directory.addMember(tenantId, top!.id, middle!.id);
      await f.directory.addMember(tenantId, middle!.id, bottom!.id);
      await f.directory.addMember(tenantId, bottom!.id, u1!.id);
      await f.directory.addMember(tenantId, middle!.id, u2!.id);
      await f.directory.addMember(tenantId, top!.id, contact.id);
      await f.directory.addMember(tenantId, top!.id, u1!.id);

      const dup = await rejectsWith(f.directory.addMember(tenantId, top!.id, u1!.id), 'ERR_DIR_MEMBER_EXISTS');
      assert.equal(dup.details?.['memberId'], u1!.id);
      await rejectsWith(f.directory.addMember(tenantId, top!.id, top!.id), 'ERR_DIR_MEMBERSHIP_CYCLE');
      await rejectsWith(f.directory.addMember(tenantId, bottom!.id, top!.id), 'ERR_DIR_MEMBERSHIP_CYCLE');
      const cycle = await rejectsWith(f.directory.addMember(tenantId, middle!.id, top!.id), 'ERR_DIR_MEMBERSHIP_CYCLE');
      assert.equal(cycle.details?.['groupId'], middle!.id);
      await rejectsWith(f.directory.addMember(tenantId, top!.id, app.id), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.addMember(tenantId, u1!.id, u2!.id), 'ERR_DIR_NOT_FOUND');

      assert.deepEqual(ids(await f.directory.listMembers(tenantId, top!.id)), [middle!.id, contact.id, u1!.id].sort());
      assert.deepEqual(
        ids(await f.directory.listTransitiveMembers(tenantId, top!.id)),
        [middle!.id, bottom!.id, contact.id, u1!.id, u2!.id].sort(),
      );
      assert.deepEqual(ids(await f.directory.listMemberOf(tenantId, u1!.id)), [top!.id, bottom!.id].sort());
      assert.deepEqual(ids(await f.directory.listTransitiveMemberOf(tenantId, u1!.id)), [top!.id, middle!.id, bottom!.id].sort());
      const counted = await f.directory.listTransitiveMembers(tenantId, top!.id, { top: 2, count: true });
      assert.equal(counted.count, 5);
      assert.equal(counted.items.length, 2);
      const rest = await f.directory.listTransitiveMembers(tenantId, top!.id, { top: 10, skipToken: counted.nextSkipToken! });
      assert.equal(rest.items.length, 3);
      assert.equal(rest.nextSkipToken, undefined);

      await f.directory.removeMember(tenantId, top!.id, u1!.id);
      await rejectsWith(f.directory.removeMember(tenantId, top!.id, u1!.id), 'ERR_DIR_NOT_FOUND');
      assert.deepEqual(ids(await f.directory.listMemberOf(tenantId, u1!.id)), [bottom!.id]);
      assert.equal((await f.directory.listTransitiveMembers(tenantId, top!.id)).items.length, 5); // still there through nesting
    });

    it('deleted objects vanish from memberships and come back with restore', async () => {
      const { tenantId, domain } = await f.tenant();
      const user = await f.directory.create(tenantId, 'user', { userPrincipalName: `m@${domain}` });
      const [outer, inner] = await f.directory.createMany(tenantId, 'group', [{ displayName: 'outer' }, { displayName: 'inner' }]);
      await f.directory.addMember(tenantId, outer!.id, inner!.id);
      await f.directory.addMember(tenantId, inner!.id, user.id);
      await f.directory.delete(tenantId, 'user', user.id);
      assert.deepEqual(ids(await f.directory.listMembers(tenantId, inner!.id)), []);
      await f.directory.restore(tenantId, user.id);
      assert.deepEqual(ids(await f.directory.listMembers(tenantId, inner!.id)), [user.id]);

      await f.directory.delete(tenantId, 'group', inner!.id);
      assert.deepEqual(ids(await f.directory.listTransitiveMembers(tenantId, outer!.id)), []);
      assert.deepEqual(ids(await f.directory.listMemberOf(tenantId, user.id)), []);
      // A deleted group still counts for cycle detection: it returns with its memberships.
      await rejectsWith(f.directory.addMember(tenantId, inner!.id, outer!.id), 'ERR_DIR_NOT_FOUND');
      await f.directory.restore(tenantId, inner!.id);
      assert.deepEqual(ids(await f.directory.listTransitiveMembers(tenantId, outer!.id)), [inner!.id, user.id].sort());
      await rejectsWith(f.directory.addMember(tenantId, inner!.id, outer!.id), 'ERR_DIR_MEMBERSHIP_CYCLE');
    });
  });

  describe(`deleted items [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('soft-deletes users and groups, restores them within 30 days, re-checking constraints', async () => {
      const { tenantId, domain } = await f.tenant();
      const user = await f.directory.create(tenantId, 'user', { userPrincipalName: `gone@${domain}`, mail: `gone@${domain}`, displayName: 'Gone' });
      f.now = new Date('2025-01-02T00:00:00Z');
      await f.directory.delete(tenantId, 'user', user.id);
      await rejectsWith(f.directory.get(tenantId, 'user', user.id), 'ERR_DIR_NOT_FOUND');
      assert.equal((await f.directory.list(tenantId, 'user', { top: 10, filter: { kind: 'comparison', operator: 'eq', property: 'displayName', value: 'Gone' } })).items.length, 0);
      const deleted = await f.directory.getDeleted(tenantId, user.id);
      assert.equal(deleted.deletedDateTime, '2025-01-02T00:00:00.000Z');
      assert.deepEqual(ids(await f.directory.listDeleted(tenantId, 'user', { top: 10 })), [user.id]);
      assert.deepEqual(ids(await f.directory.listDeleted(tenantId, 'group', { top: 10 })), []);

      // Its UPN and address are free while it is deleted…
      const taker = await f.directory.create(tenantId, 'user', { userPrincipalName: `GONE@${domain}` });
      const e = await rejectsWith(f.directory.restore(tenantId, user.id), 'ERR_DIR_UPN_CONFLICT');
      assert.equal(e.details?.['conflictingObjectId'], taker.id);
      await f.directory.update(tenantId, 'user', taker.id, { userPrincipalName: `taker@${domain}`, mail: `gone@${domain}` });
      const e2 = await rejectsWith(f.directory.restore(tenantId, user.id), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      assert.equal(e2.details?.['conflictingObjectId'], taker.id);
      await f.directory.update(tenantId, 'user', taker.id, { mail: null });
      // …and the restore brings it back as it was.
      const restored = await f.directory.restore(tenantId, user.id);
      assert.equal(restored.deletedDateTime, undefined);
      assert.equal((await f.directory.get(tenantId, 'user', `gone@${domain}`)).id, user.id);
      await rejectsWith(f.directory.getDeleted(tenantId, user.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `GONE@${domain}` }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
    });

    it('purges deleted items after the retention, and deletes them permanently on request', async () => {
      const { tenantId, domain } = await f.tenant();
      f.now = new Date('2025-03-01T00:00:00Z');
      const [a, b, c] = await f.directory.createMany(tenantId, 'user', [
        { userPrincipalName: `a@${domain}` },
        { userPrincipalName: `b@${domain}` },
        { userPrincipalName: `c@${domain}` },
      ]);
      const group = await f.directory.create(tenantId, 'group', { displayName: 'g' });
      await f.directory.addMember(tenantId, group.id, a!.id);
      await f.directory.delete(tenantId, 'user', a!.id);
      await f.directory.delete(tenantId, 'group', group.id);
      f.now = new Date('2025-03-20T00:00:00Z');
      await f.directory.delete(tenantId, 'user', b!.id);
      const contact = await f.directory.create(tenantId, 'orgContact', { displayName: 'hard' });
      await f.directory.delete(tenantId, 'orgContact', contact.id);
      await rejectsWith(f.directory.getDeleted(tenantId, contact.id), 'ERR_DIR_NOT_FOUND'); // contacts are deleted at once

      assert.equal(await f.directory.purgeExpired(new Date('2025-03-30T23:59:59Z')), 0);
      assert.equal(await f.directory.purgeExpired(new Date('2025-03-31T00:00:01Z')), 2);
      await rejectsWith(f.directory.getDeleted(tenantId, a!.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.restore(tenantId, group.id), 'ERR_DIR_NOT_FOUND');
      assert.deepEqual(ids(await f.directory.listDeleted(tenantId, 'user', { top: 10 })), [b!.id]);
      const memberships = await f.store.db.selectFrom('memberships').selectAll().where('tenant_id', '=', tenantId).execute();
      assert.deepEqual(memberships, []);

      await f.directory.permanentlyDelete(tenantId, b!.id);
      assert.deepEqual(ids(await f.directory.listDeleted(tenantId, 'user', { top: 10 })), []);
      await rejectsWith(f.directory.permanentlyDelete(tenantId, c!.id), 'ERR_DIR_NOT_FOUND'); // live objects are not deleted items
    });
  });
}

stopHarnessAfterAll();
