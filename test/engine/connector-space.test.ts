/**
 * The connector-space contract, run against the SQL implementation (every backend) and the in-memory one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryConnectorSpace, NO_ESCROW, SqlConnectorSpace, type ConnectorSpace, type ConnectorSpaceEntry } from '../../src/engine/index.ts';
import { rebaseDn } from '../../src/engine/dn-rebase.ts';
import { differs } from '../../src/engine/export-values.ts';
import { fitUpnSuffix } from '../../src/engine/index.ts';
import { BACKENDS } from '../storage/backends.ts';
import { stopPostgres } from '../harness/postgres.ts';

function entry(anchor: string, dn: string, extra: Partial<ConnectorSpaceEntry> = {}): ConnectorSpaceEntry {
  return {
    anchor, sourceType: 'user', targetType: 'user', state: 'synced', dn, objectGuid: `guid-${anchor}`, cloudId: `cloud-${anchor}`,
    exported: { displayName: 'x' }, refsDigest: null, refsPending: false, inlineReferences: null, seenMark: null, escrow: NO_ESCROW,
    updatedAt: '2026-01-01T00:00:00.000Z', ...extra,
  };
}

const IMPLEMENTATIONS: { name: string; open: () => Promise<{ space: ConnectorSpace; other: ConnectorSpace; dispose: () => Promise<void> }> }[] = [
  ...BACKENDS.map((backend) => ({
    name: `sql (${backend.name})`,
    async open() {
      const { store, dispose } = await backend.open();
      return { space: new SqlConnectorSpace(store, 'config-a'), other: new SqlConnectorSpace(store, 'config-b'), dispose };
    },
  })),
  { name: 'memory', open: async () => ({ space: new MemoryConnectorSpace(), other: new MemoryConnectorSpace(), dispose: async () => {} }) },
];

for (const implementation of IMPLEMENTATIONS) {
  describe(`connector space contract: ${implementation.name}`, () => {
    let space: ConnectorSpace;
    let other: ConnectorSpace;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ space, other, dispose } = await implementation.open());
    });
    after(async () => {
      await dispose();
    });

    test('put, get by anchor / DN / objectGUID / cloud id; configurations are separate', async () => {
      await space.put([entry('a1', 'CN=Ann,OU=Sales,DC=corp'), entry('a2', 'CN=Bob, OU=Sales ,DC=corp', { escrow: { failureCount: 2, nextRetryAt: '2026-01-01T00:05:00.000Z', lastError: { code: 'ERR_X', message: 'm' } } })]);
      assert.deepEqual([...(await space.get(['a1', 'a2', 'zz'])).keys()].sort(), ['a1', 'a2']);
      assert.equal((await space.getByDnKeys(['cn=bob,ou=sales,dc=corp'])).get('cn=bob,ou=sales,dc=corp')?.anchor, 'a2');
      assert.equal((await space.getByObjectGuids(['guid-a1'])).get('guid-a1')?.anchor, 'a1');
      assert.equal((await space.getByCloudIds(['cloud-a2'])).get('cloud-a2')?.escrow.failureCount, 2);
      assert.equal((await other.get(['a1'])).size, 0);
      const [due] = await space.listDueForRetry('2026-01-01T00:06:00.000Z', undefined, 10);
      assert.equal(due?.anchor, 'a2');
      assert.equal((await space.listDueForRetry('2026-01-01T00:04:00.000Z', undefined, 10)).length, 0);
      await space.clearEscrows();
      assert.deepEqual((await space.get(['a2'])).get('a2')?.escrow, NO_ESCROW);
      assert.equal((await space.listDueForRetry('2026-01-01T00:06:00.000Z', undefined, 10)).length, 0);
    });

    test('an entry keeps its inline reference DNs, and a later put of the same anchor replaces them (the last in one put wins)', async () => {
      const kept = { cycleId: 'c1', values: { manager: ['CN=Boss,OU=Sales,DC=corp'], members: [] } };
      await space.put([entry('r1', 'CN=Rae,OU=Sales,DC=corp', { inlineReferences: kept, refsPending: true })]);
      assert.deepEqual((await space.get(['r1'])).get('r1')?.inlineReferences, kept);
      await space.put([entry('r1', 'CN=Rae,OU=Sales,DC=corp', { inlineReferences: { cycleId: 'c0', values: { manager: ['CN=Old,DC=corp'] } } }), entry('r1', 'CN=Rae,OU=Sales,DC=corp')]);
      const replaced = (await space.get(['r1'])).get('r1');
      assert.equal(replaced?.inlineReferences, null);
      assert.equal(replaced?.refsPending, false);
      await space.remove(['r1']);
    });

    test('mark and sweep: unseen entries are listed in anchor order, deleted ones never', async () => {
      await space.put([entry('a3', 'CN=Cy,OU=Sales,DC=corp', { state: 'deleted' })]);
      await space.markSeen(['a1'], 'm1');
      assert.deepEqual((await space.listUnseen('m1', undefined, 10)).map((e) => e.anchor), ['a2']);
      await space.remove(['a2']);
      assert.deepEqual((await space.listUnseen('m1', undefined, 10)).map((e) => e.anchor), []);
    });

    test('an OU rename rewrites the DNs below it', async () => {
      await space.put([entry('b1', 'CN=Dee,OU=Team,OU=Sales,DC=corp'), entry('b2', 'CN=Eve,OU=Salesforce,DC=corp')]);
      await space.renameSubtree('OU=Sales,DC=corp', 'OU=Sales EU,DC=corp');
      const all = await space.get(['a1', 'b1', 'b2']);
      assert.equal(all.get('a1')?.dn, 'CN=Ann,OU=Sales EU,DC=corp');
      assert.equal(all.get('b1')?.dn, 'CN=Dee,OU=Team,OU=Sales EU,DC=corp');
      assert.equal(all.get('b2')?.dn, 'CN=Eve,OU=Salesforce,DC=corp');
    });

    test('references: put with a mark, stale ones listed, deleted; watermark', async () => {
      await space.putReferences([{ anchor: 'g1', attribute: 'members', targetAnchors: ['m1', 'm2', 'm3'] }], 'pass1');
      await space.putReferences([{ anchor: 'g1', attribute: 'members', targetAnchors: ['m2', 'm3'] }, { anchor: 'g2', attribute: 'manager', targetAnchors: ['m1'] }], 'pass2');
      assert.deepEqual([...(await space.getReferences('g1', 'members', ['m1', 'm9']))], ['m1']);
      assert.deepEqual([...(await space.getReferences('g2', 'manager', ['m1', 'm2']))], ['m1']);
      assert.deepEqual(await space.listStaleReferences('g1', 'members', 'pass2', 10), ['m1']);
      await space.deleteReferences('g1', 'members', ['m1']);
      assert.deepEqual(await space.listStaleReferences('g1', 'members', 'pass2', 10), []);
      assert.equal(await space.getWatermark(), null);
      await space.setWatermark('w1');
      await space.setWatermark('w2');
      assert.equal(await space.getWatermark(), 'w2');
      assert.equal(await other.getWatermark(), null);
      await space.clear();
      assert.equal(await space.getWatermark(), null);
      assert.equal((await space.get(['a1'])).size, 0);
    });
  });
}

test('rebaseDn, differs and the UPN suffix rule', () => {
  assert.equal(rebaseDn('CN=A\\,B,OU=X,DC=c', 'OU=X,DC=c', 'OU=Y,DC=c'), 'CN=A\\,B,OU=Y,DC=c');
  assert.equal(rebaseDn('OU=X,DC=c', 'OU=X,DC=c', 'OU=Y,DC=c'), undefined);
  assert.equal(differs(null, ''), false);
  assert.equal(differs([], null), false);
  assert.equal(differs(['a', 'b'], ['a', 'b']), false);
  assert.equal(differs(['b', 'a'], ['a', 'b']), true);
  assert.equal(differs(true, false), true);
  assert.equal(differs('5', 5), false);
  const domains = { verified: ['contoso.com', 't.onmicrosoft.example'], initial: 't.onmicrosoft.example' };
  assert.equal(fitUpnSuffix('ann@Contoso.com', domains), 'ann@Contoso.com');
  assert.equal(fitUpnSuffix('ann@corp.local', domains), 'ann@t.onmicrosoft.example');
});

after(() => stopPostgres());
