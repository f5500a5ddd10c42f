/**
 * Group scope ("Selected security groups") end to end against a real Samba AD DC, through the real service: a
 * configuration scoped to one group by a schema PUT (the group pinned by objectGUID, as the portal stores it), then
 * the pilot's membership changed in AD, then the group renamed. AD reports a membership change on the group only
 * (the member's memberOf is a back link), so these are the cases where the member must be read again.
 *
 *   1. first full sync: the pilot group's members and nobody else;
 *   2. one member added to the group, one removed: the first arrives, the second goes to deleted items (delta);
 *   3. the group renamed and another member added: the scope follows the GUID, the member arrives (delta);
 *   4. nesting counted (rule metadata GroupScopeNesting = Transitive, our opt-in; Entra's scope is first-level
 *      only): a group nested in the pilot brings its members in (full re-evaluation), a member added to the nested
 *      group arrives, and the nested group taken out of the pilot takes its members out (deltas);
 *   5. a scoping-filter clause instead (memberOf IS_MEMBER_OF the Other group): its members only, and one added to
 *      it arrives in the next delta.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { formatGuid } from '../../src/connectors/guid.ts';
import type { ServiceConnection } from '../../src/cli/service-connection.ts';
import { addAdGroup, addOu, sambaUnavailableReason, seedAdUsers, startSamba, type SambaDc } from '../harness/samba.ts';
import { cloudState, deletedUsers, embeddedAgentService, runCycle, type Configuration, type ServiceProcess } from './service-under-test.ts';

const skip = sambaUnavailableReason();
const DOMAIN = 'corp.example.com';

describe('Samba AD group scope → cloudsync server (embedded agent) → /v1.0', { skip }, () => {
  let dc: SambaDc;
  let admin: Client;
  let dir: string;
  let service: ServiceProcess;
  let api: ServiceConnection;
  let configuration: Configuration;
  let corp: string;
  let pilot: string;

  const upn = (name: string) => `${name}@${DOMAIN}`;
  const cloudUsers = async () => (await cloudState(api)).users.map((line) => line.split('|')[0]!).sort();
  const members = (operation: 'add' | 'delete', dns: string[]) => new Change({ operation, modification: new Attribute({ type: 'member', values: dns }) });
  const staff = (n: number) => `CN=staff0000${n},${corp}`;

  async function cycle(step: string): Promise<void> {
    const execution = await runCycle(api, configuration);
    assert.equal(execution.state, 'Succeeded', `${step}: ${JSON.stringify(execution)}`);
    assert.equal(execution.countEscrowed, 0, `${step}: no object failed`);
  }

  before(async () => {
    dc = await startSamba({ recycleBin: false });
    admin = await dc.admin();
    corp = `OU=Corp,${dc.baseDn}`;
    await addOu(admin, corp);
    await seedAdUsers(admin, corp, 6, { prefix: 'staff', domain: DOMAIN });
    pilot = `CN=Pilot,${corp}`;
    await addAdGroup(admin, pilot, [staff(1), staff(2)]);
    await addAdGroup(admin, `CN=Other,${corp}`, [staff(3)]);

    dir = await mkdtemp(join(tmpdir(), 'cloudsync-scenario-group-scope-'));
    ({ service, api, configuration } = await embeddedAgentService(dc, dir, 'groupscope', DOMAIN));
  });

  after(async () => {
    await service?.stop();
    await dc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('scoped to the Pilot group before the first sync: its members, nobody else', async () => {
    const schema = await api.request<{ synchronizationRules: { groupFilter?: { includedGroups: string[] } }[] }>('GET', `${configuration.jobUrl}/schema`);
    const { searchEntries } = await admin.search(pilot, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    schema.synchronizationRules[0]!.groupFilter = { includedGroups: [`<GUID=${formatGuid(searchEntries[0]!['objectGUID'] as Buffer)}>;${pilot}`] };
    await api.request('PUT', `${configuration.jobUrl}/schema`, schema);
    await cycle('first sync');
    assert.deepEqual(await cloudUsers(), [upn('staff00001'), upn('staff00002')]);
  });

  test('a member added to the group arrives and a member removed leaves, in the next delta', async () => {
    const before = (await cloudState(api)).userIds;
    await admin.modify(pilot, [members('add', [staff(3)])]);
    await admin.modify(pilot, [members('delete', [staff(1)])]);
    await cycle('membership changed (delta)');
    assert.deepEqual(await cloudUsers(), [upn('staff00002'), upn('staff00003')]);
    assert.equal((await deletedUsers(api)).get(upn('staff00001')), before.get(upn('staff00001')), 'removed from the group: soft-deleted');
  });

  test('the group renamed and a member added: the scope follows its GUID', async () => {
    const renamed = `CN=Pilot Group,${corp}`;
    await admin.modifyDN(pilot, renamed);
    pilot = renamed;
    await cycle('group renamed (delta)');
    assert.deepEqual(await cloudUsers(), [upn('staff00002'), upn('staff00003')], 'renaming the group changes nobody\'s scope');
    await admin.modify(pilot, [members('add', [staff(4), staff(1)])]);
    await cycle('members added to the renamed group (delta)');
    assert.deepEqual(await cloudUsers(), [upn('staff00001'), upn('staff00002'), upn('staff00003'), upn('staff00004')]);
  });

  test('nested members counted (GroupScopeNesting = Transitive): in with their group, in when added to it, out with it', async () => {
    const inner = `CN=Inner,${corp}`;
    const innermost = `CN=Innermost,${corp}`;
    await addAdGroup(admin, innermost, [staff(6)]);
    await addAdGroup(admin, inner, [staff(5), innermost]);
    await admin.modify(pilot, [members('add', [inner])]);
    await cycle('a group nested in the pilot (delta, first-level scope)');
    assert.deepEqual(await cloudUsers(), [upn('staff00001'), upn('staff00002'), upn('staff00003'), upn('staff00004')], 'first level only, as in Entra');

    const schema = await api.request<{ synchronizationRules: { metadata?: { key: string; value: string }[] }[] }>('GET', `${configuration.jobUrl}/schema`);
    const rule = schema.synchronizationRules[0]!;
    rule.metadata = [...(rule.metadata ?? []), { key: 'GroupScopeNesting', value: 'Transitive' }];
    await api.request('PUT', `${configuration.jobUrl}/schema`, schema);
    await cycle('nesting counted (full re-evaluation)');
    assert.deepEqual(await cloudUsers(), [1, 2, 3, 4, 5, 6].map((n) => upn(`staff0000${n}`)), 'members two levels down are in');

    await admin.modify(innermost, [members('delete', [staff(6)])]);
    await admin.modify(pilot, [members('delete', [staff(1)])]);
    await cycle('a member left the innermost group (delta)');
    assert.deepEqual(await cloudUsers(), [2, 3, 4, 5].map((n) => upn(`staff0000${n}`)));

    await admin.modify(innermost, [members('add', [staff(6)])]);
    await cycle('a member added to the innermost group (delta)');
    assert.deepEqual(await cloudUsers(), [2, 3, 4, 5, 6].map((n) => upn(`staff0000${n}`)));

    await admin.modify(pilot, [members('delete', [inner])]);
    await cycle('the nested group taken out of the pilot (delta)');
    assert.deepEqual(await cloudUsers(), [2, 3, 4].map((n) => upn(`staff0000${n}`)), 'its members, at every depth, leave with it');
  });

  test('a scoping-filter clause memberOf IS_MEMBER_OF a group: its members, and one added to it in the next delta', async () => {
    const other = `CN=Other,${corp}`;
    const { searchEntries } = await admin.search(other, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    type Schema = { synchronizationRules: { groupFilter?: unknown; metadata?: unknown; objectMappings: { targetObjectName: string; scope?: { groups?: unknown[] } | null }[] }[] };
    const schema = await api.request<Schema>('GET', `${configuration.jobUrl}/schema`);
    const rule = schema.synchronizationRules[0]!;
    delete rule.groupFilter;
    rule.metadata = [];
    const users = rule.objectMappings.find((m) => m.targetObjectName === 'User')!;
    const clause = { sourceOperandName: 'memberOf', operatorName: 'IS_MEMBER_OF', targetOperand: { values: [formatGuid(searchEntries[0]!['objectGUID'] as Buffer)] } };
    users.scope = { ...users.scope, groups: [{ name: 'other', clauses: [clause] }] };
    await api.request('PUT', `${configuration.jobUrl}/schema`, schema);
    await cycle('IS_MEMBER_OF Other (full re-evaluation)');
    assert.deepEqual(await cloudUsers(), [upn('staff00003')]);
    await admin.modify(other, [members('add', [staff(5)])]);
    await cycle('a member added to Other (delta)');
    assert.deepEqual(await cloudUsers(), [upn('staff00003'), upn('staff00005')]);
  });
});
