import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

for (const backend of BACKENDS) {
  describe(`directory constraints [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('userPrincipalName is unique, case-insensitively, and the error names the holder', async () => {
      const { tenantId, domain } = await f.tenant();
      const first = await f.directory.create(tenantId, 'user', { userPrincipalName: `Jo@${domain}` });
      const e = await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `jO@${domain.toUpperCase()}` }), 'ERR_DIR_UPN_CONFLICT');
      assert.equal(e.details?.['conflictingObjectId'], first.id);
      assert.match(e.message, new RegExp(first.id));
      const other = await f.directory.create(tenantId, 'user', { userPrincipalName: `other@${domain}` });
      const e2 = await rejectsWith(f.directory.update(tenantId, 'user', other.id, { userPrincipalName: `JO@${domain}` }), 'ERR_DIR_UPN_CONFLICT');
      assert.equal(e2.details?.['conflictingObjectId'], first.id);
      // Renaming to one's own UPN in another case is not a conflict.
      const renamed = await f.directory.update(tenantId, 'user', first.id, { userPrincipalName: `JO@${domain}` });
      assert.equal(renamed.userPrincipalName, `JO@${domain}`);
    });

    it('SMTP addresses are unique across mail and proxyAddresses of all object types, ignoring case and prefix', async () => {
      const { tenantId, domain } = await f.tenant();
      const user = await f.directory.create(tenantId, 'user', {
        userPrincipalName: `a@${domain}`,
        mail: `A@${domain}`,
        proxyAddresses: [`SMTP:a@${domain}`, `smtp:alias@${domain}`, 'X500:/o=ex/cn=a'],
      });
      const e1 = await rejectsWith(f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `ALIAS@${domain}` }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      assert.equal(e1.details?.['conflictingObjectId'], user.id);
      assert.equal(e1.details?.['value'], `alias@${domain}`);
      const e2 = await rejectsWith(
        f.directory.create(tenantId, 'group', { displayName: 'g', mailEnabled: true, proxyAddresses: [`smtp:A@${domain}`] }),
        'ERR_DIR_PROXY_ADDRESS_CONFLICT',
      );
      assert.equal(e2.details?.['conflictingObjectId'], user.id);
      // Non-SMTP addresses may repeat.
      await f.directory.create(tenantId, 'group', { displayName: 'x500', proxyAddresses: ['X500:/o=ex/cn=a'] });
      // Within one request too.
      await rejectsWith(
        f.directory.createMany(tenantId, 'orgContact', [
          { displayName: 'c1', mail: 'dup@partner.example' },
          { displayName: 'c2', proxyAddresses: ['SMTP:DUP@partner.example'] },
        ]),
        'ERR_DIR_PROXY_ADDRESS_CONFLICT',
      );
      // Dropping an address frees it.
      await f.directory.update(tenantId, 'user', user.id, { proxyAddresses: [`SMTP:a@${domain}`] });
      await f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `alias@${domain}` });
      const e3 = await rejectsWith(f.directory.update(tenantId, 'user', user.id, { proxyAddresses: [`SMTP:a@${domain}`, `smtp:alias@${domain}`] }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      assert.equal(e3.details?.['conflictingObjectType'], 'orgContact');
    });

    it('onPremisesImmutableId is unique per tenant', async () => {
      const { tenantId, domain } = await f.tenant();
      const first = await f.directory.create(tenantId, 'user', { userPrincipalName: `a@${domain}`, onPremisesImmutableId: 'Zm9v' }, { actor: 'provisioning' });
      const e = await rejectsWith(
        f.directory.create(tenantId, 'user', { userPrincipalName: `b@${domain}`, onPremisesImmutableId: 'Zm9v' }, { actor: 'provisioning' }),
        'ERR_DIR_IMMUTABLE_ID_CONFLICT',
      );
      assert.equal(e.details?.['conflictingObjectId'], first.id);
      assert.equal(e.details?.['value'], 'Zm9v');
    });

    it('a UPN suffix must be a verified domain of the tenant', async () => {
      const { tenantId } = await f.tenant();
      const e = await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: 'a@contoso.example' }), 'ERR_DIR_UNVERIFIED_DOMAIN');
      assert.equal(e.details?.['domain'], 'contoso.example');
      const added = await f.directory.addDomain(tenantId, { id: 'Contoso.example' });
      assert.deepEqual([added.id, added.isVerified], ['contoso.example', false]);
      await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: 'a@contoso.example' }), 'ERR_DIR_UNVERIFIED_DOMAIN');
      await f.directory.verifyDomain(tenantId, 'contoso.example');
      const user = await f.directory.create(tenantId, 'user', { userPrincipalName: 'a@CONTOSO.example' });
      const domains = await f.directory.listDomains(tenantId);
      assert.equal(domains.length, 2);
      assert.equal(domains.filter((d) => d.isDefault && d.isInitial).length, 1);
      const used = await rejectsWith(f.directory.deleteDomain(tenantId, 'contoso.example'), 'ERR_DIR_DOMAIN_CONFLICT');
      assert.equal(used.details?.['conflictingObjectId'], user.id);
      // A domain verified by one tenant cannot be verified by another.
      const other = await f.tenant();
      await rejectsWith(f.directory.addDomain(other.tenantId, { id: 'contoso.example', isVerified: true }), 'ERR_DIR_DOMAIN_CONFLICT');
      await f.directory.addDomain(other.tenantId, { id: 'contoso.example' });
      await rejectsWith(f.directory.verifyDomain(other.tenantId, 'contoso.example'), 'ERR_DIR_DOMAIN_CONFLICT');
      const org = await f.directory.getOrganization(tenantId);
      assert.equal(org.id, tenantId);
      assert.deepEqual(org.verifiedDomains.map((d) => d.name).sort(), [`${domains.find((d) => d.isInitial)!.id}`, 'contoso.example'].sort());
    });

    it('a failed write leaves nothing half-written (batch and change log included)', async () => {
      const { tenantId, domain } = await f.tenant();
      await f.directory.create(tenantId, 'user', { userPrincipalName: `taken@${domain}` });
      const before = await f.directory.delta(tenantId, 'user');
      await rejectsWith(
        f.directory.createMany(tenantId, 'user', [
          { userPrincipalName: `new1@${domain}`, mail: `new1@${domain}` },
          { userPrincipalName: `new2@${domain}` },
          { userPrincipalName: `TAKEN@${domain}` },
        ]),
        'ERR_DIR_UPN_CONFLICT',
      );
      assert.equal((await f.directory.list(tenantId, 'user', { top: 10, count: true })).count, 1);
      const after = await f.directory.delta(tenantId, 'user', { token: before.deltaToken! });
      assert.deepEqual(after.items, []);
      // new1's address was not left claimed.
      await f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `new1@${domain}` });
    });

    it('concurrent writers cannot both take one UPN', async () => {
      const { tenantId, domain } = await f.tenant();
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => f.directory.create(tenantId, 'user', { userPrincipalName: `race@${domain}`, displayName: String(i) })),
      );
      assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
      for (const a of attempts) if (a.status === 'rejected') assert.equal((a.reason as { code?: string }).code, 'ERR_DIR_UPN_CONFLICT');
    });

    it('tenant names are unique; credentials and the signing key persist', async () => {
      const name = `cred${process.pid}`;
      const created = await f.directory.createTenant({ name });
      await rejectsWith(f.directory.createTenant({ name: name.toUpperCase() }), 'ERR_DIR_DOMAIN_CONFLICT');
      await rejectsWith(f.directory.createTenant({ name: 'not a label' }), 'ERR_DIR_INVALID_VALUE');
      const ok = await f.directory.verifyClientCredentials(created.tenantId, created.clientId, created.clientSecret);
      assert.deepEqual(ok?.roles, ['Directory.Read.All', 'Directory.ReadWrite.All', 'Synchronization.ReadWrite.All', 'AuditLog.Read.All']);
      assert.equal(await f.directory.verifyClientCredentials(created.tenantId, created.clientId, created.clientSecret + 'x'), null);
      assert.equal(await f.directory.verifyClientCredentials(created.tenantId, 'unknown', created.clientSecret), null);
      const other = await f.tenant();
      assert.equal(await f.directory.verifyClientCredentials(other.tenantId, created.clientId, created.clientSecret), null);
      // Only a hash is stored.
      const stored = await f.store.db.selectFrom('client_secrets').selectAll().where('client_id', '=', created.clientId).execute();
      assert.equal(stored.length, 1);
      assert.equal(JSON.stringify(stored).includes(created.clientSecret), false);
      // A second directory on the same database (another node) gets the same signing key.
      const { createCloudDirectory } = await import('../../src/directory/index.ts');
      const [k1, k2] = await Promise.all([f.directory.getOrCreateSigningKey(), createCloudDirectory(f.store).getOrCreateSigningKey()]);
      assert.equal(k1.kid, k2.kid);
      assert.deepEqual(k1.publicJwk, k2.publicJwk);
      assert.equal(k1.privateJwk.d !== undefined, true);
      assert.equal('d' in k1.publicJwk, false);
      const apps = await f.directory.list(created.tenantId, 'application', { top: 10 });
      const secret = await f.directory.addClientSecret(created.tenantId, apps.items[0]!.id, ['Directory.Read.All']);
      assert.deepEqual((await f.directory.verifyClientCredentials(created.tenantId, secret.clientId, secret.clientSecret))?.roles, ['Directory.Read.All']);
    });
  });
}

stopHarnessAfterAll();
