/**
 * A real store with a tenant, a Cloud Sync configuration (service principal and job, made through the
 * synchronization store as the API makes them) and the engine wired to the SQL provisioning log under the
 * scheduler's configuration id `{tenantId}/{jobId}`: cycles of the real engine write the entries the tests read.
 */
import { randomBytes } from 'node:crypto';
import { createCloudDirectory } from '../../src/directory/index.ts';
import { runSynchronizationCycle, type CycleMode, type CycleReport, type ProvisioningLogEntry, type ProvisioningLogSink } from '../../src/engine/index.ts';
import { SqlDirectoryAuditLog, SqlProvisioningLog } from '../../src/provisioning-logs/index.ts';
import { CLOUD_SYNC_APPLICATION_TEMPLATE_ID, connectorSpaceIdOf, createSynchronizationStore, type SynchronizationStore } from '../../src/synchronization/index.ts';
import type { Store } from '../../src/storage/index.ts';
import { engineFixture, type EngineFixture } from '../engine/engine-fixture.ts';
import type { MemorySource } from '../engine/memory-source.ts';

export interface LogFixture {
  readonly engine: EngineFixture;
  readonly synchronization: SynchronizationStore;
  readonly log: SqlProvisioningLog;
  readonly audits: SqlDirectoryAuditLog;
  readonly tenantId: string;
  readonly servicePrincipalId: string;
  readonly jobId: string;
  /** Every entry the engine's cycles handed the sink, as handed. */
  readonly written: ProvisioningLogEntry[];
  /** One engine cycle writing to the SQL log, at `at`. */
  cycle(source: MemorySource, at: string, mode?: CycleMode): Promise<CycleReport>;
}

export async function logFixture(store: Store, options: { tenantId?: string } = {}): Promise<LogFixture> {
  const directory = createCloudDirectory(store);
  const tenantId = options.tenantId ?? (await directory.createTenant({ name: `logs${process.pid}x${Math.floor(Math.random() * 1e9)}` })).tenantId;
  const synchronization = createSynchronizationStore(store, directory, { secretsKey: randomBytes(32) });
  const { servicePrincipal } = await synchronization.instantiate(tenantId, CLOUD_SYNC_APPLICATION_TEMPLATE_ID, 'corp.example.com');
  const job = await synchronization.createJob(tenantId, servicePrincipal.id, 'AD2AADProvisioning');
  // The engine's configuration id must be the scheduler's, so the sink can tell tenant and job apart.
  const engine = await engineFixture(store, { tenantId, configurationId: connectorSpaceIdOf(tenantId, job.id) });
  const log = new SqlProvisioningLog(store);
  const written: ProvisioningLogEntry[] = [];
  const recorded: ProvisioningLogSink = {
    async write(entries) {
      written.push(...entries);
      await log.write(entries);
    },
  };
  let ids = 0;
  return {
    engine,
    synchronization,
    log,
    audits: new SqlDirectoryAuditLog(store),
    tenantId,
    servicePrincipalId: servicePrincipal.id,
    jobId: job.id,
    written,
    cycle(source, at, mode = 'auto') {
      engine.now = new Date(at);
      return runSynchronizationCycle(
        { source, target: engine.target, connectorSpace: engine.connectorSpace, log: recorded, clock: () => engine.now, newId: () => `${job.id}-${String(++ids).padStart(4, '0')}` },
        engine.config,
        { mode },
      );
    },
  };
}
