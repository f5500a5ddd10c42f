/**
 * On-demand provisioning against the in-memory source and a real cloud directory on every store backend, with an
 * OU-scoped configuration (Sales only): the four steps' details, dry runs that leave the directory, the connector
 * space and the log untouched, real runs that write what the scheduled cycle would (the next full cycle finds
 * nothing to do), groups with their named members, and bad requests that write nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { provisionOnDemand, type OnDemandRequest, type OnDemandResult } from '../../src/engine/on-demand-provisioning.ts';
import { compileSynchronizationSchema, getTemplate, sourceFromExpression } from '../../src/schema/index.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';
import { MemorySource } from './memory-source.ts';

const BASE = 'DC=corp,DC=example,DC=com';
const SALES = `OU=Sales,OU=Corp,${BASE}`;
const ENG = `OU=Engineering,OU=Corp,${BASE}`;

function person(name: string, extra: Record<string, string> = {}) {
  const nick = name.toLowerCase().replace(/ /g, '.');
  return { cn: name, displayName: name, givenName: name.split(' ')[0]!, sn: name.split(' ')[1]!, sAMAccountName: nick, userPrincipalName: `${nick}@corp.example.com`, ...extra };
}

function request(dn: string, objectTypeName = 'user', options: { dryRun?: boolean; members?: string[]; ruleId?: string } = {}): OnDemandRequest {
  return {
    dryRun: options.dryRun ?? false,
    ...(options.ruleId === undefined ? {} : { ruleId: options.ruleId }),
    subject: {
      objectId: dn,
      objectTypeName,
      path: 'parameters[0].subjects[0]',
      ...(options.members === undefined ? {} : {
        members: options.members.map((m, i) => ({ objectId: m, objectTypeName: 'user', path: `parameters[0].subjects[0].links.members[${i}]` })),
      }),
    },
  };
}

for (const backend of BACKENDS) {
  describe(`on-demand provisioning (${backend.name})`, () => {
    let dispose: () => Promise<void>;
    let f: EngineFixture;
    const source = new MemorySource();
    let ids = 0;
    const run = (req: OnDemandRequest): Promise<OnDemandResult> =>
      provisionOnDemand({ source, target: f.target, connectorSpace: f.connectorSpace, log: f.log, clock: () => f.now, newId: () => `od-${++ids}` }, f.config, req);
    const users = async () => (await f.listAll('user')).map((u) => String(u['displayName'])).sort();
    const entryOf = async (dn: string) => (await f.connectorSpace.get([source.anchorOf(dn)])).get(source.anchorOf(dn));
    /** Everything a run could write: directory users and groups, the connector-space entries of these DNs, the log. */
    const snapshot = async (dns: string[]) => JSON.stringify({
      users: await f.listAll('user'),
      groups: await f.listAll('group'),
      entries: await Promise.all(dns.map(entryOf)),
      log: f.log.entries.length,
      watermark: await f.connectorSpace.getWatermark(),
    });

    before(async () => {
      let store: Store;
      ({ store, dispose } = await backend.open());
      f = await engineFixture(store);
      source.add('organizationalUnit', `OU=Corp,${BASE}`, { ou: 'Corp' });
      const sales = source.add('organizationalUnit', SALES, { ou: 'Sales' });
      source.add('organizationalUnit', ENG, { ou: 'Engineering' });
      source.add('user', `CN=Alice Smith,${SALES}`, person('Alice Smith', { title: 'Account Executive', employeeID: 'E-1001' }));
      source.add('user', `CN=Dana Reed,${SALES}`, person('Dana Reed'));
      source.add('user', `CN=Bob Stone,${ENG}`, person('Bob Stone', { title: 'Engineer' }));
      const template = JSON.parse(JSON.stringify(getTemplate('AD2AADProvisioning')));
      template.synchronizationRules[0].containerFilter.includedContainers = [`<GUID=${sales.anchors.objectGuid}>;${SALES}`];
      // employeeId is redacted: its value must not show in any step or modified property
      for (const objectMapping of template.synchronizationRules[0].objectMappings) {
        for (const m of objectMapping.attributeMappings) if (m.targetAttributeName === 'employeeId') m.source = sourceFromExpression('Redact([employeeID])');
      }
      f.config = { ...f.config, schema: compileSynchronizationSchema(template) };
    });
    after(async () => {
      await dispose();
    });

    test('dry run of a new user in scope: four steps, a planned create, nothing written', async () => {
      const alice = `CN=Alice Smith,${SALES}`;
      const before = await snapshot([alice, SALES]);
      const result = await run(request(alice, 'user', { dryRun: true }));
      assert.deepEqual(result.provisioningSteps.map((s) => [s.type, s.name]), [
        ['Import', 'EntryImportAdd'], ['Scoping', 'EntrySynchronizationScoping'], ['Matching', 'EntryImport'], ['Export', 'EntryExportAdd'],
      ]);
      assert.equal(result.outcome, 'create');
      assert.equal(result.action, 'Create');
      assert.equal(result.dryRun, true);
      assert.equal(result.targetIdentity.id, null);
      assert.equal(result.importedAttributes['title'], 'Account Executive');
      assert.equal(result.importedAttributes['employeeID'], '[Redact]');
      assert.equal(result.scope.scheduledRunIncludes, true);
      assert.match(result.scope.statement, /^The scheduled run includes this object/);
      assert.equal(result.scope.container?.matchedBy, 'guid');
      assert.ok(result.scope.clauses.some((c) => c.filter === 'inputFilterGroups' && c.sourceOperandName === 'isCriticalSystemObject' && c.result));
      assert.equal(result.match.attribute, 'onPremisesImmutableId');
      assert.equal(result.match.candidates.length, 0);
      const modified = new Map(result.modifiedProperties.map((p) => [p.displayName, p]));
      assert.equal(modified.get('displayName')?.newValue, 'Alice Smith');
      assert.equal(modified.get('jobTitle')?.newValue, 'Account Executive');
      assert.equal(modified.get('employeeId')?.newValue, '[Redact]');
      assert.doesNotMatch(JSON.stringify(result), /E-1001/);
      assert.ok(result.plannedWrites?.some((w) => w.operation === 'create' && w.type === 'user'));
      assert.match(result.provisioningSteps[3]!.description, /Dry run: .* would be created .* nothing was written/);
      assert.equal(await snapshot([alice, SALES]), before);
    });

    test('a real run creates the user and logs one entry; the next scheduled full cycle writes nothing for it', async () => {
      const alice = `CN=Alice Smith,${SALES}`;
      const result = await run(request(alice));
      assert.equal(result.outcome, 'create');
      assert.deepEqual(await users(), ['Alice Smith']);
      const created = (await f.listAll('user'))[0]!;
      assert.equal(result.targetIdentity.id, created['id']);
      assert.equal(created['onPremisesImmutableId'], source.anchorOf(alice));
      const entry = await entryOf(alice);
      assert.equal(entry?.state, 'synced');
      assert.equal(entry?.cloudId, created['id']);
      const logged = f.log.entries.filter((e) => e.sourceIdentity.dn === alice);
      assert.equal(logged.length, 1);
      assert.equal(logged[0]!.action, 'Create');
      assert.equal(logged[0]!.cycleId, result.changeId);
      // the ancestor OUs came in as the full import brings them, so the scope resolves by GUID from now on
      assert.equal((await f.connectorSpace.listContainers()).length, 2);

      // The scheduled full cycle has nothing to write for Alice: no cloud write, no log entry, same link.
      const cloudBefore = JSON.stringify((await f.listAll('user')).find((u) => u['displayName'] === 'Alice Smith'));
      f.log.clear();
      const report = await f.cycle(source, 'full');
      assert.equal(report.created, 1, 'only Dana, who was not provisioned on demand');
      assert.equal(report.updated, 0);
      assert.equal(f.log.entries.filter((e) => e.sourceIdentity.dn === alice).length, 0);
      assert.equal(JSON.stringify((await f.listAll('user')).find((u) => u['displayName'] === 'Alice Smith')), cloudBefore);
      const after = await entryOf(alice);
      assert.deepEqual([after?.state, after?.cloudId, after?.escrow.failureCount], ['synced', created['id'], 0]);
    });

    test('again: unchanged, skipped as a redundant export', async () => {
      const result = await run(request(`CN=Alice Smith,${SALES}`, 'user', { dryRun: true }));
      assert.equal(result.outcome, 'unchanged');
      assert.equal(result.action, 'Other');
      assert.equal(result.statusInfo.status, 'Skipped');
      assert.equal(result.provisioningSteps[0]!.name, 'EntryImport');
      assert.equal(result.provisioningSteps[3]!.details['SkipReason'], 'RedundantExport');
      assert.match(result.match.description, /^Matched by anchor/);
    });

    test('a change: the dry run shows old → new and leaves the cloud value; the real run writes it', async () => {
      const alice = `CN=Alice Smith,${SALES}`;
      source.modify(alice, { title: 'Sales Manager' });
      const before = await snapshot([alice]);
      const dry = await run(request(alice, 'user', { dryRun: true }));
      assert.equal(dry.outcome, 'update');
      assert.deepEqual(dry.modifiedProperties.find((p) => p.displayName === 'jobTitle'), { displayName: 'jobTitle', oldValue: 'Account Executive', newValue: 'Sales Manager' });
      assert.equal(await snapshot([alice]), before);
      const real = await run(request(alice));
      assert.equal(real.outcome, 'update');
      assert.equal(real.action, 'Update');
      assert.equal((await f.listAll('user')).find((u) => u['displayName'] === 'Alice Smith')!['jobTitle'], 'Sales Manager');
    });

    test('a user outside the OU scope: the steps say so, nothing is provisioned, nothing written in a dry run', async () => {
      const bob = `CN=Bob Stone,${ENG}`;
      const before = await snapshot([bob]);
      const result = await run(request(bob, 'user', { dryRun: true }));
      assert.equal(result.scope.inScope, false);
      assert.equal(result.scope.scheduledRunIncludes, false);
      assert.equal(result.scope.container?.configured, true);
      assert.equal(result.scope.container?.result, false);
      assert.match(result.scope.statement, /does not include this object: it is not in any of the included organizational units/);
      assert.equal(result.provisioningSteps[1]!.status, 'Skipped');
      assert.equal(result.provisioningSteps[1]!.details['Included in the scheduled run'], 'False');
      assert.equal(result.outcome, 'skip');
      assert.equal(result.provisioningSteps[3]!.details['SkipReason'], 'NotInScope');
      assert.deepEqual(result.plannedWrites, []);
      assert.equal(await snapshot([bob]), before);
      const real = await run(request(bob));
      assert.equal(real.outcome, 'skip');
      assert.ok(!(await users()).includes('Bob Stone'));
      assert.equal(await entryOf(bob), undefined);
    });

    test('a group with named members: the members are provisioned and linked; Bob (out of scope) is not', async () => {
      const team = `CN=Sales Team,${SALES}`;
      source.add('group', team, { cn: 'Sales Team', sAMAccountName: 'SalesTeam', groupType: -2147483646, member: [`CN=Alice Smith,${SALES}`, `CN=Dana Reed,${SALES}`, `CN=Bob Stone,${ENG}`] });
      const before = await snapshot([team]);
      const dry = await run(request(team, 'group', { dryRun: true, members: [`CN=Dana Reed,${SALES}`, `CN=Bob Stone,${ENG}`] }));
      assert.equal(dry.outcome, 'create');
      assert.deepEqual(dry.memberReferences?.map((m) => [m.dn, m.linked]), [[`CN=Dana Reed,${SALES}`, true], [`CN=Bob Stone,${ENG}`, false]]);
      assert.equal(await snapshot([team]), before);
      const result = await run(request(team, 'group', { members: [`CN=Dana Reed,${SALES}`, `CN=Bob Stone,${ENG}`] }));
      assert.equal(result.outcome, 'create');
      assert.deepEqual(result.members?.map((m) => m.outcome), ['unchanged', 'skip']);
      assert.deepEqual(result.memberReferences?.map((m) => m.linked), [true, false]);
      const group = (await f.listAll('group')).find((g) => g['displayName'] === 'Sales Team')!;
      // the reference resolution of the scheduled cycle: every synchronized member (Alice too), never Bob
      assert.deepEqual(await f.members(String(group['id'])), ['Alice Smith', 'Dana Reed']);
    });

    test('an object that left the scope is deleted on demand, as the scheduled run would', async () => {
      const dana = `CN=Dana Reed,${SALES}`;
      source.move(dana, `CN=Dana Reed,${ENG}`);
      const moved = `CN=Dana Reed,${ENG}`;
      const dry = await run(request(moved, 'user', { dryRun: true }));
      assert.equal(dry.outcome, 'delete');
      assert.ok((await users()).includes('Dana Reed'));
      const real = await run(request(moved));
      assert.equal(real.outcome, 'delete');
      assert.equal(real.action, 'Delete');
      assert.ok(!(await users()).includes('Dana Reed'));
      assert.ok((await f.listDeleted('user')).some((u) => u['displayName'] === 'Dana Reed'));
    });

    test('a per-object failure is a value: the action step says why; a real run escrows the object and logs the failure', async () => {
      // Alice's userPrincipalName: the directory refuses the create (a constraint, not a bug)
      const frank = `CN=Frank Noupn,${SALES}`;
      source.add('user', frank, person('Frank Noupn', { userPrincipalName: 'alice.smith@corp.example.com' }));
      const before = await snapshot([frank]);
      const dry = await run(request(frank, 'user', { dryRun: true }));
      assert.equal(dry.outcome, 'failure');
      assert.equal(dry.statusInfo.status, 'Failure');
      assert.equal(dry.statusInfo.errorCode, 'ERR_DIR_UPN_CONFLICT');
      assert.equal(dry.provisioningSteps[3]!.name, 'EntryExportError');
      assert.match(dry.provisioningSteps[3]!.description, /could not be provisioned: .*\(dry run: nothing was written\)$/);
      assert.equal(await snapshot([frank]), before);
      const real = await run(request(frank));
      assert.equal(real.outcome, 'failure');
      assert.equal((await entryOf(frank))?.escrow.failureCount, 1);
      assert.equal(f.log.entries.filter((e) => e.sourceIdentity.dn === frank && e.status === 'Failure').length, 1);
      assert.ok(!(await users()).includes('Frank Noupn'));
    });

    test('a user whose manager is synchronized: the dry run plans the manager link and writes nothing; the real run links it', async () => {
      const hana = `CN=Hana Lee,${SALES}`;
      source.add('user', hana, person('Hana Lee', { manager: `CN=Alice Smith,${SALES}` }));
      const alice = (await f.listAll('user')).find((u) => u['displayName'] === 'Alice Smith')!;
      const before = await snapshot([hana]);
      const dry = await run(request(hana, 'user', { dryRun: true }));
      assert.equal(dry.outcome, 'create');
      const link = dry.plannedWrites?.find((w) => w.operation === 'setReference');
      assert.deepEqual(link && { type: link.type, properties: link.properties, targetId: link.targetId, id: link.id.startsWith('dry-run:') }, {
        type: 'user', properties: ['manager'], targetId: alice['id'], id: true,
      });
      assert.equal(await snapshot([hana]), before);
      const real = await run(request(hana));
      assert.equal(real.outcome, 'create');
      assert.equal((await f.directory.getManager(f.tenantId, real.targetIdentity.id!)).id, alice['id']);
    });

    test('bad requests name what and where, and write nothing', async () => {
      const alice = `CN=Alice Smith,${SALES}`;
      const before = await snapshot([alice]);
      const cases: [OnDemandRequest, string, RegExp][] = [
        [request('CN=Alice Smith,,DC=corp'), 'ERR_SYNC_ON_DEMAND_INVALID', /parameters\[0\]\.subjects\[0\]\.objectId: 'CN=Alice Smith,,DC=corp' is not a distinguished name: it has an empty RDN.*position 15/],
        [request('Alice Smith'), 'ERR_SYNC_ON_DEMAND_INVALID', /it has 'Alice Smith', which is not attribute=value/],
        [request('CN=Alice Smith;OU=Sales'), 'ERR_SYNC_ON_DEMAND_INVALID', /it has an unescaped ';' .*RDNs are separated by commas\) \(at position 14\)/],
        [request('CN=Ann\\Q,DC=corp'), 'ERR_SYNC_ON_DEMAND_INVALID', /\\Q, which is not an RFC 4514 escape/],
        [request(`CN=Nobody,${SALES}`), 'ERR_SYNC_ON_DEMAND_NOT_FOUND', /no object 'CN=Nobody,OU=Sales.*' in the directory of domain corp\.example\.com/],
        [request(`CN=Sales Team,${SALES}`, 'user'), 'ERR_SYNC_ON_DEMAND_WRONG_TYPE', /is a group .* not a user; set objectTypeName to group/],
        [request(alice, 'device'), 'ERR_SYNC_ON_DEMAND_INVALID', /objectTypeName: 'device' is not an object type/],
        [request(alice, 'user', { ruleId: 'nope' }), 'ERR_SYNC_ON_DEMAND_INVALID', /ruleId: 'nope' is not a synchronization rule.*AD2AADProvisioning/],
        [request(`CN=Sales Team,${SALES}`, 'group', { members: Array.from({ length: 6 }, () => alice) }), 'ERR_SYNC_ON_DEMAND_INVALID', /6 members given; .* at most 5/],
        [request(`CN=Sales Team,${SALES}`, 'group', { members: [`CN=Alice Smith,${SALES}`, `OU=Sales,OU=Corp,${BASE}`] }), 'ERR_SYNC_ON_DEMAND_WRONG_TYPE', /links\.members\[1\]: .* is an organizationalUnit/],
      ];
      source.add('user', `CN=Eve Outsider,${SALES}`, person('Eve Outsider'));
      cases.push([request(`CN=Sales Team,${SALES}`, 'group', { members: [`CN=Eve Outsider,${SALES}`] }), 'ERR_SYNC_ON_DEMAND_INVALID', /links\.members\[0\]\.objectId: 'CN=Eve Outsider,.*' is not a member of the group/]);
      for (const [req, code, message] of cases) {
        await assert.rejects(run(req), (error: unknown) => {
          assert.ok(isCloudsyncError(error), String(error));
          assert.equal(error.code, code, error.message);
          assert.match(error.message, message);
          return true;
        });
      }
      assert.equal(await snapshot([alice]), before);
    });
  });
}

after(() => stopPostgres());
