/**
 * A saved schema re-evaluates every object (issue 4), so a changed mapping updates every synchronized user in one
 * full cycle; those updates are written per batch and target type in one transaction (target.updateEach). One
 * object the directory refuses fails alone: the others land, and the log is the one object-by-object updates make.
 * The source is the LDIF connector (an AD export), the target the real directory on both backends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import type { ProvisioningLogEntry, TargetDirectory } from '../../src/engine/index.ts';
import { compileSynchronizationSchema, getTemplate, sourceFromExpression, type AttributeFlowType, type SynchronizationSchema } from '../../src/schema/index.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { BACKENDS } from '../storage/backends.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';

const OU = 'OU=Staff,DC=corp,DC=example,DC=com';
const PEOPLE = 12;
const nick = (n: number) => `p${String(n).padStart(2, '0')}`;
const dnOf = (n: number) => `CN=${nick(n)},${OU}`;
/** user n's objectGUID, base64: also its anchor, and so its onPremisesImmutableId */
const guidOf = (n: number) => Buffer.alloc(16, n).toString('base64');

/** An AD export of PEOPLE users, each with a title. */
function exportOf(): string {
  const users = Array.from({ length: PEOPLE }, (_, i) => {
    const n = i + 1;
    return `dn: ${dnOf(n)}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\ncn: ${nick(n)}\n`
      + `displayName: Person ${n}\nsAMAccountName: ${nick(n)}\nuserPrincipalName: ${nick(n)}@corp.example.com\ntitle: Title ${n}\n`
      + `userAccountControl: 512\nobjectGUID:: ${guidOf(n)}`;
  });
  return `version: 1\n\n${users.join('\n\n')}\n`;
}

/** AD2AADProvisioning with user mappings replaced by `expressions` (target attribute → expression), with `flowTypes`. */
function remapped(expressions: Readonly<Record<string, string>>, flowTypes: Readonly<Record<string, AttributeFlowType>> = {}) {
  const template = JSON.parse(JSON.stringify(getTemplate('AD2AADProvisioning'))) as SynchronizationSchema;
  const users = template.synchronizationRules![0]!.objectMappings!.find((m) => m.targetObjectName === 'User')!;
  for (const m of users.attributeMappings!) {
    const expression = expressions[m.targetAttributeName];
    if (expression !== undefined) (m as { source: unknown }).source = sourceFromExpression(expression);
    const flowType = flowTypes[m.targetAttributeName];
    if (flowType !== undefined) (m as { flowType: AttributeFlowType }).flowType = flowType;
  }
  return compileSynchronizationSchema(template);
}

/** The target without the batched calls: the engine then reads and writes object by object. */
function withoutBatches(target: TargetDirectory): TargetDirectory {
  const { updateMany: _updateMany, updateEach: _updateEach, getMany: _getMany, ...rest } = target;
  return rest;
}

/** The log entries without what differs between two tenants of one store (ids, the tenant's domain). */
function comparable(entries: readonly ProvisioningLogEntry[], domain: string): string {
  return JSON.stringify(entries.map(({ action, status, steps, modifiedProperties, sourceIdentity, errorCode, errorMessage }) => ({ action, status, steps, modifiedProperties, sourceIdentity, errorCode, errorMessage })))
    .replaceAll(domain, '<tenant domain>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
}

for (const backend of BACKENDS) {
  describe(`a remapped schema updates every user (${backend.name})`, () => {
    let dispose: () => Promise<void>;
    let batched: EngineFixture;
    let oneByOne: EngineFixture;
    /** two fresh tenants whose cloud users carry the anchors already (hard match) */
    let joining: [EngineFixture, EngineFixture];
    const dir = mkdtempSync(join(tmpdir(), 'cloudsync-remap-'));
    const file = join(dir, 'export.ldif');
    const source = new LdifConnector({ file });
    const byDn = (f: EngineFixture) => async () => {
      const users = await f.listAll('user');
      return new Map(users.map((u) => [String(u['onPremisesDistinguishedName']), u]));
    };

    before(async () => {
      const opened = await backend.open();
      dispose = opened.dispose;
      batched = await engineFixture(opened.store);
      oneByOne = await engineFixture(opened.store);
      joining = [await engineFixture(opened.store), await engineFixture(opened.store)];
      writeFileSync(file, exportOf());
      for (const f of [batched, oneByOne]) {
        const report = await f.cycle(source, 'full');
        assert.equal(report.created, PEOPLE);
      }
    });
    after(async () => {
      await dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    test('one user whose new UPN is taken fails; the others are updated; the log is that of one-by-one updates', async () => {
      const schema = remapped({
        userPrincipalName: 'Replace([userPrincipalName], "@", , , ".remapped@", , )',
        jobTitle: 'Append([title], " (remapped)")',
      });
      const reports = [];
      for (const f of [batched, oneByOne]) {
        // a cloud-only user already holds the UPN p07 is remapped to
        await f.directory.create(f.tenantId, 'user', { displayName: 'Squatter', userPrincipalName: `p07.remapped@${f.initialDomain}`, mailNickname: 'sq' });
        f.config = { ...f.config, schema };
        f.log.clear();
        reports.push(await f.cycle(source, 'full', f === oneByOne ? { target: withoutBatches(f.target) } : {}));
      }
      const [report] = reports;
      assert.deepEqual([report!.updated, report!.failed, report!.created], [PEOPLE - 1, 1, 0]);

      const failures = batched.log.entries.filter((e) => e.status === 'Failure');
      assert.deepEqual(failures.map((e) => [e.sourceIdentity.dn, e.action, e.errorCode]), [[dnOf(7), 'Update', 'ERR_DIR_UPN_CONFLICT']]);
      assert.deepEqual(failures[0]!.modifiedProperties.map((p) => p.displayName).sort(), ['jobTitle', 'userPrincipalName']);
      const successes = batched.log.entries.filter((e) => e.status === 'Success');
      assert.equal(successes.length, PEOPLE - 1);
      for (const entry of successes) {
        assert.equal(entry.action, 'Update');
        const n = Number(entry.sourceIdentity.dn.slice(4, 6));
        assert.deepEqual(entry.modifiedProperties.find((p) => p.displayName === 'jobTitle'), { displayName: 'jobTitle', oldValue: `Title ${n}`, newValue: `Title ${n} (remapped)` });
      }
      assert.equal(comparable(batched.log.entries, batched.initialDomain), comparable(oneByOne.log.entries, oneByOne.initialDomain));
      assert.deepEqual({ ...reports[0], cycleId: null }, { ...reports[1], cycleId: null });

      const users = await byDn(batched)();
      for (let n = 1; n <= PEOPLE; n++) {
        const user = users.get(dnOf(n))!;
        const expected = n === 7 ? [`p07@${batched.initialDomain}`, 'Title 7'] : [`${nick(n)}.remapped@${batched.initialDomain}`, `Title ${n} (remapped)`];
        assert.deepEqual([user['userPrincipalName'], user['jobTitle']], expected);
      }
    });

    test('a second remap without conflicts updates every user, the one that failed before included', async () => {
      const schema = remapped({ jobTitle: 'Append([title], " (again)")', department: 'Append([title], " department")' });
      batched.config = { ...batched.config, schema };
      batched.log.clear();
      const report = await batched.cycle(source, 'full');
      assert.deepEqual([report.updated, report.failed], [PEOPLE, 0]);
      assert.equal(batched.log.entries.filter((e) => e.status === 'Success' && e.action === 'Update').length, PEOPLE);
      const users = await byDn(batched)();
      for (let n = 1; n <= PEOPLE; n++) assert.deepEqual([users.get(dnOf(n))!['jobTitle'], users.get(dnOf(n))!['department']], [`Title ${n} (again)`, `Title ${n} department`]);
    });

    test('joins of cloud users that carry the anchors are written together, with the log of one-by-one joins', async () => {
      const reports = [];
      for (const f of joining) {
        for (let n = 1; n <= PEOPLE; n++) {
          await f.directory.create(f.tenantId, 'user', { displayName: `Old ${n}`, userPrincipalName: `${nick(n)}@${f.initialDomain}`, mailNickname: nick(n), onPremisesImmutableId: guidOf(n) });
        }
        reports.push(await f.cycle(source, 'full', f === joining[1] ? { target: withoutBatches(f.target) } : {}));
      }
      assert.deepEqual([reports[0]!.created, reports[0]!.updated, reports[0]!.failed], [0, PEOPLE, 0]);
      assert.deepEqual({ ...reports[0], cycleId: null }, { ...reports[1], cycleId: null });
      const [batchedJoins, oneByOneJoins] = joining;
      assert.equal(comparable(batchedJoins.log.entries, batchedJoins.initialDomain), comparable(oneByOneJoins.log.entries, oneByOneJoins.initialDomain));
      assert.ok(batchedJoins.log.entries.every((e) => e.steps.some((s) => s.name === 'matching' && s.description.startsWith('Hard match'))));
      const users = await byDn(batchedJoins)();
      assert.equal(users.size, PEOPLE);
      for (let n = 1; n <= PEOPLE; n++) assert.deepEqual([users.get(dnOf(n))!['displayName'], users.get(dnOf(n))!['onPremisesSyncEnabled']], [`Person ${n}`, true]);
    });

    test('AttributeAddOnly, applied with the cloud values the batch read: an empty attribute is written, a set one is kept', async () => {
      const flowTypes = { jobTitle: 'AttributeAddOnly', employeeId: 'AttributeAddOnly' } as const;
      batched.config = { ...batched.config, schema: remapped({ jobTitle: 'Append([title], " (third)")', department: 'Append([title], " department")', employeeId: 'Append([title], " id")' }, flowTypes) };
      batched.log.clear();
      const report = await batched.cycle(source, 'full');
      assert.deepEqual([report.updated, report.failed], [PEOPLE, 0]);
      for (const entry of batched.log.entries) {
        const n = Number(entry.sourceIdentity.dn.slice(4, 6));
        assert.deepEqual(entry.modifiedProperties, [{ displayName: 'employeeId', oldValue: null, newValue: `Title ${n} id` }]);
      }
      const users = await byDn(batched)();
      for (let n = 1; n <= PEOPLE; n++) assert.deepEqual([users.get(dnOf(n))!['jobTitle'], users.get(dnOf(n))!['employeeId']], [`Title ${n} (again)`, `Title ${n} id`]);
    });
  });
}

after(() => stopPostgres());
