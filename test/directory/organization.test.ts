import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

for (const backend of BACKENDS) {
  describe(`organization and domains [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('has one organization per tenant; displayName by the API, sync facts by provisioning', async () => {
      const { tenantId, domain } = await f.tenant();
      const org = await f.directory.getOrganization(tenantId);
      assert.equal(org.id, tenantId);
      assert.equal(org['@odata.type'], '#microsoft.graph.organization');
      assert.deepEqual(org.verifiedDomains, [{ name: domain, isDefault: true, isInitial: true, type: 'Managed', capabilities: 'Email, OfficeCommunicationsOnline' }]);
      assert.equal((await f.directory.updateOrganization(tenantId, { displayName: 'Contoso Ltd' })).displayName, 'Contoso Ltd');
      await rejectsWith(f.directory.updateOrganization(tenantId, { onPremisesSyncEnabled: true }), 'ERR_DIR_READ_ONLY_PROPERTY');
      await rejectsWith(f.directory.updateOrganization(tenantId, { id: 'x' }), 'ERR_DIR_READ_ONLY_PROPERTY');
      await rejectsWith(f.directory.updateOrganization(tenantId, { city: 'Oslo' }), 'ERR_DIR_INVALID_PROPERTY');
      const synced = await f.directory.updateOrganization(
        tenantId,
        { onPremisesSyncEnabled: true, onPremisesLastSyncDateTime: '2025-01-01T10:00:00Z' },
        { actor: 'provisioning' },
      );
      assert.equal(synced.onPremisesSyncEnabled, true);
      assert.equal(synced.onPremisesLastSyncDateTime, '2025-01-01T10:00:00.000Z');
      await rejectsWith(f.directory.getOrganization('00000000-0000-0000-0000-000000000000'), 'ERR_DIR_NOT_FOUND');
      assert.equal(await f.directory.tenantExists(tenantId), true);
      assert.equal(await f.directory.tenantExists('nope'), false);
    });

    it('adds, verifies, reads and removes domains', async () => {
      const { tenantId, domain } = await f.tenant();
      const name = `d${process.pid}.example`;
      await f.directory.addDomain(tenantId, { id: name });
      await rejectsWith(f.directory.addDomain(tenantId, { id: name }), 'ERR_DIR_DOMAIN_CONFLICT');
      await rejectsWith(f.directory.addDomain(tenantId, { id: 'not a domain' }), 'ERR_DIR_INVALID_VALUE');
      assert.equal((await f.directory.getDomain(tenantId, name.toUpperCase())).isVerified, false);
      assert.equal((await f.directory.verifyDomain(tenantId, name)).isVerified, true);
      assert.deepEqual((await f.directory.getOrganization(tenantId)).verifiedDomains.map((d) => d.name).sort(), [domain, name].sort());
      await rejectsWith(f.directory.deleteDomain(tenantId, domain), 'ERR_DIR_DOMAIN_CONFLICT');
      await f.directory.deleteDomain(tenantId, name);
      await rejectsWith(f.directory.getDomain(tenantId, name), 'ERR_DIR_NOT_FOUND');
      // Once free, another tenant may verify it.
      const other = await f.tenant();
      assert.equal((await f.directory.addDomain(other.tenantId, { id: name, isVerified: true })).isVerified, true);
      await rejectsWith(f.directory.getDomain(tenantId, domain.replace(/^/, 'x')), 'ERR_DIR_NOT_FOUND');
    });
  });
}

stopHarnessAfterAll();
