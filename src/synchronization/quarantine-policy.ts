/**
 * When a synchronization job is quarantined, when it is tried again, and when the quarantine lifts — a pure
 * function of the previous quarantine and how the last cycle ended. The scheduler applies it after every cycle.
 *
 * Entra (application-provisioning-quarantine-status):
 *   - "most or all calls fail (for example invalid credentials)" → EncounteredQuarantineException;
 *   - escrow: "no evaluation until there are 5,000 failures. Quarantine if >40% of events failed or >40,000
 *     failures, not counting reference failures" → EncounteredEscrowProportionThreshold / …TotalEscrowThreshold;
 *   - the accidental-delete threshold → TooManyDeletes ("Delete threshold exceeded");
 *   - "Retries at 6 h, 12 h and 24 h after the first failure, then every 24 h"; "One successful retry lifts the
 *     quarantine automatically"; restart with QuarantineState (or start) clears it (transitionJob does that).
 *
 * Beyond Entra (its quarantine is "opaque" — a documented complaint): the quarantine carries the error with the
 * request that failed (connector messages name it: "binding to ldap://dc1 as CN=sync,…: invalidCredentials"),
 * and nextAttempt is always set. Entra does not say how many failed cycles make "most calls fail"; a failure that
 * cannot mend by itself (PERMANENT_CYCLE_ERRORS) counts at once, others after `afterFailedCycles` in a row, so a
 * network blip does not stop synchronization for 6 hours.
 */
import type { QuarantineReason, SynchronizationError, SynchronizationQuarantine } from './synchronization-job.ts';
import { parseInterval } from './iso-duration.ts';
import { CloudsyncError } from '../errors/index.ts';

/** Whole-cycle failures that retrying soon cannot fix (and, for credentials, that retrying could make worse: lockout). */
export const PERMANENT_CYCLE_ERRORS = ['ERR_LDAP_INVALID_CREDENTIALS', 'ERR_LDAP_TLS', 'ERR_LDAP_INSUFFICIENT_ACCESS'] as const;

/** How the status and the emails word each reason (Entra's portal: "Delete threshold exceeded"). */
export const QUARANTINE_REASON_TEXT: Readonly<Record<QuarantineReason, string>> = Object.freeze({
  TooManyDeletes: 'delete threshold exceeded',
  EncounteredQuarantineException: 'most calls failed',
  EncounteredEscrowProportionThreshold: 'too large a share of objects failed',
  EncounteredTotalEscrowThreshold: 'too many objects failed',
  EncounteredBaseEscrowThreshold: 'too many objects failed',
  QuarantinedOnDemand: 'quarantined on demand',
  IngestionInterrupted: 'ingestion interrupted',
  Unknown: 'unknown',
});

export interface QuarantinePolicy {
  /** seconds after the failure that began the quarantine; after the last, every last one */
  readonly retryScheduleSeconds: readonly number[];
  readonly afterFailedCycles: number;
  readonly escrowMinimum: number;
  readonly escrowProportion: number;
  readonly escrowTotal: number;
}

/** `PT6H,PT12H,PT24H` → seconds, increasing. */
export function parseRetrySchedule(text: string, path = '--quarantine-retry'): readonly number[] {
  const seconds = text.split(',').map((part) => parseInterval(part.trim(), path));
  for (let i = 1; i < seconds.length; i++) {
    if (seconds[i]! <= seconds[i - 1]!) {
      throw new CloudsyncError('ERR_SYNC_CONFIG_INVALID', `${path}: the retry times count from the first failure and must grow (got ${text}).`, { path });
    }
  }
  return Object.freeze(seconds);
}

/** How the last cycle ended, as far as quarantine cares. */
export type CycleVerdict =
  | { readonly kind: 'completed'; readonly failed: number; readonly processed: number }
  | { readonly kind: 'deleteThreshold'; readonly error: SynchronizationError }
  | { readonly kind: 'failed'; readonly error: SynchronizationError; readonly successiveFailures: number };

/** The next retry: the first point of the schedule (counted from seriesBegan) after now. */
export function nextAttemptAfter(seriesBegan: Date, now: Date, scheduleSeconds: readonly number[]): Date {
  const begin = seriesBegan.getTime();
  for (const seconds of scheduleSeconds) if (begin + seconds * 1000 > now.getTime()) return new Date(begin + seconds * 1000);
  const last = scheduleSeconds.at(-1)! * 1000;
  const steps = Math.floor((now.getTime() - begin - last) / last) + 1;
  return new Date(begin + last + steps * last);
}

function quarantined(previous: SynchronizationQuarantine | null, reason: QuarantineReason, error: SynchronizationError, now: Date, policy: QuarantinePolicy): SynchronizationQuarantine {
  const seriesBegan = previous?.seriesBegan ?? now.toISOString();
  return {
    currentBegan: previous !== null && previous.reason === reason ? previous.currentBegan : now.toISOString(),
    nextAttempt: nextAttemptAfter(new Date(seriesBegan), now, policy.retryScheduleSeconds).toISOString(),
    reason,
    seriesBegan,
    seriesCount: previous === null ? 1 : previous.seriesCount + 1,
    error,
  };
}

/** The job's quarantine after this cycle: null lifts it. */
export function decideQuarantine(previous: SynchronizationQuarantine | null, verdict: CycleVerdict, now: Date, policy: QuarantinePolicy): SynchronizationQuarantine | null {
  switch (verdict.kind) {
    case 'deleteThreshold':
      return quarantined(previous, 'TooManyDeletes', verdict.error, now, policy);
    case 'failed': {
      const permanent = (PERMANENT_CYCLE_ERRORS as readonly string[]).includes(verdict.error.code);
      if (previous === null && !permanent && verdict.successiveFailures < policy.afterFailedCycles) return null;
      return quarantined(previous, 'EncounteredQuarantineException', verdict.error, now, policy);
    }
    case 'completed': {
      const { failed, processed } = verdict;
      if (failed < policy.escrowMinimum) return null;
      const share = processed === 0 ? 1 : failed / processed;
      const reason: QuarantineReason | undefined = failed > policy.escrowTotal ? 'EncounteredTotalEscrowThreshold' : share > policy.escrowProportion ? 'EncounteredEscrowProportionThreshold' : undefined;
      if (reason === undefined) return null;
      return quarantined(previous, reason, {
        code: reason,
        message: `${failed} of ${processed} objects failed in this cycle (${Math.round(share * 100)}%); they are escrowed and retried. See the provisioning log for their errors.`,
        tenantActionable: true,
      }, now, policy);
    }
  }
}
