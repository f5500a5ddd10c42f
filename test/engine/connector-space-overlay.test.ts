/**
 * The dry run's copy-on-write layer: reads see the base with the layer's writes on top, writes never reach the base.
 * Here for the page operations of reference resolution (the rest is exercised by on-demand-provisioning's dry runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorSpaceOverlay } from '../../src/engine/connector-space-overlay.ts';
import { MemoryConnectorSpace, NO_ESCROW, type ConnectorSpaceEntry } from '../../src/engine/index.ts';

function entry(anchor: string, extra: Partial<ConnectorSpaceEntry> = {}): ConnectorSpaceEntry {
  return {
    anchor, sourceType: 'user', targetType: 'user', state: 'synced', dn: `CN=${anchor},DC=corp`, objectGuid: null, cloudId: `cloud-${anchor}`,
    exported: null, refsDigest: 'd', refsPending: true, inlineReferences: { cycleId: 'c1', values: { manager: [] } }, seenMark: null, escrow: NO_ESCROW,
    updatedAt: '2026-01-01T00:00:00.000Z', ...extra,
  };
}

test('a page of references through the overlay: base links the layer deleted or re-marked are not stale, its own are; the base keeps its links', async () => {
  const base = new MemoryConnectorSpace();
  await base.putReferences([{ anchor: 'g1', attribute: 'members', targetAnchors: ['m1', 'm2', 'm3'] }, { anchor: 'u1', attribute: 'manager', targetAnchors: ['m1'] }], 'old');
  const overlay = new ConnectorSpaceOverlay(base);
  await overlay.deleteReferenceSets([{ anchor: 'g1', attribute: 'members', targetAnchors: ['m1'] }]);
  await overlay.putReferences([{ anchor: 'g1', attribute: 'members', targetAnchors: ['m2', 'm4'] }, { anchor: 'u2', attribute: 'manager', targetAnchors: ['m9'] }], 'new');
  await overlay.putReferences([{ anchor: 'u2', attribute: 'manager', targetAnchors: ['m8'] }], 'older');

  assert.deepEqual(await overlay.getReferenceSets([
    { anchor: 'g1', attribute: 'members', targetAnchors: ['m1', 'm2', 'm3', 'm4', 'm5'] },
    { anchor: 'u1', attribute: 'manager', targetAnchors: ['m1'] },
  ]), [{ anchor: 'g1', attribute: 'members', targetAnchors: ['m2', 'm3', 'm4'] }, { anchor: 'u1', attribute: 'manager', targetAnchors: ['m1'] }]);
  assert.deepEqual(await overlay.listStaleReferenceSets([{ anchor: 'g1', attribute: 'members' }, { anchor: 'u1', attribute: 'manager' }, { anchor: 'u2', attribute: 'manager' }], 'new', 10), [
    { anchor: 'g1', attribute: 'members', targetAnchors: ['m3'] },
    { anchor: 'u1', attribute: 'manager', targetAnchors: ['m1'] },
    { anchor: 'u2', attribute: 'manager', targetAnchors: ['m8'] },
  ]);
  assert.deepEqual(base.references('g1', 'members'), ['m1', 'm2', 'm3']);
  assert.deepEqual(await base.listStaleReferenceSets([{ anchor: 'g1', attribute: 'members' }], 'new', 10), [{ anchor: 'g1', attribute: 'members', targetAnchors: ['m1', 'm2', 'm3'] }]);
});

test('settling through the overlay changes the layer\'s copy of the entry only', async () => {
  const base = new MemoryConnectorSpace();
  const stored = entry('u1');
  await base.put([stored]);
  const overlay = new ConnectorSpaceOverlay(base);
  const failure = { failureCount: 1, nextRetryAt: '2026-01-01T00:02:00.000Z', lastError: { code: 'ERR_DIR_MANAGER_CYCLE', message: 'a cycle' } };
  await overlay.settleReferences([{ anchor: 'u1', refsPending: true, escrow: failure }, { anchor: 'missing', refsPending: false }], '2026-01-01T00:01:00.000Z');
  assert.deepEqual((await overlay.get(['u1'])).get('u1'), { ...stored, inlineReferences: null, escrow: failure, updatedAt: '2026-01-01T00:01:00.000Z' });
  assert.deepEqual([...overlay.changedEntries().keys()], ['u1']);
  assert.deepEqual((await base.get(['u1'])).get('u1'), stored);
});
