import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  deriveSecretsKey,
  initialStatus,
  NO_REQUESTS,
  openSecrets,
  parseInterval,
  parseResetScope,
  parseSecretsBody,
  sealSecrets,
  secretFacts,
  transitionJob,
  type JobState,
} from '../../src/synchronization/index.ts';
import { CloudsyncError } from '../../src/errors/index.ts';

function refusedWith(fn: () => unknown, message: RegExp, path?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof CloudsyncError);
    assert.equal(error.code, 'ERR_SYNC_CONFIG_INVALID');
    assert.match(error.message, message);
    if (path !== undefined) assert.equal(error.path, path);
    return true;
  });
}

test('intervals: ISO 8601 day-time durations, at least 10 seconds', () => {
  assert.equal(parseInterval('PT2M'), 120);
  assert.equal(parseInterval('PT10S'), 10);
  assert.equal(parseInterval('PT40M'), 2400);
  assert.equal(parseInterval('P1DT1H'), 90000);
  assert.equal(parseInterval('PT1.5M'.replace('1.5M', '90S')), 90);
  refusedWith(() => parseInterval('PT9S'), /PT9S is shorter than the minimum interval PT10S/, 'schedule.interval');
  for (const bad of ['', 'P', 'PT', '2M', 'PT2m', 'P1W', 'P1M', 120, null]) {
    refusedWith(() => parseInterval(bad), /must be an ISO 8601 duration such as PT2M/);
  }
});

test("resetScope is Graph's flags enum: comma list, case-insensitive members, unknown names refused", () => {
  assert.deepEqual(parseResetScope('Watermark, Escrows, QuarantineState, Full, ForceDeletes'), ['Watermark', 'Escrows', 'QuarantineState', 'Full', 'ForceDeletes']);
  assert.deepEqual(parseResetScope('watermark,watermark'), ['Watermark']);
  assert.deepEqual(parseResetScope(undefined), ['Watermark', 'Escrows', 'QuarantineState']);
  assert.deepEqual(parseResetScope('None'), ['None']);
  assert.deepEqual(parseResetScope('None, Full'), ['Full']);
  refusedWith(() => parseResetScope('Full, Everything'), /'Everything' is not a synchronizationJobRestartScope flag; use any of None, ConnectorDataStore/, 'criteria.resetScope');
  refusedWith(() => parseResetScope(3), /must be a string of comma-separated flags/);
});

test('job state machine: start clears quarantine, pause keeps state, restart records its scope', () => {
  const quarantined: JobState = {
    scheduleState: 'Active',
    status: { ...initialStatus(), code: 'Quarantine', quarantine: { currentBegan: 'a', nextAttempt: 'b', reason: 'TooManyDeletes', seriesBegan: 'a', seriesCount: 1, error: null } },
    requests: NO_REQUESTS,
  };
  const started = transitionJob(quarantined, { kind: 'start', now: new Date(0) });
  assert.equal(started.status.code, 'Active');
  assert.equal(started.status.quarantine, null);
  assert.equal(started.requests.runNow, true);

  const paused = transitionJob(started, { kind: 'pause', now: new Date(0) });
  assert.equal(paused.scheduleState, 'Paused');
  assert.equal(paused.status.code, 'Paused');

  const keepQuarantine = transitionJob(quarantined, { kind: 'restart', now: new Date(0), resetScope: ['Watermark'] });
  assert.equal(keepQuarantine.status.code, 'Quarantine', 'restart without QuarantineState keeps the quarantine');
  assert.deepEqual(keepQuarantine.requests.restart?.resetScope, ['Watermark']);
  assert.equal(keepQuarantine.requests.fullReevaluation, false);
  const full = transitionJob(quarantined, { kind: 'restart', now: new Date(0), resetScope: ['QuarantineState', 'Full'] });
  assert.equal(full.status.code, 'Active');
  assert.equal(full.requests.fullReevaluation, true);
});

test('secrets: Graph key/value pairs, checked, sealed with the tenant and principal bound in', () => {
  const secrets = parseSecretsBody({
    value: [
      { key: 'domain', value: '{"domain":"Corp.Example.com"}' },
      { key: 'AppKey', value: '{"appKeyScenario":"AD2AADPasswordHash"}' },
      { key: 'SyncNotificationSettings', value: '{"Enabled":true,"Recipients":"a@b.c","DeleteThresholdEnabled":true,"DeleteThresholdValue":"500"}' },
    ],
  });
  assert.deepEqual(Object.keys(secrets), ['Domain', 'AppKey', 'SyncNotificationSettings']);
  assert.deepEqual(secretFacts(secrets), { domain: 'corp.example.com', passwordHashSync: true });
  assert.equal(secretFacts({ AppKey: '{"appKeyScenario":"AD2AADProvisioning"}' }).passwordHashSync, false);

  refusedWith(() => parseSecretsBody({ value: [{ key: 'Domain', value: 'corp.example.com' }] }), /value\[0\]\.value must be JSON text such as \{"domain":"corp\.example\.com"\}/, 'value[0].value');
  refusedWith(() => parseSecretsBody({ value: [{ key: 'AppKey', value: '{"appKeyScenario":"X"}' }] }), /"appKeyScenario" must be one of AD2AADProvisioning, AD2AADPasswordHash/);
  refusedWith(() => parseSecretsBody({ value: [{ key: 'SyncNotificationSettings', value: '{"Enabled":"yes"}' }] }), /"Enabled" must be true or false/);
  refusedWith(() => parseSecretsBody({ value: [{ key: '', value: 'x' }] }), /value\[0\]\.key must be a non-empty string/);
  refusedWith(() => parseSecretsBody({}), /The body must be \{"value":\[/);

  const key = deriveSecretsKey(randomBytes(32));
  const sealed = sealSecrets(secrets, key, 't1/sp1');
  assert.doesNotMatch(sealed, /corp|Example|a@b/i);
  assert.deepEqual(openSecrets(sealed, key, 't1/sp1'), secrets);
  assert.throws(() => openSecrets(sealed, key, 't2/sp1'), 'bound to its row');
  assert.throws(() => openSecrets(sealed, deriveSecretsKey(randomBytes(32)), 't1/sp1'), 'another key does not open it');
});
