/**
 * The quarantine rules of Entra's provisioning service (application-provisioning-quarantine-status), as a pure
 * function: when a job enters quarantine, with which reason, when it is retried, and when it leaves.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideQuarantine, defaultQuarantinePolicy, nextAttemptAfter, parseRetrySchedule, type SynchronizationQuarantine } from '../../src/synchronization/index.ts';

const policy = defaultQuarantinePolicy();
const t0 = new Date('2026-08-01T00:00:00Z');
const hours = (h: number) => new Date(t0.getTime() + h * 3600_000);
const error = (code: string) => ({ code, message: `${code} while binding to ldap://dc1`, tenantActionable: true });

describe('quarantine policy', () => {
  test('retries at 6 h, 12 h, 24 h after the first failure, then every 24 h', () => {
    const schedule = parseRetrySchedule('PT6H,PT12H,PT24H');
    assert.deepEqual(schedule, [21600, 43200, 86400]);
    assert.deepEqual([0, 6, 11, 12, 24, 47, 48, 100].map((h) => nextAttemptAfter(t0, hours(h), schedule).toISOString()),
      [6, 12, 12, 24, 48, 48, 72, 120].map((h) => hours(h).toISOString()));
    assert.throws(() => parseRetrySchedule('PT12H,PT6H'), /must grow/);
    assert.throws(() => parseRetrySchedule('PT1S'), /minimum interval PT10S/);
  });

  test('credentials rejected quarantine at once; an unreachable source after three failed cycles', () => {
    const rejected = decideQuarantine(null, { kind: 'failed', error: error('ERR_LDAP_INVALID_CREDENTIALS'), successiveFailures: 1 }, t0, policy);
    assert.deepEqual(rejected, {
      currentBegan: t0.toISOString(), nextAttempt: hours(6).toISOString(), reason: 'EncounteredQuarantineException',
      seriesBegan: t0.toISOString(), seriesCount: 1, error: error('ERR_LDAP_INVALID_CREDENTIALS'),
    });
    assert.equal(decideQuarantine(null, { kind: 'failed', error: error('ERR_LDAP_UNREACHABLE'), successiveFailures: 2 }, t0, policy), null);
    assert.equal(decideQuarantine(null, { kind: 'failed', error: error('ERR_LDAP_UNREACHABLE'), successiveFailures: 3 }, t0, policy)?.reason, 'EncounteredQuarantineException');
  });

  test('a failed retry keeps the series; a new reason starts a new currentBegan; one success lifts it', () => {
    const first = decideQuarantine(null, { kind: 'failed', error: error('ERR_LDAP_INVALID_CREDENTIALS'), successiveFailures: 1 }, t0, policy)!;
    const retried = decideQuarantine(first, { kind: 'failed', error: error('ERR_LDAP_INVALID_CREDENTIALS'), successiveFailures: 2 }, hours(6), policy)!;
    assert.equal(retried.seriesCount, 2);
    assert.equal(retried.currentBegan, t0.toISOString());
    assert.equal(retried.nextAttempt, hours(12).toISOString());
    const deletes = decideQuarantine(retried, { kind: 'deleteThreshold', error: error('ERR_SYNC_DELETE_THRESHOLD') }, hours(12), policy) as SynchronizationQuarantine;
    assert.equal(deletes.reason, 'TooManyDeletes');
    assert.equal(deletes.seriesBegan, t0.toISOString());
    assert.equal(deletes.currentBegan, hours(12).toISOString());
    assert.equal(decideQuarantine(deletes, { kind: 'completed', failed: 0, processed: 100 }, hours(24), policy), null);
  });

  test('escrow: nothing below 5,000 failures; over 40% or over 40,000 failures quarantine', () => {
    const verdict = (failed: number, processed: number) => decideQuarantine(null, { kind: 'completed', failed, processed }, t0, policy)?.reason ?? null;
    assert.equal(verdict(4999, 5000), null, 'no evaluation until 5,000 failures');
    assert.equal(verdict(5000, 12_400), 'EncounteredEscrowProportionThreshold');
    assert.equal(verdict(5000, 12_500), null, 'exactly 40% is not more than 40%');
    assert.equal(verdict(40_001, 1_000_000), 'EncounteredTotalEscrowThreshold');
    assert.equal(verdict(40_000, 1_000_000), null);
  });
});
