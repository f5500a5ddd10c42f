/**
 * Accidental-delete protection of a configuration: its settings, read from the SyncNotificationSettings secret as
 * Entra Cloud Sync keeps them, and the Graph-like shape in which held deletions are shown.
 *
 * Entra (how-to-inbound-synch-ms-graph): secret SyncNotificationSettings =
 *   {"Enabled":true,"Recipients":"x@y","DeleteThresholdEnabled":true,"DeleteThresholdValue":500}
 * "DeleteThresholdEnabled defaults to true. DeleteThresholdValue defaults to 500" (at most 499 deletions per cycle);
 * "Enabled" toggles the quarantine emails, sent to "Recipients".
 */
import { PENDING_DELETION_REASON_TEXT, type PendingDeletion, type PendingDeletionReason } from '../engine/index.ts';
import type { Secrets } from './synchronization-secrets.ts';

export const DEFAULT_DELETE_THRESHOLD = 500;

export interface NotificationSettings {
  /** Quarantine and delete-threshold emails are sent (Enabled, and at least one recipient). */
  readonly enabled: boolean;
  readonly recipients: readonly string[];
  /** null: protection disabled (DeleteThresholdEnabled false). */
  readonly deleteThreshold: number | null;
}

/**
 * The settings in effect; a missing secret or key means Entra's default. The secret was validated when it was PUT
 * (synchronization-secrets.ts), so a value that does not parse here is a bug of ours, not the admin's.
 */
export function notificationSettingsOf(secrets: Secrets, defaultThreshold = DEFAULT_DELETE_THRESHOLD): NotificationSettings {
  const text = secrets['SyncNotificationSettings'];
  const settings = (text === undefined ? {} : JSON.parse(text)) as {
    Enabled?: boolean; Recipients?: string; DeleteThresholdEnabled?: boolean; DeleteThresholdValue?: number | string;
  };
  // Entra's field holds one address; people paste lists, so commas and semicolons separate several.
  const recipients = (settings.Recipients ?? '').split(/[;,]/).map((address) => address.trim()).filter((address) => address !== '');
  const value = settings.DeleteThresholdValue === undefined ? defaultThreshold : Number(settings.DeleteThresholdValue);
  return {
    enabled: settings.Enabled === true && recipients.length > 0,
    recipients,
    deleteThreshold: settings.DeleteThresholdEnabled === false ? null : value,
  };
}

/**
 * One held deletion as the API serves it (`GET …/jobs/{jobId}/pendingDeletes`). Named like provisionOnDemand's
 * subjects (objectId = the DN, objectTypeName) and the provisioning log's identities, so a client can feed a
 * listed objectId straight back into `POST …/pendingDeletes/approve`.
 */
export interface PendingDeleteResource {
  readonly objectId: string;
  readonly objectTypeName: string;
  readonly sourceAnchor: string;
  readonly targetObjectId: string;
  readonly targetObjectTypeName: string;
  readonly reason: PendingDeletionReason;
  readonly reasonText: string;
  readonly approved: boolean;
  readonly detectedDateTime: string;
}

export function pendingDeleteResource(deletion: PendingDeletion, approved: boolean, detectedDateTime: string): PendingDeleteResource {
  return {
    objectId: deletion.dn,
    objectTypeName: deletion.sourceType,
    sourceAnchor: deletion.anchor,
    targetObjectId: deletion.cloudId,
    targetObjectTypeName: deletion.targetType,
    reason: deletion.reason,
    reasonText: PENDING_DELETION_REASON_TEXT[deletion.reason],
    approved,
    detectedDateTime,
  };
}

/** How many deletions of each reason: the one line an email or a status message can afford. */
export function reasonSummary(deletions: readonly PendingDeletion[]): string {
  const counts = new Map<PendingDeletionReason, number>();
  for (const deletion of deletions) counts.set(deletion.reason, (counts.get(deletion.reason) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([reason, count]) => `${count} ${PENDING_DELETION_REASON_TEXT[reason]}`).join('; ');
}
