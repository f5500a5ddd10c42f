/**
 * Synchronization configurations: service principals, their secrets and jobs (schedule, status, schema), as the
 * Graph synchronization API exposes them, and the port through which the engine reads and reports on them.
 */
export {
  createSynchronizationStore,
  CLOUD_SYNC_APPLICATION_TEMPLATE_ID,
  APPLICATION_TEMPLATE_IDS,
  type SynchronizationStore,
  type SynchronizationStoreOptions,
  type SynchronizationConfigurations,
  type ServicePrincipal,
  type InstantiatedApplication,
  type SchedulePatch,
  type SynchronizationTemplate,
} from './synchronization-store.ts';
export type { SynchronizationEnginePort, RunnableJob, JobSnapshot, ExecutionRecord } from './engine-port.ts';
export {
  SCHEDULE_STATES,
  STATUS_CODES,
  EXECUTION_STATES,
  QUARANTINE_REASONS,
  NEVER,
  NO_REQUESTS,
  initialStatus,
  transitionJob,
  type ScheduleState,
  type StatusCode,
  type ExecutionState,
  type QuarantineReason,
  type SynchronizationJob,
  type SynchronizationSchedule,
  type SynchronizationStatus,
  type SynchronizationTaskExecution,
  type SynchronizationProgress,
  type SynchronizationQuarantine,
  type SynchronizationError,
  type StringKeyLongValuePair,
  type PendingRequests,
  type JobState,
  type JobTransition,
} from './synchronization-job.ts';
export { RESET_SCOPES, DEFAULT_RESET_SCOPE, parseResetScope, type ResetScope } from './reset-scope.ts';
export { parseInterval, MINIMUM_INTERVAL_SECONDS, DEFAULT_INTERVAL } from './iso-duration.ts';
export {
  KNOWN_SECRET_KEYS,
  APP_KEY_SCENARIOS,
  parseSecretsBody,
  secretFacts,
  deriveSecretsKey,
  sealSecrets,
  openSecrets,
  type Secrets,
  type SecretFacts,
} from './synchronization-secrets.ts';
export {
  applyResetScope,
  createJobScheduler,
  defaultQuarantinePolicy,
  connectorSpaceIdOf,
  sourceConnectorRegistry,
  NO_ACTIVE_AGENTS,
  type CycleOutcome,
  type JobScheduler,
  type SchedulerOptions,
  type SchedulerTimers,
  type SourceConnectorRegistry,
} from './scheduler.ts';
export { createDeleteProtectionStore, type DeleteProtectionStore, type HeldDeletions } from './delete-protection-store.ts';
export { notificationSettingsOf, pendingDeleteResource, reasonSummary, DEFAULT_DELETE_THRESHOLD, type NotificationSettings, type PendingDeleteResource } from './delete-protection.ts';
export {
  decideQuarantine,
  nextAttemptAfter,
  parseRetrySchedule,
  PERMANENT_CYCLE_ERRORS,
  QUARANTINE_REASON_TEXT,
  type CycleVerdict,
  type QuarantinePolicy,
} from './quarantine-policy.ts';
