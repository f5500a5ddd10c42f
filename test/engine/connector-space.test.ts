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

/** the escrow of a reference resolution that failed (a manager cycle) */
const failure = { failureCount: 1, nextRetryAt: '2026-01-01T00:10:00.000Z', lastError: { code: 'ERR_DIR_MANAGER_CYCLE', message: 'a cycle' } };

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

    test('references of a page: the recorded ones among many sets, the first stale ones per (anchor, attribute), deleted together', async () => {
      const many = Array.from({ length: 450 }, (_, i) => `t${String(i).padStart(3, '0')}`);
      await space.putReferences([{ anchor: 'p1', attribute: 'members', targetAnchors: ['m1', 'm2', 'm3'] }, { anchor: 'p4', attribute: 'members', targetAnchors: many }], 'pass1');
      await space.putReferences([{ anchor: 'p1', attribute: 'members', targetAnchors: ['m2'] }, { anchor: 'p2', attribute: 'manager', targetAnchors: ['m1'] }], 'pass2');
      await other.putReferences([{ anchor: 'p2', attribute: 'manager', targetAnchors: ['m2'] }], 'pass1');
      const sorted = (sets: readonly { anchor: string; attribute: string; targetAnchors: readonly string[] }[]) => sets.map((s) => [s.anchor, s.attribute, [...s.targetAnchors].sort()]);
      // in the order asked; an attribute or anchor without links answers empty; more targets than one query takes
      assert.deepEqual(sorted(await space.getReferenceSets([
        { anchor: 'p2', attribute: 'manager', targetAnchors: ['m1', 'm2'] },
        { anchor: 'p1', attribute: 'members', targetAnchors: ['m1', 'm4', 'm3'] },
        { anchor: 'p2', attribute: 'members', targetAnchors: ['m1'] },
        { anchor: 'p9', attribute: 'manager', targetAnchors: ['m1'] },
        { anchor: 'p4', attribute: 'members', targetAnchors: [...many.map((t) => `x${t}`), ...many] },
      ])), [['p2', 'manager', ['m1']], ['p1', 'members', ['m1', 'm3']], ['p2', 'members', []], ['p9', 'manager', []], ['p4', 'members', many]]);
      assert.deepEqual(sorted(await other.getReferenceSets([{ anchor: 'p2', attribute: 'manager', targetAnchors: ['m1', 'm2'] }])), [['p2', 'manager', ['m2']]]);
      // at most `limit` per pair, by target anchor, so that p4's 450 cannot crowd out the others
      assert.deepEqual(await space.listStaleReferenceSets([{ anchor: 'p4', attribute: 'members' }, { anchor: 'p1', attribute: 'members' }, { anchor: 'p2', attribute: 'manager' }, { anchor: 'p1', attribute: 'manager' }], 'pass2', 2), [
        { anchor: 'p4', attribute: 'members', targetAnchors: ['t000', 't001'] },
        { anchor: 'p1', attribute: 'members', targetAnchors: ['m1', 'm3'] },
        { anchor: 'p2', attribute: 'manager', targetAnchors: [] },
        { anchor: 'p1', attribute: 'manager', targetAnchors: [] },
      ]);
      assert.equal((await space.listStaleReferenceSets([{ anchor: 'p4', attribute: 'members' }], 'pass2', 500))[0]?.targetAnchors.length, 450);
      await space.deleteReferenceSets([{ anchor: 'p1', attribute: 'members', targetAnchors: ['m1', 'm2'] }, { anchor: 'p2', attribute: 'manager', targetAnchors: ['m1'] }, { anchor: 'p4', attribute: 'members', targetAnchors: many.slice(0, 420) }]);
      assert.deepEqual(sorted(await space.listStaleReferenceSets([{ anchor: 'p1', attribute: 'members' }, { anchor: 'p2', attribute: 'manager' }, { anchor: 'p4', attribute: 'members' }], 'pass3', 100)), [
        ['p1', 'members', ['m3']], ['p2', 'manager', []], ['p4', 'members', many.slice(420)],
      ]);
      assert.deepEqual(await other.listStaleReferenceSets([{ anchor: 'p2', attribute: 'manager' }], 'pass3', 10), [{ anchor: 'p2', attribute: 'manager', targetAnchors: ['m2'] }]);
      await space.remove(['p1', 'p2', 'p4']);
      await other.remove(['p2']);
    });

    test('settling reference resolution changes the pending flag, drops the kept values, sets an escrow where given, and nothing else', async () => {
      const kept = { cycleId: 'c1', values: { manager: ['CN=Boss,OU=Sales,DC=corp'] } };
      const escrowed = { failureCount: 1, nextRetryAt: '2026-01-01T00:02:00.000Z', lastError: { code: 'ERR_Y', message: 'earlier' } };
      const before = [
        entry('s1', 'CN=Sam,OU=Sales,DC=corp', { refsPending: true, inlineReferences: kept, refsDigest: 'd1', seenMark: 'seen', escrow: escrowed }),
        entry('s2', 'CN=Sue,OU=Sales,DC=corp', { refsPending: true, inlineReferences: kept, refsDigest: 'd2' }),
        entry('s3', 'CN=Sid,OU=Sales,DC=corp', { refsPending: true, state: 'creating', cloudId: null }),
      ];
      await space.put(before);
      await other.put([before[0]!]);
      const at = '2026-01-01T00:05:00.000Z';
      await space.settleReferences([{ anchor: 's1', refsPending: false }, { anchor: 's2', refsPending: true, escrow: failure }, { anchor: 's3', refsPending: false }, { anchor: 'gone', refsPending: false }], at);
      const after = await space.get(['s1', 's2', 's3', 'gone']);
      assert.deepEqual(after.get('s1'), { ...before[0], refsPending: false, inlineReferences: null, updatedAt: at });
      assert.deepEqual(after.get('s2'), { ...before[1], refsPending: true, inlineReferences: null, escrow: failure, updatedAt: at });
      assert.deepEqual(after.get('s3'), { ...before[2], refsPending: false, updatedAt: at });
      assert.equal(after.has('gone'), false);
      assert.deepEqual((await space.listReferencesPending(undefined, 10)).map((e) => e.anchor), ['s2']);
      assert.deepEqual((await other.get(['s1'])).get('s1'), before[0]);
      await space.remove(['s1', 's2', 's3']);
      await other.remove(['s1']);
    });

    test("a page's end forgets links, then records links, then settles its entries, as the three writes in that order would", async () => {
      const kept = { cycleId: 'c1', values: { manager: ['CN=New,OU=Sales,DC=corp'] } };
      const before = [
        entry('e1', 'CN=Eli,OU=Sales,DC=corp', { refsPending: true, inlineReferences: kept, refsDigest: 'd1' }),
        entry('e2', 'CN=Eva,OU=Sales,DC=corp', { refsPending: true, inlineReferences: kept }),
      ];
      await space.put(before);
      await other.put([before[0]!]);
      await space.putReferences([{ anchor: 'e1', attribute: 'manager', targetAnchors: ['old'] }, { anchor: 'e1', attribute: 'members', targetAnchors: ['a', 'b'] }], 'pass1');
      await other.putReferences([{ anchor: 'e1', attribute: 'manager', targetAnchors: ['old'] }], 'pass1');
      const at = '2026-01-01T00:05:00.000Z';
      await space.endReferencePage({
        // 'a' is forgotten and recorded again: recorded, with the new mark
        forgotten: [{ anchor: 'e1', attribute: 'manager', targetAnchors: ['old'] }, { anchor: 'e1', attribute: 'members', targetAnchors: ['a'] }],
        links: [{ anchor: 'e1', attribute: 'manager', targetAnchors: ['new'] }, { anchor: 'e1', attribute: 'members', targetAnchors: ['a', 'c'] }],
        mark: 'pass2',
        settlements: [{ anchor: 'e1', refsPending: false }, { anchor: 'e2', refsPending: true, escrow: failure }, { anchor: 'gone', refsPending: false }],
        updatedAt: at,
      });
      const sorted = (sets: readonly { anchor: string; attribute: string; targetAnchors: readonly string[] }[]) => sets.map((s) => [s.anchor, s.attribute, [...s.targetAnchors].sort()]);
      assert.deepEqual(sorted(await space.getReferenceSets([
        { anchor: 'e1', attribute: 'manager', targetAnchors: ['old', 'new'] },
        { anchor: 'e1', attribute: 'members', targetAnchors: ['a', 'b', 'c'] },
      ])), [['e1', 'manager', ['new']], ['e1', 'members', ['a', 'b', 'c']]]);
      assert.deepEqual(await space.listStaleReferenceSets([{ anchor: 'e1', attribute: 'members' }, { anchor: 'e1', attribute: 'manager' }], 'pass2', 10), [
        { anchor: 'e1', attribute: 'members', targetAnchors: ['b'] },
        { anchor: 'e1', attribute: 'manager', targetAnchors: [] },
      ]);
      const after = await space.get(['e1', 'e2', 'gone']);
      assert.deepEqual(after.get('e1'), { ...before[0], refsPending: false, inlineReferences: null, updatedAt: at });
      assert.deepEqual(after.get('e2'), { ...before[1], refsPending: true, inlineReferences: null, escrow: failure, updatedAt: at });
      assert.equal(after.has('gone'), false);
      // the other configuration is untouched; a page with nothing to write writes nothing
      assert.deepEqual((await other.get(['e1'])).get('e1'), before[0]);
      assert.deepEqual(await other.listStaleReferenceSets([{ anchor: 'e1', attribute: 'manager' }], 'pass2', 10), [{ anchor: 'e1', attribute: 'manager', targetAnchors: ['old'] }]);
      await space.endReferencePage({ forgotten: [], links: [{ anchor: 'e1', attribute: 'manager', targetAnchors: [] }], mark: 'pass3', settlements: [], updatedAt: at });
      assert.deepEqual((await space.get(['e1'])).get('e1'), after.get('e1'));
      await space.remove(['e1', 'e2']);
      await other.remove(['e1']);
    });

    test('the projections reference resolution reads (pending entries, DN resolution) agree with the whole entries', async () => {
      const whole = [
        entry('p1', 'CN=Pia,OU=Sales,DC=corp', {
          refsPending: true, refsDigest: 'd1', seenMark: 'm1', inlineReferences: { cycleId: 'c1', values: { manager: ['CN=Boss,OU=Sales,DC=corp'] } },
          escrow: { failureCount: 1, nextRetryAt: '2026-01-01T00:10:00.000Z', lastError: { code: 'ERR_DIR_MANAGER_CYCLE', message: 'a cycle' } },
        }),
        entry('p2', 'CN=Pat,OU=Sales,DC=corp', { refsPending: true, state: 'creating', cloudId: null, exported: null }),
        entry('p3', 'CN=Pam,OU=Sales,DC=corp'),
      ];
      await space.put(whole);
      await other.put([whole[2]!]);
      const withoutExported = ({ exported: _exported, ...rest }: Partial<ConnectorSpaceEntry>) => rest;
      assert.deepEqual((await space.listReferencesPending(undefined, 10)).map(withoutExported), [whole[0]!, whole[1]!].map(withoutExported));
      assert.deepEqual((await space.listReferencesPending('p1', 10)).map((e) => e.anchor), ['p2']);
      const resolved = await space.resolveDnKeys(['cn=pia,ou=sales,dc=corp', 'cn=pat,ou=sales,dc=corp', 'cn=nobody,ou=sales,dc=corp']);
      assert.deepEqual([...resolved].map(([key, { anchor, state, cloudId }]) => [key, { anchor, state, cloudId }]).sort(), [
        ['cn=pat,ou=sales,dc=corp', { anchor: 'p2', state: 'creating', cloudId: null }],
        ['cn=pia,ou=sales,dc=corp', { anchor: 'p1', state: 'synced', cloudId: 'cloud-p1' }],
      ]);
      assert.deepEqual([...(await other.resolveDnKeys(['cn=pia,ou=sales,dc=corp', 'cn=pam,ou=sales,dc=corp'])).keys()], ['cn=pam,ou=sales,dc=corp']);
      await space.remove(['p1', 'p2', 'p3']);
      await other.remove(['p3']);
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
