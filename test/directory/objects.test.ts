import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

for (const backend of BACKENDS) {
  describe(`directory objects [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('creates, reads (by id and by UPN), updates and lists users, groups, contacts and applications', async () => {
      const { tenantId, domain } = await f.tenant();
      const user = await f.directory.create(tenantId, 'user', { userPrincipalName: `ada@${domain}`, displayName: 'Ada', givenName: 'Ada' });
      assert.equal(user['@odata.type'], '#microsoft.graph.user');
      assert.equal(user.accountEnabled, true);
      assert.equal(user.mailNickname, 'ada');
      assert.equal(user.createdDateTime, f.now.toISOString());
      assert.deepEqual(await f.directory.get(tenantId, 'user', user.id), user);
      assert.deepEqual(await f.directory.get(tenantId, 'user', `ADA@${domain}`), user);

      const updated = await f.directory.update(tenantId, 'user', user.id, { jobTitle: 'Engineer', givenName: null });
      assert.equal(updated.jobTitle, 'Engineer');
      assert.equal(updated.givenName, null);
      assert.equal((await f.directory.get(tenantId, 'user', user.id)).jobTitle, 'Engineer');

      const group = await f.directory.create(tenantId, 'group', { displayName: 'Staff', mailEnabled: false, securityEnabled: true, groupTypes: [] });
      assert.equal(group.securityEnabled, true);
      const contact = await f.directory.create(tenantId, 'orgContact', { displayName: 'Partner', mail: 'p@partner.example' });
      assert.equal(contact['@odata.type'], '#microsoft.graph.orgContact');
      const app = await f.directory.create(tenantId, 'application', { displayName: 'HR app' });
      assert.match(app.appId, /^[0-9a-f-]{36}$/);
      assert.notEqual(app.appId, app.id);

      const users = await f.directory.list(tenantId, 'user', { top: 10 });
      assert.deepEqual(users.items.map((u) => u.id), [user.id]);
      const apps = await f.directory.list(tenantId, 'application', { top: 10, count: true });
      assert.equal(apps.count, 2); // the admin application and HR app
      assert.deepEqual((await f.directory.getAny(tenantId, contact.id)).id, contact.id);
      await rejectsWith(f.directory.get(tenantId, 'group', user.id), 'ERR_DIR_NOT_FOUND');
    });

    it('validates properties: unknown, read-only, provisioning-only, wrong types', async () => {
      const { tenantId, domain } = await f.tenant();
      const e1 = await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `x@${domain}`, favouriteColour: 'red' }), 'ERR_DIR_INVALID_PROPERTY');
      assert.equal(e1.details?.['property'], 'favouriteColour');
      await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `x@${domain}`, id: 'mine' }), 'ERR_DIR_READ_ONLY_PROPERTY');
      await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `x@${domain}`, onPremisesSyncEnabled: true }), 'ERR_DIR_READ_ONLY_PROPERTY');
      await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `x@${domain}`, accountEnabled: 'yes' }), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: 'not-an-upn' }), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.create(tenantId, 'user', { displayName: 'no upn' }), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.create(tenantId, 'group', { description: 'no name' }), 'ERR_DIR_INVALID_VALUE');
      // a collection's bad element is named by its position
      const e2 = await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `x@${domain}`, businessPhones: ['+1 555 0100', 5] }), 'ERR_DIR_INVALID_VALUE');
      assert.equal(e2.path, 'businessPhones[1]');
      assert.equal(e2.message, 'businessPhones[1]: expected a string');
      const e3 = await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `x@${domain}`, otherMails: ['a@example.com', 'b\u0000@example.com'] }), 'ERR_DIR_INVALID_VALUE');
      assert.equal(e3.path, 'otherMails[1]');
      await rejectsWith(
        f.directory.create(tenantId, 'user', { userPrincipalName: `x@${domain}`, onPremisesExtensionAttributes: { extensionAttribute16: 'x' } }),
        'ERR_DIR_INVALID_PROPERTY',
      );
      assert.equal((await f.directory.list(tenantId, 'user', { top: 10, count: true })).count, 0);
      await assert.rejects(f.directory.list(tenantId, 'user', { top: 0 }), TypeError);
      await assert.rejects(f.directory.create(tenantId, 'printer' as 'user', {}), TypeError);
    });

    it('merges onPremisesExtensionAttributes attribute by attribute', async () => {
      const { tenantId, domain } = await f.tenant();
      const user = await f.directory.create(tenantId, 'user', {
        userPrincipalName: `e@${domain}`,
        onPremisesExtensionAttributes: { extensionAttribute1: 'one', extensionAttribute2: 'two' },
      });
      const updated = await f.directory.update(tenantId, 'user', user.id, { onPremisesExtensionAttributes: { extensionAttribute2: null, extensionAttribute15: 'x' } });
      assert.equal(updated.onPremisesExtensionAttributes.extensionAttribute1, 'one');
      assert.equal(updated.onPremisesExtensionAttributes.extensionAttribute2, null);
      assert.equal(updated.onPremisesExtensionAttributes.extensionAttribute15, 'x');
    });

    it('registers typed directory extensions on an application and validates values', async () => {
      const { tenantId, domain } = await f.tenant();
      const app = await f.directory.create(tenantId, 'application', { displayName: 'Sync schema' });
      const prefix = `extension_${app.appId.replace(/-/g, '')}_`;
      const cost = await f.directory.createExtensionProperty(tenantId, app.id, { name: 'costCenter', dataType: 'String', targetObjects: ['User'] });
      assert.equal(cost.name, `${prefix}costCenter`);
      await f.directory.createExtensionProperty(tenantId, app.id, { name: 'level', dataType: 'Integer', targetObjects: ['User', 'Group'] });
      await f.directory.createExtensionProperty(tenantId, app.id, { name: 'skills', dataType: 'String', targetObjects: ['User'], isMultiValued: true });
      await f.directory.createExtensionProperty(tenantId, app.id, { name: 'hired', dataType: 'DateTime', targetObjects: ['User'] });
      await rejectsWith(f.directory.createExtensionProperty(tenantId, app.id, { name: 'costCenter', dataType: 'String', targetObjects: ['User'] }), 'ERR_DIR_EXTENSION_INVALID');
      await rejectsWith(f.directory.createExtensionProperty(tenantId, app.id, { name: 'bad', dataType: 'Float' as 'String', targetObjects: ['User'] }), 'ERR_DIR_EXTENSION_INVALID');
      await rejectsWith(f.directory.createExtensionProperty(tenantId, app.id, { name: 'bad', dataType: 'String', targetObjects: ['Printer'] }), 'ERR_DIR_EXTENSION_INVALID');
      assert.equal((await f.directory.listExtensionProperties(tenantId, app.id)).length, 4);

      const user = await f.directory.create(tenantId, 'user', {
        userPrincipalName: `ext@${domain}`,
        [`${prefix}costCenter`]: 'CC-1',
        [`${prefix}level`]: 3,
        [`${prefix}skills`]: ['go', 'ts'],
        [`${prefix}hired`]: '2024-02-01T08:00:00Z',
      });
      assert.equal(user[`${prefix}costCenter`], 'CC-1');
      assert.equal(user[`${prefix}hired`], '2024-02-01T08:00:00.000Z');
      await rejectsWith(f.directory.update(tenantId, 'user', user.id, { [`${prefix}level`]: 'three' }), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.update(tenantId, 'user', user.id, { [`${prefix}level`]: 2 ** 40 }), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.update(tenantId, 'user', user.id, { [`${prefix}skills`]: 'go' }), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.update(tenantId, 'user', user.id, { [`${prefix}nope`]: 'x' }), 'ERR_DIR_INVALID_PROPERTY');
      const group = await f.directory.create(tenantId, 'group', { displayName: 'g', [`${prefix}level`]: 1 });
      assert.equal(group[`${prefix}level`], 1);
      await rejectsWith(f.directory.create(tenantId, 'group', { displayName: 'g2', [`${prefix}costCenter`]: 'x' }), 'ERR_DIR_EXTENSION_INVALID');
      const cleared = await f.directory.update(tenantId, 'user', user.id, { [`${prefix}costCenter`]: null });
      assert.equal(`${prefix}costCenter` in cleared, false);
      assert.equal((await f.directory.listAvailableExtensionProperties(tenantId)).length, 4);
      await f.directory.deleteExtensionProperty(tenantId, app.id, cost.id);
      assert.equal((await f.directory.listExtensionProperties(tenantId, app.id)).length, 3);
    });

    it('enforces on-premises mastering for synced objects, except for the provisioning actor', async () => {
      const { tenantId, domain } = await f.tenant();
      const synced = await f.directory.create(
        tenantId,
        'user',
        { userPrincipalName: `sync@${domain}`, displayName: 'Synced', onPremisesSyncEnabled: true, onPremisesImmutableId: 'AAAA', onPremisesSamAccountName: 'sync' },
        { actor: 'provisioning' },
      );
      const e = await rejectsWith(f.directory.update(tenantId, 'user', synced.id, { displayName: 'Renamed' }), 'ERR_DIR_ON_PREMISES_MASTERED');
      assert.equal(e.details?.['property'], 'displayName');
      assert.match(e.message, /displayName/);
      await rejectsWith(f.directory.update(tenantId, 'user', synced.id, { onPremisesExtensionAttributes: { extensionAttribute1: 'x' } }), 'ERR_DIR_ON_PREMISES_MASTERED');
      await rejectsWith(f.directory.update(tenantId, 'user', synced.id, { onPremisesSamAccountName: 'other' }), 'ERR_DIR_READ_ONLY_PROPERTY');
      // Cloud-owned properties stay writable, and echoing the current value of a mastered one is harmless.
      const u = await f.directory.update(tenantId, 'user', synced.id, { usageLocation: 'DE', displayName: 'Synced' });
      assert.equal(u.usageLocation, 'DE');
      const p = await f.directory.update(tenantId, 'user', synced.id, { displayName: 'Renamed' }, { actor: 'provisioning' });
      assert.equal(p.displayName, 'Renamed');
      await rejectsWith(f.directory.delete(tenantId, 'user', synced.id), 'ERR_DIR_ON_PREMISES_MASTERED');

      const group = await f.directory.create(tenantId, 'group', { displayName: 'Synced group', onPremisesSyncEnabled: true }, { actor: 'provisioning' });
      const eg = await rejectsWith(f.directory.addMember(tenantId, group.id, synced.id), 'ERR_DIR_ON_PREMISES_MASTERED');
      assert.equal(eg.details?.['property'], 'members');
      await f.directory.addMember(tenantId, group.id, synced.id, { actor: 'provisioning' });
      await rejectsWith(f.directory.removeMember(tenantId, group.id, synced.id), 'ERR_DIR_ON_PREMISES_MASTERED');
      // Taking it out of sync (provisioning) hands it to the cloud.
      await f.directory.update(tenantId, 'user', synced.id, { onPremisesSyncEnabled: false }, { actor: 'provisioning' });
      await f.directory.update(tenantId, 'user', synced.id, { displayName: 'Cloud now' });
      await f.directory.delete(tenantId, 'user', synced.id);
    });

    it('keeps tenants apart: ids of another tenant do not exist', async () => {
      const a = await f.tenant();
      const b = await f.tenant();
      const userA = await f.directory.create(a.tenantId, 'user', { userPrincipalName: `u@${a.domain}`, onPremisesImmutableId: 'same', mail: 'shared@x.example' });
      const groupA = await f.directory.create(a.tenantId, 'group', { displayName: 'A' });
      const groupB = await f.directory.create(b.tenantId, 'group', { displayName: 'B' });
      await rejectsWith(f.directory.get(b.tenantId, 'user', userA.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.get(b.tenantId, 'user', `u@${a.domain}`), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.getAny(b.tenantId, userA.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.update(b.tenantId, 'user', userA.id, { displayName: 'x' }), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.delete(b.tenantId, 'user', userA.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.addMember(b.tenantId, groupB.id, userA.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.addMember(b.tenantId, groupA.id, userA.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.listMembers(b.tenantId, groupA.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.listMemberOf(b.tenantId, userA.id), 'ERR_DIR_NOT_FOUND');
      assert.equal((await f.directory.list(b.tenantId, 'user', { top: 999, count: true })).count, 0);
      // A UPN in another tenant's domain is not verified here.
      await rejectsWith(f.directory.create(b.tenantId, 'user', { userPrincipalName: `v@${a.domain}` }), 'ERR_DIR_UNVERIFIED_DOMAIN');
      // Uniqueness is per tenant: the same immutable id and SMTP address are fine in another tenant.
      await f.directory.create(b.tenantId, 'user', { userPrincipalName: `u@${b.domain}`, onPremisesImmutableId: 'same', mail: 'shared@x.example' });
      await f.directory.delete(a.tenantId, 'user', userA.id);
      await rejectsWith(f.directory.restore(b.tenantId, userA.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.getDeleted(b.tenantId, userA.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.permanentlyDelete(b.tenantId, userA.id), 'ERR_DIR_NOT_FOUND');
      assert.equal((await f.directory.listDeleted(b.tenantId, 'user', { top: 10, count: true })).count, 0);
      await rejectsWith(f.directory.create('00000000-0000-0000-0000-000000000000', 'user', { userPrincipalName: `u@${a.domain}` }), 'ERR_DIR_NOT_FOUND');
    });
  });
}

stopHarnessAfterAll();
