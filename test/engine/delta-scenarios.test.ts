/**
 * Delta cycles driven by the in-memory source (AD-like deltas: renames, moves, tombstones, restores), into a real
 * cloud directory: create, modify, rename, move in and out of a scoped OU, OU rename, delete and restore,
 * membership changes with nested groups and contacts, a group larger than the inline limit. Each scenario reads
 * the directory back and checks the provisioning log. Runs with the SQL connector space on every backend and with
 * the in-memory connector space on the first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { MemoryConnectorSpace, type ConnectorSpace } from '../../src/engine/index.ts';
import { compileSynchronizationSchema, getTemplate } from '../../src/schema/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';
import { MemorySource } from './memory-source.ts';

const BASE = 'DC=corp,DC=example,DC=com';
const SALES = `OU=Sales,OU=Corp,${BASE}`;
const ENG = `OU=Engineering,OU=Corp,${BASE}`;
const GROUPS = `OU=Groups,OU=Corp,${BASE}`;

function person(name: string, extra: Record<string, string> = {}) {
  const nick = name.toLowerCase().replace(/ /g, '.');
  return { cn: name, displayName: name, givenName: name.split(' ')[0]!, sn: name.split(' ')[1]!, sAMAccountName: nick, userPrincipalName: `${nick}@corp.example.com`, ...extra };
}

const VARIANTS = [
  ...BACKENDS.map((backend) => ({ backend, space: 'sql' as const })),
  ...(BACKENDS[0] ? [{ backend: BACKENDS[0], space: 'memory' as const }] : []),
];

for (const { backend, space } of VARIANTS) {
  describe(`delta scenarios (${backend.name}, ${space} connector space)`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let f: EngineFixture;
    let connectorSpace: ConnectorSpace;
    const source = new MemorySource();
    const cycle = (mode: 'auto' | 'full' | 'delta' = 'auto') => f.cycle(source, mode, { connectorSpace });
    const user = async (displayName: string) => (await f.listAll('user')).find((u) => u['displayName'] === displayName);
    const group = async (displayName: string) => (await f.listAll('group')).find((g) => g['displayName'] === displayName);

    before(async () => {
      ({ store, dispose } = await backend.open());
      f = await engineFixture(store);
      connectorSpace = space === 'sql' ? f.connectorSpace : new MemoryConnectorSpace();
      source.add('organizationalUnit', `OU=Corp,${BASE}`, { ou: 'Corp' });
      source.add('organizationalUnit', SALES, { ou: 'Sales' });
      source.add('organizationalUnit', ENG, { ou: 'Engineering' });
      source.add('organizationalUnit', GROUPS, { ou: 'Groups' });
      source.add('user', `CN=Alice Smith,${SALES}`, person('Alice Smith', { title: 'Account Executive', department: 'Sales' }));
      source.add('user', `CN=Bob Stone,${ENG}`, person('Bob Stone', { title: 'Engineer' }));
      source.add('contact', `CN=Carol Partner,OU=Corp,${BASE}`, { cn: 'Carol Partner', displayName: 'Carol Partner', mail: 'carol@partner.example' });
      source.add('group', `CN=Team,${GROUPS}`, { cn: 'Team', sAMAccountName: 'Team', groupType: -2147483646, member: [`CN=Alice Smith,${SALES}`] });
      source.add('group', `CN=Leads,${GROUPS}`, { cn: 'Leads', sAMAccountName: 'Leads', groupType: -2147483646 });
    });
    after(async () => {
      await dispose();
    });

    test('initial cycle: full import, watermark stored', async () => {
      const report = await cycle();
      assert.equal(report.mode, 'full');
      assert.equal(report.created, 5);
      assert.equal(report.failed, 0);
      assert.ok(await connectorSpace.getWatermark());
      const team = await group('Team');
      assert.deepEqual(await f.members(String(team!['id'])), ['Alice Smith']);
    });

    test('modify: only the changed attribute is written; the log shows old → new', async () => {
      f.log.clear();
      source.modify(`CN=Alice Smith,${SALES}`, { title: 'Head of Sales' });
      const report = await cycle();
      assert.equal(report.mode, 'delta');
      assert.equal(report.imported, 1);
      assert.equal(report.updated, 1);
      assert.equal((await user('Alice Smith'))!['jobTitle'], 'Head of Sales');
      const [entry] = f.log.entries;
      assert.equal(entry!.action, 'Update');
      assert.deepEqual(entry!.modifiedProperties, [{ displayName: 'jobTitle', oldValue: 'Account Executive', newValue: 'Head of Sales' }]);
    });

    test('rename and move keep the same cloud object', async () => {
      const before = await user('Bob Stone');
      source.move(`CN=Bob Stone,${ENG}`, `CN=Bob Stone,${SALES}`);
      const alice = await user('Alice Smith');
      source.move(`CN=Alice Smith,${SALES}`, `CN=Alice Jones,${SALES}`);
      source.modify(`CN=Alice Jones,${SALES}`, { displayName: 'Alice Jones', sn: 'Jones' });
      const report = await cycle();
      assert.equal(report.created, 0);
      assert.equal(report.updated, 2);
      const bob = await user('Bob Stone');
      assert.equal(bob!['id'], before!['id']);
      assert.equal(bob!['onPremisesDistinguishedName'], `CN=Bob Stone,${SALES}`);
      const renamed = await user('Alice Jones');
      assert.equal(renamed!['id'], alice!['id']);
      assert.equal((await f.listAll('user')).length, 2);
      // the group's member link follows (resolved by anchor, not by the old DN)
      assert.deepEqual(await f.members(String((await group('Team'))!['id'])), ['Alice Jones']);
    });

    test('membership: users, contacts and nested groups added, members removed', async () => {
      f.log.clear();
      source.addMember(`CN=Team,${GROUPS}`, `CN=Bob Stone,${SALES}`);
      source.addMember(`CN=Team,${GROUPS}`, `CN=Carol Partner,OU=Corp,${BASE}`);
      source.addMember(`CN=Team,${GROUPS}`, `CN=Leads,${GROUPS}`);
      source.removeMember(`CN=Team,${GROUPS}`, `CN=Alice Jones,${SALES}`);
      const report = await cycle();
      assert.equal(report.referencesAdded, 3);
      assert.equal(report.referencesRemoved, 1);
      assert.deepEqual(await f.members(String((await group('Team'))!['id'])), ['Bob Stone', 'Carol Partner', 'Leads']);
      const refs = f.log.entries.find((e) => e.steps.some((s) => s.name === 'referenceResolution'));
      assert.ok(refs);
      assert.equal(refs.status, 'Success');
    });

    test('manager: set, changed and removed in the source → the same in the cloud', async () => {
      const managerOf = async (name: string) => {
        const id = String((await user(name))!['id']);
        return f.directory.getManager(f.tenantId, id).then((m) => String(m['displayName']), (error: { code?: string }) => error.code);
      };
      source.modify(`CN=Bob Stone,${SALES}`, { manager: `CN=Alice Jones,${SALES}` });
      await cycle();
      assert.equal(await managerOf('Bob Stone'), 'Alice Jones');
      source.add('user', `CN=Dana Reed,${ENG}`, person('Dana Reed'));
      source.modify(`CN=Bob Stone,${SALES}`, { manager: `CN=Dana Reed,${ENG}` });
      await cycle(); // the new manager arrives in the same cycle that names her
      assert.equal(await managerOf('Bob Stone'), 'Dana Reed');
      source.modify(`CN=Bob Stone,${SALES}`, { manager: undefined });
      const report = await cycle();
      assert.equal(report.referencesRemoved, 1);
      assert.equal(await managerOf('Bob Stone'), 'ERR_DIR_NOT_FOUND');
    });

    test('delete soft-deletes; a restore brings the same cloud object back (with its memberships)', async () => {
      const bob = await user('Bob Stone');
      const anchor = source.anchorOf(`CN=Bob Stone,${SALES}`);
      source.delete(`CN=Bob Stone,${SALES}`);
      f.log.clear();
      let report = await cycle();
      assert.equal(report.deleted, 1);
      assert.equal(await user('Bob Stone'), undefined);
      assert.ok((await f.listDeleted('user')).some((u) => u['id'] === bob!['id']));
      assert.ok(f.log.entries.some((e) => e.action === 'Delete' && e.targetIdentity.id === bob!['id'] && e.status === 'Success'));
      assert.deepEqual(await f.members(String((await group('Team'))!['id'])), ['Carol Partner', 'Leads']);

      source.restore(anchor, `CN=Bob Stone,${SALES}`);
      report = await cycle();
      assert.equal(report.restored, 1);
      assert.equal(report.created, 0);
      assert.equal((await user('Bob Stone'))!['id'], bob!['id']);
      assert.equal((await f.listDeleted('user')).length, 0);
    });

    test('a group larger than the inline limit is streamed and reconciled incrementally', async () => {
      const dns: string[] = [];
      for (let i = 0; i < 1200; i++) {
        const dn = `CN=Bulk User${i},${ENG}`;
        source.add('user', dn, person(`Bulk User${i}`));
        dns.push(dn);
      }
      source.add('group', `CN=Everyone,${GROUPS}`, { cn: 'Everyone', sAMAccountName: 'Everyone', groupType: 8, member: dns });
      const previous = f.config;
      f.config = { ...previous, maxInlineValues: 100, batchSize: 250 };
      try {
        const report = await cycle();
        assert.equal(report.failed, 0, JSON.stringify(f.log.entries.filter((e) => e.status === 'Failure').slice(0, 2)));
        assert.equal(report.created, 1201);
        assert.equal(report.referencesAdded, 1200);
        const everyone = await group('Everyone');
        assert.equal((await f.members(String(everyone!['id']))).length, 1200);
        for (const dn of dns.slice(0, 10)) source.removeMember(`CN=Everyone,${GROUPS}`, dn);
        const second = await cycle();
        assert.equal(second.referencesRemoved, 10);
        assert.equal(second.referencesAdded, 0);
        assert.equal((await f.members(String(everyone!['id']))).length, 1190);
      } finally {
        f.config = previous;
      }
    });

    test('a group that shrinks to a few members resolves from the imported list; its many stale links are swept a page at a time', async () => {
      const everyone = String((await group('Everyone'))!['id']);
      const kept = [`CN=Bulk User10,${ENG}`, `CN=Bulk User11,${ENG}`, `CN=Bulk User999,${ENG}`];
      source.modify(`CN=Everyone,${GROUPS}`, { member: kept });
      const report = await cycle();
      assert.equal(report.referencesRemoved, 1187);
      assert.equal(report.referencesAdded, 0);
      assert.deepEqual(await f.members(everyone), ['Bulk User10', 'Bulk User11', 'Bulk User999']);
      source.modify(`CN=Everyone,${GROUPS}`, { member: [...kept, `CN=Bulk User12,${ENG}`] });
      const grown = await cycle();
      assert.equal(grown.referencesAdded, 1);
      assert.equal(grown.referencesRemoved, 0);
      assert.equal((await f.members(everyone)).length, 4);
    });

    test('a full cycle after deltas finds nothing to do', async () => {
      f.log.clear();
      const report = await cycle('full');
      assert.equal(report.created + report.updated + report.deleted + report.restored, 0, JSON.stringify(report));
      assert.equal(report.referencesAdded + report.referencesRemoved, 0);
    });
  });
}

describe('container scope by OU GUID (sqlite)', () => {
  const backend = BACKENDS[0]!;
  let dispose: () => Promise<void>;
  let f: EngineFixture;
  const source = new MemorySource();

  before(async () => {
    let store: Store;
    ({ store, dispose } = await backend.open());
    f = await engineFixture(store);
    source.add('organizationalUnit', `OU=Corp,${BASE}`, { ou: 'Corp' });
    const sales = source.add('organizationalUnit', SALES, { ou: 'Sales' });
    source.add('organizationalUnit', ENG, { ou: 'Engineering' });
    source.add('user', `CN=Alice Smith,${SALES}`, person('Alice Smith'));
    source.add('user', `CN=Bob Stone,${ENG}`, person('Bob Stone'));
    const template = JSON.parse(JSON.stringify(getTemplate('AD2AADProvisioning')));
    template.synchronizationRules[0].containerFilter.includedContainers = [`<GUID=${sales.anchors.objectGuid}>;${SALES}`];
    f.config = { ...f.config, schema: compileSynchronizationSchema(template) };
  });
  after(async () => {
    await dispose();
  });

  test('only the scoped OU is synchronized', async () => {
    await f.cycle(source);
    assert.deepEqual((await f.listAll('user')).map((u) => u['displayName']), ['Alice Smith']);
    assert.ok(f.log.entries.some((e) => e.status === 'Skipped' && e.sourceIdentity.dn === `CN=Bob Stone,${ENG}`));
  });

  test('moving out of the OU soft-deletes; moving back restores the same object', async () => {
    const alice = (await f.listAll('user'))[0]!;
    source.move(`CN=Alice Smith,${SALES}`, `CN=Alice Smith,${ENG}`);
    let report = await f.cycle(source);
    assert.equal(report.deleted, 1);
    assert.equal((await f.listAll('user')).length, 0);
    source.move(`CN=Alice Smith,${ENG}`, `CN=Alice Smith,${SALES}`);
    source.move(`CN=Bob Stone,${ENG}`, `CN=Bob Stone,${SALES}`);
    report = await f.cycle(source);
    assert.equal(report.restored, 1);
    assert.equal(report.created, 1);
    const users = await f.listAll('user');
    assert.deepEqual(users.map((u) => u['displayName']).sort(), ['Alice Smith', 'Bob Stone']);
    assert.equal(users.find((u) => u['displayName'] === 'Alice Smith')!['id'], alice['id']);
  });

  test('renaming the scoped OU changes nothing (scope is pinned by GUID); children keep resolving', async () => {
    source.move(SALES, `OU=Sales EU,OU=Corp,${BASE}`);
    let report = await f.cycle(source);
    assert.equal(report.deleted, 0);
    source.modify(`CN=Alice Smith,OU=Sales EU,OU=Corp,${BASE}`, { title: 'Manager' });
    report = await f.cycle(source);
    assert.equal(report.updated, 1);
    assert.equal(report.deleted, 0);
    const alice = (await f.listAll('user')).find((u) => u['displayName'] === 'Alice Smith')!;
    assert.equal(alice['onPremisesDistinguishedName'], `CN=Alice Smith,OU=Sales EU,OU=Corp,${BASE}`);
    const entry = (await f.connectorSpace.getByDnKeys([`cn=bob stone,ou=sales eu,ou=corp,${BASE.toLowerCase()}`]));
    assert.equal(entry.size, 1, 'the connector space followed the OU rename for children the delta did not report');
  });

  test('a member outside the scope is a Warning; when it enters the scope, the group links it', async () => {
    const salesEu = `OU=Sales EU,OU=Corp,${BASE}`;
    source.add('user', `CN=Zed Out,${ENG}`, person('Zed Out'));
    source.add('group', `CN=Mixed,${salesEu}`, { cn: 'Mixed', sAMAccountName: 'Mixed', groupType: -2147483646, member: [`CN=Alice Smith,${salesEu}`, `CN=Zed Out,${ENG}`] });
    f.log.clear();
    await f.cycle(source);
    const mixed = (await f.listAll('group')).find((g) => g['displayName'] === 'Mixed')!;
    assert.deepEqual(await f.members(String(mixed['id'])), ['Alice Smith']);
    const warning = f.log.entries.find((e) => e.status === 'Warning')!;
    assert.equal(warning.errorCode, 'ERR_SYNC_REFERENCE_UNRESOLVED');
    assert.match(warning.steps[0]!.description, /1 not synchronized \(e\.g\. CN=Zed Out/);
    source.move(`CN=Zed Out,${ENG}`, `CN=Zed Out,${salesEu}`);
    const report = await f.cycle(source);
    assert.equal(report.created, 1);
    assert.equal(report.referencesAdded, 1);
    assert.deepEqual(await f.members(String(mixed['id'])), ['Alice Smith', 'Zed Out']);
  });

  test('a member renamed and moved into the scope at once (a pre-staged account): the group links it in that delta', async () => {
    const salesEu = `OU=Sales EU,OU=Corp,${BASE}`;
    source.add('user', `CN=Temp 0042,${ENG}`, person('Yan Staged'));
    source.addMember(`CN=Mixed,${salesEu}`, `CN=Temp 0042,${ENG}`);
    source.add('user', `CN=Vera Boss,${ENG}`, person('Vera Boss'));
    source.modify(`CN=Alice Smith,${salesEu}`, { manager: `CN=Vera Boss,${ENG}` });
    await f.cycle(source);
    const mixed = (await f.listAll('group')).find((g) => g['displayName'] === 'Mixed')!;
    assert.deepEqual(await f.members(String(mixed['id'])), ['Alice Smith', 'Zed Out'], 'the staged account is outside the scope');
    // The group's and Alice's links follow the rename in the source, and neither is reported again.
    source.move(`CN=Temp 0042,${ENG}`, `CN=Yan Staged,${salesEu}`);
    source.move(`CN=Vera Boss,${ENG}`, `CN=Vera B,${salesEu}`);
    const report = await f.cycle(source);
    assert.equal(report.mode, 'delta');
    assert.equal(report.imported, 2, 'the delta reports the two moved users only');
    assert.equal(report.created, 2);
    assert.deepEqual(await f.members(String(mixed['id'])), ['Alice Smith', 'Yan Staged', 'Zed Out']);
    const alice = (await f.listAll('user')).find((u) => u['displayName'] === 'Alice Smith')!;
    assert.equal((await f.directory.getManager(f.tenantId, String(alice['id'])))['displayName'], 'Vera Boss');
    // Nothing left to do: the next delta links nothing more.
    const next = await f.cycle(source);
    assert.equal(next.referencesAdded, 0);
  });
});

after(() => stopPostgres());
