/**
 * Deleting a configuration's job, on both store backends: the job's connector space goes with it; with
 * removeObjects the objects it synchronized leave the cloud first (users and groups to deleted items, contacts
 * removed), and nothing else does — not a cloud-only user, not another configuration's objects.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SqlConnectorSpace } from '../../src/engine/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { CLOUD_SYNC_APPLICATION_TEMPLATE_ID, createSynchronizationStore, type SynchronizationStore } from '../../src/synchronization/index.ts';
import { connectorSpaceIdOf } from '../../src/synchronization/scheduler.ts';
import { engineFixture, type EngineFixture } from '../engine/engine-fixture.ts';
import { MemorySource } from '../engine/memory-source.ts';
import { BACKENDS } from '../storage/backends.ts';

const BASE = 'DC=corp,DC=example,DC=com';

function person(name: string) {
  const nick = name.toLowerCase().replace(/ /g, '.');
  return { cn: name, displayName: name, givenName: name.split(' ')[0]!, sn: name.split(' ')[1]!, sAMAccountName: nick, userPrincipalName: `${nick}@corp.example.com` };
}

for (const backend of BACKENDS) {
  describe(`configuration delete and its synchronized objects (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let sync: SynchronizationStore;
    let first: EngineFixture;
    let tenantId: string;

    /** A configuration of `domain` whose job has synchronized `users` (and one group, one contact). */
    async function synchronizedConfiguration(domain: string, users: string[]): Promise<{ sp: string; jobId: string; f: EngineFixture }> {
      const { servicePrincipal } = await sync.instantiate(tenantId, CLOUD_SYNC_APPLICATION_TEMPLATE_ID, domain);
      const job = await sync.createJob(tenantId, servicePrincipal.id, 'AD2AADProvisioning');
      const f = await engineFixture(store, { tenantId, configurationId: connectorSpaceIdOf(tenantId, job.id) });
      const source = new MemorySource();
      const ou = `OU=${domain.split('.')[0]},${BASE}`;
      source.add('organizationalUnit', ou, { ou: domain });
      for (const name of users) source.add('user', `CN=${name},${ou}`, person(name));
      source.add('group', `CN=Team ${domain},${ou}`, { cn: `Team ${domain}`, sAMAccountName: `team${users.length}`, groupType: -2147483646, member: users.map((name) => `CN=${name},${ou}`) });
      source.add('contact', `CN=Partner ${domain},${ou}`, { cn: `Partner ${domain}`, displayName: `Partner ${domain}`, mail: `partner@${domain}` });
      const report = await f.cycle(source);
      assert.equal(report.failed, 0);
      return { sp: servicePrincipal.id, jobId: job.id, f };
    }

    before(async () => {
      ({ store, dispose } = await backend.open());
      first = await engineFixture(store);
      tenantId = first.tenantId;
      await first.directory.addDomain(tenantId, { id: 'corp.example.com', isVerified: true });
      sync = createSynchronizationStore(store, first.directory, { secretsKey: randomBytes(32) });
      await first.directory.create(tenantId, 'user', {
        accountEnabled: true, displayName: 'Cloud Only', mailNickname: 'cloud.only', userPrincipalName: 'cloud.only@corp.example.com',
        passwordProfile: { password: 'Xy7!long-enough-password' },
      });
    });
    after(() => dispose());

    test('removeObjects soft-deletes what the job synchronized, and only that; the connector space goes', async () => {
      const removed = await synchronizedConfiguration('one.example.com', ['Ann One', 'Bob One']);
      const kept = await synchronizedConfiguration('two.example.com', ['Cid Two']);
      const names = async () => (await first.listAll('user')).map((u) => String(u['displayName'])).sort();
      assert.deepEqual(await names(), ['Ann One', 'Bob One', 'Cid Two', 'Cloud Only']);

      const report = await sync.deleteJob(tenantId, removed.sp, removed.jobId, { removeObjects: true });
      assert.deepEqual(report, { removed: 4, alreadyGone: 0 });
      assert.deepEqual(await names(), ['Cid Two', 'Cloud Only']);
      assert.deepEqual((await first.listDeleted('user')).map((u) => u['displayName']).sort(), ['Ann One', 'Bob One']);
      assert.deepEqual((await first.listDeleted('group')).map((g) => g['displayName']), ['Team one.example.com']);
      assert.deepEqual((await first.listAll('group')).map((g) => g['displayName']), ['Team two.example.com']);
      assert.deepEqual((await first.listAll('orgContact')).map((c) => c['displayName']), ['Partner two.example.com']);
      assert.deepEqual(await new SqlConnectorSpace(store, connectorSpaceIdOf(tenantId, removed.jobId)).listUnseen('none', undefined, 10), []);
      assert.ok((await new SqlConnectorSpace(store, connectorSpaceIdOf(tenantId, kept.jobId)).listUnseen('none', undefined, 10)).length > 0, 'the other configuration keeps its own');

      // Deleting the other configuration's service principal keeps its objects and drops its connector space.
      await sync.deleteServicePrincipal(tenantId, kept.sp);
      assert.deepEqual(await names(), ['Cid Two', 'Cloud Only']);
      const space = new SqlConnectorSpace(store, connectorSpaceIdOf(tenantId, kept.jobId));
      assert.deepEqual(await space.listUnseen('none', undefined, 10), []);
      assert.equal(await space.getWatermark(), null);
    });

    test('a removal asked for again counts the objects already gone and deletes the rest', async () => {
      const config = await synchronizedConfiguration('three.example.com', ['Dee Three', 'Eve Three', 'Fay Three']);
      const eve = (await first.listAll('user')).find((u) => u['displayName'] === 'Eve Three')!;
      // as an interrupted removal (or an admin) would have left it
      await first.directory.delete(tenantId, 'user', String(eve['id']), { actor: 'provisioning' });

      const report = await sync.deleteJob(tenantId, config.sp, config.jobId, { removeObjects: true });
      assert.deepEqual(report, { removed: 4, alreadyGone: 1 });
      assert.deepEqual((await first.listAll('user')).map((u) => String(u['displayName'])).filter((n) => n.endsWith('Three')), []);
      assert.deepEqual((await first.listDeleted('user')).map((u) => String(u['displayName'])).filter((n) => n.endsWith('Three')).sort(), ['Dee Three', 'Eve Three', 'Fay Three']);
      assert.deepEqual((await first.listAll('group')).map((g) => g['displayName']).filter((n) => String(n).includes('three')), []);
    });
  });
}
