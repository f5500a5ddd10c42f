/**
 * The synchronization engine: one cycle of a configuration, from a source connector into the cloud directory.
 * Pure apart from its ports (source, target, connector space, provisioning log, clock).
 */
export {
  BATCH_STEPS,
  CYCLE_MODES,
  CYCLE_STEPS,
  LOG_WRITES_IN_FLIGHT,
  PLAN_KINDS,
  fitUpnSuffix,
  runSynchronizationCycle,
  type CycleMode,
  type CycleProgress,
  type CycleReport,
  type EngineDependencies,
  type EngineSource,
  type PlanKind,
  type SynchronizationConfiguration,
} from './synchronization-cycle.ts';
export { CONNECTOR_SPACE_STATES, NO_ESCROW, type ConnectorSpace, type ConnectorSpaceEntry, type ConnectorSpaceState, type EscrowState, type ReferenceSet, type SynchronizedCount } from './connector-space.ts';
export { MemoryConnectorSpace } from './memory-connector-space.ts';
export { SqlConnectorSpace, type ConnectorSpaceStore } from './sql-connector-space.ts';
export { TARGET_TYPES, type ReferenceLink, type ReferenceLinkResult, type TargetDirectory, type TargetObject, type TargetType, type TargetUpdate, type TargetValue, type TargetWriteResult, type TenantDomains } from './target-directory.ts';
export { cloudDirectoryTarget } from './cloud-directory-target.ts';
export {
  MemoryProvisioningLog,
  PROVISIONING_ACTIONS,
  PROVISIONING_STATUSES,
  PROVISIONING_STEP_TYPES,
  type ModifiedProperty,
  type ProvisioningAction,
  type ProvisioningLogEntry,
  type ProvisioningLogSink,
  type ProvisioningStatus,
  type ProvisioningStep,
  type ProvisioningStepType,
} from './provisioning-log.ts';
export { systemClock, type Clock } from './clock.ts';
export { PENDING_DELETION_REASONS, PENDING_DELETION_REASON_TEXT, type PendingDeletion, type PendingDeletionReason } from './pending-deletion.ts';
