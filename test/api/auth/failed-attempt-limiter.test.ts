import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailedAttemptLimiter } from '../../../src/api/auth/failed-attempt-limiter.ts';

test('a key is refused after its limit of failures until the window ends; other keys are not', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const limiter = new FailedAttemptLimiter({ limit: 3, windowMs: 60_000, clock: () => new Date(now) });
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.retryAfterSeconds('a'), 0);
    limiter.recordFailure('a');
  }
  assert.equal(limiter.retryAfterSeconds('a'), 60);
  assert.equal(limiter.retryAfterSeconds('b'), 0);
  now += 45_500;
  assert.equal(limiter.retryAfterSeconds('a'), 15);
  now += 14_500;
  assert.equal(limiter.retryAfterSeconds('a'), 0, 'a new window forgives');
});

test('memory stays bounded by maxKeys', () => {
  const now = Date.now();
  const limiter = new FailedAttemptLimiter({ limit: 1, windowMs: 60_000, clock: () => new Date(now), maxKeys: 100 });
  for (let i = 0; i < 1000; i++) limiter.recordFailure(`k${i}`);
  // The newest keys are still tracked; the table was cleared rather than allowed to grow past 100.
  assert.ok(limiter.retryAfterSeconds('k999') > 0);
  assert.equal(limiter.retryAfterSeconds('k0'), 0);
});
