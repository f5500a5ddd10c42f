/**
 * provisionOnDemand for a stored job: what the API route calls. Finds the job (404 when the service principal or
 * the job is not the tenant's), its schema and Domain secret, the source connector serving that domain and the
 * job's connector space, and hands them to the engine's provisionOnDemand (src/engine/on-demand-provisioning.ts).
 *
 * The configuration handed to the engine is built as the scheduler builds it for a cycle (same connector-space id,
 * compiled schema and domain), so that on-demand and scheduled runs read and write the same rows.
 *
 * Runs of one job go one at a time in this process: two at once for the same group could both find no cloud
 * object and both create one (groups have no unique on-premises key in the directory to refuse the second).
 * A scheduled cycle of the job is not serialized with them (the scheduler keeps its own one-cycle-per-job rule).
 */
import type { CloudDirectory } from '../directory/index.ts';
import {
  cloudDirectoryTarget,
  SqlConnectorSpace,
  systemClock,
  type Clock,
  type ConnectorSpaceStore,
  type ProvisioningLogSink,
} from '../engine/index.ts';
import { provisionOnDemand, type OnDemandRequest, type OnDemandResult } from '../engine/on-demand-provisioning.ts';
import { CloudsyncError } from '../errors/index.ts';
import { compileSynchronizationSchema } from '../schema/index.ts';
import type { SynchronizationEnginePort } from './engine-port.ts';
import { connectorSpaceIdOf, type SourceConnectorRegistry } from './scheduler.ts';
import type { SynchronizationConfigurations } from './synchronization-store.ts';

export interface OnDemandProvisioner {
  provision(tenantId: string, servicePrincipalId: string, jobId: string, request: OnDemandRequest): Promise<OnDemandResult>;
}

export interface OnDemandProvisionerOptions {
  readonly configurations: Pick<SynchronizationConfigurations, 'getJob'>;
  readonly port: Pick<SynchronizationEnginePort, 'readJob'>;
  readonly directory: CloudDirectory;
  readonly store: ConnectorSpaceStore;
  readonly connectors: SourceConnectorRegistry;
  /** where real runs record their provisioning-log entries */
  readonly log: ProvisioningLogSink;
  readonly clock?: Clock;
}

export function createOnDemandProvisioner(options: OnDemandProvisionerOptions): OnDemandProvisioner {
  const clock = options.clock ?? systemClock;
  /** per job: the tail of the runs queued in this process */
  const queues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    const tail = next.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return next;
  };
  return {
    provision: (tenantId, servicePrincipalId, jobId, request) => oneAtATime(connectorSpaceIdOf(tenantId, jobId), async () => {
      await options.configurations.getJob(tenantId, servicePrincipalId, jobId);
      const job = await options.port.readJob(tenantId, jobId);
      if (job.domain === undefined) {
        throw new CloudsyncError('ERR_SYNC_CONFIG_NOT_READY',
          `job ${jobId} has no Domain secret: PUT …/servicePrincipals/${servicePrincipalId}/synchronization/secrets with the on-premises domain before provisioning on demand`,
          { path: 'secrets.Domain' });
      }
      const connector = await options.connectors.connectorFor(job.domain, tenantId);
      if (connector === undefined) {
        throw new CloudsyncError('ERR_SYNC_ON_DEMAND_NO_AGENT',
          `No agent for domain ${job.domain} (job ${jobId}): no provisioning agent serving this domain is connected, so the object cannot be read. ` +
          `Run cloudsync agent --domain ${job.domain} next to the domain (or cloudsync server --embedded-agent --domain ${job.domain}) and try again.`,
          { details: { domain: job.domain } });
      }
      const configurationId = connectorSpaceIdOf(tenantId, jobId);
      return provisionOnDemand(
        {
          source: connector.source,
          target: cloudDirectoryTarget(options.directory, tenantId),
          connectorSpace: new SqlConnectorSpace(options.store, configurationId, { clock }),
          log: options.log,
          clock,
        },
        {
          id: configurationId,
          schema: compileSynchronizationSchema(job.schema),
          domain: { dnsDomainName: job.domain, ...(connector.netBiosName === undefined ? {} : { netBiosName: connector.netBiosName }) },
        },
        request,
      );
    }),
  };
}
