/**
 * A full cycle's creates are written per batch and target type in one transaction (target.createEach); the objects
 * the directory refuses — a UPN held by a cloud-only user, two source users with one UPN or one SMTP address — fail
 * alone, with the error a create of their own meets, and everyone else is created. The cycle is compared with the
 * same cycle in a second tenant through a target without createEach, whose creates are made one by one once
 * createMany refuses the batch (what the engine did before createEach). The source is the LDIF connector (an AD
 * export), the target the real directory on both backends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import type { ProvisioningLogEntry, TargetDirectory } from '../../src/engine/index.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { BACKENDS } from '../storage/backends.ts';
import { engineFixture, type EngineFixture } from './engine-fixture.ts';

const OU = 'OU=Staff,DC=corp,DC=example,DC=com';
const PEOPLE = 20;
const nick = (n: number) => `p${String(n).padStart(2, '0')}`;
const dnOf = (n: number) => `CN=${nick(n)},${OU}`;
/** user n's objectGUID, base64: also its anchor, and so its onPremisesImmutableId */
const guidOf = (n: number) => Buffer.alloc(16, n).toString('base64');

/** Users whose UPN a cloud-only user holds before the first cycle. */
const HELD = [3, 5, 10];
/** Source users that share a UPN or a mail with an earlier one: p16 (UPN of p15), p13 (mail of p12), p06 (mail of p05). */
const upnOf = (n: number) => (n === 16 ? 'dup' : n === 15 ? 'DUP' : nick(n));
const mailOf = (n: number) => (n === 13 ? 'shared12' : n === 6 ? 'shared5' : n === 12 ? 'Shared12' : n === 5 ? 'shared5' : nick(n));

/** What one-by-one creates make of each user: p05 is refused for its UPN, so p06 may take the mail they share. */
const EXPECTED_FAILURES: readonly (readonly [string, string])[] = [
  [dnOf(3), 'ERR_DIR_UPN_CONFLICT'],
  [dnOf(5), 'ERR_DIR_UPN_CONFLICT'],
  [dnOf(10), 'ERR_DIR_UPN_CONFLICT'],
  [dnOf(13), 'ERR_DIR_PROXY_ADDRESS_CONFLICT'],
  [dnOf(16), 'ERR_DIR_UPN_CONFLICT'],
];

/** An AD export of PEOPLE users. */
function exportOf(): string {
  const users = Array.from({ length: PEOPLE }, (_, i) => {
    const n = i + 1;
    return `dn: ${dnOf(n)}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\ncn: ${nick(n)}\n`
      + `displayName: Person ${n}\nsAMAccountName: ${nick(n)}\nuserPrincipalName: ${upnOf(n)}@corp.example.com\nmail: ${mailOf(n)}@corp.example.com\n`
      + `userAccountControl: 512\nobjectGUID:: ${guidOf(n)}`;
  });
  return `version: 1\n\n${users.join('\n\n')}\n`;
}

/** The target without createEach: a batch createMany refuses is then created object by object. */
function withoutCreateEach(target: TargetDirectory): TargetDirectory {
  const { createEach: _createEach, ...rest } = target;
  return rest;
}

/** Text without what differs between two tenants of one store (ids, the tenant's domain). */
function comparable(value: unknown, domain: string): string {
  return JSON.stringify(value)
    .replaceAll(domain, '<tenant domain>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
}

function logOf(entries: readonly ProvisioningLogEntry[], domain: string): string {
  return comparable(entries.map(({ action, status, steps, modifiedProperties, sourceIdentity, errorCode, errorMessage }) => ({ action, status, steps, modifiedProperties, sourceIdentity, errorCode, errorMessage })), domain);
}

/** The users by source DN (cloud-only ones by UPN), without ids and timestamps. */
async function usersOf(f: EngineFixture): Promise<string> {
  const users = await f.listAll('user');
  const keyed = users.map((u) => [String(u['onPremisesDistinguishedName'] ?? u['userPrincipalName']), u] as const).sort(([a], [b]) => a.localeCompare(b));
  return comparable(keyed, f.initialDomain);
}

/** The connector-space entries of the source users: state, whether linked, and the failure held in escrow. */
async function entriesOf(f: EngineFixture): Promise<string> {
  const entries = await f.connectorSpace.get(Array.from({ length: PEOPLE }, (_, i) => guidOf(i + 1)));
  return comparable(
    [...entries.values()].sort((a, b) => a.dn.localeCompare(b.dn)).map((e) => ({ dn: e.dn, state: e.state, linked: e.cloudId !== null, failures: e.escrow.failureCount, lastError: e.escrow.lastError })),
    f.initialDomain,
  );
}

for (const backend of BACKENDS) {
  describe(`creates the directory refuses fail alone (${backend.name})`, () => {
    let dispose: () => Promise<void>;
    let batched: EngineFixture;
    let oneByOne: EngineFixture;
    const dir = mkdtempSync(join(tmpdir(), 'cloudsync-create-refusals-'));
    const file = join(dir, 'export.ldif');
    const source = new LdifConnector({ file });

    before(async () => {
      const opened = await backend.open();
      dispose = opened.dispose;
      batched = await engineFixture(opened.store);
      oneByOne = await engineFixture(opened.store);
      writeFileSync(file, exportOf());
      for (const f of [batched, oneByOne]) {
        for (const n of HELD) {
          await f.directory.create(f.tenantId, 'user', { displayName: `Cloud ${n}`, userPrincipalName: `${nick(n)}@${f.initialDomain}`, mailNickname: `cloud${n}` });
        }
      }
    });
    after(async () => {
      await dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a full cycle fails only the users refused, with the errors, log, entries and directory of one-by-one creates', async () => {
      const reports = [];
      for (const f of [batched, oneByOne]) reports.push(await f.cycle(source, 'full', f === oneByOne ? { target: withoutCreateEach(f.target) } : {}));
      const [report] = reports;
      assert.deepEqual([report!.created, report!.failed], [PEOPLE - EXPECTED_FAILURES.length, EXPECTED_FAILURES.length]);
      assert.deepEqual({ ...reports[0], cycleId: null }, { ...reports[1], cycleId: null });

      const failures = batched.log.entries.filter((e) => e.status === 'Failure');
      assert.deepEqual(failures.map((e) => [e.sourceIdentity.dn, e.errorCode]).sort(), EXPECTED_FAILURES);
      assert.ok(failures.every((e) => e.action === 'Create'));
      const p16 = failures.find((e) => e.sourceIdentity.dn === dnOf(16))!;
      const users = await batched.listAll('user');
      const p15 = users.find((u) => u['onPremisesDistinguishedName'] === dnOf(15))!;
      assert.ok(p16.errorMessage!.includes(String(p15['id'])), 'p16 is refused for the UPN p15 was created with');
      assert.equal(users.find((u) => u['onPremisesDistinguishedName'] === dnOf(6))!['mail'], 'shared5@corp.example.com');
      assert.equal(users.length, HELD.length + PEOPLE - EXPECTED_FAILURES.length);

      assert.equal(logOf(batched.log.entries, batched.initialDomain), logOf(oneByOne.log.entries, oneByOne.initialDomain));
      assert.equal(await usersOf(batched), await usersOf(oneByOne));
      assert.equal(await entriesOf(batched), await entriesOf(oneByOne));
    });

    test('once the cloud-only users are gone, the next cycle creates the users they blocked but p05, whose mail p06 took', async () => {
      for (const user of await batched.listAll('user')) {
        if (user['onPremisesSyncEnabled'] !== true) await batched.directory.delete(batched.tenantId, 'user', String(user['id']));
      }
      batched.log.clear();
      batched.now = new Date(batched.now.getTime() + 86_400_000); // past the failures' retry time
      const report = await batched.cycle(source, 'full');
      assert.deepEqual([report.created, report.failed], [2, 3]);
      const users = await batched.listAll('user');
      for (const n of [3, 10]) assert.equal(users.find((u) => u['onPremisesDistinguishedName'] === dnOf(n))!['userPrincipalName'], `${nick(n)}@${batched.initialDomain}`);
      assert.deepEqual(batched.log.entries.filter((e) => e.status === 'Failure').map((e) => [e.sourceIdentity.dn, e.errorCode]).sort(), [
        [dnOf(5), 'ERR_DIR_PROXY_ADDRESS_CONFLICT'],
        [dnOf(13), 'ERR_DIR_PROXY_ADDRESS_CONFLICT'],
        [dnOf(16), 'ERR_DIR_UPN_CONFLICT'],
      ]);
    });
  });
}

after(() => stopPostgres());
