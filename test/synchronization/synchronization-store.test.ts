import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { BACKENDS } from '../storage/backends.ts';
import { createCloudDirectory, type CloudDirectory, type CreatedTenant } from '../../src/directory/index.ts';
import { CLOUD_SYNC_APPLICATION_TEMPLATE_ID, createSynchronizationStore, type SynchronizationStore } from '../../src/synchronization/index.ts';
import type { Store } from '../../src/storage/index.ts';

const SECRETS = (domain: string) => ({ value: [{ key: 'Domain', value: JSON.stringify({ domain }) }] });

for (const backend of BACKENDS) {
  describe(`synchronization store (${backend.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let directory: CloudDirectory;
    let sync: SynchronizationStore;
    let tenant: CreatedTenant;
    let now = new Date('2026-03-01T00:00:00Z');
    before(async () => {
      ({ store, dispose } = await backend.open());
      directory = createCloudDirectory(store);
      sync = createSynchronizationStore(store, directory, { secretsKey: randomBytes(32), clock: () => now, defaultInterval: 'PT40M' });
      tenant = await directory.createTenant({ name: `store${Math.floor(Math.random() * 1e9)}` });
    });
    after(() => dispose());

    /** A cycle that found nothing to do, ended now. */
    const emptyExecution = (activityIdentifier: string) => ({
      activityIdentifier, countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0, countExported: 0,
      countExports: 0, countImported: 0, countImportedDeltas: 0, countImportedReferenceDeltas: 0, error: null, state: 'Succeeded' as const,
      timeBegan: now.toISOString(), timeEnded: now.toISOString(),
    });

    async function configured(domain: string) {
      const { servicePrincipal } = await sync.instantiate(tenant.tenantId, CLOUD_SYNC_APPLICATION_TEMPLATE_ID, domain);
      const job = await sync.createJob(tenant.tenantId, servicePrincipal.id, 'AD2AADProvisioning');
      await sync.putSecrets(tenant.tenantId, servicePrincipal.id, SECRETS(domain));
      return { sp: servicePrincipal.id, jobId: job.id };
    }

    test('new jobs use the configured default interval and start disabled', async () => {
      const { sp, jobId } = await configured('default.example.com');
      const job = await sync.getJob(tenant.tenantId, sp, jobId);
      assert.deepEqual(job.schedule, { expiration: null, interval: 'PT40M', state: 'Disabled' });
      assert.equal((await sync.readJob(tenant.tenantId, jobId)).requests.fullReevaluation, true, 'the first cycle is full');
    });

    test('engine port: runnable jobs, progress, executions, quarantine, acknowledged requests', async () => {
      const { sp, jobId } = await configured('engine.example.com');
      assert.equal((await sync.listRunnableJobs(now)).some((due) => due.jobId === jobId), false, 'disabled jobs do not run');
      await sync.startJob(tenant.tenantId, sp, jobId);
      const due = (await sync.listRunnableJobs(now)).find((candidate) => candidate.jobId === jobId);
      assert.ok(due);
      assert.equal(due.intervalSeconds, 2400);

      const snapshot = await sync.readJob(tenant.tenantId, jobId);
      assert.equal(snapshot.domain, 'engine.example.com');
      assert.equal(snapshot.passwordHashSync, false);
      assert.ok((snapshot.schema.synchronizationRules ?? []).length > 0);
      await sync.recordProgress(tenant.tenantId, jobId, [{ completedUnits: 5, totalUnits: 10, units: 'Objects', progressObservationDateTime: now.toISOString() }]);
      assert.equal((await sync.getJob(tenant.tenantId, sp, jobId)).status.progress[0]?.completedUnits, 5);

      // A schema PUT made while the cycle runs must survive the cycle's acknowledgement.
      await sync.putSchema(tenant.tenantId, sp, jobId, await sync.getSchema(tenant.tenantId, sp, jobId));
      const execution = {
        activityIdentifier: 'cycle-1', countEntitled: 10, countEntitledForProvisioning: 10, countEscrowed: 0, countEscrowedRaw: 0, countExported: 10,
        countExports: 10, countImported: 10, countImportedDeltas: 0, countImportedReferenceDeltas: 0, error: null, state: 'Succeeded' as const,
        timeBegan: '2026-03-01T00:00:00Z', timeEnded: '2026-03-01T00:01:00Z',
      };
      let job = await sync.recordExecution(tenant.tenantId, jobId, {
        execution, acknowledged: snapshot.requestsVersion, steadyState: true, synchronizedEntryCountByType: [{ key: 'user to User', value: 10 }],
      });
      assert.equal(job.status.code, 'Active');
      assert.deepEqual(job.status.lastExecution, execution);
      assert.deepEqual(job.status.lastSuccessfulExecutionWithExports, execution);
      assert.deepEqual(job.status.progress, []);
      assert.equal(job.status.steadyStateFirstAchievedTime, '2026-03-01T00:01:00Z');
      assert.deepEqual(job.status.synchronizedEntryCountByType, [{ key: 'user to User', value: 10 }]);
      assert.equal((await sync.readJob(tenant.tenantId, jobId)).requests.fullReevaluation, true, 'newer request kept');
      // Saving a schema triggers the full re-evaluation at once (as in Entra), not after the interval.
      assert.ok((await sync.listRunnableJobs(new Date('2026-03-01T00:02:00Z'))).some((candidate) => candidate.jobId === jobId), 'due after a schema PUT');

      const again = await sync.readJob(tenant.tenantId, jobId);
      const failed = { ...execution, activityIdentifier: 'cycle-2', state: 'Failed' as const, countExported: 0, error: { code: 'LdapUnreachable', message: 'x', tenantActionable: true } };
      job = await sync.recordExecution(tenant.tenantId, jobId, {
        execution: failed, acknowledged: again.requestsVersion,
        quarantine: { currentBegan: now.toISOString(), nextAttempt: '2026-03-01T06:01:00.000Z', reason: 'EncounteredQuarantineException', seriesBegan: now.toISOString(), seriesCount: 1, error: failed.error },
      });
      assert.equal(job.status.code, 'Quarantine');
      assert.equal(job.status.countSuccessiveCompleteFailures, 1);
      assert.equal(job.status.lastSuccessfulExecution?.activityIdentifier, 'cycle-1');
      assert.deepEqual((await sync.readJob(tenant.tenantId, jobId)).requests, { restart: null, fullReevaluation: false, runNow: false });

      // Quarantined: due at the quarantine's nextAttempt, not at the interval (PT40M) after the last cycle.
      now = new Date('2026-03-01T00:05:00Z');
      assert.equal((await sync.listRunnableJobs(now)).some((candidate) => candidate.jobId === jobId), false);
      now = new Date('2026-03-01T00:41:00Z');
      assert.equal((await sync.listRunnableJobs(now)).some((candidate) => candidate.jobId === jobId), false);
      now = new Date('2026-03-01T06:01:00Z');
      assert.ok((await sync.listRunnableJobs(now)).some((candidate) => candidate.jobId === jobId));
      await sync.startJob(tenant.tenantId, sp, jobId);
      assert.equal((await sync.getJob(tenant.tenantId, sp, jobId)).status.code, 'Active', 'start lifts the quarantine');
    });

    test("progress written during a cycle does not keep the cycle's requests pending", async () => {
      const { sp, jobId } = await configured('progress.example.com');
      await sync.startJob(tenant.tenantId, sp, jobId);
      const snapshot = await sync.readJob(tenant.tenantId, jobId);
      assert.equal(snapshot.requests.runNow, true);
      await sync.recordProgress(tenant.tenantId, jobId, [{ completedUnits: 1, totalUnits: 2, units: 'Objects', progressObservationDateTime: now.toISOString() }]);
      const execution = emptyExecution('cycle-p');
      await sync.recordExecution(tenant.tenantId, jobId, { execution, acknowledged: snapshot.requestsVersion });
      assert.deepEqual((await sync.readJob(tenant.tenantId, jobId)).requests, { restart: null, fullReevaluation: false, runNow: false });
      assert.equal((await sync.listRunnableJobs(now)).some((due) => due.jobId === jobId), false, 'not due again at once');
    });

    test('a cycle acknowledges the requests it ran with, each on its own: one asked for during the cycle stays, the others go', async () => {
      const { sp, jobId } = await configured('ack.example.com');
      const execution = emptyExecution('cycle-a');
      const requests = async () => (await sync.readJob(tenant.tenantId, jobId)).requests;
      const cycleWhile = async (during: () => Promise<unknown>) => {
        const snapshot = await sync.readJob(tenant.tenantId, jobId);
        await during();
        await sync.recordExecution(tenant.tenantId, jobId, { execution, acknowledged: snapshot.requestsVersion });
      };
      await sync.startJob(tenant.tenantId, sp, jobId);
      await cycleWhile(async () => {});
      assert.deepEqual(await requests(), { restart: null, fullReevaluation: false, runNow: false });

      // A schema PUT makes the next cycle full; a start during that cycle asks for a cycle, not for a second full one.
      await sync.putSchema(tenant.tenantId, sp, jobId, await sync.getSchema(tenant.tenantId, sp, jobId));
      await cycleWhile(() => sync.startJob(tenant.tenantId, sp, jobId));
      assert.deepEqual(await requests(), { restart: null, fullReevaluation: false, runNow: true });
      // The other way round: the schema saved during the cycle a start asked for is re-evaluated by the next one.
      await cycleWhile(async () => sync.putSchema(tenant.tenantId, sp, jobId, await sync.getSchema(tenant.tenantId, sp, jobId)));
      assert.deepEqual(await requests(), { restart: null, fullReevaluation: true, runNow: false });
      // A start again while a start is pending is a new request: it outlives the cycle that ran for the first.
      await cycleWhile(async () => {});
      await sync.startJob(tenant.tenantId, sp, jobId);
      await cycleWhile(() => sync.startJob(tenant.tenantId, sp, jobId));
      assert.deepEqual(await requests(), { restart: null, fullReevaluation: false, runNow: true });
      // A restart during a cycle stays whole; the full re-evaluation it carries only when it asked for one.
      await sync.putSchema(tenant.tenantId, sp, jobId, await sync.getSchema(tenant.tenantId, sp, jobId));
      await cycleWhile(() => sync.restartJob(tenant.tenantId, sp, jobId, ['Watermark']));
      const restarted = await requests();
      assert.deepEqual([restarted.restart?.resetScope, restarted.fullReevaluation, restarted.runNow], [['Watermark'], false, true]);
      await cycleWhile(() => sync.restartJob(tenant.tenantId, sp, jobId, ['Full']));
      const full = await requests();
      assert.deepEqual([full.restart?.resetScope, full.fullReevaluation, full.runNow], [['Full'], true, true]);
    });

    test('a row stored before per-request serials is acknowledged all or nothing, as it was', async () => {
      const { sp, jobId } = await configured('legacy.example.com');
      await sync.startJob(tenant.tenantId, sp, jobId);
      const legacy = JSON.stringify({ restart: null, fullReevaluation: true, runNow: true, serial: 7 });
      await sql`UPDATE sync_jobs SET requests = ${legacy} WHERE id = ${jobId}`.execute(store.db);
      const execution = emptyExecution('cycle-l');
      await sync.recordExecution(tenant.tenantId, jobId, { execution, acknowledged: 6 });
      assert.deepEqual((await sync.readJob(tenant.tenantId, jobId)).requests, { restart: null, fullReevaluation: true, runNow: true }, 'asked for after the cycle began');
      await sync.recordExecution(tenant.tenantId, jobId, { execution, acknowledged: 7 });
      assert.deepEqual((await sync.readJob(tenant.tenantId, jobId)).requests, { restart: null, fullReevaluation: false, runNow: false });
    });

    test('instantiate refuses bad input without creating an application', async () => {
      const before = (await directory.list(tenant.tenantId, 'application', { top: 999 })).items.length;
      await assert.rejects(sync.instantiate('00000000-0000-0000-0000-000000000000', CLOUD_SYNC_APPLICATION_TEMPLATE_ID, 'x'));
      await assert.rejects(sync.instantiate(tenant.tenantId, CLOUD_SYNC_APPLICATION_TEMPLATE_ID, ''), /displayName/);
      assert.equal((await directory.list(tenant.tenantId, 'application', { top: 999 })).items.length, before);
    });

    test('instantiate deletes the application again when the service principal cannot be written', async () => {
      const count = async () => (await directory.list(tenant.tenantId, 'application', { top: 999 })).items.length;
      const before = await count();
      // Make the principal's insert fail after the application exists: its table is briefly elsewhere.
      await sql`ALTER TABLE sync_service_principals RENAME TO sync_service_principals_away`.execute(store.db);
      try {
        await assert.rejects(sync.instantiate(tenant.tenantId, CLOUD_SYNC_APPLICATION_TEMPLATE_ID, 'half.example.com'));
      } finally {
        await sql`ALTER TABLE sync_service_principals_away RENAME TO sync_service_principals`.execute(store.db);
      }
      assert.equal(await count(), before, 'no orphaned application');
    });

    test('concurrent writers on one job all land (optimistic concurrency)', async () => {
      const { sp, jobId } = await configured('race.example.com');
      await Promise.all([
        sync.updateSchedule(tenant.tenantId, sp, jobId, { interval: 'PT15M' }),
        sync.startJob(tenant.tenantId, sp, jobId),
        sync.recordProgress(tenant.tenantId, jobId, [{ completedUnits: 1, totalUnits: 2, units: 'Objects', progressObservationDateTime: now.toISOString() }]),
      ]);
      const job = await sync.getJob(tenant.tenantId, sp, jobId);
      assert.equal(job.schedule.interval, 'PT15M');
      assert.equal(job.schedule.state, 'Active');
      assert.equal(job.status.progress.length, 1);
    });
  });
}
