/**
 * The job scheduler: runs synchronization cycles of the active jobs when they are due, through the engine port.
 *
 *   - A job is due when listRunnableJobs says so: never run, a pending request (start, restart, schema PUT), or
 *     its last execution ended schedule.interval ago.
 *   - The first cycle of a job, and the one after a schema PUT or a restart with Full, is a full cycle; the
 *     others are `auto` (delta when the source supports it and a watermark exists).
 *   - A restart's reset scope is applied to the job's connector space before the cycle: Watermark →
 *     setWatermark(null), Escrows → clearEscrows(), Full → clear(), ForceDeletes → allowDeletes for this cycle.
 *   - Accidental-delete protection (delete-protection.ts): the threshold comes from the SyncNotificationSettings
 *     secret (default on, 500). A cycle that trips it ends with the complete list of held deletions, which is
 *     stored (delete-protection-store.ts) for the API and the CLI, and quarantines the job (TooManyDeletes).
 *     While a job is quarantined for that, every deletion is held (threshold 1) unless approved: all of them by
 *     restart with ForceDeletes, a chosen subset by POST …/pendingDeletes/approve (their anchors go to the engine).
 *   - Quarantine (quarantine-policy.ts) is decided after every cycle and recorded with the execution; a
 *     quarantined job is due again at quarantine.nextAttempt (the store's listRunnableJobs), or at once on an
 *     admin's request. One successful cycle lifts it.
 *   - Per-object failures are escrowed by the engine and retried with backoff (escrowRetryBase doubling up to
 *     escrowRetryMax, passed from here); they never fail the cycle, but too many of them quarantine the job.
 *   - Notifications: when the quarantine begins or its reason changes, the notifier emails the configuration's
 *     recipients (once per event, see src/notifications) — after the execution is recorded, so a failing mail
 *     server never loses the status.
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
import type { StringKeyLongValuePair, SynchronizationError, SynchronizationQuarantine, SynchronizationTaskExecution } from './synchronization-job.ts';
import type { ResetScope } from './reset-scope.ts';
import type { PendingDeletion } from '../engine/index.ts';
import type { QuarantineNotifier } from '../notifications/index.ts';
import { notificationSettingsOf, reasonSummary } from './delete-protection.ts';
import type { DeleteProtectionStore } from './delete-protection-store.ts';
import { decideQuarantine, parseRetrySchedule, type CycleVerdict, type QuarantinePolicy } from './quarantine-policy.ts';
import { DEFAULTS } from '../server/defaults.ts';

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
  /** Errors of the scheduler itself (the store unreachable, the mail server refusing), never a job's. */
  readonly onError?: (error: unknown) => void;
  /** Where held deletions are kept for the API and the CLI (without it they are only in the status message). */
  readonly deleteProtection?: DeleteProtectionStore;
  /** Emails on quarantine (without it none are sent). */
  readonly notifier?: QuarantineNotifier;
  /** Default: the defaults table (src/server/defaults.ts). */
  readonly quarantine?: Partial<QuarantinePolicy>;
  /** Escrow retry delays of per-object failures, seconds. Default: escrowRetryBase / escrowRetryMax. */
  readonly escrowRetry?: { readonly baseSeconds: number; readonly maxSeconds: number };
}

/** The quarantine policy of the defaults table. */
export function defaultQuarantinePolicy(): QuarantinePolicy {
  return {
    retryScheduleSeconds: parseRetrySchedule(DEFAULTS.quarantineRetrySchedule.value),
    afterFailedCycles: DEFAULTS.quarantineAfterFailedCycles.value,
    escrowMinimum: DEFAULTS.escrowQuarantineMinimum.value,
    escrowProportion: DEFAULTS.escrowQuarantineProportion.value,
    escrowTotal: DEFAULTS.escrowQuarantineTotal.value,
  };
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
  const policy: QuarantinePolicy = { ...defaultQuarantinePolicy(), ...options.quarantine };
  const escrowRetry = options.escrowRetry ?? { baseSeconds: DEFAULTS.escrowRetryBase.value, maxSeconds: DEFAULTS.escrowRetryMax.value };
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
    const settings = notificationSettingsOf(job.secrets, DEFAULTS.deleteThreshold.value);
    const previous = job.job.status.quarantine;
    let held: { readonly threshold: number; readonly deletions: readonly PendingDeletion[] } | undefined;

    const record = async (execution: SynchronizationTaskExecution, report: CycleReport | undefined, verdict: CycleVerdict): Promise<void> => {
      const quarantine = decideQuarantine(previous, verdict, clock(), policy);
      await options.port.recordExecution(due.tenantId, due.jobId, {
        execution, acknowledged: job.requestsVersion, steadyState: verdict.kind === 'completed' && verdict.failed === 0, quarantine,
        ...(report?.synchronized === undefined ? {} : { synchronizedEntryCountByType: synchronizedEntryCounts(report.synchronized) }),
      });
      options.onCycle?.({ tenantId: due.tenantId, jobId: due.jobId, execution, report });
      if (quarantine !== null) await notify(job, settings.recipients, settings.enabled, quarantine, held);
    };
    const connector = job.domain === undefined ? undefined : await options.connectors.connectorFor(job.domain, due.tenantId);
    if (job.domain === undefined || connector === undefined) {
      const message =
        job.domain === undefined
          ? 'The job has no Domain secret; PUT secrets with the on-premises domain before starting it.'
          : `No agent for domain ${job.domain}: no provisioning agent serving this domain is connected (run cloudsync agent --domain ${job.domain} next to the domain, or cloudsync server --embedded-agent --domain ${job.domain}).`;
      const error = { code: NO_ACTIVE_AGENTS, message, tenantActionable: true };
      await record(failedExecution(job, began, clock(), error), undefined, { kind: 'failed', error, successiveFailures: job.job.status.countSuccessiveCompleteFailures + 1 });
      return;
    }

    const connectorSpace = new SqlConnectorSpace(options.store, connectorSpaceIdOf(due.tenantId, due.jobId), { clock });
    const { allowDeletes, fullCycle } = await applyResetScope(connectorSpace, job.requests.restart?.resetScope ?? []);
    const full = job.requests.fullReevaluation || fullCycle;
    const heldBefore = await options.deleteProtection?.read(due.tenantId, due.jobId);
    // Quarantined for too many deletions: nothing more is deleted without approval until the quarantine ends.
    const deleteThreshold = settings.deleteThreshold === null ? null : previous?.reason === 'TooManyDeletes' ? 1 : settings.deleteThreshold;
    const progressOf = (progress: CycleProgress) => [
      { completedUnits: progress.exported, totalUnits: progress.imported, units: `${progress.step} (${progress.mode})`, progressObservationDateTime: clock().toISOString() },
    ];
    let progressWrite: Promise<void> = Promise.resolve();
    let report: CycleReport;
    try {
      report = await runSynchronizationCycle(
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
          deleteThreshold,
          escrowBaseDelayMs: escrowRetry.baseSeconds * 1000,
          escrowMaxDelayMs: escrowRetry.maxSeconds * 1000,
          ...(allowDeletes ? { allowDeletes: true } : {}),
          reconciliationIntervalMs: DEFAULTS.reconciliationInterval.value * 1000,
          ...(heldBefore !== undefined && heldBefore.approved.size > 0 ? { approvedDeletes: heldBefore.approved } : {}),
        },
        { mode: full ? 'full' : 'auto' },
      );
    } catch (error) {
      await progressWrite;
      if (abort.signal.aborted) return; // stopped: record nothing, the requests stay pending
      const failure = errorOf(error);
      if (failure.code === 'ERR_SYNC_DELETE_THRESHOLD') {
        const details = (error as CloudsyncError).details as { threshold?: number; pendingDeletes?: PendingDeletion[] } | undefined;
        held = { threshold: settings.deleteThreshold ?? details?.threshold ?? 0, deletions: details?.pendingDeletes ?? [] };
        await options.deleteProtection?.hold(due.tenantId, due.jobId, held.threshold, held.deletions, clock());
        const message = `${held.deletions.length} deletion(s) held back by the accidental-delete threshold of ${held.threshold}: ${reasonSummary(held.deletions)}. ` +
          'Nothing was deleted. Review them (GET …/pendingDeletes, cloudsync config pending-deletes), then allow them (restart with resetScope ForceDeletes, ' +
          'cloudsync config allow-deletes [--only DN…]) or fix the scope or the source and restart the job.';
        const thresholdError = { code: failure.code, message, tenantActionable: true };
        await record(failedExecution(job, began, clock(), thresholdError), undefined, { kind: 'deleteThreshold', error: thresholdError });
      } else {
        await record(failedExecution(job, began, clock(), failure), undefined, { kind: 'failed', error: failure, successiveFailures: job.job.status.countSuccessiveCompleteFailures + 1 });
      }
      return;
    }
    await progressWrite;
    if (heldBefore !== undefined) await options.deleteProtection?.clear(due.tenantId, due.jobId);
    const processed = report.created + report.updated + report.deleted + report.restored + report.unchanged + report.failed;
    await record(reportExecution(began, clock(), report), report, { kind: 'completed', failed: report.failed, processed });
  }

  /** The quarantine email, once per event; a mail server refusing is the operator's problem, not the job's. */
  async function notify(
    job: JobSnapshot,
    recipients: readonly string[],
    enabled: boolean,
    quarantine: SynchronizationQuarantine,
    held: { readonly threshold: number; readonly deletions: readonly PendingDeletion[] } | undefined,
  ): Promise<void> {
    if (options.notifier === undefined || !enabled) return;
    let pendingDeletes = held;
    if (pendingDeletes === undefined && quarantine.reason === 'TooManyDeletes') {
      const stored = await options.deleteProtection?.read(job.tenantId, job.job.id);
      if (stored !== undefined) pendingDeletes = { threshold: stored.threshold, deletions: stored.deletions };
    }
    try {
      await options.notifier.quarantined({
        tenantId: job.tenantId, servicePrincipalId: job.servicePrincipalId, jobId: job.job.id, domain: job.domain, recipients, quarantine,
        ...(pendingDeletes === undefined ? {} : { pendingDeletes }),
      });
    } catch (error) {
      options.onError?.(error);
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

/** A whole cycle's failure for the status: the connector's message names the request that failed. */
function errorOf(error: unknown): SynchronizationError {
  if (error instanceof CloudsyncError) {
    const tenantActionable = error.code.startsWith('ERR_LDAP_') || error.code === 'ERR_SYNC_DELETE_THRESHOLD';
    return { code: error.code, message: error.message, tenantActionable };
  }
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

/** Graph's stringKeyLongValuePair keys name the mapping, source type to target type ("user to user"). */
function synchronizedEntryCounts(counts: NonNullable<CycleReport['synchronized']>): StringKeyLongValuePair[] {
  return counts.map((c) => ({ key: `${c.sourceType} to ${c.targetType}`, value: c.count }));
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
