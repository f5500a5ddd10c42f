/**
 * The email sent when a job enters quarantine or its reason changes (the delete threshold tripping is one such
 * reason, TooManyDeletes). It says what Entra's does not: the failing request and error, since when, the next
 * retry, and for held deletions how many, why, and the commands that review and approve them.
 */
import { PENDING_DELETION_REASON_TEXT, type PendingDeletion } from '../engine/index.ts';
import { reasonSummary } from '../synchronization/delete-protection.ts';
import { QUARANTINE_REASON_TEXT } from '../synchronization/quarantine-policy.ts';
import type { SynchronizationQuarantine } from '../synchronization/synchronization-job.ts';
import type { MailMessage } from './smtp-transport.ts';

export interface QuarantineEvent {
  readonly tenantId: string;
  readonly servicePrincipalId: string;
  readonly jobId: string;
  /** the AD domain (Domain secret), how admins name a configuration */
  readonly domain: string | undefined;
  readonly recipients: readonly string[];
  readonly quarantine: SynchronizationQuarantine;
  /** with reason TooManyDeletes: the deletions held back */
  readonly pendingDeletes?: { readonly threshold: number; readonly deletions: readonly PendingDeletion[] };
}

/** Listed by name in the email; the rest are counted (the API and the CLI list them all). */
const LISTED = 20;

export function quarantineNotice(event: QuarantineEvent): MailMessage {
  const { quarantine } = event;
  const name = event.domain ?? event.servicePrincipalId;
  const why = QUARANTINE_REASON_TEXT[quarantine.reason];
  const held = quarantine.reason === 'TooManyDeletes' ? event.pendingDeletes : undefined;
  const subject = held === undefined
    ? `cloudsync: synchronization of ${name} quarantined: ${why}`
    : `cloudsync: synchronization of ${name} quarantined: ${why} (${held.deletions.length} deletions held)`;
  const jobUrl = `/v1.0/servicePrincipals/${event.servicePrincipalId}/synchronization/jobs/${event.jobId}`;
  const lines = [
    `The synchronization job ${event.jobId} of ${name} is in quarantine.`,
    '',
    `Reason:        ${why} (${quarantine.reason})`,
    `Since:         ${quarantine.currentBegan}`,
    `Next attempt:  ${quarantine.nextAttempt}`,
    ...(quarantine.error === null ? [] : [`Error:         ${quarantine.error.code}: ${quarantine.error.message}`]),
    '',
  ];
  if (held !== undefined) {
    lines.push(
      `${held.deletions.length} deletions are held back (threshold ${held.threshold}); none of them was done: ${reasonSummary(held.deletions)}.`,
      '',
      ...held.deletions.slice(0, LISTED).map((d: PendingDeletion) => `  ${d.dn} (${d.sourceType}): ${PENDING_DELETION_REASON_TEXT[d.reason]}`),
      ...(held.deletions.length > LISTED ? [`  … and ${held.deletions.length - LISTED} more`] : []),
      '',
      'Review them:   cloudsync config pending-deletes ' + name,
      `               GET ${jobUrl}/pendingDeletes`,
      'Allow all:     cloudsync config allow-deletes ' + name + '   (restart with resetScope ForceDeletes)',
      'Allow some:    cloudsync config allow-deletes ' + name + ' --only DN…',
      `               POST ${jobUrl}/pendingDeletes/approve {"objectIds":["CN=…"]}`,
      'If they are a mistake, fix the scope or the source, then restart the job (cloudsync config restart ' + name + ').',
    );
  } else {
    lines.push(
      'Fix the cause. The job is tried again at the next attempt and leaves quarantine on its own at its first',
      'successful cycle; to try at once, restart it with resetScope QuarantineState (cloudsync config restart ' + name + ').',
    );
  }
  lines.push('', `Status: GET ${jobUrl} (status.quarantine)`);
  return { to: event.recipients, subject, text: lines.join('\n') + '\n' };
}
