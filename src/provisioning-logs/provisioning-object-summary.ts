/**
 * A stored provisioning log entry → Microsoft Graph's provisioningObjectSummary
 * (https://learn.microsoft.com/graph/api/resources/provisioningobjectsummary):
 *
 *   { id, activityDateTime, changeId, cycleId, jobId, durationInMilliseconds, tenantId,
 *     provisioningAction: "create" | "update" | "delete" | "disable" | "stagedDelete" | "other",
 *     provisioningStatusInfo: { status: "success" | "failure" | "skipped" | "warning",
 *                               errorInformation: { errorCode, reason, additionalDetails, errorCategory, recommendedAction } },
 *     provisioningSteps: [{ name, provisioningStepType, status, description, details }],
 *     modifiedProperties: [{ displayName, oldValue, newValue }],
 *     initiatedBy, servicePrincipal: { id, displayName }, sourceIdentity, targetIdentity, sourceSystem, targetSystem }
 *
 * Where we differ: `durationInMilliseconds` is null (the engine times cycles, not single objects), and
 * `sourceIdentity.details.distinguishedName` carries the DN Entra only shows in its portal.
 */
import type { ProvisioningAction, ProvisioningLogEntry, ProvisioningStatus, ProvisioningStepType } from '../engine/index.ts';
import { remediationOf } from './error-remediation.ts';

/** What a row's `data` holds: the engine's entry plus what the sink learned about the job. */
export interface StoredProvisioningEntry extends ProvisioningLogEntry {
  readonly tenantId: string;
  readonly jobId: string;
  readonly servicePrincipal: { readonly id: string; readonly displayName: string } | null;
}

/** Graph's provisioningAction values, keyed by the engine's. */
export const GRAPH_PROVISIONING_ACTIONS: Readonly<Record<ProvisioningAction, string>> = Object.freeze({
  Create: 'create',
  Update: 'update',
  Delete: 'delete',
  Disable: 'disable',
  StagedDelete: 'stagedDelete',
  Other: 'other',
});

/** Graph's provisioningResult values, keyed by the engine's. */
export const GRAPH_PROVISIONING_STATUSES: Readonly<Record<ProvisioningStatus, string>> = Object.freeze({
  Success: 'success',
  Failure: 'failure',
  Skipped: 'skipped',
  Warning: 'warning',
});

/** Step names as the portal shows them (Entra: Import, Determine scope, Match, …). */
const STEP_NAMES: Readonly<Record<ProvisioningStepType, string>> = Object.freeze({
  import: 'Import',
  scoping: 'Determine if in scope',
  matching: 'Match between source and target',
  processing: 'Evaluate mappings',
  referenceResolution: 'Resolve references',
  export: 'Perform action',
});

/** The source is what the engine reads through its connector; the target is always this service's directory. */
const SOURCE_SYSTEM = { id: null, displayName: 'Active Directory', details: {} } as const;
const TARGET_SYSTEM = { id: null, displayName: 'cloudsync cloud directory', details: {} } as const;
const INITIATED_BY = { id: '', displayName: 'cloudsync provisioning service', initiatorType: 'system' } as const;

export function toProvisioningObjectSummary(entry: StoredProvisioningEntry): Record<string, unknown> {
  const remediation = entry.errorCode === null ? undefined : remediationOf(entry.errorCode);
  return {
    id: entry.id,
    activityDateTime: entry.activityDateTime,
    changeId: entry.id,
    cycleId: entry.cycleId,
    durationInMilliseconds: null,
    jobId: entry.jobId,
    tenantId: entry.tenantId,
    initiatedBy: INITIATED_BY,
    servicePrincipal: entry.servicePrincipal,
    provisioningAction: GRAPH_PROVISIONING_ACTIONS[entry.action],
    provisioningStatusInfo: {
      status: GRAPH_PROVISIONING_STATUSES[entry.status],
      errorInformation:
        entry.errorCode === null || remediation === undefined
          ? null
          : {
              errorCode: entry.errorCode,
              reason: entry.errorMessage,
              additionalDetails: `Source object ${entry.sourceIdentity.dn}; cycle ${entry.cycleId}.`,
              errorCategory: remediation.errorCategory,
              recommendedAction: remediation.recommendedAction,
            },
    },
    provisioningSteps: entry.steps.map((step) => ({
      name: STEP_NAMES[step.name] ?? step.name,
      provisioningStepType: step.name,
      status: GRAPH_PROVISIONING_STATUSES[step.status],
      description: step.description,
      details: {},
    })),
    modifiedProperties: entry.modifiedProperties.map((property) => ({
      displayName: property.displayName,
      oldValue: property.oldValue,
      newValue: property.newValue,
    })),
    sourceIdentity: {
      id: entry.sourceIdentity.id,
      displayName: entry.sourceIdentity.displayName,
      identityType: entry.sourceIdentity.type,
      details: { distinguishedName: entry.sourceIdentity.dn },
    },
    targetIdentity: {
      id: entry.targetIdentity.id,
      displayName: entry.sourceIdentity.displayName,
      identityType: entry.targetIdentity.type,
      details: {},
    },
    sourceSystem: SOURCE_SYSTEM,
    targetSystem: TARGET_SYSTEM,
  };
}
