/**
 * Full and repeated cycles of the bundled 1,000-user sample AD export (LDIF connector) into a real cloud directory,
 * on every store backend: everything arrives once, nothing twice, and a second cycle writes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import type { Store } from '../../src/storage/index.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));

for (const backend of BACKENDS) {
  describe(`sample AD export → cloud directory (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let f: EngineFixture;
    const source = new LdifConnector({ file: SAMPLE });

    before(async () => {
      ({ store, dispose } = await backend.open());
      f = await engineFixture(store);
      f.config = { ...f.config, batchSize: 500 };
    });
    after(async () => {
      await dispose();
    });

    test('the first cycle creates every user, group and contact once', async () => {
      const report = await f.cycle(source);
      assert.equal(report.mode, 'full');
      assert.equal(report.failed, 0, JSON.stringify(f.log.entries.filter((e) => e.status === 'Failure').slice(0, 3), null, 1));
      assert.equal(report.created, 1053);
      // the job status's synchronizedEntryCountByType
      assert.deepEqual(report.synchronized, [
        { sourceType: 'contact', targetType: 'orgContact', count: 40 },
        { sourceType: 'group', targetType: 'group', count: 13 },
        { sourceType: 'user', targetType: 'user', count: 1000 },
      ]);
      // progress after every batch: 1,064 records (with the OUs), 3 batches of at most 500
      const imports = f.progress.filter((p) => p.step === 'import');
      assert.deepEqual(imports.map((p) => p.imported), [500, 1000, 1064]);
      assert.equal(f.progress.at(-1)!.exported, 1053);
      const users = await f.listAll('user');
      const groups = await f.listAll('group');
      const contacts = await f.listAll('orgContact');
      assert.equal(users.length, 1000);
      assert.equal(groups.length, 13);
      assert.equal(contacts.length, 40);
      assert.equal(new Set(users.map((u) => u['onPremisesImmutableId'])).size, 1000, 'one cloud user per anchor');
      // corp.example.com is not a verified domain of the tenant: UPNs move to the initial domain, as in Entra.
      const mei = users.find((u) => u['displayName'] === 'Mei Martinez')!;
      assert.equal(mei['userPrincipalName'], `mei.martinez@${f.initialDomain}`);
      assert.equal(mei['onPremisesUserPrincipalName'], 'mei.martinez@corp.example.com');
      assert.equal(mei['onPremisesSyncEnabled'], true);
      assert.equal(mei['onPremisesImmutableId'], '7AHRJ+ir0Uu9hKQ2Jle1YQ==');
      assert.equal(mei['onPremisesDomainName'], 'corp.example.com');
      assert.equal(mei['department'], 'Sales');
      assert.deepEqual(mei['proxyAddresses'], ['SMTP:mei.martinez@corp.example.com', 'smtp:mei.martinez@corp.mail.example.com']);
      // nested groups and contacts as members
      const allStaff = groups.find((g) => g['displayName'] === 'All Staff')!;
      assert.deepEqual(await f.members(String(allStaff['id'])), [
        'Engineering Team', 'Finance Team', 'Human Resources Team', 'Managers', 'Marketing Team', 'Operations Team', 'Sales Team', 'Support Team',
      ]);
      const partners = groups.find((g) => g['displayName'] === 'Partner Newsletter')!;
      const partnerMembers = await f.members(String(partners['id']));
      assert.ok(partnerMembers.includes('Elizabeth Clark (fabrikam)'), partnerMembers.join());
      // manager references, resolved after their targets exist
      const liam = users.find((u) => u['displayName'] === 'Liam Ivanova')!;
      assert.equal((await f.directory.getManager(f.tenantId, String(liam['id']))).id, mei['id']);
      const reports = await f.directory.listDirectReports(f.tenantId, String(mei['id']), { top: 999 });
      assert.ok(reports.items.some((r) => r.id === liam['id']));
      const sales = groups.find((g) => g['displayName'] === 'Sales Team')!;
      assert.ok((await f.members(String(sales['id']))).includes('Mei Martinez'));
      // the provisioning log: one Create per object, each with its modified properties
      const creates = f.log.entries.filter((e) => e.action === 'Create');
      assert.equal(creates.length, 1053);
      assert.ok(creates.every((e) => e.status === 'Success' && e.targetIdentity.id !== null));
      const meiLog = creates.find((e) => e.sourceIdentity.id === '7AHRJ+ir0Uu9hKQ2Jle1YQ==')!;
      // no referenceResolution step: she has no manager, so there is nothing to link
      assert.deepEqual(meiLog.steps.map((s) => s.name), ['import', 'scoping', 'matching', 'processing', 'export']);
      assert.ok(meiLog.modifiedProperties.some((p) => p.displayName === 'displayName' && p.oldValue === null && p.newValue === 'Mei Martinez'));
    });

    test('a second cycle finds nothing to export', async () => {
      f.log.clear();
      const report = await f.cycle(source, 'full');
      assert.equal(report.created + report.updated + report.deleted + report.restored, 0, JSON.stringify(report));
      assert.equal(report.unchanged, 1053);
      assert.equal(report.referencesAdded + report.referencesRemoved, 0);
      assert.equal(f.log.entries.filter((e) => e.status !== 'Skipped').length, 0, JSON.stringify(f.log.entries.slice(0, 2)));
      assert.equal((await f.listAll('user')).length, 1000);
    });

    test('a delta cycle of an unchanged file writes nothing', async () => {
      f.log.clear();
      const report = await f.cycle(source, 'delta');
      assert.equal(report.mode, 'delta');
      assert.equal(report.imported, 0);
      assert.equal(report.created + report.updated + report.deleted, 0);
    });
  });
}

after(() => stopPostgres());
