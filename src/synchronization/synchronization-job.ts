/**
 * A synchronization job as Graph represents it (synchronizationJob, synchronizationSchedule,
 * synchronizationStatus, synchronizationTaskExecution, synchronizationProgress, synchronizationQuarantine), and
 * the job's state machine.
 *
 * State machine (schedule.state / status.code). Transitions happen only through `transitionJob`:
 *
 *   created ──────────▶ Disabled / Paused          (Graph: "The job is created in a disabled state")
 *   start   (any) ────▶ Active / Active           clears quarantine (Graph: "If the job is in quarantine, the
 *                                                  quarantine status is cleared"); a paused job resumes
 *   pause   (any) ────▶ Paused / Paused           state kept: the engine resumes from its watermark
 *   restart (any) ────▶ Active / Active           records the reset scope for the engine; QuarantineState clears
 *                                                  the quarantine here at once
 *   engine  Active ───▶ Active / Quarantine       recordExecution with a quarantine (and back when lifted)
 *
 * Status fields the engine owns (lastExecution, progress, counts) are written only through the engine port.
 */
import type { ResetScope } from './reset-scope.ts';

export const SCHEDULE_STATES = ['Active', 'Disabled', 'Paused'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

export const STATUS_CODES = ['NotConfigured', 'NotRun', 'Active', 'Paused', 'Quarantine'] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

export const EXECUTION_STATES = ['Succeeded', 'Failed', 'EntryLevelErrors'] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

export const QUARANTINE_REASONS = [
  'EncounteredBaseEscrowThreshold',
  'EncounteredTotalEscrowThreshold',
  'EncounteredEscrowProportionThreshold',
  'EncounteredQuarantineException',
  'Unknown',
  'QuarantinedOnDemand',
  'TooManyDeletes',
  'IngestionInterrupted',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

export interface SynchronizationError {
  readonly code: string;
  readonly message: string;
  readonly tenantActionable: boolean;
}

export interface SynchronizationTaskExecution {
  readonly activityIdentifier: string;
  readonly countEntitled: number;
  readonly countEntitledForProvisioning: number;
  readonly countEscrowed: number;
  readonly countEscrowedRaw: number;
  readonly countExported: number;
  readonly countExports: number;
  readonly countImported: number;
  readonly countImportedDeltas: number;
  readonly countImportedReferenceDeltas: number;
  readonly error: SynchronizationError | null;
  readonly state: ExecutionState;
  readonly timeBegan: string;
  readonly timeEnded: string;
}

export interface SynchronizationProgress {
  readonly completedUnits: number;
  readonly progressObservationDateTime: string;
  readonly totalUnits: number;
  readonly units: string;
}

export interface SynchronizationQuarantine {
  readonly currentBegan: string;
  readonly nextAttempt: string;
  readonly reason: QuarantineReason;
  readonly seriesBegan: string;
  readonly seriesCount: number;
  readonly error: SynchronizationError | null;
}

export interface StringKeyLongValuePair {
  readonly key: string;
  readonly value: number;
}

export interface SynchronizationStatus {
  readonly code: StatusCode;
  readonly countSuccessiveCompleteFailures: number;
  readonly escrowsPruned: boolean;
  readonly lastExecution: SynchronizationTaskExecution | null;
  readonly lastSuccessfulExecution: SynchronizationTaskExecution | null;
  readonly lastSuccessfulExecutionWithExports: SynchronizationTaskExecution | null;
  readonly progress: readonly SynchronizationProgress[];
  readonly quarantine: SynchronizationQuarantine | null;
  readonly steadyStateFirstAchievedTime: string;
  readonly steadyStateLastAchievedTime: string;
  readonly synchronizedEntryCountByType: readonly StringKeyLongValuePair[];
  readonly troubleshootingUrl: string | null;
}

export interface SynchronizationSchedule {
  readonly expiration: string | null;
  readonly interval: string;
  readonly state: ScheduleState;
}

/** Graph's synchronizationJob resource (without its schema, which has its own URL). */
export interface SynchronizationJob {
  readonly id: string;
  readonly templateId: string;
  readonly schedule: SynchronizationSchedule;
  readonly status: SynchronizationStatus;
  readonly synchronizationJobSettings: readonly { readonly name: string; readonly value: string }[];
}

/** Requests the API records for the engine, which acknowledges them once acted on (see the engine port). */
export interface PendingRequests {
  /** Set by restart: what to reset before the next cycle. */
  readonly restart: { readonly resetScope: readonly ResetScope[]; readonly requestedDateTime: string } | null;
  /** Set by a schema PUT (and by restart with Full): the next cycle re-evaluates every object. */
  readonly fullReevaluation: boolean;
  /** Set by start/restart: run a cycle now rather than at the next interval. */
  readonly runNow: boolean;
}

export const NO_REQUESTS: PendingRequests = Object.freeze({ restart: null, fullReevaluation: false, runNow: false });

/** Graph prints "never" as the minimum DateTimeOffset. */
export const NEVER = '0001-01-01T00:00:00Z';

export function initialStatus(): SynchronizationStatus {
  return {
    code: 'Paused',
    countSuccessiveCompleteFailures: 0,
    escrowsPruned: false,
    lastExecution: null,
    lastSuccessfulExecution: null,
    lastSuccessfulExecutionWithExports: null,
    progress: [],
    quarantine: null,
    steadyStateFirstAchievedTime: NEVER,
    steadyStateLastAchievedTime: NEVER,
    synchronizedEntryCountByType: [],
    troubleshootingUrl: null,
  };
}

export type JobTransition =
  | { readonly kind: 'start'; readonly now: Date }
  | { readonly kind: 'pause'; readonly now: Date }
  | { readonly kind: 'restart'; readonly now: Date; readonly resetScope: readonly ResetScope[] };

export interface JobState {
  readonly scheduleState: ScheduleState;
  readonly status: SynchronizationStatus;
  readonly requests: PendingRequests;
}

/** The one function that moves a job between states on an admin's request. */
export function transitionJob(state: JobState, transition: JobTransition): JobState {
  switch (transition.kind) {
    case 'start':
      return {
        scheduleState: 'Active',
        status: { ...state.status, code: 'Active', quarantine: null },
        requests: { ...state.requests, runNow: true },
      };
    case 'pause':
      return { scheduleState: 'Paused', status: { ...state.status, code: 'Paused', progress: [] }, requests: { ...state.requests, runNow: false } };
    case 'restart': {
      const clearsQuarantine = transition.resetScope.includes('QuarantineState');
      return {
        scheduleState: 'Active',
        status: {
          ...state.status,
          code: clearsQuarantine || state.status.quarantine === null ? 'Active' : 'Quarantine',
          quarantine: clearsQuarantine ? null : state.status.quarantine,
          ...(clearsQuarantine ? { countSuccessiveCompleteFailures: 0 } : {}),
        },
        requests: {
          restart: { resetScope: transition.resetScope, requestedDateTime: transition.now.toISOString() },
          fullReevaluation: state.requests.fullReevaluation || transition.resetScope.includes('Full'),
          runNow: true,
        },
      };
    }
  }
}
