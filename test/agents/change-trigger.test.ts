/**
 * Change hints from agents start the domain's jobs; a hint that comes within the trigger's window is deferred to
 * its end, not dropped (a dropped hint left its change waiting for the agent's re-report, a minute later).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BACKENDS } from '../storage/backends.ts';
import { createChangeTrigger } from '../../src/agents/change-trigger.ts';
import { createCloudDirectory } from '../../src/directory/index.ts';
import { CLOUD_SYNC_APPLICATION_TEMPLATE_ID, createSynchronizationStore, type SynchronizationStore } from '../../src/synchronization/index.ts';
import type { SynchronizationTaskExecution } from '../../src/synchronization/synchronization-job.ts';

let dispose: () => Promise<void>;
let sync: SynchronizationStore;
let tenantId: string;
let jobId: string;

before(async () => {
  const opened = await BACKENDS[0]!.open();
  dispose = opened.dispose;
  const directory = createCloudDirectory(opened.store);
  sync = createSynchronizationStore(opened.store, directory, { secretsKey: randomBytes(32), defaultInterval: 'PT1H' });
  tenantId = (await directory.createTenant({ name: `trigger${Math.floor(Math.random() * 1e9)}` })).tenantId;
  const { servicePrincipal } = await sync.instantiate(tenantId, CLOUD_SYNC_APPLICATION_TEMPLATE_ID, 'corp.example.com');
  jobId = (await sync.createJob(tenantId, servicePrincipal.id, 'AD2AADProvisioning')).id;
  await sync.putSecrets(tenantId, servicePrincipal.id, { value: [{ key: 'Domain', value: JSON.stringify({ domain: 'corp.example.com' }) }] });
  await sync.startJob(tenantId, servicePrincipal.id, jobId);
});
after(() => dispose());

/** A cycle ran and acknowledged what it saw: no request is pending any more. */
async function cycleRan(): Promise<void> {
  const snapshot = await sync.readJob(tenantId, jobId);
  const at = new Date().toISOString();
  const execution: SynchronizationTaskExecution = {
    activityIdentifier: `cycle-${at}`, countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0, countExported: 0,
    countExports: 0, countImported: 0, countImportedDeltas: 0, countImportedReferenceDeltas: 0, error: null, state: 'Succeeded', timeBegan: at, timeEnded: at,
  };
  await sync.recordExecution(tenantId, jobId, { execution, acknowledged: snapshot.requestsVersion, steadyState: true });
}

const runRequested = async () => (await sync.readJob(tenantId, jobId)).requests.runNow;

test('a hint starts the domain\'s job; one within the window runs at its end instead of being lost', async () => {
  await cycleRan();
  const trigger = createChangeTrigger(sync, { minIntervalMs: 300 });
  assert.equal(await trigger(tenantId, 'CORP.example.com'), 1);
  assert.equal(await runRequested(), true);
  await cycleRan(); // the cycle the first hint asked for ran before the next change

  assert.equal(await trigger(tenantId, 'corp.example.com'), 0, 'within the window: deferred');
  assert.equal(await trigger(tenantId, 'corp.example.com'), 0, 'and coalesced');
  assert.equal(await runRequested(), false);
  await sleep(600);
  assert.equal(await runRequested(), true, 'the deferred hint started the job at the end of the window');

  assert.equal(await trigger(tenantId, 'other.example.com'), 0, 'another domain has no job');
});
