/**
 * The engine against a real (throwaway) Samba AD DC through the Active Directory connector: a full cycle, then
 * DirSync delta cycles for a modification, a rename, a membership change and a deletion. Skipped on machines that
 * cannot run Samba (needs root).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Attribute, Change, type Client } from 'ldapts';
import { ActiveDirectoryConnector } from '../../src/connectors/ldap/active-directory-connector.ts';
import { compileSynchronizationSchema, getTemplate } from '../../src/schema/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { addOu, sambaUnavailableReason, seedAdUsers, startSamba, type SambaDc } from '../harness/samba.ts';
import { BACKENDS } from '../storage/backends.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';

const skip = sambaUnavailableReason();

describe('engine ← Samba AD (DirSync deltas)', { skip }, () => {
  let dc: SambaDc;
  let admin: Client;
  let connector: ActiveDirectoryConnector;
  let store: Store;
  let dispose: () => Promise<void>;
  let f: EngineFixture;
  let corp: string;
  let sales: string;

  before(async () => {
    dc = await startSamba();
    admin = await dc.admin();
    corp = `OU=Corp,${dc.baseDn}`;
    sales = `OU=Sales,${corp}`;
    await addOu(admin, corp);
    await addOu(admin, sales);
    await seedAdUsers(admin, sales, 12, { prefix: 'sales' });
    await admin.add(`CN=Partner,${corp}`, { objectClass: ['top', 'person', 'organizationalPerson', 'contact'], displayName: 'Partner', mail: 'partner@example.net' });
    await admin.add(`CN=Sales Team,${corp}`, {
      objectClass: ['top', 'group'], sAMAccountName: 'salesteam',
      member: [...Array.from({ length: 5 }, (_, i) => `CN=sales0000${i + 1},${sales}`), `CN=Partner,${corp}`],
    });
    connector = new ActiveDirectoryConnector({ urls: [dc.url], bindDn: dc.adminDn, bindPassword: dc.adminPassword, containers: [corp] });
    const ou = await connector.readObject(corp);
    // DirSync deltas report changes anywhere in the domain: the configuration scopes to OU=Corp, pinned by GUID.
    const template = JSON.parse(JSON.stringify(getTemplate('AD2AADProvisioning')));
    template.synchronizationRules[0].containerFilter.includedContainers = [`<GUID=${ou!.anchors.objectGuid}>;${corp}`];
    ({ store, dispose } = await BACKENDS[0]!.open());
    f = await engineFixture(store);
    f.config = { ...f.config, schema: compileSynchronizationSchema(template) };
  });

  after(async () => {
    await connector?.close();
    await dispose?.();
    await dc?.stop();
  });

  test('full cycle: users, the group with its members, the contact', async () => {
    const report = await f.cycle(connector);
    assert.equal(report.mode, 'full');
    assert.equal(report.failed, 0, JSON.stringify(f.log.entries.find((e) => e.status === 'Failure')));
    assert.equal((await f.listAll('user')).length, 12);
    assert.equal((await f.listAll('orgContact')).length, 1);
    const group = (await f.listAll('group')).find((g) => g['displayName'] === 'Sales Team')!;
    assert.ok(group['onPremisesSecurityIdentifier']);
    assert.deepEqual(await f.members(String(group['id'])), ['Partner', 'Test sales00001', 'Test sales00002', 'Test sales00003', 'Test sales00004', 'Test sales00005']);
  });

  test('delta: modify, rename, membership change and delete', async () => {
    const users = await f.listAll('user');
    const id = (name: string) => users.find((u) => u['displayName'] === `Test ${name}`)!['id'];
    const renamedId = id('sales00007');
    const deletedId = id('sales00001');
    await admin.modify(`CN=sales00006,${sales}`, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Director'] }) })]);
    await admin.modifyDN(`CN=sales00007,${sales}`, 'CN=sales-seven');
    await admin.modify(`CN=sales-seven,${sales}`, [new Change({ operation: 'replace', modification: new Attribute({ type: 'displayName', values: ['Seven'] }) })]);
    await admin.modify(`CN=Sales Team,${corp}`, [
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`CN=sales-seven,${sales}`] }) }),
      new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [`CN=sales00002,${sales}`] }) }),
    ]);
    await admin.del(`CN=sales00001,${sales}`);
    f.log.clear();
    const report = await f.cycle(connector);
    assert.equal(report.mode, 'delta');
    assert.equal(report.failed, 0, JSON.stringify(f.log.entries.find((e) => e.status === 'Failure')));
    assert.equal(report.created, 0);
    assert.equal(report.deleted, 1);
    const after = await f.listAll('user');
    assert.equal(after.length, 11);
    assert.equal(after.find((u) => u['displayName'] === 'Test sales00006')!['jobTitle'], 'Director');
    const seven = after.find((u) => u['displayName'] === 'Seven')!;
    assert.equal(seven['id'], renamedId);
    assert.equal(seven['onPremisesDistinguishedName'], `CN=sales-seven,${sales}`);
    assert.ok((await f.listDeleted('user')).some((u) => u['id'] === deletedId));
    const group = (await f.listAll('group')).find((g) => g['displayName'] === 'Sales Team')!;
    assert.deepEqual(await f.members(String(group['id'])), ['Partner', 'Seven', 'Test sales00003', 'Test sales00004', 'Test sales00005']);
    // DirSync reported the member changes with the members' objectGUIDs: applied as changes, not by re-reading the group
    const groupLog = f.log.entries.find((e) => e.sourceIdentity.dn === `CN=Sales Team,${corp}`)!;
    assert.ok(groupLog.steps.some((s) => s.name === 'referenceResolution' && s.description === 'Member changes resolved by objectGUID'), JSON.stringify(groupLog));
    assert.ok(groupLog.modifiedProperties.some((p) => p.displayName === 'members'));
    const again = await f.cycle(connector);
    assert.equal(again.created + again.updated + again.deleted + again.referencesAdded + again.referencesRemoved, 0, JSON.stringify(again));
  });
});
