import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudDirectory, DeltaEntry } from '../../src/directory/index.ts';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

/** Follows nextTokens to the end of a round; returns every entry and the delta token for the next round. */
async function round(directory: CloudDirectory, tenantId: string, type: 'user' | 'group', token: string | undefined, top: number) {
  const items: DeltaEntry[] = [];
  let next = token;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await directory.delta(tenantId, type, { ...(next === undefined ? {} : { token: next }), top });
    items.push(...page.items);
    if (page.deltaToken !== undefined) return { items, deltaToken: page.deltaToken, pages: pages + 1 };
    next = page.nextToken;
  }
  throw new Error('delta did not end');
}

const byId = (items: readonly DeltaEntry[]) => new Map(items.map((i) => [i.id, i] as const));

for (const backend of BACKENDS) {
  describe(`delta [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('returns exactly the objects changed since the token, in their latest state, at any page size', async () => {
      const { tenantId, domain } = await f.tenant();
      const users = await f.directory.createMany(
        tenantId,
        'user',
        Array.from({ length: 7 }, (_, i) => ({ userPrincipalName: `u${i}@${domain}`, displayName: `User ${i}` })),
      );
      const initial = await round(f.directory, tenantId, 'user', undefined, 3);
      assert.equal(initial.pages, 3);
      assert.deepEqual([...byId(initial.items).keys()].sort(), users.map((u) => u.id).sort());

      const empty = await round(f.directory, tenantId, 'user', initial.deltaToken, 3);
      assert.deepEqual(empty.items, []);

      const [u0, u1, u2, u3, u4] = users;
      const created = await f.directory.create(tenantId, 'user', { userPrincipalName: `new@${domain}` });
      await f.directory.update(tenantId, 'user', u0!.id, { jobTitle: 'first' });
      await f.directory.update(tenantId, 'user', u0!.id, { jobTitle: 'second' });
      await f.directory.delete(tenantId, 'user', u1!.id);
      await f.directory.update(tenantId, 'user', u2!.id, { jobTitle: 'x' });
      await f.directory.delete(tenantId, 'user', u2!.id);
      await f.directory.delete(tenantId, 'user', u3!.id);
      await f.directory.restore(tenantId, u3!.id);
      await f.directory.delete(tenantId, 'user', u4!.id);
      await f.directory.permanentlyDelete(tenantId, u4!.id);
      await f.directory.update(tenantId, 'user', users[5]!.id, { jobTitle: null }); // no change: not reported
      await f.directory.create(tenantId, 'group', { displayName: 'other type' });

      for (const top of [1, 2, 100]) {
        const changes = await round(f.directory, tenantId, 'user', initial.deltaToken, top);
        const entries = byId(changes.items);
        assert.equal(changes.items.length, entries.size, 'each object once per round');
        assert.deepEqual([...entries.keys()].sort(), [created.id, u0!.id, u1!.id, u2!.id, u3!.id, u4!.id].sort());
        assert.equal(entries.get(created.id)!['userPrincipalName'], `new@${domain}`);
        assert.equal(entries.get(u0!.id)!['jobTitle'], 'second');
        assert.deepEqual(entries.get(u1!.id), { id: u1!.id, '@odata.type': '#microsoft.graph.user', '@removed': { reason: 'changed' } });
        assert.deepEqual(entries.get(u2!.id)!['@removed'], { reason: 'changed' });
        assert.equal(entries.get(u3!.id)!['@removed'], undefined);
        assert.deepEqual(entries.get(u4!.id)!['@removed'], { reason: 'deleted' });
        const again = await round(f.directory, tenantId, 'user', changes.deltaToken, top);
        assert.deepEqual(again.items, []);
      }
    });

    it('pages a round against a fixed upper bound: changes made while paging come in the next round', async () => {
      const { tenantId, domain } = await f.tenant();
      const users = await f.directory.createMany(tenantId, 'user', Array.from({ length: 4 }, (_, i) => ({ userPrincipalName: `p${i}@${domain}` })));
      const start = await round(f.directory, tenantId, 'user', undefined, 100);
      for (const u of users) await f.directory.update(tenantId, 'user', u.id, { jobTitle: 'a' });
      const first = await f.directory.delta(tenantId, 'user', { token: start.deltaToken, top: 2 });
      assert.equal(first.items.length, 2);
      const late = await f.directory.create(tenantId, 'user', { userPrincipalName: `late@${domain}` });
      const rest = await round(f.directory, tenantId, 'user', first.nextToken, 2);
      assert.equal(rest.items.some((i) => i.id === late.id), false);
      assert.equal(first.items.length + rest.items.length, 4);
      const next = await round(f.directory, tenantId, 'user', rest.deltaToken, 2);
      assert.deepEqual(next.items.map((i) => i.id), [late.id]);
    });

    it('reports net member changes of groups as members@delta', async () => {
      const { tenantId, domain } = await f.tenant();
      const [a, b, c] = await f.directory.createMany(tenantId, 'user', [
        { userPrincipalName: `a@${domain}` },
        { userPrincipalName: `b@${domain}` },
        { userPrincipalName: `c@${domain}` },
      ]);
      const group = await f.directory.create(tenantId, 'group', { displayName: 'g' });
      const quiet = await f.directory.create(tenantId, 'group', { displayName: 'quiet' });
      await f.directory.addMember(tenantId, group.id, a!.id);
      await f.directory.addMember(tenantId, group.id, b!.id);
      const initial = await round(f.directory, tenantId, 'group', undefined, 10);
      const g0 = byId(initial.items).get(group.id)!;
      assert.deepEqual(
        (g0['members@delta'] as { id: string }[]).map((m) => m.id).sort(),
        [a!.id, b!.id].sort(),
      );
      await f.directory.removeMember(tenantId, group.id, a!.id);
      await f.directory.addMember(tenantId, group.id, c!.id);
      await f.directory.removeMember(tenantId, group.id, c!.id); // added and removed: no net change
      await f.directory.delete(tenantId, 'user', b!.id); // a deleted member leaves the group
      const changes = await round(f.directory, tenantId, 'group', initial.deltaToken, 10);
      assert.deepEqual(changes.items.map((i) => i.id), [group.id]);
      assert.equal(changes.items.some((i) => i.id === quiet.id), false);
      const members = (changes.items[0]!['members@delta'] as { id: string; '@removed'?: unknown }[]).sort((x, y) => x.id.localeCompare(y.id));
      assert.deepEqual(
        members,
        [
          { id: a!.id, '@odata.type': '#microsoft.graph.user', '@removed': { reason: 'deleted' } },
          { id: b!.id, '@odata.type': '#microsoft.graph.user', '@removed': { reason: 'deleted' } },
        ].sort((x, y) => x.id.localeCompare(y.id)),
      );
      await f.directory.restore(tenantId, b!.id);
      const restored = await round(f.directory, tenantId, 'group', changes.deltaToken, 10);
      assert.deepEqual(restored.items[0]!['members@delta'], [{ id: b!.id, '@odata.type': '#microsoft.graph.user' }]);
    });

    it('compacts the change log after the retention and refuses tokens from before it', async () => {
      const { tenantId, domain } = await f.tenant();
      f.now = new Date('2025-06-01T00:00:00Z');
      const user = await f.directory.create(tenantId, 'user', { userPrincipalName: `old@${domain}` });
      const oldToken = (await round(f.directory, tenantId, 'user', undefined, 10)).deltaToken;
      await f.directory.update(tenantId, 'user', user.id, { jobTitle: 'then' });
      const midToken = (await round(f.directory, tenantId, 'user', oldToken, 10)).deltaToken;
      f.now = new Date('2025-07-15T00:00:00Z');
      await f.directory.update(tenantId, 'user', user.id, { jobTitle: 'now' });
      await f.directory.purgeExpired(new Date('2025-07-16T00:00:00Z'));
      const e = await rejectsWith(f.directory.delta(tenantId, 'user', { token: oldToken }), 'ERR_ODATA_SKIPTOKEN');
      assert.equal(e.details?.['reason'], 'expired');
      // A token taken after the compacted changes still works, and sees the recent change.
      const recent = await round(f.directory, tenantId, 'user', midToken, 10);
      assert.deepEqual(recent.items.map((i) => i['jobTitle']), ['now']);
      const fresh = await round(f.directory, tenantId, 'user', undefined, 10);
      assert.deepEqual(fresh.items.map((i) => i.id), [user.id]);
    });

    it('refuses tokens of another tenant or type, and garbage', async () => {
      const a = await f.tenant();
      const b = await f.tenant();
      const token = (await f.directory.delta(a.tenantId, 'user')).deltaToken!;
      await rejectsWith(f.directory.delta(b.tenantId, 'user', { token }), 'ERR_ODATA_SKIPTOKEN');
      await rejectsWith(f.directory.delta(a.tenantId, 'group', { token }), 'ERR_ODATA_SKIPTOKEN');
      await rejectsWith(f.directory.delta(a.tenantId, 'user', { token: 'not-a-token' }), 'ERR_ODATA_SKIPTOKEN');
    });
  });
}

stopHarnessAfterAll();
