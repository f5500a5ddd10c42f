/**
 * Objects leaving the scope are deleted per batch and target type in one transaction (target.deleteMany). One
 * object whose delete is refused fails alone: the others land, and the log, the counters, the connector-space entries
 * and the accidental-delete threshold are those of object-by-object deletes. Back in scope, the deleted objects are
 * restored: the same cloud objects, with their group memberships. Users gone from the source are swept the same
 * way (deletion reconciliation's pages go through the export). The source is the LDIF connector (an AD export),
 * the target the real directory on both backends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { CloudsyncError, isCloudsyncError } from '../../src/errors/index.ts';
import type { CycleReport, TargetDirectory } from '../../src/engine/index.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { BACKENDS } from '../storage/backends.ts';
import { AD_SCHEMA, type EngineFixture } from './engine-fixture.ts';
import { comparable, entriesOf, nobodyInScope, tenantPair, withoutCycleId } from './scope-change-fixture.ts';

const OU = 'OU=Staff,DC=corp,DC=example,DC=com';
const PEOPLE = 12;
/** the user whose delete the target refuses */
const REFUSED = 5;
const nick = (n: number) => `p${String(n).padStart(2, '0')}`;
const dnOf = (n: number) => `CN=${nick(n)},${OU}`;
/** object n's objectGUID, base64: also its anchor */
const guidOf = (n: number) => Buffer.alloc(16, n).toString('base64');
const TEAM = [1, 2, 5, 9];

/** An AD export of PEOPLE users (but those `without`) and a group Team of TEAM. */
function exportOf(without: readonly number[] = []): string {
  const users = Array.from({ length: PEOPLE }, (_, i) => i + 1).filter((n) => !without.includes(n)).map((n) => {
    return `dn: ${dnOf(n)}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\ncn: ${nick(n)}\n`
      + `displayName: Person ${n}\nsAMAccountName: ${nick(n)}\nuserPrincipalName: ${nick(n)}@corp.example.com\nmail: ${nick(n)}@corp.example.com\n`
      + `userAccountControl: 512\nobjectGUID:: ${guidOf(n)}`;
  });
  const team = [`dn: CN=Team,${OU}`, 'objectClass: top', 'objectClass: group', 'cn: Team', 'sAMAccountName: Team', 'groupType: -2147483646',
    ...TEAM.map((n) => `member: ${dnOf(n)}`), `objectGUID:: ${guidOf(100)}`,
    `objectSid:: ${Buffer.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100, 4, 0, 0]).toString('base64')}`].join('\n');
  return `version: 1\n\n${users.join('\n\n')}\n\n${team}\n`;
}

/**
 * The real target, with the delete of one cloud object refused as the directory refuses a write (a CloudsyncError of
 * its codes). The directory refuses the provisioning actor no delete but of an object already gone, which the
 * engine counts as done, so the refusal is made here, at the engine's port; deleteMany refuses before writing, all
 * or nothing as the real one. `batched: false` drops deleteMany: the engine then deletes object by object.
 */
function refusing(target: TargetDirectory, refusedId: () => string, batched: boolean): TargetDirectory {
  const refuse = (type: string, id: string) => {
    if (id === refusedId()) throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `${type} ${id} cannot be deleted now`, { details: { id } });
  };
  const { deleteMany, ...rest } = target;
  return {
    ...rest,
    async delete(type, id) {
      refuse(type, id);
      await target.delete(type, id);
    },
    ...(batched ? {
      async deleteMany(type, ids) {
        for (const id of ids) refuse(type, id);
        await deleteMany!(type, ids);
      },
    } : {}),
  };
}

for (const backend of BACKENDS) {
  describe(`users leaving the scope are deleted together (${backend.name})`, () => {
    const pair = tenantPair(backend, 'cloudsync-scope-exit-');
    const { file, source } = pair;
    let batched: EngineFixture;
    let oneByOne: EngineFixture;
    const fixtures = () => pair.fixtures();
    /** per fixture: display name → cloud id after the first full sync */
    const idsBefore = new Map<EngineFixture, Map<string, string>>();
    const targetOf = (f: EngineFixture) => refusing(f.target, () => idsBefore.get(f)!.get(`Person ${REFUSED}`)!, f === batched);
    const byName = async (f: EngineFixture, deleted = false) =>
      new Map((deleted ? await f.listDeleted('user') : await f.listAll('user')).map((u) => [String(u['displayName']), String(u['id'])]));
    /** what the connector space holds per anchor: state, cloud object (by name), failures */
    const entries = (f: EngineFixture) => entriesOf(f, [...Array.from({ length: PEOPLE }, (_, i) => guidOf(i + 1)), guidOf(100)], new Map([...idsBefore.get(f)!].map(([name, id]) => [id, name])));

    before(async () => {
      ({ batched, oneByOne } = pair);
      writeFileSync(file, exportOf());
      for (const f of fixtures()) {
        const report = await f.cycle(source, 'full');
        assert.deepEqual([report.created, report.failed], [PEOPLE + 1, 0]);
        const users = await byName(f);
        const groups = await f.listAll('group');
        idsBefore.set(f, new Map([...users, ['Team', String(groups[0]!['id'])]]));
        assert.deepEqual(await f.members(String(groups[0]!['id'])), TEAM.map((n) => `Person ${n}`).sort());
      }
    });

    test('the threshold holds the deletions of the batches that reach it, exactly as object by object', async () => {
      const errors: CloudsyncError[] = [];
      for (const f of fixtures()) {
        // four users per batch and a threshold of 10: the first two batches' deletions (one refused) are done
        f.config = { ...f.config, schema: nobodyInScope(), batchSize: 4, deleteThreshold: 10 };
        f.log.clear();
        const error = await f.cycle(source, 'full', { target: targetOf(f) }).then(() => undefined, (e: unknown) => e);
        assert.ok(isCloudsyncError(error) && error.code === 'ERR_SYNC_DELETE_THRESHOLD', String(error));
        errors.push(error);
      }
      const [e0, e1] = errors;
      const held = (e: CloudsyncError) => (e.details!['pendingDeletes'] as { dn: string; reason: string }[]).map((p) => [p.dn, p.reason]);
      assert.deepEqual(held(e0!), held(e1!));
      assert.deepEqual(held(e0!), [9, 10, 11, 12].map((n) => [dnOf(n), 'leftScope']));
      assert.deepEqual([e0!.details!['deleted'], e0!.details!['deletions']], [7, 11]);
      assert.equal(comparable(batched.log.entries, batched.initialDomain), comparable(oneByOne.log.entries, oneByOne.initialDomain));
      assert.deepEqual(await entries(batched), await entries(oneByOne));
      for (const f of fixtures()) {
        assert.deepEqual([...(await byName(f)).keys()].sort(), [REFUSED, 9, 10, 11, 12].map((n) => `Person ${n}`).sort());
      }
    });

    test('approved, the rest go too: the refused one fails alone, the one already gone is done; log and entries as one by one', async () => {
      const reports: CycleReport[] = [];
      for (const f of fixtures()) {
        f.config = { ...f.config, allowDeletes: true, batchSize: 1000 };
        f.log.clear();
        // deleted in the cloud behind the engine's back after the threshold held it (as a crash after the write leaves it)
        await f.directory.delete(f.tenantId, 'user', idsBefore.get(f)!.get(`Person 12`)!, { actor: 'provisioning' });
        reports.push(await f.cycle(source, 'full', { target: targetOf(f) }));
      }
      assert.deepEqual(withoutCycleId(reports[0]!), withoutCycleId(reports[1]!));
      assert.deepEqual([reports[0]!.deleted, reports[0]!.failed], [4, 1]);
      assert.equal(comparable(batched.log.entries, batched.initialDomain), comparable(oneByOne.log.entries, oneByOne.initialDomain));
      const failures = batched.log.entries.filter((e) => e.status === 'Failure');
      assert.deepEqual(failures.map((e) => [e.sourceIdentity.dn, e.action, e.errorCode]), [[dnOf(REFUSED), 'Delete', 'ERR_DIR_INVALID_VALUE']]);
      const deletes = batched.log.entries.filter((e) => e.status === 'Success' && e.action === 'Delete');
      assert.deepEqual(deletes.map((e) => e.sourceIdentity.dn), [9, 10, 11, 12].map(dnOf));
      assert.deepEqual(await entries(batched), await entries(oneByOne));
      for (const f of fixtures()) {
        assert.deepEqual([...(await byName(f)).keys()], [`Person ${REFUSED}`]);
        assert.equal((await byName(f, true)).size, PEOPLE - 1);
        assert.deepEqual(await f.members(idsBefore.get(f)!.get('Team')!), [`Person ${REFUSED}`]);
      }
    });

    test('back in scope, the same cloud objects are restored with their memberships', async () => {
      for (const f of fixtures()) {
        f.config = { ...f.config, schema: AD_SCHEMA, allowDeletes: false };
        f.log.clear();
        const report = await f.cycle(source, 'full', { target: targetOf(f) });
        assert.deepEqual([report.restored, report.created, report.failed], [PEOPLE - 1, 0, 0]);
        assert.deepEqual(await byName(f), new Map([...idsBefore.get(f)!].filter(([name]) => name !== 'Team')));
        assert.equal((await byName(f, true)).size, 0);
        assert.deepEqual(await f.members(idsBefore.get(f)!.get('Team')!), TEAM.map((n) => `Person ${n}`).sort());
        for (const [dn, state, cloud, failures] of await entries(f)) assert.deepEqual([state, failures], ['synced', 0], `${dn} ${cloud}`);
      }
    });

    test('users gone from the source are swept together (one deleteMany), with the log and entries of one-by-one deletes', async () => {
      const gone = [1, 2, 3, 4, 6, 7];
      writeFileSync(file, exportOf(gone));
      const reports: CycleReport[] = [];
      for (const f of fixtures()) {
        f.log.clear();
        reports.push(await f.cycle(source, 'full', { target: targetOf(f) }));
      }
      assert.deepEqual(withoutCycleId(reports[0]!), withoutCycleId(reports[1]!));
      assert.deepEqual([reports[0]!.deleted, reports[0]!.failed], [gone.length, 0]);
      assert.equal(comparable(batched.log.entries, batched.initialDomain), comparable(oneByOne.log.entries, oneByOne.initialDomain));
      const deletes = batched.log.entries.filter((e) => e.action === 'Delete');
      assert.deepEqual(deletes.map((e) => [e.sourceIdentity.dn, e.status, e.steps[0]!.description]), gone.map((n) => [dnOf(n), 'Success', 'No longer in the source directory']));
      assert.deepEqual(await entries(batched), await entries(oneByOne));
      for (const f of fixtures()) {
        assert.deepEqual([...(await byName(f, true)).keys()].sort(), gone.map((n) => `Person ${n}`).sort());
        assert.deepEqual(await f.members(idsBefore.get(f)!.get('Team')!), [`Person ${REFUSED}`, 'Person 9']);
      }
    });
  });
}

after(() => stopPostgres());
