/**
 * The port the engine and its scheduler use to reach configurations (declared here, next to its
 * implementation in synchronization-store.ts, because the API and the engine share it; the engine may narrow it
 * further). The API owns what an admin sets (schedule, schema, secrets, start/pause/restart requests); the
 * engine owns what a cycle learns (executions, progress, quarantine, counts) and writes it only through here.
 *
 * A scheduler loop looks like:
 *
 *   for (const due of await port.listRunnableJobs(now)) {
 *     const job = await port.readJob(due.tenantId, due.jobId);   // schema, secrets, requests (restart, full)
 *     … run a cycle; call port.recordProgress(…) as it goes …
 *     await port.recordExecution(due.tenantId, due.jobId, { execution, acknowledged: job.requestsVersion, … });
 *   }
 *
 * Requests (restart with its reset scope, full re-evaluation after a schema change, run now) stay pending until
 * recordExecution acknowledges the version of them that the cycle saw; a request made during the cycle survives.
 */
import type { SynchronizationSchema } from '../schema/index.ts';
import type { Secrets } from './synchronization-secrets.ts';
import type {
  PendingRequests,
  ScheduleState,
  StringKeyLongValuePair,
  SynchronizationJob,
  SynchronizationProgress,
  SynchronizationQuarantine,
  SynchronizationTaskExecution,
} from './synchronization-job.ts';

export interface RunnableJob {
  readonly tenantId: string;
  readonly servicePrincipalId: string;
  readonly jobId: string;
  readonly templateId: string;
  readonly intervalSeconds: number;
  /** When the job is due: now for a never-run job or a pending request, else last execution end + interval. */
  readonly dueAt: Date;
}

export interface JobSnapshot {
  readonly tenantId: string;
  readonly servicePrincipalId: string;
  readonly job: SynchronizationJob;
  readonly scheduleState: ScheduleState;
  readonly intervalSeconds: number;
  /** Parsed and validated (the same model a PUT went through). */
  readonly schema: SynchronizationSchema;
  /** Unsealed; keep them out of logs. Empty when none were PUT. */
  readonly secrets: Secrets;
  /** From the Domain secret (lower case). */
  readonly domain: string | undefined;
  readonly passwordHashSync: boolean;
  readonly requests: PendingRequests;
  /** Pass back as `acknowledged` to clear exactly the requests this snapshot carried. */
  readonly requestsVersion: number;
}

export interface ExecutionRecord {
  readonly execution: SynchronizationTaskExecution;
  /** Replaces the job's synchronizedEntryCountByType when given ("user to User": 3). */
  readonly synchronizedEntryCountByType?: readonly StringKeyLongValuePair[];
  /** Quarantine decided by the engine's safety rules; null lifts it; undefined leaves it as it is. */
  readonly quarantine?: SynchronizationQuarantine | null;
  /** The cycle reached steady state (initial full sync done, nothing left to process). */
  readonly steadyState?: boolean;
  readonly escrowsPruned?: boolean;
  /** requestsVersion of the snapshot the cycle ran with. */
  readonly acknowledged?: number;
}

export interface SynchronizationEnginePort {
  /** Active jobs across tenants whose dueAt ≤ now, oldest due first. */
  listRunnableJobs(now: Date, limit?: number): Promise<readonly RunnableJob[]>;
  readJob(tenantId: string, jobId: string): Promise<JobSnapshot>;
  /** Replaces the job's progress list (synchronizationProgress). */
  recordProgress(tenantId: string, jobId: string, progress: readonly SynchronizationProgress[]): Promise<void>;
  /** A finished cycle: lastExecution, lastSuccessfulExecution(WithExports), failure counter, counts, quarantine. */
  recordExecution(tenantId: string, jobId: string, record: ExecutionRecord): Promise<SynchronizationJob>;
}
