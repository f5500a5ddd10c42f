/**
 * restoreMany: one transaction with the state, SMTP addresses, change rows (what /delta reports) and returned objects
 * of `restore` called once per id, in order — an object restored earlier in the call holds its values for the ids
 * after it, a group restored earlier is a live group of its members after it — and all or nothing, refused with the
 * error `restore` would throw for the first id it refuses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../storage/backends.ts';
import { deltaRound, rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

const ids = (page: { readonly items: readonly { readonly id: string }[] }) => page.items.map((o) => o.id).sort();

type Name = 'u0' | 'u1' | 'u2' | 'u3' | 'g' | 'h';

for (const backend of BACKENDS) {
  describe(`directory restoreMany [${backend.name}]`, () => {
    const f = useDirectory(backend);

    /**
     * A tenant with users u0…u3 (each with a UPN, an address and an immutable id), group g holding u0, u1 and u3,
     * group h holding g and u2, u0 reporting to u3; then u0, u1, u2, g and h deleted.
     */
    async function world() {
      f.now = new Date('2025-01-01T00:00:00Z');
      const { tenantId, domain } = await f.tenant();
      const users = await f.directory.createMany(tenantId, 'user', [0, 1, 2, 3].map((i) => ({
        userPrincipalName: `u${i}@${domain}`, displayName: `User ${i}`, mail: `u${i}@${domain}`, onPremisesImmutableId: `imm${i}`,
      })), { actor: 'provisioning' });
      const [g, h] = await f.directory.createMany(tenantId, 'group', [{ displayName: 'g', mail: `g@${domain}` }, { displayName: 'h' }]);
      for (const i of [0, 1, 3]) await f.directory.addMember(tenantId, g!.id, users[i]!.id);
      await f.directory.addMember(tenantId, h!.id, g!.id);
      await f.directory.addMember(tenantId, h!.id, users[2]!.id);
      await f.directory.setManager(tenantId, users[0]!.id, users[3]!.id);
      const byName = new Map<Name, string>([...users.map((u, i) => [`u${i}` as Name, u.id] as const), ['g', g!.id], ['h', h!.id]]);
      const id = (name: Name) => byName.get(name)!;
      const names = new Map([...byName].map(([name, objectId]) => [objectId, name]));
      const before = new Map<Name, unknown>();
      for (const name of ['u0', 'u1', 'u2'] as const) before.set(name, await f.directory.get(tenantId, 'user', id(name)));
      for (const name of ['g', 'h'] as const) before.set(name, await f.directory.get(tenantId, 'group', id(name)));
      const rows = await storedRows(tenantId);
      f.now = new Date('2025-01-02T00:00:00Z');
      await f.directory.deleteMany(tenantId, 'user', [id('u0'), id('u1'), id('u2')], { actor: 'provisioning' });
      await f.directory.deleteMany(tenantId, 'group', [id('g'), id('h')]);
      f.now = new Date('2025-01-03T00:00:00Z');
      return { tenantId, domain, id, names, before, rows };
    }

    /** Every stored row of the tenant's objects: id, deleted_at and the stored (sparse) text. */
    async function storedRows(tenantId: string) {
      return f.store.db.selectFrom('directory_objects').select(['id', 'deleted_at', 'data']).where('tenant_id', '=', tenantId).orderBy('id').execute();
    }

    /** The change rows written since `seq`, with names for ids: what /delta is made of. */
    async function changesSince(tenantId: string, seq: number, names: ReadonlyMap<string, string>): Promise<string[]> {
      const rows = await f.store.db.selectFrom('changes').select(['object_id', 'kind', 'detail']).where('tenant_id', '=', tenantId).where('seq', '>', seq).orderBy('seq').execute();
      return rows.map((r) => `${names.get(r.object_id)} ${r.kind}${r.detail === null ? '' : ` ${names.get((JSON.parse(r.detail) as { id: string }).id)}`}`);
    }

    async function lastSeq(tenantId: string): Promise<number> {
      const { seq } = await f.store.db.selectFrom('changes').select((eb) => eb.fn.max<number>('seq').as('seq')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
      return Number(seq);
    }

    /** Restores `order` with one restoreMany or one restore per id; what the directory then holds, ids as names. */
    async function restored(order: readonly Name[], many: boolean) {
      const { tenantId, domain, id, names, before, rows } = await world();
      const userRound = await deltaRound(f.directory, tenantId, 'user');
      const groupRound = await deltaRound(f.directory, tenantId, 'group');
      const seq = await lastSeq(tenantId);
      const returned = [];
      if (many) returned.push(...await f.directory.restoreMany(tenantId, order.map(id)));
      else for (const name of order) returned.push(await f.directory.restore(tenantId, id(name)));
      const changes = await changesSince(tenantId, seq, names);
      // the rows are stored exactly as before the deletes
      assert.deepEqual(await storedRows(tenantId), rows);
      const named = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (objectId) => names.get(objectId) ?? objectId).replaceAll(domain, '<domain>')) as unknown;
      // each object comes back as it was before its delete, and is returned so
      for (const [index, name] of order.entries()) {
        assert.deepEqual(returned[index], before.get(name), name);
        assert.deepEqual(await f.directory.get(tenantId, name.startsWith('u') ? 'user' : 'group', id(name)), before.get(name), name);
      }
      // addresses and UPNs are held again
      for (const name of order) {
        const taken = await f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `${name}@${domain}` }).then(() => 'free', (e: { code: string }) => e.code);
        if (name !== 'h') assert.equal(taken, 'ERR_DIR_PROXY_ADDRESS_CONFLICT', name);
      }
      const memberNames = async (group: Name) => ids(await f.directory.listMembers(tenantId, id(group))).map((m) => names.get(m)).sort();
      const delta = async (type: 'user' | 'group', token: string) => named((await deltaRound(f.directory, tenantId, type, token)).items.map((item) => {
        const members = item['members@delta'] as { id: string }[] | undefined;
        return members === undefined ? item : { ...item, 'members@delta': [...members].sort((a, b) => a.id.localeCompare(b.id)) };
      }).sort((a, b) => String(named(a.id)).localeCompare(String(named(b.id)))));
      return {
        changes,
        members: { g: await memberNames('g'), h: await memberNames('h') },
        deleted: [...ids(await f.directory.listDeleted(tenantId, 'user', { top: 10 })), ...ids(await f.directory.listDeleted(tenantId, 'group', { top: 10 }))].map((d) => names.get(d)).sort(),
        manager: names.get((await f.directory.getManager(tenantId, id('u0'))).id),
        userDelta: await delta('user', userRound.token),
        groupDelta: await delta('group', groupRound.token),
      };
    }

    it('a group restored before its members: the members restored after it are added to it, as one restore per id', async () => {
      const order: Name[] = ['g', 'u0', 'u1', 'h', 'u2'];
      const many = await restored(order, true);
      assert.deepEqual(many.changes, ['g restored', 'g memberAdded u3', 'u0 restored', 'g memberAdded u0', 'u1 restored', 'g memberAdded u1', 'h restored', 'h memberAdded g', 'u2 restored', 'h memberAdded u2']);
      assert.deepEqual(many, await restored(order, false));
      assert.deepEqual(many.members, { g: ['u0', 'u1', 'u3'], h: ['g', 'u2'] });
      assert.deepEqual([many.deleted, many.manager], [[], 'u3']);
      const gDelta = (many.groupDelta as { id: string; 'members@delta'?: unknown }[]).find((e) => e.id === 'g');
      assert.deepEqual(gDelta?.['members@delta'], ['u0', 'u1', 'u3'].map((id) => ({ id, '@odata.type': '#microsoft.graph.user' })));
    });

    it('members restored before their group: the group brings them in with it, as one restore per id', async () => {
      const order: Name[] = ['u2', 'u0', 'h', 'g', 'u1'];
      const many = await restored(order, true);
      assert.deepEqual(many.changes, ['u2 restored', 'u0 restored', 'h restored', 'h memberAdded u2', 'g restored', 'h memberAdded g', 'g memberAdded u0', 'g memberAdded u3', 'u1 restored', 'g memberAdded u1']);
      assert.deepEqual(many, await restored(order, false));
      assert.deepEqual(many.members, { g: ['u0', 'u1', 'u3'], h: ['g', 'u2'] });
    });

    it('a value taken meanwhile refuses the call with the error restore gives the first item it refuses, and nothing is restored', async () => {
      const { tenantId, domain, id, names } = await world();
      const seq = await lastSeq(tenantId);
      const stillDeleted = async () => {
        const all = [...ids(await f.directory.listDeleted(tenantId, 'user', { top: 10 })), ...ids(await f.directory.listDeleted(tenantId, 'group', { top: 10 }))];
        return all.filter((d) => names.has(d)).map((d) => names.get(d)).sort();
      };
      const everyone = ['g', 'h', 'u0', 'u1', 'u2'];
      const attempts = [
        { code: 'ERR_DIR_UPN_CONFLICT', take: { userPrincipalName: `U1@${domain}` } },
        { code: 'ERR_DIR_IMMUTABLE_ID_CONFLICT', take: { userPrincipalName: `other@${domain}`, onPremisesImmutableId: 'imm1' } },
        { code: 'ERR_DIR_PROXY_ADDRESS_CONFLICT', take: { userPrincipalName: `other@${domain}`, mail: `u1@${domain}` } },
      ];
      for (const { code, take } of attempts) {
        const taker = await f.directory.create(tenantId, 'user', take, { actor: 'provisioning' });
        const e = await rejectsWith(f.directory.restoreMany(tenantId, [id('u0'), id('u1'), id('u2')]), code);
        const single = await rejectsWith(f.directory.restore(tenantId, id('u1')), code);
        assert.deepEqual([e.message, e.details], [single.message, single.details]);
        assert.equal(e.details?.['conflictingObjectId'], taker.id);
        assert.deepEqual(await stillDeleted(), everyone);
        await f.directory.delete(tenantId, 'user', taker.id, { actor: 'provisioning' });
      }
      // the first id refused decides the error: a group's address taken before the user's UPN
      const contact = await f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `g@${domain}` });
      const upnTaker = await f.directory.create(tenantId, 'user', { userPrincipalName: `u2@${domain}` });
      const first = await rejectsWith(f.directory.restoreMany(tenantId, [id('u0'), id('g'), id('u2')]), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      assert.equal(first.details?.['conflictingObjectId'], contact.id);
      await rejectsWith(f.directory.restoreMany(tenantId, [id('u2'), id('g')]), 'ERR_DIR_UPN_CONFLICT');
      await f.directory.delete(tenantId, 'orgContact', contact.id);
      await f.directory.delete(tenantId, 'user', upnTaker.id);
      assert.deepEqual(await stillDeleted(), everyone);
      // nothing of the refused calls is in the change log: only the takers' creates and deletes
      assert.deepEqual((await changesSince(tenantId, seq, names)).filter((row) => / (restored|memberAdded)/.test(row)), []);
    });

    it('two deleted items with one UPN: the second is refused, by the first restored in the same call, as by one restored before', async () => {
      const { tenantId, domain, id } = await world();
      // u1 deleted holds u1@; a later user took u1@ and was deleted in turn
      const later = await f.directory.create(tenantId, 'user', { userPrincipalName: `u1@${domain}`, displayName: 'later' });
      await f.directory.delete(tenantId, 'user', later.id);
      const e = await rejectsWith(f.directory.restoreMany(tenantId, [id('u0'), id('u1'), later.id]), 'ERR_DIR_UPN_CONFLICT');
      assert.equal((await f.directory.listDeleted(tenantId, 'user', { top: 10 })).items.length, 4);
      await f.directory.restore(tenantId, id('u0'));
      await f.directory.restore(tenantId, id('u1'));
      const single = await rejectsWith(f.directory.restore(tenantId, later.id), 'ERR_DIR_UPN_CONFLICT');
      assert.deepEqual([e.message, e.details], [single.message, single.details]);
      assert.equal(e.details?.['conflictingObjectId'], id('u1'));
    });

    it('an id not among the deleted items (live, given twice, unknown, a removed contact) is not found, with restore\'s error', async () => {
      const { tenantId, domain, id } = await world();
      const contact = await f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `c@${domain}` });
      await f.directory.delete(tenantId, 'orgContact', contact.id);
      for (const missing of [id('u3'), '00000000-0000-0000-0000-000000000000', contact.id]) {
        const e = await rejectsWith(f.directory.restoreMany(tenantId, [id('u0'), missing, id('u1')]), 'ERR_DIR_NOT_FOUND');
        const single = await rejectsWith(f.directory.restore(tenantId, missing), 'ERR_DIR_NOT_FOUND');
        assert.deepEqual([e.message, e.details], [single.message, single.details]);
      }
      const twice = await rejectsWith(f.directory.restoreMany(tenantId, [id('u0'), id('g'), id('u0')]), 'ERR_DIR_NOT_FOUND');
      assert.equal(twice.details?.['id'], id('u0'));
      // a conflict of an item before the missing one is reported first, as restores one by one would stop there
      const taker = await f.directory.create(tenantId, 'user', { userPrincipalName: `u0@${domain}` });
      await rejectsWith(f.directory.restoreMany(tenantId, [id('u0'), id('u3')]), 'ERR_DIR_UPN_CONFLICT');
      await f.directory.delete(tenantId, 'user', taker.id);
      assert.equal((await f.directory.listDeleted(tenantId, 'user', { top: 10 })).items.length, 4);
      assert.deepEqual(await f.directory.restoreMany(tenantId, []), []);
      await assert.rejects(f.directory.restoreMany(tenantId, [42 as unknown as string]), TypeError);
      await assert.rejects(f.directory.restoreMany(tenantId, 'x' as unknown as string[]), TypeError);
      await assert.rejects(f.directory.restoreMany(tenantId, [id('u0')], { actor: 'robot' as 'api' }), TypeError);
    });

    it('more ids than one statement takes (500): every one is restored, with its address and its group', async () => {
      const { tenantId, domain } = await f.tenant();
      const many = await f.directory.createMany(tenantId, 'user', Array.from({ length: 1_203 }, (_, i) => ({ userPrincipalName: `m${i}@${domain}`, mail: `m${i}@${domain}` })));
      const group = await f.directory.create(tenantId, 'group', { displayName: 'all' });
      const inGroup = many.slice(0, 3).concat(many.slice(-3)).map((u) => u.id);
      for (const memberId of inGroup) await f.directory.addMember(tenantId, group.id, memberId);
      await f.directory.deleteMany(tenantId, 'user', many.map((u) => u.id));
      const round = await deltaRound(f.directory, tenantId, 'group');
      const back = await f.directory.restoreMany(tenantId, many.map((u) => u.id));
      assert.deepEqual(back.map((u) => u.id), many.map((u) => u.id));
      assert.equal((await f.directory.listDeleted(tenantId, 'user', { top: 10 })).items.length, 0);
      assert.deepEqual(ids(await f.directory.listMembers(tenantId, group.id)), [...inGroup].sort());
      assert.equal((await f.directory.get(tenantId, 'user', `m700@${domain}`)).id, many[700]!.id);
      await rejectsWith(f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `m1202@${domain}` }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `m600@${domain}` }), 'ERR_DIR_UPN_CONFLICT');
      const changes = await deltaRound(f.directory, tenantId, 'group', round.token);
      const members = (changes.items[0]!['members@delta'] as { id: string }[]).map((m) => m.id).sort();
      assert.deepEqual(members, [...inGroup].sort());
    });
  });
}

stopHarnessAfterAll();
