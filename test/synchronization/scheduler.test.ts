/**
 * The job scheduler against the Graph API and a real store: a configuration made through the API is run by the
 * scheduler with the LDIF connector of the bundled sample, its users appear in the cloud directory and the job's
 * status shows the counts; restarts map to the connector space; a domain without an agent gets a clear status.
 * The clock is the test's; tick() runs what is due, so no test waits for a timer.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import { MemoryConnectorSpace, MemoryProvisioningLog, type CycleReport, type EngineSource } from '../../src/engine/index.ts';
import { applyResetScope, createJobScheduler, NO_ACTIVE_AGENTS, type CycleOutcome, type JobScheduler } from '../../src/synchronization/index.ts';
import { CloudsyncError } from '../../src/errors/index.ts';
import { failingSource } from './failing-source.ts';
import { defaultBackend } from '../api/api-harness.ts';
import { startSyncApi, type SyncApiFixture } from '../api/synchronization/synchronization-harness.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const TEMPLATE = '1a4721b3-e57f-4451-ae87-ef078703ec94';

describe('job scheduler', () => {
  let api: SyncApiFixture;
  let now = new Date('2026-05-01T00:00:00Z');
  let scheduler: JobScheduler;
  let temp: string;
  const sources = new Map<string, EngineSource>();
  const outcomes: CycleOutcome[] = [];
  const progress: number[] = [];
  const log = new MemoryProvisioningLog();

  before(async () => {
    api = await startSyncApi(defaultBackend(), { clock: () => now });
    temp = await mkdtemp(join(tmpdir(), 'cloudsync-scheduler-'));
    scheduler = createJobScheduler({
      port: api.synchronization,
      directory: api.directory,
      store: api.store,
      connectors: { connectorFor: (domain) => (sources.has(domain) ? { source: sources.get(domain)!, netBiosName: 'CORP' } : undefined) },
      clock: () => now,
      onCycle: (outcome) => outcomes.push(outcome),
      onProgress: (_job, p) => progress.push(p.exported),
      onError: (error) => assert.fail(error as Error),
      deleteProtection: api.pendingDeletes,
      log,
    });
  });
  after(async () => {
    await scheduler.stop();
    await api.close();
    await rm(temp, { recursive: true, force: true });
  });

  async function call(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, headers = api.auth, expected?: number) {
    const response = await api.app.inject({
      method,
      url,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    if (expected !== undefined) assert.equal(response.statusCode, expected, `${method} ${url}: ${response.body}`);
    else assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.body === '' ? undefined : (response.json() as any);
  }

  /** instantiate → job → Domain secret → start, through the API, in a tenant of its own. */
  async function configuredJob(domain: string) {
    const tenant = await api.newTenant();
    const created = await call('POST', `/v1.0/applicationTemplates/${TEMPLATE}/instantiate`, { displayName: domain }, tenant.auth);
    const base = `/v1.0/servicePrincipals/${created.servicePrincipal.id}/synchronization`;
    const job = await call('POST', `${base}/jobs`, { templateId: 'AD2AADProvisioning' }, tenant.auth);
    await call('PUT', `${base}/secrets`, { value: [{ key: 'Domain', value: JSON.stringify({ domain }) }] }, tenant.auth);
    await call('POST', `${base}/jobs/${job.id}/start`, undefined, tenant.auth);
    const jobUrl = `${base}/jobs/${job.id}`;
    return {
      tenant,
      servicePrincipalId: created.servicePrincipal.id as string,
      jobId: job.id as string,
      status: async () => (await call('GET', jobUrl, undefined, tenant.auth)).status,
      // Straight from the store: after a clock jump of hours the test's token has expired.
      storedStatus: async () => (await api.synchronization.getJob(tenant.tenantId, created.servicePrincipal.id, job.id)).status as any,
      restart: (resetScope: string) => call('POST', `${jobUrl}/restart`, { criteria: { resetScope } }, tenant.auth),
      pendingDeletes: () => call('GET', `${jobUrl}/pendingDeletes`, undefined, tenant.auth),
      approve: (objectIds: unknown, expected?: number) => call('POST', `${jobUrl}/pendingDeletes/approve`, { objectIds }, tenant.auth, expected),
      syncedUsers: async () => {
        const page = await call('GET', `/v1.0/users?$filter=${encodeURIComponent('onPremisesSyncEnabled eq true')}&$count=true&$top=1`, undefined, {
          ...tenant.auth, consistencylevel: 'eventual',
        } as typeof tenant.auth);
        return page['@odata.count'] as number;
      },
    };
  }

  function lastReport(jobId: string): CycleReport | undefined {
    return outcomes.filter((o) => o.jobId === jobId).at(-1)?.report;
  }

  test('a job configured through the API runs: users in the cloud directory, counts in the job status', async () => {
    sources.set('corp.example.com', new LdifConnector({ file: SAMPLE }));
    const job = await configuredJob('corp.example.com');
    assert.equal((await job.status()).lastExecution, null);

    await scheduler.tick();
    const report = lastReport(job.jobId);
    assert.ok(report);
    assert.equal(report.mode, 'full');
    assert.equal(report.created, 1053);
    assert.equal(report.failed, 0);
    assert.equal(await job.syncedUsers(), 1000);
    const status = await job.status();
    assert.equal(status.code, 'Active');
    assert.equal(status.lastExecution.state, 'Succeeded');
    assert.equal(status.lastExecution.countImported, 1064);
    assert.equal(status.lastExecution.countExported, 1053);
    assert.equal(status.lastExecution.error, null);
    assert.equal(status.lastSuccessfulExecution.activityIdentifier, report.cycleId);
    assert.deepEqual(status.progress, [], 'progress is cleared when the cycle is recorded');
    assert.ok(progress.includes(1053), 'progress was reported');

    // Not due again until the interval (PT2M) has passed.
    const cycles = outcomes.length;
    await scheduler.tick();
    assert.equal(outcomes.length, cycles);
    now = new Date(now.getTime() + 3 * 60_000);
    await scheduler.tick();
    const second = lastReport(job.jobId)!;
    assert.notEqual(second.cycleId, report.cycleId);
    assert.equal(second.created + second.updated + second.deleted, 0);
    assert.equal(second.unchanged, 1053);
    assert.equal((await job.status()).lastExecution.countExported, 0);
  });

  test('restart resetScope maps to the connector space', async () => {
    const calls: string[] = [];
    const space = new MemoryConnectorSpace();
    const spy = {
      clear: async () => { calls.push('clear'); await space.clear(); },
      setWatermark: async (w: string | null) => { calls.push(`setWatermark(${w})`); await space.setWatermark(w); },
      clearEscrows: async () => { calls.push('clearEscrows'); await space.clearEscrows(); },
    };
    assert.deepEqual(await applyResetScope(spy, ['Watermark']), { allowDeletes: false, fullCycle: false });
    assert.deepEqual(await applyResetScope(spy, ['Escrows', 'QuarantineState']), { allowDeletes: false, fullCycle: false });
    assert.deepEqual(await applyResetScope(spy, ['Full']), { allowDeletes: false, fullCycle: true });
    assert.deepEqual(await applyResetScope(spy, ['ForceDeletes']), { allowDeletes: true, fullCycle: false });
    assert.deepEqual(await applyResetScope(spy, ['None']), { allowDeletes: false, fullCycle: false });
    assert.deepEqual(calls, ['setWatermark(null)', 'clearEscrows', 'clear']);
  });

  test('delete threshold: quarantined (TooManyDeletes), the held deletions listed with reasons, a subset approved, then all (ForceDeletes)', async () => {
    sources.set('threshold.example.com', new LdifConnector({ file: SAMPLE }));
    const job = await configuredJob('threshold.example.com');
    await scheduler.tick();
    assert.equal(lastReport(job.jobId)?.created, 1053);

    // restart(Full): the connector space is forgotten; the full cycle finds every object again by hard match.
    await job.restart('Full');
    await scheduler.tick();
    const readopted = lastReport(job.jobId)!;
    assert.equal(readopted.mode, 'full');
    assert.equal(readopted.created, 0, JSON.stringify(readopted));
    assert.equal(readopted.failed, 0);
    assert.equal(await job.syncedUsers(), 1000);

    // The source loses 600 users: more than the default threshold (500).
    const text = await readFile(SAMPLE, 'utf8');
    let dropped = 0;
    const kept = text.split(/\n\n+/).filter((record) => {
      if (/^objectClass: user$/m.test(record) && !/^objectClass: computer$/m.test(record) && dropped < 600) {
        dropped++;
        return false;
      }
      return true;
    });
    const smaller = join(temp, 'smaller.ldif');
    await writeFile(smaller, kept.join('\n\n'));
    sources.set('threshold.example.com', new LdifConnector({ file: smaller }));
    now = new Date(now.getTime() + 3 * 60_000);
    log.clear();
    await scheduler.tick();
    let status = await job.status();
    const staged = log.entries.filter((entry) => entry.action === 'StagedDelete');
    assert.equal(staged.length, 600, 'each held deletion is in the provisioning log as StagedDelete');
    assert.ok(staged.every((entry) => entry.status === 'Skipped' && /Held back by the accidental-delete threshold \(500\)/.test(entry.steps.at(-1)!.description)));
    assert.equal(log.entries.filter((entry) => entry.action === 'Delete').length, 0);
    assert.equal(status.code, 'Quarantine');
    assert.equal(status.quarantine.reason, 'TooManyDeletes');
    assert.equal(status.quarantine.currentBegan, now.toISOString());
    assert.equal(status.quarantine.nextAttempt, new Date(now.getTime() + 6 * 3600_000).toISOString(), 'first retry 6 h after the failure');
    assert.equal(status.lastExecution.state, 'Failed');
    assert.equal(status.lastExecution.error.code, 'ERR_SYNC_DELETE_THRESHOLD');
    assert.match(status.lastExecution.error.message, /^600 deletion\(s\) held back by the accidental-delete threshold of 500: 600 no longer in the source directory/);
    assert.equal(status.quarantine.error.code, 'ERR_SYNC_DELETE_THRESHOLD');
    assert.equal(await job.syncedUsers(), 1000, 'nothing deleted');

    // The held deletions, each with its reason, in the API.
    let held = await job.pendingDeletes();
    assert.equal(held['@odata.count'], 600);
    assert.equal(held.threshold, 500);
    const first = held.value[0];
    assert.match(first.objectId, /^CN=.*,DC=/);
    assert.equal(first.objectTypeName, 'user');
    assert.equal(first.reason, 'notInSource');
    assert.equal(first.approved, false);
    assert.ok(first.targetObjectId);

    // Tenant-confined: another tenant's admin does not see the list or approve from it.
    const stranger = await api.newTenant();
    const foreign = `/v1.0/servicePrincipals/${job.servicePrincipalId}/synchronization/jobs/${job.jobId}/pendingDeletes`;
    await call('GET', foreign, undefined, stranger.auth, 404);
    await call('POST', `${foreign}/approve`, { objectIds: [first.objectId] }, stranger.auth, 404);

    // Quarantined: not run at the interval, only at nextAttempt (or on request).
    const executions = outcomes.filter((o) => o.jobId === job.jobId).length;
    now = new Date(now.getTime() + 3 * 60_000);
    await scheduler.tick();
    assert.equal(outcomes.filter((o) => o.jobId === job.jobId).length, executions, 'a quarantined job waits for its next attempt');

    // An unknown DN is refused with its position; nothing is approved.
    const refused = await job.approve([first.objectId, 'CN=nobody,DC=example,DC=com'], 400);
    assert.equal(refused.error.code, 'Request_BadRequest');
    assert.match(refused.error.message, /objectIds\[1\]/);

    // A chosen subset: those two are deleted at once, the other 598 stay held (the job stays quarantined).
    const chosen = [held.value[0].objectId, held.value[1].objectId.toUpperCase()];
    const approved = await job.approve(chosen);
    assert.equal(approved.value.length, 2);
    await scheduler.tick();
    status = await job.status();
    assert.equal(await job.syncedUsers(), 998);
    assert.equal(status.code, 'Quarantine');
    assert.equal(status.quarantine.reason, 'TooManyDeletes');
    assert.equal(status.quarantine.seriesCount, 2);
    held = await job.pendingDeletes();
    assert.equal(held['@odata.count'], 598);
    assert.ok(held.value.every((d: { objectId: string; approved: boolean }) => !chosen.includes(d.objectId) && !d.approved));

    // Allow them all (Entra's "Allow deletes"): the quarantine lifts, the list empties.
    await job.restart('ForceDeletes');
    await scheduler.tick();
    status = await job.status();
    assert.equal(status.lastExecution.state, 'Succeeded', JSON.stringify(status.lastExecution));
    assert.equal(status.code, 'Active');
    assert.equal(status.quarantine, null);
    assert.equal(await job.syncedUsers(), 400);
    assert.equal((await job.pendingDeletes())['@odata.count'], 0);
  });

  test('credentials rejected: quarantined at once with the failing request; retried at 6 h; one success lifts it', async () => {
    const ldif = new LdifConnector({ file: SAMPLE });
    let broken: CloudsyncError | undefined;
    const source = failingSource(() => ldif, () => broken);
    sources.set('locked.example.com', source);
    const job = await configuredJob('locked.example.com');
    await scheduler.tick();
    assert.equal((await job.status()).code, 'Active');

    broken = new CloudsyncError('ERR_LDAP_INVALID_CREDENTIALS', 'binding to ldap://dc1.locked.example.com as CN=sync,CN=Users,DC=locked,DC=example,DC=com: invalidCredentials (80090308: LdapErr: DSID-0C09042A)');
    now = new Date(now.getTime() + 3 * 60_000);
    const failedAt = now;
    await scheduler.tick();
    let status = await job.storedStatus();
    assert.equal(status.code, 'Quarantine');
    assert.equal(status.quarantine.reason, 'EncounteredQuarantineException');
    assert.equal(status.quarantine.seriesBegan, failedAt.toISOString());
    assert.equal(status.quarantine.nextAttempt, new Date(failedAt.getTime() + 6 * 3600_000).toISOString());
    assert.equal(status.quarantine.error.code, 'ERR_LDAP_INVALID_CREDENTIALS');
    assert.match(status.quarantine.error.message, /binding to ldap:\/\/dc1\.locked\.example\.com as CN=sync/);

    // Still broken at the 6 h retry: the next one is 12 h after the first failure.
    now = new Date(failedAt.getTime() + 6 * 3600_000);
    await scheduler.tick();
    status = await job.storedStatus();
    assert.equal(status.quarantine.nextAttempt, new Date(failedAt.getTime() + 12 * 3600_000).toISOString());
    assert.equal(status.quarantine.seriesCount, 2);
    assert.equal(status.countSuccessiveCompleteFailures, 2);

    // Fixed: the 12 h retry succeeds and lifts the quarantine on its own.
    broken = undefined;
    now = new Date(failedAt.getTime() + 12 * 3600_000);
    await scheduler.tick();
    status = await job.storedStatus();
    assert.equal(status.code, 'Active');
    assert.equal(status.quarantine, null);
    assert.equal(status.lastExecution.state, 'Succeeded');
  });

  test('a source that does not answer is quarantined only after three failed cycles in a row; restart QuarantineState clears it', async () => {
    const ldif = new LdifConnector({ file: SAMPLE });
    let down = false;
    const unreachable = () => new CloudsyncError('ERR_LDAP_UNREACHABLE', 'binding to ldap://dc1.flaky.example.com: the server did not answer (ECONNREFUSED)');
    const source = failingSource(() => ldif, () => (down ? unreachable() : undefined));
    sources.set('flaky.example.com', source);
    const job = await configuredJob('flaky.example.com');
    await scheduler.tick();
    down = true;
    for (const expected of ['Active', 'Active', 'Quarantine']) {
      now = new Date(now.getTime() + 3 * 60_000);
      await scheduler.tick();
      assert.equal((await job.status()).code, expected);
    }
    assert.equal((await job.status()).quarantine.error.code, 'ERR_LDAP_UNREACHABLE');
    down = false;
    await job.restart('QuarantineState');
    assert.equal((await job.status()).quarantine, null, 'restart with QuarantineState clears it at once');
    await scheduler.tick();
    assert.equal((await job.status()).lastExecution.state, 'Succeeded');
  });

  test('a job whose domain has no agent records a clear status instead of failing the scheduler', async () => {
    const job = await configuredJob('nowhere.example.com');
    await scheduler.tick();
    const status = await job.status();
    assert.equal(status.lastExecution.state, 'Failed');
    assert.equal(status.lastExecution.error.code, NO_ACTIVE_AGENTS);
    assert.match(status.lastExecution.error.message, /No agent for domain nowhere\.example\.com/);
    assert.equal(status.lastSuccessfulExecution, null);
  });

  test('stop() waits for the running cycle, which records nothing', async () => {
    sources.set('stop.example.com', new LdifConnector({ file: SAMPLE }));
    const job = await configuredJob('stop.example.com');
    const stopping = createJobScheduler({ port: api.synchronization, directory: api.directory, store: api.store, connectors: { connectorFor: () => ({ source: sources.get('stop.example.com')! }) }, clock: () => now });
    const ticking = stopping.tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await stopping.stop();
    await ticking;
    assert.equal((await job.status()).lastExecution, null, 'an aborted cycle records no execution');
    assert.ok(await job.syncedUsers() < 1000);
  });
});
