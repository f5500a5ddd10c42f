/**
 * Held deletions and their approvals in the store, on SQLite and PostgreSQL: a new list keeps the approvals of the
 * objects still on it, approvals name objects by DN (RFC 4514 comparison) or anchor, unknown names are refused with
 * their position, tenants never see each other's lists. Plus the settings read from SyncNotificationSettings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PendingDeletion } from '../../src/engine/index.ts';
import { CloudsyncError } from '../../src/errors/index.ts';
import { createDeleteProtectionStore, notificationSettingsOf, type DeleteProtectionStore } from '../../src/synchronization/index.ts';
import { BACKENDS } from '../storage/backends.ts';

const deletion = (n: number, reason: PendingDeletion['reason'] = 'deletedInSource'): PendingDeletion => ({
  anchor: `anchor-${n}`, dn: `CN=User ${n},OU=Sales,DC=corp,DC=example,DC=com`, sourceType: 'user', targetType: 'user', cloudId: `cloud-${n}`, reason,
});

for (const backend of BACKENDS) {
  describe(`held deletions store (${backend.name})`, () => {
    let protection: DeleteProtectionStore;
    let dispose: () => Promise<void>;
    const t0 = new Date('2026-07-01T00:00:00Z');
    before(async () => {
      const opened = await backend.open();
      dispose = opened.dispose;
      protection = createDeleteProtectionStore(opened.store);
    });
    after(() => dispose());

    test('hold, approve by DN or anchor, re-hold keeps the approvals still listed, clear', async () => {
      await protection.hold('t1', 'job', 500, [deletion(1), deletion(2), deletion(3, 'containerOutOfScope')], t0);
      const approved = await protection.approve('t1', 'job', ['cn=user 1, ou=sales,dc=corp,dc=example,dc=com', 'anchor-3'], t0);
      assert.deepEqual(approved.map((d) => d.anchor), ['anchor-1', 'anchor-3']);
      let held = await protection.read('t1', 'job');
      assert.deepEqual([...held!.approved].sort(), ['anchor-1', 'anchor-3']);
      assert.equal(held!.deletions[2]!.reason, 'containerOutOfScope');

      await protection.hold('t1', 'job', 500, [deletion(2), deletion(3)], new Date(t0.getTime() + 60_000));
      held = await protection.read('t1', 'job');
      assert.deepEqual([...held!.approved], ['anchor-3'], 'anchor-1 is no longer held, so no longer approved');
      assert.equal(held!.detectedDateTime, t0.toISOString(), 'detected when the list first appeared');
      assert.equal(await protection.read('t2', 'job'), undefined, 'another tenant sees nothing');

      await protection.clear('t1', 'job');
      assert.equal(await protection.read('t1', 'job'), undefined);
    });

    test('unknown names are refused with their position and approve nothing', async () => {
      await protection.hold('t1', 'job2', 500, [deletion(1)], t0);
      await assert.rejects(protection.approve('t1', 'job2', [deletion(1).dn, 'CN=Nobody,DC=corp,DC=example,DC=com'], t0),
        (error: CloudsyncError) => error.code === 'ERR_SYNC_CONFIG_INVALID' && error.path === 'objectIds[1]');
      assert.equal((await protection.read('t1', 'job2'))!.approved.size, 0);
      await assert.rejects(protection.approve('t1', 'job2', [], t0), { code: 'ERR_SYNC_CONFIG_INVALID' });
      await assert.rejects(protection.approve('t1', 'nothing-held', [deletion(1).dn], t0), /nothing to approve/);
    });
  });
}

describe('SyncNotificationSettings', () => {
  test("Entra's defaults: protection on at 500, no emails", () => {
    assert.deepEqual(notificationSettingsOf({}), { enabled: false, recipients: [], deleteThreshold: 500 });
  });
  test('recipients, threshold value and the switches', () => {
    const secrets = { SyncNotificationSettings: JSON.stringify({ Enabled: true, Recipients: 'a@corp.example.com; b@corp.example.com', DeleteThresholdEnabled: true, DeleteThresholdValue: '250' }) };
    assert.deepEqual(notificationSettingsOf(secrets), { enabled: true, recipients: ['a@corp.example.com', 'b@corp.example.com'], deleteThreshold: 250 });
    assert.equal(notificationSettingsOf({ SyncNotificationSettings: JSON.stringify({ DeleteThresholdEnabled: false }) }).deleteThreshold, null);
    assert.equal(notificationSettingsOf({ SyncNotificationSettings: JSON.stringify({ Enabled: true, Recipients: '' }) }).enabled, false, 'enabled without a recipient sends nothing');
  });
});
