/**
 * The provisioning log on both store backends, filled by real engine cycles (an in-memory AD-like source into the
 * real cloud directory): one entry per object per action, create and update told apart, modified properties
 * old → new, failures with their code; `$filter` on every documented property, keyset pages, tenant confinement,
 * immutability and retention; entries read back byte for byte as written, in the current row format and the previous one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { parseFilter } from '../../src/api/odata/filter-parser.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';
import type { ProvisioningLogEntry } from '../../src/engine/index.ts';
import { pruneExpiredLogs, toProvisioningObjectSummary, type StoredProvisioningEntry } from '../../src/provisioning-logs/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { MemorySource } from '../engine/memory-source.ts';
import { logFixture, type LogFixture } from './log-fixture.ts';

const OU = 'OU=Users,DC=corp,DC=example,DC=com';

function person(nick: string, extra: Record<string, string> = {}) {
  return { cn: nick, displayName: nick, sAMAccountName: nick, userPrincipalName: `${nick}@corp.example.com`, ...extra };
}

after(() => stopPostgres());

for (const backend of BACKENDS) {
  describe(`provisioning log on ${backend.name}`, () => {
    let dispose: () => Promise<void>;
    let store: Store;
    let f: LogFixture;
    const source = new MemorySource();
    let annAnchor: string;

    async function everything(tenantId = f.tenantId, filter?: string): Promise<StoredProvisioningEntry[]> {
      const out: StoredProvisioningEntry[] = [];
      let skipToken: string | undefined;
      do {
        const page = await f.log.list(tenantId, { top: 3, ...(filter === undefined ? {} : { filter: parseFilter(filter) }), ...(skipToken === undefined ? {} : { skipToken }) });
        out.push(...page.items);
        skipToken = page.nextSkipToken;
      } while (skipToken !== undefined);
      return out;
    }

    before(async () => {
      ({ store, dispose } = await backend.open());
      f = await logFixture(store);
      // A cloud-only user holds the UPN dana's mapping computes: dana fails, the others are created.
      await f.engine.directory.create(f.tenantId, 'user', { displayName: 'Squatter', userPrincipalName: `dana@${f.engine.initialDomain}`, mailNickname: 'sq' });
      for (const nick of ['ann', 'bob', 'dana']) source.add('user', `CN=${nick},${OU}`, person(nick));
      source.add('group', `CN=staff,${OU}`, { cn: 'staff', sAMAccountName: 'staff', groupType: -2147483646, member: [`CN=ann,${OU}`, `CN=bob,${OU}`] });
      await f.cycle(source, '2026-03-01T10:00:00Z', 'full');
      source.modify(`CN=bob,${OU}`, { displayName: 'Bob Builder' });
      await f.cycle(source, '2026-03-02T10:00:00Z');
      annAnchor = source.anchorOf(`CN=ann,${OU}`);
      source.delete(`CN=ann,${OU}`);
      await f.cycle(source, '2026-03-03T10:00:00Z');
    });
    after(() => dispose());

    test('one entry per object per action: creates, the update with old → new, the failure with its code, the delete', async () => {
      const entries = await everything();
      const line = (e: StoredProvisioningEntry) => `${e.activityDateTime.slice(0, 10)} ${e.action} ${e.status} ${e.sourceIdentity.dn}`;
      const lines = entries.map(line);
      assert.ok(lines.includes(`2026-03-01 Create Success CN=ann,${OU}`), lines.join('\n'));
      assert.ok(lines.includes(`2026-03-01 Create Success CN=bob,${OU}`));
      assert.ok(lines.includes(`2026-03-01 Create Success CN=staff,${OU}`));
      assert.ok(lines.includes(`2026-03-01 Create Failure CN=dana,${OU}`));
      assert.ok(lines.includes(`2026-03-02 Update Success CN=bob,${OU}`));
      // A deleted AD object is a tombstone by then: the entry names it by its anchor (objectGUID).
      assert.ok(entries.some((e) => e.action === 'Delete' && e.status === 'Success' && e.sourceIdentity.id === annAnchor && e.activityDateTime.startsWith('2026-03-03')), lines.join('\n'));
      // The escrowed failure is retried, and logged, in each later cycle.
      assert.equal(lines.filter((l) => l.endsWith(`Create Failure CN=dana,${OU}`)).length, 3);
      // Newest first, across pages of 3.
      const times = entries.map((e) => e.activityDateTime);
      assert.deepEqual(times, [...times].sort().reverse());
      assert.equal(new Set(entries.map((e) => e.id)).size, entries.length, 'no entry twice across pages');

      const update = entries.find((e) => e.action === 'Update' && e.sourceIdentity.dn.startsWith('CN=bob'))!;
      assert.deepEqual(update.modifiedProperties.find((p) => p.displayName === 'displayName'), { displayName: 'displayName', oldValue: 'bob', newValue: 'Bob Builder' });
      assert.equal(update.jobId, f.jobId);
      assert.equal(update.tenantId, f.tenantId);
      assert.deepEqual(update.servicePrincipal, { id: f.servicePrincipalId, displayName: 'corp.example.com' });
      assert.ok(update.targetIdentity.id !== null);

      const failure = entries.find((e) => e.status === 'Failure')!;
      assert.equal(failure.errorCode, 'ERR_DIR_UPN_CONFLICT');
      assert.match(failure.errorMessage ?? '', /userPrincipalName/);
      assert.ok(failure.steps.some((step) => step.status === 'Failure'));
    });

    test('$filter: status, action, time window, job, service principal, source id, and combinations', async () => {
      const all = await everything();
      const ids = (entries: StoredProvisioningEntry[]) => entries.map((e) => e.id).sort();
      const expect = (filter: string, predicate: (e: StoredProvisioningEntry) => boolean) =>
        everything(f.tenantId, filter).then((got) => assert.deepEqual(ids(got), ids(all.filter(predicate)), filter));

      await expect("provisioningStatusInfo/status eq 'failure'", (e) => e.status === 'Failure');
      await expect("provisioningStatusInfo/status eq 'Failure'", (e) => e.status === 'Failure');
      await expect("provisioningAction eq 'update'", (e) => e.action === 'Update');
      await expect("provisioningAction in ('create', 'delete')", (e) => e.action === 'Create' || e.action === 'Delete');
      await expect("provisioningAction ne 'create'", (e) => e.action !== 'Create');
      await expect('activityDateTime ge 2026-03-02T00:00:00Z and activityDateTime le 2026-03-02T23:59:59Z', (e) => e.activityDateTime.startsWith('2026-03-02'));
      await expect('activityDateTime gt 2026-03-03T10:00:00Z', () => false);
      await expect('activityDateTime ge 2026-03-03T10:00:00Z', (e) => e.activityDateTime.startsWith('2026-03-03'));
      await expect(`jobId eq '${f.jobId}'`, () => true);
      await expect(`servicePrincipal/id eq '${f.servicePrincipalId}' and provisioningStatusInfo/status eq 'success'`, (e) => e.status === 'Success');
      const bob = all.find((e) => e.sourceIdentity.dn.startsWith('CN=bob'))!.sourceIdentity.id;
      await expect(`sourceIdentity/id eq '${bob}'`, (e) => e.sourceIdentity.id === bob);
      await expect(`sourceIdentity/id eq '${bob}' or provisioningStatusInfo/status eq 'failure'`, (e) => e.sourceIdentity.id === bob || e.status === 'Failure');
      await expect(`not (provisioningAction eq 'create')`, (e) => e.action !== 'Create');
      await expect(`provisioningStatusInfo/errorInformation/errorCode eq 'ERR_DIR_UPN_CONFLICT'`, (e) => e.errorCode === 'ERR_DIR_UPN_CONFLICT');
    });

    test('filters the log cannot serve are refused by name, without a position (Request_UnsupportedQuery)', async () => {
      const refused = async (filter: string, pattern: RegExp) => {
        await assert.rejects(f.log.list(f.tenantId, { top: 10, filter: parseFilter(filter) }), (error: unknown) => {
          assert.ok(isCloudsyncError(error) && error.code === 'ERR_ODATA_FILTER', String(error));
          assert.equal(error.position, undefined);
          assert.match(error.message, pattern);
          return true;
        });
      };
      await refused("userPrincipalName eq 'x'", /'userPrincipalName' is not supported.*filterable properties: activityDateTime/);
      await refused("provisioningStatusInfo/status eq 'broken'", /one of success, failure, skipped, warning/);
      await refused("startswith(jobId, 'AD')", /not supported/);
      await refused("activityDateTime ge 'yesterday'", /date-time/);
      await refused("jobId gt 'a'", /supports eq, ne/);
    });

    test('tenant confinement: another tenant sees none of these entries, not even by id', async () => {
      const other = await logFixture(store);
      assert.deepEqual(await everything(other.tenantId), []);
      const [mine] = (await f.log.list(f.tenantId, { top: 1 })).items;
      assert.equal(await f.log.get(other.tenantId, mine!.id), undefined);
      assert.deepEqual(await f.log.get(f.tenantId, mine!.id), mine);
    });

    /** What the sink stored for an engine entry before row format 1: the whole entry as JSON, plus tenant, job and principal. */
    const asStoredBefore = (entry: ProvisioningLogEntry, principal: StoredProvisioningEntry['servicePrincipal']) =>
      JSON.stringify({ ...entry, tenantId: f.tenantId, jobId: f.jobId, servicePrincipal: principal });

    test('every entry reads back exactly as the engine wrote it (key order included), by id and by page', async () => {
      const principal = { id: f.servicePrincipalId, displayName: 'corp.example.com' };
      assert.ok(f.written.length >= 8, `${f.written.length} entries written`);
      const paged = new Map((await everything()).map((e) => [e.id, e]));
      for (const entry of f.written) {
        const expected = asStoredBefore(entry, principal);
        assert.equal(JSON.stringify(await f.log.get(f.tenantId, entry.id)), expected);
        assert.equal(JSON.stringify(paged.get(entry.id)), expected);
      }
    });

    test('a row holds only what its columns do not: a created user\'s data is under half its former JSON', async () => {
      const created = f.written.filter((e) => e.action === 'Create' && e.status === 'Success' && e.sourceIdentity.type === 'user');
      assert.ok(created.length >= 2);
      for (const entry of created) {
        const row = (await store.db.selectFrom('provisioning_logs' as any).select('data').where('id', '=', entry.id).executeTakeFirstOrThrow()) as { data: string };
        const before = asStoredBefore(entry, { id: f.servicePrincipalId, displayName: 'corp.example.com' });
        assert.ok(row.data.length * 2 < before.length, `${row.data.length} of ${before.length} bytes: ${row.data}`);
        for (const repeated of [f.tenantId, f.jobId, f.servicePrincipalId, entry.id, entry.cycleId]) assert.ok(!row.data.includes(repeated), `${repeated} in ${row.data}`);
      }
    });

    test('an entry stored in the previous row format (the whole entry as JSON) reads back as before, and as the same Graph summary', async () => {
      const principal = { id: f.servicePrincipalId, displayName: 'corp.example.com' };
      const samples = [
        f.written.find((e) => e.action === 'Create' && e.status === 'Success')!,
        f.written.find((e) => e.action === 'Update')!,
        f.written.find((e) => e.status === 'Failure')!,
      ];
      const old = samples.map((entry) => ({ ...entry, id: `${entry.id}-v0` }));
      // Exactly the row the sink wrote before format 1.
      await store.db
        .insertInto('provisioning_logs' as any)
        .values(old.map((entry) => ({
          tenant_id: f.tenantId,
          id: entry.id,
          activity_date_time: new Date(entry.activityDateTime).toISOString(),
          job_id: f.jobId,
          service_principal_id: f.servicePrincipalId,
          cycle_id: entry.cycleId,
          action: entry.action,
          status: entry.status,
          source_id: entry.sourceIdentity.id,
          target_id: entry.targetIdentity.id,
          error_code: entry.errorCode,
          data: asStoredBefore(entry, principal),
        })))
        .execute();
      try {
        const listed = new Map((await everything(f.tenantId, `sourceIdentity/id in (${samples.map((e) => `'${e.sourceIdentity.id}'`).join(', ')})`)).map((e) => [e.id, e]));
        for (const [i, entry] of old.entries()) {
          const before = await f.log.get(f.tenantId, entry.id);
          assert.equal(JSON.stringify(before), asStoredBefore(entry, principal));
          assert.deepEqual(listed.get(entry.id), before);
          // The Graph output of the old row and of the same entry in the current format, ids aside, are the same bytes.
          const current = await f.log.get(f.tenantId, samples[i]!.id);
          assert.equal(JSON.stringify(toProvisioningObjectSummary({ ...before!, id: samples[i]!.id })), JSON.stringify(toProvisioningObjectSummary(current!)));
        }
      } finally {
        await store.db.deleteFrom('provisioning_logs' as any).where('id', 'in', old.map((e) => e.id)).execute();
      }
    });

    test('values the row format abbreviates come back as written; a job that does not exist has no service principal', async () => {
      const dn = `CN=Edge\\, Case,${OU}`;
      const base: ProvisioningLogEntry = {
        id: 'edge-1',
        cycleId: 'edge-cycle',
        configurationId: `${f.tenantId}/${f.jobId}`,
        // Not the column's normalized form: the entry still shows what the engine wrote.
        activityDateTime: '2026-03-04T10:00:00Z',
        action: 'Update',
        status: 'Warning',
        steps: [
          { name: 'import', status: 'Success', description: dn },
          { name: 'export', status: 'Warning', description: 'Updated target-1' },
          { name: 'referenceResolution', status: 'Warning', description: '' },
        ],
        modifiedProperties: [
          { displayName: 'onPremisesDistinguishedName', oldValue: `OU=Old,${dn}`, newValue: dn },
          { displayName: 'extensionAttribute1', oldValue: '0', newValue: '1' },
          { displayName: 'extensionAttribute2', oldValue: '', newValue: '["x",0]' },
          { displayName: 'immutableId', oldValue: null, newValue: 'anchor-1' },
          { displayName: 'id', oldValue: 'target-1', newValue: 'xtarget-1' },
        ],
        sourceIdentity: { id: 'anchor-1', type: 'user', displayName: null, dn },
        targetIdentity: { id: 'target-1', type: 'user' },
        errorCode: 'ERR_SYNC_REFERENCE_UNRESOLVED',
        errorMessage: 'Updated target-1',
      };
      const orphans = [1, 2].map((n) => ({ ...base, id: `edge-orphan-${n}`, configurationId: `${f.tenantId}/no-such-job`, targetIdentity: { id: null, type: null } }));
      await f.log.write([base, ...orphans]);
      try {
        assert.equal(JSON.stringify(await f.log.get(f.tenantId, base.id)), asStoredBefore(base, { id: f.servicePrincipalId, displayName: 'corp.example.com' }));
        for (const orphan of orphans) {
          assert.equal(JSON.stringify(await f.log.get(f.tenantId, orphan.id)), JSON.stringify({ ...orphan, tenantId: f.tenantId, jobId: 'no-such-job', servicePrincipal: null }));
        }
        assert.deepEqual((await everything(f.tenantId, "jobId eq 'no-such-job'")).map((e) => e.id).sort(), ['edge-orphan-1', 'edge-orphan-2']);
      } finally {
        await store.db.deleteFrom('provisioning_logs' as any).where('id', 'in', [base.id, ...orphans.map((e) => e.id)]).execute();
      }
    });

    test('entries are immutable: writing an entry id again keeps the first', async () => {
      const [entry] = (await f.log.list(f.tenantId, { top: 1 })).items;
      const { tenantId: _t, jobId: _j, servicePrincipal: _s, ...engineEntry } = entry!;
      await f.log.write([{ ...engineEntry, status: 'Failure', errorCode: 'ERR_DIR_INVALID_VALUE', errorMessage: 'rewritten' }]);
      assert.deepEqual(await f.log.get(f.tenantId, entry!.id), entry);
    });

    test('retention: a pass drops entries older than the retention in every tenant and keeps the rest', async () => {
      const other = await logFixture(store);
      const otherSource = new MemorySource();
      otherSource.add('user', `CN=eve,${OU}`, person('eve'));
      await other.cycle(otherSource, '2026-02-27T10:00:00Z', 'full');
      otherSource.modify(`CN=eve,${OU}`, { displayName: 'Eve Later' });
      await other.cycle(otherSource, '2026-03-05T10:00:00Z');
      const before = (await everything()).length;
      const day1 = (await everything(f.tenantId, 'activityDateTime le 2026-03-01T23:59:59Z')).length;
      assert.ok(day1 > 0);
      // On 2026-03-31T12:00Z a 30-day retention keeps what is newer than 2026-03-01T12:00Z: days 2 and 3.
      const pruned = await pruneExpiredLogs([f.log, f.audits], new Date('2026-03-31T12:00:00Z'), 30);
      assert.ok(pruned >= day1);
      const left = await everything();
      assert.equal(left.length, before - day1);
      assert.ok(left.every((e) => e.activityDateTime >= '2026-03-02'));
      assert.deepEqual((await everything(other.tenantId)).map((e) => `${e.activityDateTime.slice(0, 10)} ${e.action}`), ['2026-03-05 Update']);
    });
  });
}
