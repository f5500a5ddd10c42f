/**
 * The audit log of configuration changes, in Microsoft Graph's directoryAudit shape
 * (https://learn.microsoft.com/graph/api/resources/directoryaudit):
 *
 *   { id, category, correlationId, activityDateTime, activityDisplayName, loggedByService, operationType,
 *     result: "success" | "failure", resultReason,
 *     initiatedBy: { app: { appId, displayName, servicePrincipalId, servicePrincipalName }, user: null },
 *     targetResources: [{ id, displayName, type, userPrincipalName, groupType,
 *                         modifiedProperties: [{ displayName, oldValue, newValue }] }],
 *     additionalDetails: [{ key, value }] }
 *
 * Entra records provisioning configuration changes under category "ProvisioningManagement", logged by
 * "Account Provisioning"; the activity names below are Entra's where it has one for the change. Old and new values
 * are JSON text, as Graph writes them. Secrets never reach an audit entry: secret values are replaced before an
 * entry is built (see redactSecrets), and the secrets PUT records only which keys were set.
 */
import type { ErrorCode } from '../errors/index.ts';

export const AUDIT_ACTIVITIES = [
  'Add service principal',
  'Remove service principal',
  'Add provisioning configuration',
  'Delete provisioning configuration',
  'Update provisioning setting or credentials',
  'Update attribute mappings or scope',
  'Update provisioning schedule',
  'Start provisioning',
  'Pause provisioning',
  'Restart provisioning',
  /** Ours: approving a chosen subset of the deletions the accidental-delete threshold held back. */
  'Approve pending deletions',
] as const;
export type AuditActivity = (typeof AUDIT_ACTIVITIES)[number];

export const AUDIT_OPERATION_TYPES = ['Add', 'Update', 'Delete'] as const;
export type AuditOperationType = (typeof AUDIT_OPERATION_TYPES)[number];

export const AUDIT_RESULTS = ['success', 'failure'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

export const AUDIT_CATEGORY = 'ProvisioningManagement';
export const AUDIT_LOGGED_BY = 'Account Provisioning';
export const REDACTED = '[Redacted]';

export interface AuditModifiedProperty {
  readonly displayName: string;
  /** JSON text, or null when the property did not exist before. */
  readonly oldValue: string | null;
  readonly newValue: string | null;
}

export interface AuditTargetResource {
  readonly id: string;
  readonly displayName: string | null;
  readonly type: 'ServicePrincipal' | 'SynchronizationJob';
  readonly userPrincipalName: null;
  readonly groupType: null;
  readonly modifiedProperties: readonly AuditModifiedProperty[];
}

export interface DirectoryAudit {
  readonly id: string;
  readonly category: typeof AUDIT_CATEGORY;
  /** The request id of the API call that made the change (the `request-id` response header). */
  readonly correlationId: string;
  readonly activityDateTime: string;
  readonly activityDisplayName: AuditActivity;
  readonly loggedByService: typeof AUDIT_LOGGED_BY;
  readonly operationType: AuditOperationType;
  readonly result: AuditResult;
  readonly resultReason: string;
  readonly initiatedBy: {
    readonly app: { readonly appId: string; readonly displayName: string | null; readonly servicePrincipalId: string | null; readonly servicePrincipalName: string | null };
    readonly user: null;
  };
  readonly targetResources: readonly AuditTargetResource[];
  readonly additionalDetails: readonly { readonly key: string; readonly value: string }[];
}

/** Keys whose values are credentials wherever they appear in a before/after value. */
const SECRET_KEY = /pass(word)?|secret|token|credential|privatekey|^key$/i;

/** A copy of `value` with every credential-looking member replaced by REDACTED. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) out[key] = SECRET_KEY.test(key) ? REDACTED : redactSecrets(member);
  return out;
}

/** A flat map of what a change touched (`schedule.interval` → "PT10M"), compared before and after. */
export type AuditedState = Readonly<Record<string, unknown>>;

/**
 * The modified properties of a change: every property whose value differs, plus those the request itself set
 * (shown even when unchanged, so "restart with ForceDeletes" is visible although no stored value moved).
 */
export function modifiedProperties(before: AuditedState | undefined, after: AuditedState | undefined, requested: AuditedState = {}): AuditModifiedProperty[] {
  const text = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(redactSecrets(value)));
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: AuditModifiedProperty[] = [];
  for (const name of names) {
    const oldValue = text(before?.[name]);
    const newValue = text(after?.[name]);
    if (oldValue !== newValue) out.push({ displayName: name, oldValue, newValue });
  }
  for (const [name, value] of Object.entries(requested)) {
    if (!names.has(name)) out.push({ displayName: name, oldValue: null, newValue: text(value) });
  }
  return out;
}

/** resultReason of a refused change: the Graph error's code and message, or its code alone where the message could echo input. */
export function failureReason(code: ErrorCode | string, message: string | undefined, echoesInput: boolean): string {
  return echoesInput || message === undefined ? code : `${code}: ${message}`;
}
