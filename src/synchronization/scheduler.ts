/**
 * The job scheduler: runs synchronization cycles of the active jobs when they are due, through the engine port.
 *
 *   - A job is due when listRunnableJobs says so: never run, a pending request (start, restart, schema PUT), or
 *     its last execution ended schedule.interval ago.
 *   - The first cycle of a job, and the one after a schema PUT or a restart with Full, is a full cycle; the
 *     others are `auto` (delta when the source supports it and a watermark exists).
 *   - A restart's reset scope is applied to the job's connector space before the cycle: Watermark →
 *     setWatermark(null), Escrows → clearEscrows(), Full → clear(), ForceDeletes → allowDeletes for this cycle.
 *   - One cycle per job at a time, in this process. Jobs run concurrently with each other.
 *   - Source connectors come from the connectors registered for the job's Domain secret (the embedded agent); a
 *     job whose domain has no connector records a failed execution saying so (Entra's
 *     HybridIdentityServiceNoActiveAgents) and is tried again after its interval.
 *   - stop() aborts the running cycles through their abort signal and waits for them; an aborted cycle records
 *     nothing, so its requests stay pending for the next start.
 *
 * Time and timers are injected: tests call tick() with their own clock and never wait for a timer.
 */
import {
  cloudDirectoryTarget,
  runSynchronizationCycle,
  SqlConnectorSpace,
  systemClock,
  type Clock,
  type ConnectorSpace,
  type ConnectorSpaceStore,
  type CycleProgress,
  type CycleReport,
  type EngineSource,
  type ProvisioningLogSink,
} from '../engine/index.ts';
import type { CloudDirectory } from '../directory/index.ts';
import { compileSynchronizationSchema } from '../schema/index.ts';
import { CloudsyncError } from '../errors/index.ts';
import type { JobSnapshot, RunnableJob, SynchronizationEnginePort } from './engine-port.ts';
import type { SynchronizationError, SynchronizationTaskExecution } from './synchronization-job.ts';
import type { ResetScope } from './reset-scope.ts';

/** Graph's status error code when no provisioning agent serves the job's domain. */
export const NO_ACTIVE_AGENTS = 'HybridIdentityServiceNoActiveAgents';

/**
 * The source connectors that serve a job, by its tenant and domain (lower case): the embedded agent's, or one served
 * by a connected on-premises agent (src/agents), which may take a moment to find after a restart — hence a promise.
 */
export interface SourceConnectorRegistry {
  connectorFor(
    domain: string,
    tenantId: string,
  ): { readonly source: EngineSource; readonly netBiosName?: string } | undefined | Promise<{ readonly source: EngineSource; readonly netBiosName?: string } | undefined>;
}

export function sourceConnectorRegistry(
  entries: readonly { readonly domain: string; readonly source: EngineSource; readonly netBiosName?: string }[],
): SourceConnectorRegistry {
  const byDomain = new Map(entries.map((entry) => [entry.domain.toLowerCase(), entry]));
  return { connectorFor: (domain) => byDomain.get(domain.toLowerCase()) };
}

export interface SchedulerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CycleOutcome {
  readonly tenantId: string;
  readonly jobId: string;
  readonly execution: SynchronizationTaskExecution;
  readonly report: CycleReport | undefined;
}

export interface SchedulerOptions {
  readonly port: SynchronizationEnginePort;
  readonly directory: CloudDirectory;
  readonly store: ConnectorSpaceStore;
  readonly connectors: SourceConnectorRegistry;
  readonly log?: ProvisioningLogSink;
  readonly clock?: Clock;
  readonly timers?: SchedulerTimers;
  /** How often start() looks for due jobs. Default 1 s. */
  readonly pollIntervalMs?: number;
  /** Every engine progress report (a CLI progress bar). */
  readonly onProgress?: (job: { readonly tenantId: string; readonly jobId: string }, progress: CycleProgress) => void;
  /** Every recorded execution. */
  readonly onCycle?: (outcome: CycleOutcome) => void;
  /** Errors of the scheduler itself (the store unreachable), never a job's. */
  readonly onError?: (error: unknown) => void;
}

export interface JobScheduler {
  /** Looks for due jobs now and every pollIntervalMs. */
  start(): void;
  /** Starts the cycles of the jobs due now and waits for them (tests drive the scheduler with this). */
  tick(): Promise<void>;
  /** Aborts running cycles and waits until they have stopped. */
  stop(): Promise<void>;
}

const DISCARD_LOG: ProvisioningLogSink = { write: async () => undefined };

/** The connector space of a job: jobs of different tenants never share one. */
export function connectorSpaceIdOf(tenantId: string, jobId: string): string {
  return `${tenantId}/${jobId}`;
}

export function createJobScheduler(options: SchedulerOptions): JobScheduler {
  const clock = options.clock ?? systemClock;
  const timers: SchedulerTimers = options.timers ?? {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
  const pollMs = options.pollIntervalMs ?? 1000;
  const running = new Map<string, Promise<void>>();
  const abort = new AbortController();
  let timer: unknown;
  let stopped = false;

  function launch(due: RunnableJob): Promise<void> {
    const key = connectorSpaceIdOf(due.tenantId, due.jobId);
    const existing = running.get(key);
    if (existing !== undefined) return existing;
    const promise = runJob(due)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => running.delete(key));
    running.set(key, promise);
    return promise;
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    const due = await options.port.listRunnableJobs(clock());
    await Promise.all(due.map((job) => launch(job)));
  }

  function schedule(): void {
    if (stopped) return;
    timer = timers.setTimeout(() => {
      // Do not wait for the cycles: a long cycle of one job must not delay another job's.
      options.port
        .listRunnableJobs(clock())
        .then((due) => {
          if (!stopped) for (const job of due) void launch(job);
        })
        .catch((error: unknown) => options.onError?.(error))
        .finally(schedule);
    }, pollMs);
    (timer as { unref?: () => void } | undefined)?.unref?.();
  }

  async function runJob(due: RunnableJob): Promise<void> {
    const began = clock();
    const job = await options.port.readJob(due.tenantId, due.jobId);
    const record = async (execution: SynchronizationTaskExecution, report: CycleReport | undefined, steadyState: boolean): Promise<void> => {
      await options.port.recordExecution(due.tenantId, due.jobId, { execution, acknowledged: job.requestsVersion, steadyState });
      options.onCycle?.({ tenantId: due.tenantId, jobId: due.jobId, execution, report });
    };
    const connector = job.domain === undefined ? undefined : await options.connectors.connectorFor(job.domain, due.tenantId);
    if (job.domain === undefined || connector === undefined) {
      const message =
        job.domain === undefined
          ? 'The job has no Domain secret; PUT secrets with the on-premises domain before starting it.'
          : `No agent for domain ${job.domain}: no provisioning agent serving this domain is connected (run cloudsync agent --domain ${job.domain} next to the domain, or cloudsync server --embedded-agent --domain ${job.domain}).`;
      await record(failedExecution(job, began, clock(), { code: NO_ACTIVE_AGENTS, message, tenantActionable: true }), undefined, false);
      return;
    }

    const connectorSpace = new SqlConnectorSpace(options.store, connectorSpaceIdOf(due.tenantId, due.jobId), { clock });
    const { allowDeletes, fullCycle } = await applyResetScope(connectorSpace, job.requests.restart?.resetScope ?? []);
    const full = job.requests.fullReevaluation || fullCycle;
    const progressOf = (progress: CycleProgress) => [
      { completedUnits: progress.exported, totalUnits: progress.imported, units: `${progress.step} (${progress.mode})`, progressObservationDateTime: clock().toISOString() },
    ];
    let progressWrite: Promise<void> = Promise.resolve();
    try {
      const report = await runSynchronizationCycle(
        {
          source: connector.source,
          target: cloudDirectoryTarget(options.directory, due.tenantId),
          connectorSpace,
          log: options.log ?? DISCARD_LOG,
          clock,
          signal: abort.signal,
          onProgress: (progress) => {
            options.onProgress?.({ tenantId: due.tenantId, jobId: due.jobId }, progress);
            // One write at a time, in order; a failed progress write is not the cycle's failure.
            progressWrite = progressWrite
              .then(() => options.port.recordProgress(due.tenantId, due.jobId, progressOf(progress)))
              .catch((error: unknown) => options.onError?.(error));
          },
        },
        {
          id: connectorSpaceIdOf(due.tenantId, due.jobId),
          schema: compileSynchronizationSchema(job.schema),
          domain: { dnsDomainName: job.domain, ...(connector.netBiosName === undefined ? {} : { netBiosName: connector.netBiosName }) },
          ...(allowDeletes ? { allowDeletes: true } : {}),
        },
        { mode: full ? 'full' : 'auto' },
      );
      await progressWrite;
      await record(reportExecution(began, clock(), report), report, report.failed === 0);
    } catch (error) {
      await progressWrite;
      if (abort.signal.aborted) return; // stopped: record nothing, the requests stay pending
      await record(failedExecution(job, began, clock(), errorOf(error)), undefined, false);
    }
  }

  return {
    start() {
      if (timer === undefined && !stopped) {
        void tick().catch((error: unknown) => options.onError?.(error));
        schedule();
      }
    },
    tick,
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      abort.abort(new CloudsyncError('ERR_SYNC_CYCLE_ABORTED', 'the service is stopping'));
      await Promise.allSettled([...running.values()]);
    },
  };
}

/**
 * A restart's reset scope, applied to the job's connector space before its next cycle: Watermark →
 * setWatermark(null), Escrows → clearEscrows(), Full → clear() (which also forgets the watermark and escrows) and a
 * full cycle, ForceDeletes → the accidental-delete threshold is lifted for that one cycle. QuarantineState needs
 * nothing here (the restart itself lifts the quarantine); None and ConnectorDataStore do nothing.
 */
export async function applyResetScope(
  connectorSpace: Pick<ConnectorSpace, 'clear' | 'setWatermark' | 'clearEscrows'>,
  resetScope: readonly ResetScope[],
): Promise<{ readonly allowDeletes: boolean; readonly fullCycle: boolean }> {
  if (resetScope.includes('Full')) await connectorSpace.clear();
  else {
    if (resetScope.includes('Watermark')) await connectorSpace.setWatermark(null);
    if (resetScope.includes('Escrows')) await connectorSpace.clearEscrows();
  }
  return { allowDeletes: resetScope.includes('ForceDeletes'), fullCycle: resetScope.includes('Full') };
}

function errorOf(error: unknown): SynchronizationError {
  if (error instanceof CloudsyncError && error.code === 'ERR_SYNC_DELETE_THRESHOLD') {
    return {
      code: error.code,
      message: `${error.message} Nothing was deleted. (Quarantine with reason TooManyDeletes is not implemented yet; the job retries at its next interval and stops at the threshold again.) To approve the deletions, restart the job with resetScope ForceDeletes.`,
      tenantActionable: true,
    };
  }
  if (error instanceof CloudsyncError) return { code: error.code, message: error.message, tenantActionable: false };
  return { code: 'InternalError', message: error instanceof Error ? error.message : String(error), tenantActionable: false };
}

const ZERO_COUNTS = {
  countEntitled: 0, countEntitledForProvisioning: 0, countEscrowed: 0, countEscrowedRaw: 0, countExported: 0, countExports: 0,
  countImported: 0, countImportedDeltas: 0, countImportedReferenceDeltas: 0,
} as const;

function failedExecution(job: JobSnapshot, began: Date, ended: Date, error: SynchronizationError): SynchronizationTaskExecution {
  return {
    activityIdentifier: `${job.job.id}:${began.toISOString()}`, ...ZERO_COUNTS, error, state: 'Failed',
    timeBegan: began.toISOString(), timeEnded: ended.toISOString(),
  };
}

function reportExecution(began: Date, ended: Date, report: CycleReport): SynchronizationTaskExecution {
  const exports = report.created + report.updated + report.deleted + report.restored;
  const entitled = exports + report.unchanged + report.failed;
  return {
    activityIdentifier: report.cycleId,
    countEntitled: entitled,
    countEntitledForProvisioning: entitled,
    countEscrowed: report.failed,
    countEscrowedRaw: report.failed,
    countExported: exports,
    countExports: exports + report.referencesAdded + report.referencesRemoved,
    countImported: report.imported,
    countImportedDeltas: report.mode === 'delta' ? report.imported : 0,
    countImportedReferenceDeltas: 0,
    error: report.failed === 0 ? null : { code: 'EntryLevelErrors', message: `${report.failed} object(s) failed; see the provisioning log. They are retried (escrow).`, tenantActionable: false },
    state: report.failed === 0 ? 'Succeeded' : 'EntryLevelErrors',
    timeBegan: began.toISOString(),
    timeEnded: ended.toISOString(),
  };
}
