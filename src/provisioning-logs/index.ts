/**
 * The audit logs Graph serves under /auditLogs: the provisioning log (one immutable entry per object per action
 * of a synchronization cycle) and the directory audit log (configuration changes), stored per tenant with a
 * retention, plus the remediation hint of every per-object error code.
 */
export { SqlProvisioningLog, PROVISIONING_LOG_FILTERS, jobOfConfiguration, type ProvisioningLogReader, type LogStore } from './sql-provisioning-log.ts';
export { SqlDirectoryAuditLog, DIRECTORY_AUDIT_FILTERS, type DirectoryAuditLog } from './sql-directory-audit-log.ts';
export {
  AUDIT_ACTIVITIES,
  AUDIT_OPERATION_TYPES,
  AUDIT_RESULTS,
  AUDIT_CATEGORY,
  AUDIT_LOGGED_BY,
  REDACTED,
  failureReason,
  modifiedProperties,
  redactSecrets,
  type AuditActivity,
  type AuditOperationType,
  type AuditResult,
  type AuditedState,
  type AuditModifiedProperty,
  type AuditTargetResource,
  type DirectoryAudit,
} from './directory-audit.ts';
export {
  GRAPH_PROVISIONING_ACTIONS,
  GRAPH_PROVISIONING_STATUSES,
  toProvisioningObjectSummary,
  type StoredProvisioningEntry,
} from './provisioning-object-summary.ts';
export { ERROR_CATEGORIES, PER_OBJECT_ERROR_CODES, REMEDIATIONS, remediationOf, type ErrorCategory, type Remediation } from './error-remediation.ts';
export { compileLogFilter, FILTER_PROPERTY_KINDS, type FilterableProperty, type FilterPropertyKind } from './log-filter.ts';
export { LogTable, readLogPage, pruneLog, type LogPage, type LogQuery } from './log-page.ts';
export { pruneExpiredLogs, type Prunable } from './log-retention.ts';
// entry ids are the directory's time-ordered object ids (UUID version 7)
export { newObjectId as timeOrderedId } from '../directory/object-id.ts';
