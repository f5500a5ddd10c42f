/**
 * Objects coming back into the scope are restored per batch and target type in one transaction
 * (target.restoreMany), and the values that changed while they were out of it are written after them in one more
 * (updateMany). One object whose restore is refused (its UPN taken meanwhile) fails alone; one already restored
 * (a crash after the write) is read as restored; the cloud objects, the log, the counters and the connector-space
 * entries are those of object-by-object restores. The source is the LDIF connector (an AD export), the target the
 * real directory on both backends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { CycleReport, TargetDirectory } from '../../src/engine/index.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { BACKENDS } from '../storage/backends.ts';
import { AD_SCHEMA, type EngineFixture } from './engine-fixture.ts';
import { comparable, entriesOf, nobodyInScope, tenantPair, withoutCycleId } from './scope-change-fixture.ts';

const OU = 'OU=Staff,DC=corp,DC=example,DC=com';
const PEOPLE = 12;
/** whose UPN a cloud-only user takes while it is deleted: its restore is refused */
const TAKEN = 5;
/** restored in the cloud behind the engine's back, as a run that crashed after its restore leaves it */
const ALREADY = 6;
/** renamed in AD while out of scope; READDRESSED got a new mail */
const RENAMED = [2, 11];
const READDRESSED = 3;
const TEAM = [1, 2, 5, 9];
const nick = (n: number) => `p${String(n).padStart(2, '0')}`;
const dnOf = (n: number) => `CN=${nick(n)},${OU}`;
const guidOf = (n: number) => Buffer.alloc(16, n).toString('base64');
const nameOf = (n: number, changed: boolean) => `Person ${n}${changed && RENAMED.includes(n) ? ' (renamed)' : ''}`;
const mailOf = (n: number, changed: boolean) => `${nick(n)}${changed && n === READDRESSED ? '.new' : ''}@corp.example.com`;

/** An AD export of PEOPLE users and a group Team of TEAM; `changed`: with the changes made while out of scope. */
function exportOf(changed: boolean): string {
  const entries = Array.from({ length: PEOPLE }, (_, i) => i + 1).map((n) => [
    `dn: ${dnOf(n)}`, 'objectClass: top', 'objectClass: person', 'objectClass: organizationalPerson', 'objectClass: user', `cn: ${nick(n)}`,
    `displayName: ${nameOf(n, changed)}`, `sAMAccountName: ${nick(n)}`, `userPrincipalName: ${nick(n)}@corp.example.com`, `mail: ${mailOf(n, changed)}`,
    'userAccountControl: 512', `objectGUID:: ${guidOf(n)}`,
  ]);
  const sid = Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100, 4, 0, 0]).toString('base64');
  entries.push([`dn: CN=Team,${OU}`, 'objectClass: top', 'objectClass: group', 'cn: Team', 'sAMAccountName: Team', 'groupType: -2147483646',
    ...TEAM.map((n) => `member: ${dnOf(n)}`), `objectGUID:: ${guidOf(100)}`, `objectSid:: ${sid}`]);
  return `version: 1\n\n${entries.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

/** The real target without restoreMany: the engine then restores object by object. */
function withoutRestoreMany(target: TargetDirectory): TargetDirectory {
  const { restoreMany: _, ...rest } = target;
  return rest;
}

for (const backend of BACKENDS) {
  describe(`users coming back into the scope are restored together (${backend.name})`, () => {
    const pair = tenantPair(backend, 'cloudsync-scope-in-');
    const { file, source } = pair;
    /** per fixture: user number (the group: 0) → cloud id after the first full sync */
    const idsBefore = new Map<EngineFixture, Map<number, string>>();
    const targetOf = (f: EngineFixture) => (f === pair.batched ? f.target : withoutRestoreMany(f.target));
    /** what the connector space holds per anchor: state, cloud object (by user number), failures */
    const entries = (f: EngineFixture) => entriesOf(f, [...Array.from({ length: PEOPLE }, (_, i) => guidOf(i + 1)), guidOf(100)], new Map([...idsBefore.get(f)!].map(([n, id]) => [id, n])));

    before(async () => {
      writeFileSync(file, exportOf(false));
      for (const f of pair.fixtures()) {
        const report = await f.cycle(source, 'full');
        assert.deepEqual([report.created, report.failed], [PEOPLE + 1, 0]);
        const users = await f.listAll('user');
        const team = await f.listAll('group');
        idsBefore.set(f, new Map([...users.map((u) => [Number(/\d+/.exec(String(u['displayName']))![0]), String(u['id'])] as const), [0, String(team[0]!['id'])]]));
        // every user leaves the scope (approved) and goes to deleted items
        f.config = { ...f.config, schema: nobodyInScope(), allowDeletes: true };
        const out = await f.cycle(source, 'full');
        assert.deepEqual([out.deleted, out.failed, (await f.listDeleted('user')).length], [PEOPLE, 0, PEOPLE]);
      }
    });

    test('back in scope: the same cloud objects with the new values; the one whose UPN was taken fails alone; log and entries as one by one', async () => {
      writeFileSync(file, exportOf(true));
      const reports: CycleReport[] = [];
      for (const f of pair.fixtures()) {
        const ids = idsBefore.get(f)!;
        const taken = (await f.listDeleted('user')).find((u) => u['id'] === ids.get(TAKEN))!;
        await f.directory.create(f.tenantId, 'user', { userPrincipalName: String(taken['userPrincipalName']), displayName: 'Cloud only' });
        await f.directory.restore(f.tenantId, ids.get(ALREADY)!, { actor: 'provisioning' });
        // four users a batch: the first and the third batch are restored as one run, the second (TAKEN, ALREADY) one by one
        f.config = { ...f.config, schema: AD_SCHEMA, allowDeletes: false, batchSize: 4 };
        f.log.clear();
        reports.push(await f.cycle(source, 'full', { target: targetOf(f) }));
      }
      assert.deepEqual(withoutCycleId(reports[0]!), withoutCycleId(reports[1]!));
      assert.deepEqual([reports[0]!.restored, reports[0]!.created, reports[0]!.failed], [PEOPLE - 1, 0, 1]);
      assert.equal(comparable(pair.batched.log.entries, pair.batched.initialDomain), comparable(pair.oneByOne.log.entries, pair.oneByOne.initialDomain));
      assert.deepEqual(await entries(pair.batched), await entries(pair.oneByOne));

      const failures = pair.batched.log.entries.filter((e) => e.status === 'Failure');
      assert.deepEqual(failures.map((e) => [e.sourceIdentity.dn, e.errorCode]), [[dnOf(TAKEN), 'ERR_DIR_UPN_CONFLICT']]);
      const restores = pair.batched.log.entries.filter((e) => e.status === 'Success' && e.steps.some((s) => s.description.startsWith('Restored user')));
      assert.deepEqual(restores.map((e) => e.sourceIdentity.dn).sort(), Array.from({ length: PEOPLE }, (_, i) => i + 1).filter((n) => n !== TAKEN).map(dnOf).sort());
      const modified = (n: number) => pair.batched.log.entries.find((e) => e.sourceIdentity.dn === dnOf(n))!.modifiedProperties.map((p) => [p.displayName, p.newValue]);
      assert.deepEqual(modified(RENAMED[0]!), [['displayName', nameOf(RENAMED[0]!, true)]]);
      assert.deepEqual(modified(READDRESSED), [['mail', mailOf(READDRESSED, true)]]);
      assert.deepEqual(modified(1), []);

      for (const f of pair.fixtures()) {
        const ids = idsBefore.get(f)!;
        const users = new Map((await f.listAll('user')).map((u) => [String(u['id']), u]));
        for (let n = 1; n <= PEOPLE; n++) {
          const user = users.get(ids.get(n)!);
          if (n === TAKEN) {
            assert.equal(user, undefined);
            continue;
          }
          assert.deepEqual([user?.['displayName'], user?.['mail'], user?.['onPremisesSyncEnabled']], [nameOf(n, true), mailOf(n, true), true], `user ${n}`);
        }
        assert.deepEqual((await f.listDeleted('user')).map((u) => u['id']), [ids.get(TAKEN)]);
        const team = (await f.listAll('group'))[0]!;
        assert.deepEqual(await f.members(String(team['id'])), TEAM.filter((n) => n !== TAKEN).map((n) => nameOf(n, true)).sort());
        for (const [dn, state, cloud, failures] of await entries(f)) {
          assert.deepEqual([state, failures], dn === dnOf(TAKEN) ? ['deleted', 1] : ['synced', 0], `${dn} ${cloud}`);
        }
      }
      // the new address is held, the old one free again
      await assert.rejects(pair.batched.directory.create(pair.batched.tenantId, 'orgContact', { displayName: 'c', mail: mailOf(READDRESSED, true) }), { code: 'ERR_DIR_PROXY_ADDRESS_CONFLICT' });
      await pair.batched.directory.create(pair.batched.tenantId, 'orgContact', { displayName: 'c', mail: mailOf(READDRESSED, false) });
    });

    test('the UPN freed, the refused one is restored by the next cycle, the others stay as they are', async () => {
      const reports: CycleReport[] = [];
      for (const f of pair.fixtures()) {
        const squatter = (await f.listAll('user')).find((u) => u['displayName'] === 'Cloud only')!;
        await f.directory.delete(f.tenantId, 'user', String(squatter['id']));
        f.log.clear();
        reports.push(await f.cycle(source, 'full', { target: targetOf(f) }));
      }
      assert.deepEqual(withoutCycleId(reports[0]!), withoutCycleId(reports[1]!));
      assert.deepEqual([reports[0]!.restored, reports[0]!.updated, reports[0]!.failed], [1, 0, 0]);
      assert.equal(comparable(pair.batched.log.entries, pair.batched.initialDomain), comparable(pair.oneByOne.log.entries, pair.oneByOne.initialDomain));
      for (const f of pair.fixtures()) {
        assert.equal((await f.directory.get(f.tenantId, 'user', idsBefore.get(f)!.get(TAKEN)!))['displayName'], nameOf(TAKEN, true));
        assert.deepEqual(await f.members(String((await f.listAll('group'))[0]!['id'])), TEAM.map((n) => nameOf(n, true)).sort());
        for (const [dn, state, cloud, failures] of await entries(f)) assert.deepEqual([state, failures], ['synced', 0], `${dn} ${cloud}`);
      }
    });
  });
}

after(() => stopPostgres());
