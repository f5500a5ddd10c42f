/**
 * End to end against a real Samba AD DC, through the real service: `cloudsync server --embedded-agent --ldap-url …`
 * as a process, a Cloud Sync configuration made through the Graph synchronization API, cycles run by the service's
 * own scheduler (asked for with POST …/start, Graph's "run now"), and after every step the cloud directory read
 * through /v1.0 compared with what AD says it must be: every expected object once, nothing else.
 *
 * One DC for the file, seeded once (OU=Corp with Sales, Eng and a 1,600-member group in Bulk; OU=Outside). The
 * steps build on each other and run in order:
 *   1. first full sync of the whole domain, the service SIGKILLed in the middle and started again: everything
 *      arrives once; the built-in accounts (isCriticalSystemObject) are out of scope, so zero failures;
 *   2. the configuration scoped to OU=Corp (schema PUT → full re-evaluation): OU=Outside leaves the cloud;
 *   3. create, modify, rename (same cloud object);
 *   4. moves across the scope boundary: out (soft-deleted), in (the same cloud object restored);
 *   5. membership: add/remove users, a nested group, a contact; the big group's ranged members;
 *   6. a member outside the scope, then renamed and moved into it at once: linked in that delta;
 *   7. delete (soft-deleted) and AD undelete (the same cloud object comes back).
 *
 * The DC runs without the Recycle Bin: Samba 4.17 cannot undelete an object deleted while it is on (see
 * test/harness/samba.ts). Without it a deleted object is a tombstone that keeps only a few attributes
 * (MS-ADTS 3.1.1.5.5.1.1: objectGUID, objectSid, sAMAccountName, …), so after the undelete the administrator sets
 * the rest again — what an AD undelete from a tombstone looks like on Windows too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { ShowDeletedControl } from '../../src/connectors/ldap/show-deleted-control.ts';
import { formatGuid } from '../../src/connectors/guid.ts';
import type { ServiceConnection } from '../../src/cli/service-connection.ts';
import { addAdGroup, addOu, sambaUnavailableReason, seedAdContacts, seedAdUsers, startSamba, type SambaDc } from '../harness/samba.ts';
import {
  cloudState,
  connect,
  deletedUsers,
  embeddedAgentService,
  executionSince,
  runCycle,
  startService,
  type Configuration,
  type Execution,
  type ServiceProcess,
  type TenantCredentials,
} from './service-under-test.ts';

const skip = sambaUnavailableReason();
const DOMAIN = 'corp.example.com';
const BULK = 1600;

/** What AD holds, kept by the test as it changes AD: the cloud must equal its in-scope part. */
interface AdUser { dn: string; upn: string; displayName: string; jobTitle: string }

describe('Samba AD → cloudsync server (embedded agent) → /v1.0', { skip }, () => {
  let dc: SambaDc;
  let admin: Client;
  let dir: string;
  let serviceArgs: string[];
  let service: ServiceProcess;
  let tenant: TenantCredentials;
  let api: ServiceConnection;
  let configuration: Configuration;
  let corp: string;
  let scopedToCorp = false;
  const users = new Map<string, AdUser>(); // by sAMAccountName
  const contacts = new Map<string, string>(); // dn → displayName
  /** group name → { dn, member DNs } */
  const groups = new Map<string, { dn: string; members: Set<string> }>();
  const timings: Record<string, number> = {};

  const lower = (dn: string) => dn.toLowerCase();
  const inScope = (dn: string) => !scopedToCorp || lower(dn).endsWith(lower(`,${corp}`));
  const displayNameOf = (dn: string): string | undefined => {
    for (const user of users.values()) if (lower(user.dn) === lower(dn)) return user.displayName;
    if (contacts.has(dn)) return contacts.get(dn);
    for (const [name, group] of groups) if (lower(group.dn) === lower(dn)) return name;
    return undefined;
  };

  function expected(): { users: string[]; groups: string[]; contacts: string[] } {
    return {
      users: [...users.values()].filter((u) => inScope(u.dn)).map((u) => `${u.upn}|${u.displayName}|${u.jobTitle}|${u.dn}`).sort(),
      groups: [...groups].filter(([, g]) => inScope(g.dn))
        .map(([name, g]) => `${name}: ${[...g.members].filter(inScope).map((m) => displayNameOf(m)!).sort().join(', ')}`).sort(),
      contacts: [...contacts].filter(([dn]) => inScope(dn)).map(([, name]) => name).sort(),
    };
  }

  /** The cloud equals the in-scope part of AD: compared as whole sorted lists, so a duplicate or a stray fails. */
  async function assertCloudMatchesAd(step: string): Promise<Map<string, string>> {
    const state = await cloudState(api);
    const want = expected();
    assert.deepEqual(state.users, want.users, `${step}: users`);
    assert.deepEqual(state.contacts, want.contacts, `${step}: contacts`);
    assert.deepEqual(state.groups, want.groups, `${step}: groups and their members`);
    return new Map([...state.userIds]);
  }

  function assertClean(execution: Execution, step: string): void {
    assert.equal(execution.state, 'Succeeded', `${step}: ${JSON.stringify(execution)}\n${service.output().split('\n').filter((l) => /fail/i.test(l)).slice(0, 5).join('\n')}`);
    assert.equal(execution.countEscrowed, 0, `${step}: no object failed`);
    assert.equal(execution.error, null);
  }

  async function cycle(step: string): Promise<Execution> {
    const began = Date.now();
    const execution = await runCycle(api, configuration);
    timings[step] = Date.now() - began;
    assertClean(execution, step);
    return execution;
  }

  const replace = (type: string, value: string) => new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });
  const member = (operation: 'add' | 'delete', values: string[]) => new Change({ operation, modification: new Attribute({ type: 'member', values }) });

  async function addUsers(parent: string, count: number, prefix: string): Promise<string[]> {
    const dns = await seedAdUsers(admin, parent, count, { prefix, concurrency: 16 });
    for (const dn of dns) {
      const name = /^CN=([^,]+)/.exec(dn)![1]!;
      users.set(name, { dn, upn: `${name}@${DOMAIN}`, displayName: `Test ${name}`, jobTitle: '' });
    }
    return dns;
  }

  before(async () => {
    let began = Date.now();
    dc = await startSamba({ recycleBin: false });
    timings['samba start'] = Date.now() - began;
    admin = await dc.admin();
    corp = `OU=Corp,${dc.baseDn}`;
    const sales = `OU=Sales,${corp}`;
    const eng = `OU=Eng,${corp}`;
    const bulk = `OU=Bulk,${corp}`;
    const outside = `OU=Outside,${dc.baseDn}`;
    began = Date.now();
    for (const ou of [corp, sales, eng, bulk, outside]) await addOu(admin, ou);
    const salesDns = await addUsers(sales, 8, 'sales');
    const engDns = await addUsers(eng, 6, 'eng');
    await addUsers(outside, 3, 'out');
    for (const dn of await seedAdContacts(admin, corp, 2, { prefix: 'partner' })) contacts.set(dn, /^CN=([^,]+)/.exec(dn)![1]!);
    const bulkDns = await addUsers(bulk, BULK, 'bulk');
    timings['samba seed users'] = Date.now() - began;
    const group = async (name: string, members: string[]) => {
      const dn = `CN=${name},${corp}`;
      await addAdGroup(admin, dn, members);
      groups.set(name, { dn, members: new Set(members) });
    };
    await group('Sales Team', [...salesDns.slice(0, 4), `CN=partner00001,${corp}`]);
    await group('Eng Team', engDns.slice(0, 3));
    await group('All Staff', [`CN=Sales Team,${corp}`, engDns[3]!]);
    await group('Big', bulkDns);
    timings['samba seed'] = Date.now() - began;

    dir = await mkdtemp(join(tmpdir(), 'cloudsync-scenario-samba-'));
    let args: readonly string[];
    ({ service, args, tenant, api, configuration } = await embeddedAgentService(dc, dir, 'scenarios', DOMAIN));
    serviceArgs = [...args];
  });

  after(async () => {
    await service?.stop();
    await dc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    process.stderr.write(`samba-service timings (ms): ${JSON.stringify(timings)}\n`);
  });

  test('first full sync, the service SIGKILLed mid-cycle and restarted: everything arrives once, built-in accounts stay out', async () => {
    const began = Date.now();
    await api.request('POST', `${configuration.jobUrl}/start`);
    // Kill once some users are in the cloud but not all (the engine writes them in batches of 500). Watched in the
    // database from this process: the service's own API answers late while a cycle keeps its event loop busy.
    const db = new DatabaseSync(join(dir, 'data', 'cloudsync.db'), { readOnly: true });
    const synced = db.prepare("SELECT count(*) AS n FROM directory_objects WHERE tenant_id = ? AND type = 'user' AND sync_enabled = 1");
    const jobRow = db.prepare('SELECT status FROM sync_jobs WHERE tenant_id = ? AND id = ?');
    let written = 0;
    try {
      const deadline = Date.now() + 60_000;
      while (written === 0 && Date.now() < deadline) {
        written = (synced.get(tenant.tenantId) as { n: number }).n;
        if (written === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await service.kill();
      const status = JSON.parse((jobRow.get(tenant.tenantId, configuration.jobId) as { status: string }).status) as { lastExecution: unknown };
      assert.equal(status.lastExecution, null, 'the service was killed before its first cycle ended');
      assert.ok(written > 0, 'killed after the first users were written');
      timings['killed mid-cycle with users written'] = written;
    } finally {
      db.close();
    }

    service = await startService(serviceArgs);
    api = connect(service, tenant);
    // After the crash nothing was recorded, so the job is due at once and its first cycle is again a full one.
    const execution = await executionSince(api, configuration, began);
    timings['first full sync (after the crash)'] = Date.now() - began;
    assertClean(execution, 'first sync after the crash');
    // Every object of the domain was read, built-in ones included; none of them failed or was exported.
    assert.ok(execution.countImported > users.size + contacts.size + groups.size, JSON.stringify(execution));
    assert.doesNotMatch(service.output(), /userPrincipalName is required/);
    await assertCloudMatchesAd('after the crash and restart');
    const upns = (await cloudState(api)).users.map((line) => line.split('|')[0]!.split('@')[0]!.toLowerCase());
    for (const builtIn of ['administrator', 'guest', 'krbtgt']) assert.ok(!upns.includes(builtIn), `${builtIn} is not synchronized`);
  });

  test('scoped to OU=Corp (schema PUT, full re-evaluation): OU=Outside leaves the cloud', async () => {
    const schema = await api.request<{ synchronizationRules: { containerFilter?: { includedContainers: string[] } }[] }>('GET', `${configuration.jobUrl}/schema`);
    const { searchEntries } = await admin.search(corp, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    const guid = formatGuid(searchEntries[0]!['objectGUID'] as Buffer);
    schema.synchronizationRules[0]!.containerFilter = { includedContainers: [`<GUID=${guid}>;${corp}`] };
    await api.request('PUT', `${configuration.jobUrl}/schema`, schema);
    scopedToCorp = true;
    // The PUT marks the job for a full re-evaluation at its next cycle; POST start runs that cycle now.
    const execution = await cycle('scope change (full)');
    assert.ok(execution.countImported > BULK, `a full cycle reads everything: ${execution.countImported}`);
    await assertCloudMatchesAd('scoped to OU=Corp');
    const deleted = await deletedUsers(api);
    for (const name of ['out00001', 'out00002', 'out00003']) assert.ok(deleted.has(`${name}@${DOMAIN}`), `${name} is in deleted items`);
  });

  test('create, modify, rename: the renamed user is the same cloud object', async () => {
    const before = (await cloudState(api)).userIds;
    const sales = `OU=Sales,${corp}`;
    await addUsers(sales, 1, 'newhire');
    await admin.modify(users.get('sales00005')!.dn, [replace('title', 'Director')]);
    users.get('sales00005')!.jobTitle = 'Director';
    await admin.modifyDN(users.get('sales00006')!.dn, 'CN=Sales Six');
    await admin.modify(`CN=Sales Six,${sales}`, [replace('displayName', 'Sales Six'), replace('userPrincipalName', `sales.six@${DOMAIN}`)]);
    users.set('sales00006', { dn: `CN=Sales Six,${sales}`, upn: `sales.six@${DOMAIN}`, displayName: 'Sales Six', jobTitle: '' });
    const execution = await cycle('create/modify/rename (delta)');
    assert.ok(execution.countImported < 20, `a delta reads only the changes: ${execution.countImported}`);
    const after = await assertCloudMatchesAd('create, modify, rename');
    assert.equal(after.get(`sales.six@${DOMAIN}`), before.get(`sales00006@${DOMAIN}`), 'renamed, not recreated');
    assert.equal(after.get(`sales00005@${DOMAIN}`), before.get(`sales00005@${DOMAIN}`));
  });

  test('moves across the scope boundary: out is soft-deleted, back in restores the same cloud object', async () => {
    const before = (await cloudState(api)).userIds;
    const deletedBefore = await deletedUsers(api);
    const eng = `OU=Eng,${corp}`;
    const outside = `OU=Outside,${dc.baseDn}`;
    // eng00006 leaves; out00001 (soft-deleted when the scope narrowed) comes in; eng00005 moves within the scope.
    await admin.modifyDN(users.get('eng00006')!.dn, `CN=eng00006,${outside}`);
    users.get('eng00006')!.dn = `CN=eng00006,${outside}`;
    await admin.modifyDN(users.get('out00001')!.dn, `CN=out00001,${eng}`);
    users.get('out00001')!.dn = `CN=out00001,${eng}`;
    await admin.modifyDN(users.get('eng00005')!.dn, `CN=eng00005,OU=Sales,${corp}`);
    users.get('eng00005')!.dn = `CN=eng00005,OU=Sales,${corp}`;
    await cycle('moves (delta)');
    const after = await assertCloudMatchesAd('moves');
    assert.equal(after.get(`out00001@${DOMAIN}`), deletedBefore.get(`out00001@${DOMAIN}`), 'moved into scope: the soft-deleted object is restored');
    assert.equal(after.get(`eng00005@${DOMAIN}`), before.get(`eng00005@${DOMAIN}`), 'moved within scope: same object');
    assert.equal((await deletedUsers(api)).get(`eng00006@${DOMAIN}`), before.get(`eng00006@${DOMAIN}`), 'moved out of scope: soft-deleted');
  });

  test('membership: users, a nested group and a contact added and removed; the 1,600-member group changes by value', async () => {
    const team = (name: string) => groups.get(name)!;
    const change = async (name: string, operation: 'add' | 'delete', dns: string[]) => {
      await admin.modify(team(name).dn, [member(operation, dns)]);
      for (const dn of dns) (operation === 'add' ? team(name).members.add(dn) : team(name).members.delete(dn));
    };
    await change('Sales Team', 'add', [users.get('newhire00001')!.dn, `CN=partner00002,${corp}`]);
    await change('Sales Team', 'delete', [users.get('sales00001')!.dn, `CN=partner00001,${corp}`]);
    await change('All Staff', 'add', [team('Eng Team').dn]);
    await change('Eng Team', 'add', [users.get('out00001')!.dn]);
    await change('Big', 'delete', [users.get('bulk00007')!.dn]);
    await change('Big', 'add', [users.get('sales00002')!.dn]);
    await cycle('membership (delta)');
    await assertCloudMatchesAd('membership');

    await change('All Staff', 'delete', [team('Sales Team').dn]);
    await cycle('nested group removed (delta)');
    await assertCloudMatchesAd('nested group removed');
  });

  test('a member renamed and moved into the scope at once (a pre-staged account): its group links it in that delta', async () => {
    const outside = `OU=Outside,${dc.baseDn}`;
    const [staged] = await addUsers(outside, 1, 'staged');
    const team = groups.get('Eng Team')!;
    await admin.modify(team.dn, [member('add', [staged!])]);
    team.members.add(staged!);
    await cycle('out-of-scope member added (delta)');
    await assertCloudMatchesAd('out-of-scope member added');
    // AD moves the group's link with the object and reports only the object: the group was last read with the old
    // DN, whose RDN is no longer the object's.
    const arrived = `CN=Staged One,OU=Eng,${corp}`;
    await admin.modifyDN(staged!, arrived);
    team.members.delete(staged!);
    team.members.add(arrived);
    users.get('staged00001')!.dn = arrived;
    const execution = await cycle('renamed and moved into the scope (delta)');
    assert.ok(execution.countImported < 20, `a delta reads only the changes: ${execution.countImported}`);
    await assertCloudMatchesAd('renamed and moved into the scope');
  });

  test('delete, then AD undelete: soft-deleted, then the same cloud object comes back', async () => {
    const victim = users.get('sales00003')!;
    const id = (await cloudState(api)).userIds.get(victim.upn);
    assert.ok(id);
    const { searchEntries } = await admin.search(victim.dn, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    const guid = formatGuid(searchEntries[0]!['objectGUID'] as Buffer);
    await admin.del(victim.dn);
    users.delete('sales00003');
    for (const group of groups.values()) group.members.delete(victim.dn);
    await cycle('delete (delta)');
    await assertCloudMatchesAd('deleted');
    assert.equal((await deletedUsers(api)).get(victim.upn), id, 'in deleted items');

    // MS-ADTS 3.1.1.5.3.7.3 Undelete: remove isDeleted and set the DN, with the show-deleted control.
    const tombstone = await admin.search(`<GUID=${guid}>`, { scope: 'base', attributes: ['distinguishedName'] }, new ShowDeletedControl());
    await admin.modify(tombstone.searchEntries[0]!.dn, [
      new Change({ operation: 'delete', modification: new Attribute({ type: 'isDeleted', values: [] }) }),
      replace('distinguishedName', victim.dn),
    ], new ShowDeletedControl());
    // A tombstone kept sAMAccountName and objectGUID only: the administrator sets the rest again.
    await admin.modify(victim.dn, [replace('userPrincipalName', victim.upn), replace('displayName', victim.displayName), replace('givenName', 'Test'), replace('sn', 'sales00003')]);
    users.set('sales00003', victim);
    await cycle('undelete (delta)');
    const after = await assertCloudMatchesAd('undeleted');
    assert.equal(after.get(victim.upn), id, 'the same cloud object is back');
  });

  test('deleting the configuration (its service principal) keeps the objects and removes its connector space', async () => {
    const before = await cloudState(api);
    const rows = () => {
      const db = new DatabaseSync(join(dir, 'data', 'cloudsync.db'), { readOnly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM connector_space_objects WHERE configuration_id = ?').get(`${tenant.tenantId}/${configuration.jobId}`) as { n: number }).n;
      } finally {
        db.close();
      }
    };
    assert.ok(rows() > BULK, 'the connector space holds the configuration\'s objects');
    await api.request('DELETE', `/v1.0/servicePrincipals/${configuration.servicePrincipalId}`);
    assert.equal(rows(), 0);
    assert.deepEqual(await cloudState(api), before, 'without --remove-objects the objects stay, as in Entra');
  });
});
