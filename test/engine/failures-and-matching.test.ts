/**
 * Per-object failures are values (logged, escrowed, retried) and never stop a cycle; hard match joins an
 * existing cloud object by onPremisesImmutableId; soft match (off by default) adopts a cloud-only user by UPN.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { defaultAnchorOf } from '../../src/connectors/source-connector.ts';
import { compileSynchronizationSchema, getTemplate, sourceFromExpression } from '../../src/schema/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';
import { MemorySource } from './memory-source.ts';

const OU = 'OU=Users,DC=corp,DC=example,DC=com';

function person(nick: string, extra: Record<string, string> = {}) {
  return { cn: nick, displayName: nick, sAMAccountName: nick, userPrincipalName: `${nick}@corp.example.com`, ...extra };
}

describe('per-object failures, escrow and matching (sqlite)', () => {
  const backend = BACKENDS[0]!;
  let dispose: () => Promise<void>;
  let f: EngineFixture;

  before(async () => {
    let store: Store;
    ({ store, dispose } = await backend.open());
    f = await engineFixture(store);
  });
  after(async () => {
    await dispose();
  });

  test('a UPN conflict fails one object; the others are created; the failure is escrowed and retried later', async () => {
    const source = new MemorySource();
    // a cloud-only user already holds the UPN the engine will compute
    const squatter = await f.directory.create(f.tenantId, 'user', { displayName: 'Squatter', userPrincipalName: `dana@${f.initialDomain}`, mailNickname: 'sq' });
    source.add('user', `CN=ann,${OU}`, person('ann'));
    source.add('user', `CN=dana,${OU}`, person('dana'));
    source.add('user', `CN=eve,${OU}`, person('eve'));
    const report = await f.cycle(source);
    assert.equal(report.created, 2);
    assert.equal(report.failed, 1);
    const failure = f.log.entries.find((e) => e.status === 'Failure')!;
    assert.equal(failure.errorCode, 'ERR_DIR_UPN_CONFLICT');
    assert.equal(failure.sourceIdentity.dn, `CN=dana,${OU}`);
    assert.equal(failure.action, 'Create');
    const [entry] = (await f.connectorSpace.get([source.anchorOf(`CN=dana,${OU}`)])).values();
    assert.equal(entry!.escrow.failureCount, 1);
    assert.equal(entry!.escrow.lastError?.code, 'ERR_DIR_UPN_CONFLICT');
    assert.equal(entry!.escrow.nextRetryAt, '2026-01-01T00:02:00.000Z');

    // not due yet: nothing happens
    await f.directory.delete(f.tenantId, 'user', squatter.id);
    let again = await f.cycle(source);
    assert.equal(again.created, 0);
    // due: read again from the source and created, although the source did not change
    f.now = new Date('2026-01-01T00:03:00Z');
    again = await f.cycle(source);
    assert.equal(again.created, 1);
    assert.equal(again.failed, 0);
    const users = await f.listAll('user');
    assert.deepEqual(users.map((u) => u['displayName']).sort(), ['ann', 'dana', 'eve']);
    const [cleared] = (await f.connectorSpace.get([source.anchorOf(`CN=dana,${OU}`)])).values();
    assert.equal(cleared!.escrow.failureCount, 0);
    assert.equal(cleared!.state, 'synced');
  });

  // The directory target writes a page's managers in one setManagers call; a target without it, one setReference
  // per link. Either way the refused link is its own object's failure and the rest of the page lands.
  for (const batched of [true, false]) {
    test(`a manager cycle fails one user's link; the page's other links land (${batched ? 'one call per page' : 'one call per link'})`, async () => {
      const local = await engineFixture(f.store);
      const target = batched ? local.target : { ...local.target, setReferences: undefined };
      const source = new MemorySource();
      const dn = (name: string) => `CN=${name},${OU}`;
      // ann and bob report to each other: whichever of them is linked second closes a cycle
      source.add('user', dn('ann'), person('ann', { manager: dn('bob') }));
      source.add('user', dn('bob'), person('bob', { manager: dn('ann') }));
      source.add('user', dn('cy'), person('cy', { manager: dn('ann') }));
      source.add('user', dn('dee'), person('dee', { manager: dn('bob') }));
      const report = await local.cycle(source, 'auto', { target });
      assert.equal(report.referencesAdded, 3);
      const users = new Map((await local.listAll('user')).map((u) => [String(u['displayName']), u.id as string] as const));
      const nameOf = new Map([...users].map(([name, id]) => [id, name] as const));
      const managerOf = (name: string) => local.directory.getManager(local.tenantId, users.get(name)!).then((m) => nameOf.get(m.id), (e: { code: string }) => e.code);
      assert.equal(await managerOf('cy'), 'ann');
      assert.equal(await managerOf('dee'), 'bob');
      const failures = local.log.entries.filter((e) => e.status === 'Failure');
      assert.equal(failures.length, 1);
      assert.equal(failures[0]!.errorCode, 'ERR_DIR_MANAGER_CYCLE');
      assert.ok(failures[0]!.steps.some((s) => s.name === 'referenceResolution' && s.status === 'Failure'));
      const failed = failures[0]!.sourceIdentity.dn === dn('ann') ? 'ann' : 'bob';
      const linked = failed === 'ann' ? 'bob' : 'ann';
      assert.equal(await managerOf(linked), failed);
      assert.equal(await managerOf(failed), 'ERR_DIR_NOT_FOUND');
      // the failed user's references stay pending and escrowed; the others are settled
      const entries = await local.connectorSpace.get(['ann', 'bob', 'cy', 'dee'].map((name) => source.anchorOf(dn(name))));
      const entryOf = (name: string) => entries.get(source.anchorOf(dn(name)))!;
      assert.equal(entryOf(failed).refsPending, true);
      assert.equal(entryOf(failed).escrow.lastError?.code, 'ERR_DIR_MANAGER_CYCLE');
      assert.deepEqual([linked, 'cy', 'dee'].map((name) => entryOf(name).refsPending), [false, false, false]);

      // fixed in the source: the failed user no longer names a manager; nothing is left pending or failing
      source.modify(dn(failed), { manager: undefined });
      local.log.clear();
      await local.cycle(source, 'auto', { target });
      assert.deepEqual(local.log.entries.filter((e) => e.status === 'Failure'), []);
      assert.equal(await managerOf(failed), 'ERR_DIR_NOT_FOUND');
      assert.equal(await managerOf(linked), failed);
      assert.equal((await local.connectorSpace.get([source.anchorOf(dn(failed))])).get(source.anchorOf(dn(failed)))!.refsPending, false);
    });
  }

  test('a mapping that fails for one object is a Failure value with the mapping error code', async () => {
    const source = new MemorySource();
    // two values for the single-valued jobTitle: ERR_SCHEMA_VALUE_TYPE for this object only
    source.add('user', `CN=frank,${OU}`, { ...person('frank'), title: ['a', 'b'] as unknown as string });
    source.add('user', `CN=gina,${OU}`, person('gina'));
    f.log.clear();
    const local = await engineFixture(f.store);
    const report = await local.cycle(source);
    assert.equal(report.created, 1);
    assert.equal(report.failed, 1);
    const failure = local.log.entries.find((e) => e.status === 'Failure')!;
    assert.equal(failure.errorCode, 'ERR_SCHEMA_VALUE_TYPE');
    assert.match(failure.errorMessage!, /jobTitle/);
  });

  test('hard match joins the cloud object that already carries the anchor (no duplicate)', async () => {
    const local = await engineFixture(f.store);
    const source = new MemorySource();
    const object = source.add('user', `CN=hank,${OU}`, person('hank', { title: 'Chef' }));
    const existing = await local.directory.create(local.tenantId, 'user', {
      displayName: 'hank (old)', userPrincipalName: `hank@${local.initialDomain}`, mailNickname: 'hank', onPremisesImmutableId: defaultAnchorOf(object),
    });
    const report = await local.cycle(source);
    assert.equal(report.created, 0);
    assert.equal(report.updated, 1);
    const users = await local.listAll('user');
    assert.equal(users.length, 1);
    assert.equal(users[0]!['id'], existing.id);
    assert.equal(users[0]!['displayName'], 'hank');
    assert.equal(users[0]!['onPremisesSyncEnabled'], true);
    assert.ok(local.log.entries[0]!.steps.some((s) => s.name === 'matching' && s.description.startsWith('Hard match')));
  });

  test('soft match is off by default; on, it adopts the cloud-only user with the same UPN', async () => {
    const local = await engineFixture(f.store);
    const source = new MemorySource();
    source.add('user', `CN=ivy,${OU}`, person('ivy'));
    const cloudOnly = await local.directory.create(local.tenantId, 'user', { displayName: 'Ivy (cloud)', userPrincipalName: `ivy@${local.initialDomain}`, mailNickname: 'ivy' });
    let report = await local.cycle(source);
    assert.equal(report.failed, 1);
    assert.equal(local.log.entries[0]!.errorCode, 'ERR_DIR_UPN_CONFLICT');
    local.config = { ...local.config, softMatch: { userPrincipalName: true } };
    report = await local.cycle(source, 'full');
    assert.equal(report.failed, 0);
    const users = await local.listAll('user');
    assert.equal(users.length, 1);
    assert.equal(users[0]!['id'], cloudOnly.id);
    assert.equal(users[0]!['onPremisesImmutableId'], source.anchorOf(`CN=ivy,${OU}`));
    assert.equal(users[0]!['onPremisesSyncEnabled'], true);
  });

  test('a redacted mapping shows [Redact] on both sides of the modified property, and its value reaches the cloud', async () => {
    const local = await engineFixture(f.store);
    const template = JSON.parse(JSON.stringify(getTemplate('AD2AADProvisioning')));
    const users = template.synchronizationRules[0].objectMappings[0];
    const jobTitle = users.attributeMappings.find((m: { targetAttributeName: string }) => m.targetAttributeName === 'jobTitle');
    jobTitle.source = sourceFromExpression('Redact([title])');
    local.config = { ...local.config, schema: compileSynchronizationSchema(template) };
    const source = new MemorySource();
    source.add('user', `CN=kim,${OU}`, person('kim', { title: 'Secret Agent' }));
    await local.cycle(source);
    const created = local.log.entries[0]!.modifiedProperties.find((p) => p.displayName === 'jobTitle');
    assert.deepEqual(created, { displayName: 'jobTitle', oldValue: null, newValue: '[Redact]' });
    assert.equal((await local.listAll('user'))[0]!['jobTitle'], 'Secret Agent');
    source.modify(`CN=kim,${OU}`, { title: 'Retired' });
    local.log.clear();
    await local.cycle(source);
    assert.deepEqual(local.log.entries[0]!.modifiedProperties, [{ displayName: 'jobTitle', oldValue: '[Redact]', newValue: '[Redact]' }]);
    assert.ok(!JSON.stringify(local.log.entries).includes('Secret Agent'));
  });

  test('a verified domain keeps its UPN suffix; a disabled account is logged as Disable', async () => {
    const local = await engineFixture(f.store);
    await local.directory.addDomain(local.tenantId, { id: 'corp.example.com', isVerified: true });
    const source = new MemorySource();
    source.add('user', `CN=jo,${OU}`, { ...person('jo'), userAccountControl: 512 as unknown as string });
    await local.cycle(source);
    assert.equal((await local.listAll('user'))[0]!['userPrincipalName'], 'jo@corp.example.com');
    source.modify(`CN=jo,${OU}`, { userAccountControl: 514 as unknown as string });
    local.log.clear();
    await local.cycle(source);
    const [entry] = local.log.entries;
    assert.equal(entry!.action, 'Disable');
    assert.deepEqual(entry!.modifiedProperties, [{ displayName: 'accountEnabled', oldValue: 'true', newValue: 'false' }]);
    assert.equal((await local.listAll('user'))[0]!['accountEnabled'], false);
  });
});

after(() => stopPostgres());

for (const deletionsByAnchor of [false, true]) describe(`accidental-delete prevention (sqlite; deletions reported ${deletionsByAnchor ? 'by anchor alone, as RFC 4533 does' : 'as tombstones, as DirSync does'})`, () => {
  const backend = BACKENDS[0]!;
  let dispose: () => Promise<void>;
  let f: EngineFixture;
  const source = new MemorySource();
  source.deletionsByAnchor = deletionsByAnchor;

  before(async () => {
    let store: Store;
    ({ store, dispose } = await backend.open());
    f = await engineFixture(store);
    f.config = { ...f.config, deleteThreshold: 3 };
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) source.add('user', `CN=${name},${OU}`, person(name));
    await f.cycle(source);
  });
  after(async () => {
    await dispose();
  });

  test('two deletions pass under a threshold of 3', async () => {
    source.delete(`CN=a1,${OU}`);
    source.delete(`CN=a2,${OU}`);
    const report = await f.cycle(source);
    assert.equal(report.deleted, 2);
    const logged = f.log.entries.filter((e) => e.action === 'Delete').map((e) => e.steps[0]!.description);
    assert.equal(logged.length, 2);
    for (const description of logged) assert.match(description, deletionsByAnchor ? /^Deleted in the source directory$/ : /^Imported user .* \(deleted\)$/);
  });

  test('three deletions stop the cycle before deleting anything, and come back once allowed', async () => {
    const watermark = await f.connectorSpace.getWatermark();
    source.delete(`CN=a3,${OU}`);
    source.delete(`CN=a4,${OU}`);
    source.delete(`CN=a5,${OU}`);
    await assert.rejects(f.cycle(source), (error: { code?: string; details?: { deletions?: number } }) => error.code === 'ERR_SYNC_DELETE_THRESHOLD' && error.details?.deletions === 3);
    assert.equal((await f.listAll('user')).length, 3);
    assert.equal(await f.connectorSpace.getWatermark(), watermark, 'the watermark did not move past the deletions');
    f.config = { ...f.config, allowDeletes: true };
    const report = await f.cycle(source);
    assert.equal(report.deleted, 3);
    assert.equal((await f.listAll('user')).length, 0);
  });

  test('a full import that suddenly finds nothing does not empty the cloud', async () => {
    const local = await engineFixture(f.store);
    const full = new MemorySource();
    for (const name of ['b1', 'b2', 'b3', 'b4']) full.add('user', `CN=${name},${OU}`, person(name));
    await local.cycle(full);
    local.config = { ...local.config, deleteThreshold: 3 };
    await assert.rejects(local.cycle(new MemorySource(), 'full'), { code: 'ERR_SYNC_DELETE_THRESHOLD' });
    assert.equal((await local.listAll('user')).length, 4);
  });
});
