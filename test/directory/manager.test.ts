import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudsyncError } from '../../src/errors/index.ts';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

const ids = (page: { items: readonly { id: string }[] }) => page.items.map((i) => i.id).sort();

for (const backend of BACKENDS) {
  describe(`manager and directReports [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('sets, replaces and removes a manager; directReports follow; cycles and wrong types are refused', async () => {
      const { tenantId, domain } = await f.tenant();
      const [ann, ben, cy] = await f.directory.createMany(tenantId, 'user', [
        { userPrincipalName: `ann@${domain}` }, { userPrincipalName: `ben@${domain}` }, { userPrincipalName: `cy@${domain}` },
      ]);
      const contact = await f.directory.create(tenantId, 'orgContact', { displayName: 'Partner Boss' });
      const group = await f.directory.create(tenantId, 'group', { displayName: 'g' });

      await rejectsWith(f.directory.getManager(tenantId, ben!.id), 'ERR_DIR_NOT_FOUND');
      await f.directory.setManager(tenantId, ben!.id, ann!.id);
      await f.directory.setManager(tenantId, cy!.id, ann!.id);
      assert.equal((await f.directory.getManager(tenantId, ben!.id)).id, ann!.id);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, ann!.id)), [ben!.id, cy!.id].sort());

      // a chain back to the user, the user itself, a group: refused, and nothing changed
      await rejectsWith(f.directory.setManager(tenantId, ann!.id, cy!.id), 'ERR_DIR_MANAGER_CYCLE');
      const cycle = await rejectsWith(f.directory.setManager(tenantId, ann!.id, ben!.id), 'ERR_DIR_MANAGER_CYCLE');
      assert.equal(cycle.details?.['managerId'], ben!.id);
      await rejectsWith(f.directory.setManager(tenantId, ann!.id, ann!.id), 'ERR_DIR_MANAGER_CYCLE');
      await rejectsWith(f.directory.setManager(tenantId, ann!.id, group.id), 'ERR_DIR_INVALID_VALUE');
      await rejectsWith(f.directory.setManager(tenantId, ann!.id, 'no-such-id'), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.getManager(tenantId, ann!.id), 'ERR_DIR_NOT_FOUND');

      // replacing: a contact can manage a user
      await f.directory.setManager(tenantId, ben!.id, contact.id);
      assert.equal((await f.directory.getManager(tenantId, ben!.id)).id, contact.id);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, ann!.id)), [cy!.id]);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, contact.id)), [ben!.id]);

      await f.directory.setManager(tenantId, ben!.id, null);
      await rejectsWith(f.directory.getManager(tenantId, ben!.id), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(f.directory.setManager(tenantId, ben!.id, null), 'ERR_DIR_NOT_FOUND');
    });

    it('a deleted manager is not shown, comes back with its restore, and is forgotten when purged', async () => {
      const { tenantId, domain } = await f.tenant();
      const [boss, report] = await f.directory.createMany(tenantId, 'user', [{ userPrincipalName: `boss@${domain}` }, { userPrincipalName: `report@${domain}` }]);
      await f.directory.setManager(tenantId, report!.id, boss!.id);
      await f.directory.delete(tenantId, 'user', boss!.id);
      await rejectsWith(f.directory.getManager(tenantId, report!.id), 'ERR_DIR_NOT_FOUND');
      await f.directory.restore(tenantId, boss!.id);
      assert.equal((await f.directory.getManager(tenantId, report!.id)).id, boss!.id);
      await f.directory.delete(tenantId, 'user', boss!.id);
      await f.directory.permanentlyDelete(tenantId, boss!.id);
      const rows = await f.store.db.selectFrom('managers' as never).selectAll().where('tenant_id' as never, '=', tenantId as never).execute();
      assert.deepEqual(rows, []);
    });

    it("a synchronized user's manager is on-premises mastered: the API cannot change it, provisioning can", async () => {
      const { tenantId, domain } = await f.tenant();
      const [boss] = await f.directory.createMany(tenantId, 'user', [{ userPrincipalName: `b@${domain}` }]);
      const synced = await f.directory.create(tenantId, 'user', { userPrincipalName: `s@${domain}`, onPremisesSyncEnabled: true, onPremisesImmutableId: 'abc=' }, { actor: 'provisioning' });
      await rejectsWith(f.directory.setManager(tenantId, synced.id, boss!.id), 'ERR_DIR_ON_PREMISES_MASTERED');
      await f.directory.setManager(tenantId, synced.id, boss!.id, { actor: 'provisioning' });
      assert.equal((await f.directory.getManager(tenantId, synced.id)).id, boss!.id);
    });
  });

  describe(`setManagers: many links in one call [${backend.name}]`, () => {
    const f = useDirectory(backend);

    /** Users ann…eve (eve reports to ann), a contact and a group in a new tenant; ids by name. */
    async function world() {
      const { tenantId, domain } = await f.tenant();
      const names = ['ann', 'ben', 'cy', 'dee', 'eve'];
      const users = await f.directory.createMany(tenantId, 'user', names.map((n) => ({ userPrincipalName: `${n}@${domain}`, displayName: n })));
      const id = new Map(names.map((n, i) => [n, users[i]!.id] as const));
      id.set('boss', (await f.directory.create(tenantId, 'orgContact', { displayName: 'boss' })).id);
      id.set('g', (await f.directory.create(tenantId, 'group', { displayName: 'g' })).id);
      id.set('dee-by-upn', `DEE@${domain}`);
      await f.directory.setManager(tenantId, id.get('eve')!, id.get('ann')!, { actor: 'provisioning' });
      const token = (await f.directory.delta(tenantId, 'user', { top: 999 })).deltaToken!;
      return { tenantId, id, names, token };
    }

    // (user, manager) by name; 'nobody' names no object
    const LINKS: readonly [string, string | null, string][] = [
      ['ben', 'ann', 'ok'],
      ['cy', 'ben', 'ok'],
      ['ann', 'cy', 'ERR_DIR_MANAGER_CYCLE'], // cy → ben → ann, both links made earlier in this call
      ['ann', 'ann', 'ERR_DIR_MANAGER_CYCLE'],
      ['dee', 'g', 'ERR_DIR_INVALID_VALUE'],
      ['dee', 'nobody', 'ERR_DIR_NOT_FOUND'],
      ['nobody', 'ann', 'ERR_DIR_NOT_FOUND'],
      ['ben', 'boss', 'ok'], // replaces ann, which breaks the chain back to ann…
      ['ann', 'cy', 'ok'], // …so the link refused above is now allowed
      ['eve', null, 'ok'],
      ['eve', null, 'ERR_DIR_NOT_FOUND'], // already removed by the link before
      ['dee-by-upn', 'ann', 'ok'],
      ['cy', 'ben', 'ok'], // unchanged
    ];

    /** Each user's manager and direct reports, and the users delta reports changed since `token`, by name. */
    async function stateOf(tenantId: string, id: Map<string, string>, names: readonly string[], token: string) {
      const nameOf = new Map([...id].map(([n, i]) => [i, n] as const));
      const managers: Record<string, string> = {};
      const reports: Record<string, string[]> = {};
      for (const name of [...names, 'boss']) {
        if (name !== 'boss') managers[name] = await f.directory.getManager(tenantId, id.get(name)!).then((m) => nameOf.get(m.id)!, (e: { code: string }) => e.code);
        reports[name] = (await f.directory.listDirectReports(tenantId, id.get(name)!)).items.map((i) => nameOf.get(i.id)!).sort();
      }
      const changed = (await f.directory.delta(tenantId, 'user', { token, top: 999 })).items.map((i) => nameOf.get(i.id)!).sort();
      return { managers, reports, changed };
    }

    it('applies the links in order: cycles formed within the call, missing objects, removal; refusals are values', async () => {
      const w = await world();
      const results = await f.directory.setManagers(w.tenantId, LINKS.map(([u, m]) => ({ userId: w.id.get(u) ?? u, managerId: m === null ? null : w.id.get(m) ?? m })), { actor: 'provisioning' });
      assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.error.code)), LINKS.map(([, , expected]) => expected));
      const cycle = results[2]!;
      assert.ok(!cycle.ok && cycle.error.details?.['managerId'] === w.id.get('cy') && cycle.error.details?.['userId'] === w.id.get('ann'));
      assert.deepEqual(await stateOf(w.tenantId, w.id, w.names, w.token), {
        managers: { ann: 'cy', ben: 'boss', cy: 'ben', dee: 'ann', eve: 'ERR_DIR_NOT_FOUND' },
        reports: { ann: ['dee'], ben: ['cy'], cy: ['ann'], dee: [], eve: [], boss: ['ben'] },
        changed: ['ann', 'ben', 'cy', 'dee', 'eve'],
      });
    });

    it('ends in the state, results and delta of the same links made one setManager call at a time', async () => {
      const batch = await world();
      const links = (w: typeof batch) => LINKS.map(([u, m]) => [w.id.get(u) ?? u, m === null ? null : w.id.get(m) ?? m] as const);
      const batched = (await f.directory.setManagers(batch.tenantId, links(batch).map(([userId, managerId]) => ({ userId, managerId })), { actor: 'provisioning' }))
        .map((r) => (r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`));
      const single = await world();
      const sequential: string[] = [];
      for (const [userId, managerId] of links(single)) {
        sequential.push(await f.directory.setManager(single.tenantId, userId, managerId, { actor: 'provisioning' }).then(() => 'ok', (e: CloudsyncError) => `${e.code}: ${e.message}`));
      }
      // the messages name ids, which differ between the two tenants
      const named = (w: typeof batch, texts: string[]) => texts.map((t) => [...w.id].reduce((text, [name, id]) => text.replaceAll(id, name), t));
      assert.deepEqual(named(batch, batched), named(single, sequential));
      assert.deepEqual(await stateOf(batch.tenantId, batch.id, batch.names, batch.token), await stateOf(single.tenantId, single.id, single.names, single.token));
    });

    it('replaces stored managers, the user named by id or by userPrincipalName', async () => {
      const w = await world();
      const id = (name: string) => w.id.get(name)!;
      await f.directory.setManager(w.tenantId, id('dee'), id('ann'), { actor: 'provisioning' });
      const results = await f.directory.setManagers(w.tenantId, [{ userId: id('dee-by-upn'), managerId: id('boss') }, { userId: id('eve'), managerId: id('ben') }], { actor: 'provisioning' });
      assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.error.code)), ['ok', 'ok']);
      const state = await stateOf(w.tenantId, w.id, w.names, w.token);
      assert.deepEqual(state.managers, { ann: 'ERR_DIR_NOT_FOUND', ben: 'ERR_DIR_NOT_FOUND', cy: 'ERR_DIR_NOT_FOUND', dee: 'boss', eve: 'ben' });
      assert.deepEqual({ ann: state.reports['ann'], ben: state.reports['ben'], boss: state.reports['boss'] }, { ann: [], ben: ['eve'], boss: ['dee'] });
    });

    it('walks chains longer than a query chunk, within the call and as stored', async () => {
      const { tenantId, domain } = await f.tenant();
      const users = await f.directory.createMany(tenantId, 'user', Array.from({ length: 1200 }, (_, i) => ({ userPrincipalName: `u${i}@${domain}` })));
      // u1199 → u1198 → … → u0, then u0 → u1199 closes the chain: refused, as the last link of the same call
      const chain = users.slice(1).map((u, i) => ({ userId: u.id, managerId: users[i]!.id }));
      const results = await f.directory.setManagers(tenantId, [...chain, { userId: users[0]!.id, managerId: users[1199]!.id }], { actor: 'provisioning' });
      assert.equal(results.filter((r) => r.ok).length, 1199);
      assert.equal(results[1199]!.ok ? 'ok' : results[1199]!.error.code, 'ERR_DIR_MANAGER_CYCLE');
      assert.equal((await f.directory.getManager(tenantId, users[1199]!.id)).id, users[1198]!.id);
      await rejectsWith(f.directory.getManager(tenantId, users[0]!.id), 'ERR_DIR_NOT_FOUND');
      // the same link against the stored chain, among others that succeed
      const again = await f.directory.setManagers(tenantId, [{ userId: users[0]!.id, managerId: users[600]!.id }, { userId: users[1]!.id, managerId: null }, { userId: users[0]!.id, managerId: users[600]!.id }], { actor: 'provisioning' });
      assert.deepEqual(again.map((r) => (r.ok ? 'ok' : r.error.code)), ['ERR_DIR_MANAGER_CYCLE', 'ok', 'ok']);
      assert.equal((await f.directory.getManager(tenantId, users[0]!.id)).id, users[600]!.id);
    });

    it("refuses the API's links of synchronized users one by one; misuse is a TypeError and writes nothing", async () => {
      const { tenantId, domain } = await f.tenant();
      const [boss, free] = await f.directory.createMany(tenantId, 'user', [{ userPrincipalName: `b@${domain}` }, { userPrincipalName: `f@${domain}` }]);
      const synced = await f.directory.create(tenantId, 'user', { userPrincipalName: `s@${domain}`, onPremisesSyncEnabled: true, onPremisesImmutableId: 'abc=' }, { actor: 'provisioning' });
      const results = await f.directory.setManagers(tenantId, [{ userId: synced.id, managerId: boss!.id }, { userId: free!.id, managerId: boss!.id }]);
      assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.error.code)), ['ERR_DIR_ON_PREMISES_MASTERED', 'ok']);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, boss!.id)), [free!.id]);
      await assert.rejects(f.directory.setManagers(tenantId, [{ userId: synced.id, managerId: null }, { userId: 7 as unknown as string, managerId: boss!.id }]), TypeError);
      assert.deepEqual(await f.directory.setManagers(tenantId, []), []);
      assert.deepEqual(ids(await f.directory.listDirectReports(tenantId, boss!.id)), [free!.id]);
    });
  });
}

stopHarnessAfterAll();
