/**
 * The Active Directory connector against a real (throwaway) Samba AD DC. One DC for the whole file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Attribute, Change, type Client } from 'ldapts';
import { CloudsyncError } from '../../../src/errors/index.ts';
import { attributeSource, isReference, type Value } from '../../../src/expressions/value.ts';
import { ActiveDirectoryConnector, type ActiveDirectoryConnectorOptions } from '../../../src/connectors/ldap/active-directory-connector.ts';
import { defaultAnchorOf, type ImportBatch, type SourceObject } from '../../../src/connectors/source-connector.ts';
import { formatGuid, formatSid } from '../../../src/connectors/guid.ts';
import { ShowDeletedControl } from '../../../src/connectors/ldap/show-deleted-control.ts';
import { compileSynchronizationSchema, getTemplate } from '../../../src/schema/index.ts';
import { addOu, sambaUnavailableReason, seedAdContacts, seedAdUsers, startSamba, type SambaDc } from '../../harness/samba.ts';
import { startSilentServer } from '../../harness/silent-server.ts';

const skip = sambaUnavailableReason();
const CONSISTENCY_GUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
/** Binary, but also valid UTF-8: ldapts decodes such values to text unless told the attribute is binary. */
const ASCII_CONSISTENCY_GUID = Buffer.from('cloudsync-ascii!');

async function collect(batches: AsyncIterable<ImportBatch>): Promise<{ objects: SourceObject[]; watermark: string | undefined; sizes: number[] }> {
  const objects: SourceObject[] = [];
  const sizes: number[] = [];
  let watermark: string | undefined;
  for await (const batch of batches) {
    objects.push(...batch.objects);
    sizes.push(batch.objects.length);
    if (batch.watermark) watermark = batch.watermark;
  }
  return { objects, watermark, sizes };
}

const dnsOf = (value: Value | readonly Value[] | undefined): string[] =>
  ((Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]) as unknown[]).filter(isReference).map((r) => r.dn.toLowerCase());

async function expectCode(promise: Promise<unknown>, code: string): Promise<CloudsyncError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CloudsyncError, `expected a CloudsyncError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('ActiveDirectoryConnector against Samba AD', { skip }, () => {
  let dc: SambaDc;
  let admin: Client;
  let base: string;
  const ou = (name: string) => `OU=${name},${base}`;
  const options = (extra: Partial<ActiveDirectoryConnectorOptions> = {}): ActiveDirectoryConnectorOptions => ({
    urls: [dc.url], bindDn: dc.adminDn, bindPassword: dc.adminPassword, ...extra,
  });

  before(async () => {
    dc = await startSamba();
    admin = await dc.admin();
    base = dc.baseDn;
    await addOu(admin, ou('Corp'));
    await addOu(admin, `OU=Sales,${ou('Corp')}`);
    await addOu(admin, `OU=Engineering,${ou('Corp')}`);
    await addOu(admin, ou('Big'));
    await seedAdUsers(admin, `OU=Sales,${ou('Corp')}`, 20, { prefix: 'sales' });
    await seedAdUsers(admin, `OU=Engineering,${ou('Corp')}`, 30, { prefix: 'eng' });
    await admin.modify(`CN=eng00002,OU=Engineering,${ou('Corp')}`, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'manager', values: [`CN=eng00001,OU=Engineering,${ou('Corp')}`] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'proxyAddresses', values: ['SMTP:eng00002@corp.example.com', 'smtp:e2@corp.example.com'] }) }),
    ]);
    await admin.modify(`CN=eng00003,OU=Engineering,${ou('Corp')}`, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'mS-DS-ConsistencyGuid', values: [CONSISTENCY_GUID] }) }),
    ]);
    await admin.modify(`CN=eng00004,OU=Engineering,${ou('Corp')}`, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'mS-DS-ConsistencyGuid', values: [ASCII_CONSISTENCY_GUID] }) }),
    ]);
    await admin.add(`CN=Partner Contact,${ou('Corp')}`, {
      objectClass: ['top', 'person', 'organizationalPerson', 'contact'], displayName: 'Partner Contact', mail: 'partner@example.net',
    });
    await admin.add(`CN=Sales Team,${ou('Corp')}`, {
      objectClass: ['top', 'group'], sAMAccountName: 'salesteam',
      member: Array.from({ length: 20 }, (_, i) => `CN=sales${String(i + 1).padStart(5, '0')},OU=Sales,${ou('Corp')}`),
    });
    await admin.add(`CN=Everyone,${ou('Corp')}`, {
      objectClass: ['top', 'group'], sAMAccountName: 'everyone',
      member: [`CN=Sales Team,${ou('Corp')}`, `CN=Partner Contact,${ou('Corp')}`, `CN=eng00001,OU=Engineering,${ou('Corp')}`],
    });
  });

  after(async () => { await dc?.stop(); });

  test('full import reads users, groups, contacts and OUs of the configured containers with correct binary GUIDs', async () => {
    const connector = new ActiveDirectoryConnector(options({ containers: [ou('Corp')] }));
    try {
      const { objects, watermark, sizes } = await collect(connector.fullImport({ batchSize: 16 }));
      assert.ok(watermark, 'the last batch carries a watermark');
      assert.ok(sizes.every((n) => n <= 16), `batches are bounded: ${sizes.join(',')}`);
      const byType = (t: string) => objects.filter((o) => o.type === t).length;
      assert.equal(byType('user'), 50);
      assert.equal(byType('group'), 2);
      assert.equal(byType('contact'), 1);
      assert.equal(byType('organizationalUnit'), 3);
      assert.equal(objects.length, 56, 'nothing outside OU=Corp (Administrator, CN=Users groups) is imported');

      const eng2 = objects.find((o) => o.dn.startsWith('CN=eng00002,'))!;
      assert.deepEqual(eng2.attributes['proxyAddresses'], ['SMTP:eng00002@corp.example.com', 'smtp:e2@corp.example.com']);
      assert.deepEqual(dnsOf(eng2.attributes['manager']), [`cn=eng00001,ou=engineering,${ou('Corp')}`.toLowerCase()]);
      assert.equal(eng2.attributes['userAccountControl'], 546, 'integer syntax → number (a disabled account without password)');
      assert.equal(eng2.parentDn, `OU=Engineering,${ou('Corp')}`);
      assert.ok(eng2.attributes['objectSid'] instanceof Uint8Array);
      assert.match(formatSid(eng2.attributes['objectSid'] as Uint8Array), /^S-1-5-21-\d+-\d+-\d+-\d+$/);

      // The GUID text form is right iff the DC finds the object by it (<GUID=…> binding, MS-ADTS 3.1.1.3.1.2.4).
      for (const object of objects.slice(0, 10)) {
        assert.equal(object.anchors.objectGuidBytes?.length, 16);
        assert.equal(formatGuid(object.anchors.objectGuidBytes!), object.anchors.objectGuid);
        const { searchEntries } = await admin.search(`<GUID=${object.anchors.objectGuid}>`, { scope: 'base', attributes: ['distinguishedName'] });
        assert.equal(searchEntries[0]?.dn.toLowerCase(), object.dn.toLowerCase());
      }
      assert.equal(defaultAnchorOf(eng2), Buffer.from(eng2.anchors.objectGuidBytes!).toString('base64'));

      const eng3 = objects.find((o) => o.dn.startsWith('CN=eng00003,'))!;
      assert.deepEqual(Buffer.from(eng3.anchors.consistencyGuid!), CONSISTENCY_GUID, 'ms-DS-ConsistencyGuid as bytes');
      assert.equal(defaultAnchorOf(eng3), CONSISTENCY_GUID.toString('base64'), 'ms-DS-ConsistencyGuid wins over objectGUID');

      const eng4 = objects.find((o) => o.dn.startsWith('CN=eng00004,'))!;
      const ascii = eng4.attributes['mS-DS-ConsistencyGuid'];
      assert.ok(ascii instanceof Uint8Array, `a binary value that is valid UTF-8 is still bytes, got ${String(ascii)}`);
      assert.deepEqual(Buffer.from(ascii), ASCII_CONSISTENCY_GUID);
      assert.deepEqual(Buffer.from(eng4.anchors.consistencyGuid!), ASCII_CONSISTENCY_GUID);
      for (const principal of objects.filter((o) => o.type === 'user' || o.type === 'group')) {
        assert.ok(principal.attributes['objectSid'] instanceof Uint8Array, `${principal.dn}: objectSid is bytes`);
      }

      const everyone = objects.find((o) => o.dn.startsWith('CN=Everyone,'))!;
      assert.equal(dnsOf(everyone.attributes['member']).length, 3, 'nested group, contact and user members');
    } finally {
      await connector.close();
    }
  });

  test('ranged retrieval of member: a group with 1,600 (contact) members, by the server default and by explicit ranges', async () => {
    // Contacts: the cheapest objects AD lets be members (the range logic does not care what the members are).
    const members = await seedAdContacts(admin, ou('Big'), 1600, { prefix: 'big', concurrency: 24 });
    const before = new ActiveDirectoryConnector(options({ containers: [ou('Big')] }));
    const { watermark } = await collect(before.fullImport());
    // Adding 1,600 values in one modify is fine for AD (the 5,000-values-per-operation limit is per request).
    await admin.add(`CN=Big Group,${ou('Big')}`, { objectClass: ['top', 'group'], sAMAccountName: 'biggroup', member: members });
    const delta = await collect(before.deltaImport(watermark!));
    const created = delta.objects.find((o) => o.dn.startsWith('CN=Big Group,'));
    assert.equal(created?.valueChanges?.['member']?.added.length, 1600, 'a new big group arrives with all its members as added values');
    assert.equal(new Set(created?.valueChanges?.['member']?.addedObjectGuids).size, 1600);
    await before.close();
    for (const rangeSize of [undefined, 500, 1500]) {
      const connector = new ActiveDirectoryConnector(options({ containers: [ou('Big')], ...(rangeSize ? { memberRangeSize: rangeSize } : {}) }));
      try {
        const group = await connector.readObject(`CN=Big Group,${ou('Big')}`);
        assert.ok(group);
        const got = dnsOf(group.attributes['member']);
        assert.equal(got.length, 1600, `rangeSize ${rangeSize}`);
        assert.equal(new Set(got).size, 1600, 'no duplicates across ranges');
        const { objects } = await collect(connector.fullImport());
        const viaImport = objects.find((o) => o.type === 'group')!;
        assert.equal(dnsOf(viaImport.attributes['member']).length, 1600);

        // Bounded memory: past maxInlineValues the member list is deferred and streamed by ranges.
        const bounded = await collect(connector.fullImport({ maxInlineValues: 1000 }));
        const deferred = bounded.objects.find((o) => o.type === 'group')!;
        assert.deepEqual(deferred.deferredAttributes, ['member']);
        assert.equal(deferred.attributes['member'], undefined);
        const streamed: string[] = [];
        for await (const chunk of connector.readValues(deferred.dn, 'member')) {
          assert.ok(chunk.length <= (rangeSize ?? 1500), `chunks stay within one range (${chunk.length})`);
          streamed.push(...dnsOf(chunk));
        }
        assert.deepEqual(new Set(streamed), new Set(got));

        // By GUID, identity only (what the engine reads of a scoping group every cycle): the same object, none of
        // its 1,600 members
        const identity = await connector.readObject(`<GUID=${group.anchors.objectGuid}>`, { identityOnly: true });
        assert.equal(identity?.dn, group.dn);
        assert.equal(identity.type, 'group');
        assert.deepEqual(identity.anchors, group.anchors);
        assert.equal(identity.attributes['member'], undefined);
        assert.equal(identity.deferredAttributes, undefined);
      } finally {
        await connector.close();
      }
    }
  });

  test('DirSync delta reports create, modify, membership changes, rename, move and delete', async () => {
    const connector = new ActiveDirectoryConnector(options({ containers: [ou('Corp')] }));
    try {
      const full = await collect(connector.fullImport());
      const anna = full.objects.find((o) => o.dn.startsWith('CN=sales00001,'))!;
      const moved = full.objects.find((o) => o.dn.startsWith('CN=sales00002,'))!;
      const removed = full.objects.find((o) => o.dn.startsWith('CN=sales00003,'))!;

      const idle = await collect(connector.deltaImport(full.watermark!));
      assert.equal(idle.objects.length, 0, 'nothing changed since the full import');

      const sales = `OU=Sales,${ou('Corp')}`;
      const eng = `OU=Engineering,${ou('Corp')}`;
      await admin.add(`CN=New Hire,${sales}`, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: 'newhire', givenName: 'New', sn: 'Hire' });
      await admin.modify(`CN=sales00001,${sales}`, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Head of Sales'] }) })]);
      await admin.modifyDN(`CN=sales00001,${sales}`, `CN=Anna Renamed,${sales}`);
      await admin.modifyDN(`CN=sales00002,${sales}`, `CN=sales00002,${eng}`);
      await admin.modify(`CN=Sales Team,${ou('Corp')}`, [
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`CN=New Hire,${sales}`] }) }),
        new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [`CN=sales00004,${sales}`] }) }),
      ]);
      await admin.del(`CN=sales00003,${sales}`);
      // Renamed after its removal from the group: the removed value's DN is stale, its GUID is not.
      await admin.modifyDN(`CN=sales00004,${sales}`, `CN=Renamed Four,${sales}`);

      const delta = await collect(connector.deltaImport(full.watermark!));
      const byGuid = new Map(delta.objects.map((o) => [o.anchors.objectGuid, o]));
      const created = delta.objects.find((o) => o.dn.startsWith('CN=New Hire,'));
      assert.ok(created, 'created user reported');
      assert.equal(created.attributes['givenName'], 'New');

      const renamed = byGuid.get(anna.anchors.objectGuid);
      assert.ok(renamed, 'renamed user reported under the same objectGUID');
      assert.equal(renamed.dn, `CN=Anna Renamed,${sales}`);
      assert.equal(renamed.attributes['title'], 'Head of Sales');
      assert.equal(renamed.attributes['sAMAccountName'], 'sales00001', 'delta objects are complete, not just the changed attributes');

      const movedNow = byGuid.get(moved.anchors.objectGuid);
      assert.ok(movedNow, 'moved user reported');
      assert.equal(movedNow.parentDn, eng);
      assert.equal(movedNow.isDeleted, false);

      const deleted = byGuid.get(removed.anchors.objectGuid);
      assert.ok(deleted, 'deleted user reported');
      assert.equal(deleted.isDeleted, true);
      assert.equal(deleted.type, 'user');
      assert.equal(deleted.parentDn, sales, 'lastKnownParent');
      assert.match(deleted.dn, /CN=Deleted Objects/i);

      const team = delta.objects.find((o) => o.dn.startsWith('CN=Sales Team,'));
      assert.ok(team?.valueChanges?.['member'], 'group membership comes as value changes');
      assert.deepEqual(dnsOf(team.valueChanges['member'].added), [`cn=new hire,${sales}`.toLowerCase()]);
      const four = full.objects.find((o) => o.dn.startsWith('CN=sales00004,'))!;
      const newHireGuid = created.anchors.objectGuid;
      assert.deepEqual(team.valueChanges['member'].addedObjectGuids, [newHireGuid], 'value changes carry target GUIDs');
      assert.ok(team.valueChanges['member'].removedObjectGuids?.includes(four.anchors.objectGuid!), 'the removed member is identified by GUID');
      assert.equal(team.valueChanges['member'].removed.length, team.valueChanges['member'].removedObjectGuids?.length);
      assert.equal(team.attributes['member'], undefined, 'no full member list in a delta');

      const again = await collect(connector.deltaImport(delta.watermark!));
      assert.equal(again.objects.length, 0, 'the new watermark starts after these changes');
    } finally {
      await connector.close();
    }
  });

  test('an undeleted (reanimated) object comes back in the delta as the same, live object', async () => {
    // Samba 4.17 cannot undelete while the Recycle Bin is on (see test/harness/samba.ts), so this uses a DC
    // without it: the deleted object is a tombstone and comes back with the attributes a tombstone keeps.
    const plain = await startSamba({ recycleBin: false });
    const client = await plain.admin();
    const connector = new ActiveDirectoryConnector({ urls: [plain.url], bindDn: plain.adminDn, bindPassword: plain.adminPassword });
    try {
      await addOu(client, `OU=Sales,${plain.baseDn}`);
      const victim = `CN=victim,OU=Sales,${plain.baseDn}`;
      await client.add(victim, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: 'victim' });
      const original = await connector.readObject(victim);
      assert.ok(original);
      const full = await collect(connector.fullImport());
      await client.del(victim);
      const afterDelete = await collect(connector.deltaImport(full.watermark!));
      const tombstone = afterDelete.objects.find((o) => o.anchors.objectGuid === original.anchors.objectGuid);
      assert.equal(tombstone?.isDeleted, true);
      assert.equal(tombstone?.parentDn, `OU=Sales,${plain.baseDn}`);

      // MS-ADTS 3.1.1.5.3.7.3 "Undelete": remove isDeleted and set distinguishedName, with show-deleted.
      await client.modify(tombstone!.dn, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'isDeleted', values: [] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'distinguishedName', values: [victim] }) }),
      ], new ShowDeletedControl());
      const afterRestore = await collect(connector.deltaImport(afterDelete.watermark!));
      const restored = afterRestore.objects.find((o) => o.anchors.objectGuid === original.anchors.objectGuid);
      assert.ok(restored, 'the restored object is reported');
      assert.equal(restored.isDeleted, false);
      assert.equal(restored.dn, victim);
      assert.equal(restored.attributes['sAMAccountName'], 'victim');
    } finally {
      await connector.close();
      await plain.stop();
    }
  });

  test('LDAPS and StartTLS verify the server against the CA file; a wrong CA is ERR_LDAP_TLS', async () => {
    for (const extra of [{ urls: [dc.ldapsUrl] }, { urls: [dc.url], startTls: true }]) {
      const good = new ActiveDirectoryConnector(options({ ...extra, caFile: dc.caFile }));
      try {
        const admin = await good.readObject(dc.adminDn);
        assert.equal(admin?.type, 'user');
      } finally {
        await good.close();
      }
      const wrong = new ActiveDirectoryConnector(options({ ...extra, caFile: dc.otherCaFile }));
      const error = await expectCode(wrong.readObject(dc.adminDn), 'ERR_LDAP_TLS');
      assert.doesNotMatch(error.message, new RegExp(dc.adminPassword.replace(/[!]/g, '\\!')));
      await wrong.close();
      const system = new ActiveDirectoryConnector(options({ ...extra }));
      await expectCode(system.readObject(dc.adminDn), 'ERR_LDAP_TLS');
      await system.close();
    }
  });

  test('DirSync without "Replicating Directory Changes" is ERR_LDAP_INSUFFICIENT_ACCESS; paged reads still work', async () => {
    const dn = `CN=reader,${ou('Corp')}`;
    const password = 'Reader!Passw0rd';
    await admin.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: 'reader' });
    // MS-ADTS 3.1.1.3.1.5.1 unicodePwd: the quoted password in UTF-16LE, set over an encrypted connection.
    const tlsAdmin = new ActiveDirectoryConnector(options({ urls: [dc.ldapsUrl], caFile: dc.caFile }));
    const client = await tlsAdmin.connection.client();
    await client.modify(dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['512'] }) }),
    ]);
    await tlsAdmin.close();
    const reader = new ActiveDirectoryConnector(options({ bindDn: dn, bindPassword: password, containers: [ou('Corp')] }));
    try {
      assert.equal((await reader.readObject(`CN=Everyone,${ou('Corp')}`))?.type, 'group');
      await expectCode((async () => { for await (const _ of reader.fullImport()) { /* drain */ } })(), 'ERR_LDAP_INSUFFICIENT_ACCESS');
    } finally {
      await reader.close();
    }
  });

  test('a wrong password is ERR_LDAP_INVALID_CREDENTIALS and the message does not contain it', async () => {
    const connector = new ActiveDirectoryConnector(options({ bindPassword: 'Wr0ng-Secret!' }));
    const error = await expectCode(connector.readObject(dc.adminDn), 'ERR_LDAP_INVALID_CREDENTIALS');
    assert.doesNotMatch(error.message, /Wr0ng-Secret/);
    assert.doesNotMatch(JSON.stringify(error.toJSON()), /Wr0ng-Secret/);
    await connector.close();
  });

  test('an unreachable server is ERR_LDAP_UNREACHABLE; failover goes on to the next URL', async () => {
    const closed = await closedPort();
    const silent = await startSilentServer();
    try {
      const none = new ActiveDirectoryConnector(options({ urls: [`ldap://127.0.0.1:${closed}`], connectTimeoutMs: 1000 }));
      const error = await expectCode(none.readObject(dc.adminDn), 'ERR_LDAP_UNREACHABLE');
      assert.equal(error.details?.['retryable'], true);
      await none.close();

      const refusedThenGood = new ActiveDirectoryConnector(options({ urls: [`ldap://127.0.0.1:${closed}`, dc.url] }));
      assert.equal((await refusedThenGood.readObject(dc.adminDn))?.type, 'user');
      assert.equal(refusedThenGood.connection.currentUrl, dc.url);
      await refusedThenGood.close();

      const t0 = Date.now();
      const silentThenGood = new ActiveDirectoryConnector(options({
        urls: [`ldap://127.0.0.1:${silent.port}`, dc.url], operationTimeoutMs: 1000, connectTimeoutMs: 1000,
      }));
      assert.equal((await silentThenGood.readObject(dc.adminDn))?.type, 'user');
      assert.ok(Date.now() - t0 < 5000, 'a server that accepts but never answers is given up after the operation timeout');
      await silentThenGood.close();
    } finally {
      await silent.close();
    }
  });

  test('built-in accounts carry isCriticalSystemObject, which the default scoping exclusion tests; ordinary users do not', async () => {
    const connector = new ActiveDirectoryConnector(options());
    const scope = compileSynchronizationSchema(getTemplate('AD2AADProvisioning')).rules[0]!.objectMappings[0]!.scope;
    const inScope = (object: SourceObject) => scope.isInScope(attributeSource({ distinguishedName: object.dn, isCriticalSystemObject: object.attributes['isCriticalSystemObject'] ?? null }));
    try {
      for (const dn of [dc.adminDn, `CN=krbtgt,CN=Users,${base}`, `CN=Guest,CN=Users,${base}`]) {
        const builtIn = (await connector.readObject(dn))!;
        assert.ok([true, 'TRUE'].includes(builtIn.attributes['isCriticalSystemObject'] as never), `${dn}: ${String(builtIn.attributes['isCriticalSystemObject'])}`);
        assert.equal(inScope(builtIn), false, `${dn} is excluded by default`);
      }
      const ordinary = (await connector.readObject(`CN=eng00020,OU=Engineering,${ou('Corp')}`))!;
      assert.equal(ordinary.attributes['isCriticalSystemObject'] ?? null, null);
      assert.equal(inScope(ordinary), true);
    } finally {
      await connector.close();
    }
  });

  test('listAnchors lists every in-scope object anchor and a missing DN reads as undefined', async () => {
    const connector = new ActiveDirectoryConnector(options({ containers: [`OU=Engineering,${ou('Corp')}`] }));
    try {
      const anchors: string[] = [];
      for await (const page of connector.listAnchors()) anchors.push(...page);
      const { objects } = await collect(connector.fullImport());
      assert.deepEqual(new Set(anchors), new Set(objects.map(defaultAnchorOf)));
      assert.equal(await connector.readObject(`CN=nobody,${ou('Corp')}`), undefined);
    } finally {
      await connector.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

