/**
 * The running service applies the retention: entries of both logs older than --log-retention days are gone after
 * it starts (the pass runs at start and hourly), newer ones stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startServer } from '../../src/server/server.ts';
import { openStore } from '../../src/storage/index.ts';
import { SqlDirectoryAuditLog, SqlProvisioningLog, timeOrderedId, type DirectoryAudit } from '../../src/provisioning-logs/index.ts';
import type { ProvisioningLogEntry } from '../../src/engine/index.ts';

const DAY = 24 * 3600 * 1000;

function entry(id: string, at: Date): ProvisioningLogEntry {
  return {
    id, cycleId: 'cycle', configurationId: 'tenant-1/job-1', activityDateTime: at.toISOString(), action: 'Create', status: 'Success', steps: [],
    modifiedProperties: [], sourceIdentity: { id: `anchor-${id}`, type: 'user', displayName: null, dn: `CN=${id},DC=corp,DC=example,DC=com` },
    targetIdentity: { id: null, type: null }, errorCode: null, errorMessage: null,
  };
}

function audit(at: Date): DirectoryAudit {
  return {
    id: timeOrderedId(), category: 'ProvisioningManagement', correlationId: 'r', activityDateTime: at.toISOString(), activityDisplayName: 'Start provisioning',
    loggedByService: 'Account Provisioning', operationType: 'Update', result: 'success', resultReason: '',
    initiatedBy: { app: { appId: 'app', displayName: null, servicePrincipalId: null, servicePrincipalName: null }, user: null },
    targetResources: [], additionalDetails: [],
  };
}

test('the service prunes both logs past --log-retention days at start', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudsync-retention-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const now = Date.now();
  const seed = await openStore({ dataDir: data });
  await new SqlProvisioningLog(seed).write([entry('old', new Date(now - 8 * DAY)), entry('recent', new Date(now - 6 * DAY))]);
  const audits = new SqlDirectoryAuditLog(seed);
  await audits.record('tenant-1', audit(new Date(now - 9 * DAY)));
  await audits.record('tenant-1', audit(new Date(now - 1 * DAY)));
  await seed.close();

  const server = await startServer({ dataDir: data, port: 0, logRetentionDays: 7, logger: pino({ level: 'silent' }), schedulerPollMs: 60_000 });
  try {
    const log = new SqlProvisioningLog(server.store);
    const ids = async () => (await log.list('tenant-1', { top: 10 })).items.map((e) => e.id);
    for (let attempt = 0; attempt < 50 && (await ids()).includes('old'); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await ids(), ['recent']);
    const left = (await new SqlDirectoryAuditLog(server.store).list('tenant-1', { top: 10 })).items;
    assert.equal(left.length, 1);
    assert.ok(Date.parse(left[0]!.activityDateTime) > now - 2 * DAY);
  } finally {
    await server.close();
  }
});
