/**
 * The LDIF connector as the source of successive snapshots (an export taken again after changes in AD): create,
 * modify, rename, move, membership add/remove with a nested group and a contact, delete (gone from the export) and
 * restore (back, same objectGUID). Full cycles sweep deletions; delta cycles of the LDIF connector report the whole
 * changed file and the engine reconciles deletions with listAnchors(). State is read back from the directory.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import type { Store } from '../../src/storage/index.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';

const BASE = 'DC=corp,DC=example,DC=com';
const guid = (n: number) => Buffer.from(Array.from({ length: 16 }, (_, i) => (i === 0 ? n : 0x30 + i))).toString('base64');

interface Person { readonly n: number; readonly cn: string; readonly ou: string; readonly title?: string }

function snapshot(people: readonly Person[], groups: readonly { n: number; cn: string; members: readonly string[] }[]): string {
  const records = [
    `dn: OU=Corp,${BASE}\nobjectClass: top\nobjectClass: organizationalUnit\nou: Corp\nobjectGUID:: ${guid(1)}`,
    `dn: OU=Sales,OU=Corp,${BASE}\nobjectClass: top\nobjectClass: organizationalUnit\nou: Sales\nobjectGUID:: ${guid(2)}`,
    `dn: OU=Support,OU=Corp,${BASE}\nobjectClass: top\nobjectClass: organizationalUnit\nou: Support\nobjectGUID:: ${guid(3)}`,
    `dn: CN=Pat Partner,OU=Corp,${BASE}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: contact\ncn: Pat Partner\ndisplayName: Pat Partner\nmail: pat@partner.example\nobjectGUID:: ${guid(4)}`,
    ...people.map((p) => {
      const nick = p.cn.toLowerCase().replace(/ /g, '.');
      return [
        `dn: CN=${p.cn},OU=${p.ou},OU=Corp,${BASE}`, 'objectClass: top', 'objectClass: person', 'objectClass: organizationalPerson', 'objectClass: user',
        `cn: ${p.cn}`, `displayName: ${p.cn}`, `sAMAccountName: ${nick}`, `userPrincipalName: ${nick}@corp.example.com`,
        ...(p.title === undefined ? [] : [`title: ${p.title}`]), 'userAccountControl: 512', `objectGUID:: ${guid(p.n)}`,
      ].join('\n');
    }),
    ...groups.map((g) => [
      `dn: CN=${g.cn},OU=Corp,${BASE}`, 'objectClass: top', 'objectClass: group', `cn: ${g.cn}`, `sAMAccountName: ${g.cn.replace(/ /g, '')}`,
      'groupType: -2147483646', ...g.members.map((m) => `member: ${m}`), `objectGUID:: ${guid(g.n)}`,
      `objectSid:: ${Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, g.n, 4, 0, 0]).toString('base64')}`,
    ].join('\n')),
  ];
  return `version: 1\n\n${records.join('\n\n')}\n`;
}

const dn = (cn: string, ou: string) => `CN=${cn},OU=${ou},OU=Corp,${BASE}`;

for (const backend of BACKENDS) {
  describe(`LDIF snapshots (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let f: EngineFixture;
    const dir = mkdtempSync(join(tmpdir(), 'cloudsync-ldif-engine-'));
    const file = join(dir, 'export.ldif');
    const source = new LdifConnector({ file });
    const users = async () => Object.fromEntries((await f.listAll('user')).map((u) => [String(u['displayName']), u]));
    const groupMembers = async (cn: string) => {
      const g = (await f.listAll('group')).find((x) => x['displayName'] === cn)!;
      return f.members(String(g['id']));
    };
    let ids: Record<string, string> = {};

    before(async () => {
      ({ store, dispose } = await backend.open());
      f = await engineFixture(store);
    });
    after(async () => {
      await dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    test('create', async () => {
      writeFileSync(file, snapshot(
        [{ n: 10, cn: 'Ann Lee', ou: 'Sales', title: 'Rep' }, { n: 11, cn: 'Ben Ode', ou: 'Sales' }, { n: 12, cn: 'Cy Ray', ou: 'Support' }],
        [{ n: 20, cn: 'Sales Team', members: [dn('Ann Lee', 'Sales'), dn('Ben Ode', 'Sales')] }, { n: 21, cn: 'Everyone', members: [`CN=Sales Team,OU=Corp,${BASE}`, `CN=Pat Partner,OU=Corp,${BASE}`] }],
      ));
      const report = await f.cycle(source);
      assert.equal(report.created, 6);
      assert.equal(report.failed, 0);
      ids = Object.fromEntries(Object.entries(await users()).map(([k, u]) => [k, String(u['id'])]));
      assert.deepEqual(Object.keys(ids).sort(), ['Ann Lee', 'Ben Ode', 'Cy Ray']);
      assert.deepEqual(await groupMembers('Sales Team'), ['Ann Lee', 'Ben Ode']);
      assert.deepEqual(await groupMembers('Everyone'), ['Pat Partner', 'Sales Team']);
    });

    test('modify, rename, move and membership changes (delta cycle with listAnchors reconciliation)', async () => {
      writeFileSync(file, snapshot(
        [{ n: 10, cn: 'Ann Lee', ou: 'Sales', title: 'Lead' }, { n: 11, cn: 'Ben Odell', ou: 'Sales' }, { n: 12, cn: 'Cy Ray', ou: 'Sales' }],
        [{ n: 20, cn: 'Sales Team', members: [dn('Ben Odell', 'Sales'), dn('Cy Ray', 'Sales')] }, { n: 21, cn: 'Everyone', members: [`CN=Sales Team,OU=Corp,${BASE}`, `CN=Pat Partner,OU=Corp,${BASE}`, dn('Ann Lee', 'Sales')] }],
      ));
      f.log.clear();
      const report = await f.cycle(source, 'delta');
      assert.equal(report.mode, 'delta');
      assert.equal(report.created, 0);
      assert.equal(report.updated, 3); // title; rename (displayName, DN); move (DN)
      assert.equal(report.deleted, 0);
      const now = await users();
      assert.equal(now['Ann Lee']!['jobTitle'], 'Lead');
      assert.equal(now['Ben Odell']!['id'], ids['Ben Ode']);
      assert.equal(now['Cy Ray']!['id'], ids['Cy Ray']);
      assert.equal(now['Cy Ray']!['onPremisesDistinguishedName'], dn('Cy Ray', 'Sales'));
      assert.deepEqual(await groupMembers('Sales Team'), ['Ben Odell', 'Cy Ray']);
      assert.deepEqual(await groupMembers('Everyone'), ['Ann Lee', 'Pat Partner', 'Sales Team']);
      const annLog = f.log.entries.find((e) => e.sourceIdentity.dn === dn('Ann Lee', 'Sales'))!;
      assert.deepEqual(annLog.modifiedProperties, [{ displayName: 'jobTitle', oldValue: 'Rep', newValue: 'Lead' }]);
    });

    test('delete: gone from the export → soft-deleted in the cloud (full cycle sweep)', async () => {
      writeFileSync(file, snapshot(
        [{ n: 10, cn: 'Ann Lee', ou: 'Sales', title: 'Lead' }, { n: 12, cn: 'Cy Ray', ou: 'Sales' }],
        [{ n: 20, cn: 'Sales Team', members: [dn('Cy Ray', 'Sales')] }, { n: 21, cn: 'Everyone', members: [`CN=Sales Team,OU=Corp,${BASE}`, `CN=Pat Partner,OU=Corp,${BASE}`, dn('Ann Lee', 'Sales')] }],
      ));
      const report = await f.cycle(source, 'full');
      assert.equal(report.deleted, 1);
      assert.deepEqual(Object.keys(await users()).sort(), ['Ann Lee', 'Cy Ray']);
      assert.deepEqual((await f.listDeleted('user')).map((u) => u['id']), [ids['Ben Ode']]);
      assert.deepEqual(await groupMembers('Sales Team'), ['Cy Ray']);
    });

    test('restore: back in the export with the same objectGUID → the same cloud object', async () => {
      writeFileSync(file, snapshot(
        [{ n: 10, cn: 'Ann Lee', ou: 'Sales', title: 'Lead' }, { n: 11, cn: 'Ben Odell', ou: 'Sales' }, { n: 12, cn: 'Cy Ray', ou: 'Sales' }],
        [{ n: 20, cn: 'Sales Team', members: [dn('Ben Odell', 'Sales'), dn('Cy Ray', 'Sales')] }, { n: 21, cn: 'Everyone', members: [`CN=Sales Team,OU=Corp,${BASE}`, `CN=Pat Partner,OU=Corp,${BASE}`, dn('Ann Lee', 'Sales')] }],
      ));
      const report = await f.cycle(source);
      assert.equal(report.restored, 1);
      assert.equal(report.created, 0);
      assert.equal((await users())['Ben Odell']!['id'], ids['Ben Ode']);
      assert.deepEqual(await groupMembers('Sales Team'), ['Ben Odell', 'Cy Ray']);
      assert.equal((await f.listDeleted('user')).length, 0);
      assert.equal((await f.listAll('user')).length, 3);
      assert.equal((await f.listAll('group')).length, 2);
      assert.equal((await f.listAll('orgContact')).length, 1);
    });
  });
}

after(() => stopPostgres());
