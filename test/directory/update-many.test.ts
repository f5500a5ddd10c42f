/**
 * updateMany: one transaction with the result and state of `update` called once per item, in order — including
 * the uniqueness checks between items of the same call — and all or nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudDirectory, DeltaEntry } from '../../src/directory/index.ts';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

/** Every entry of a delta round from `token`. */
async function deltaSince(directory: CloudDirectory, tenantId: string, token: string): Promise<DeltaEntry[]> {
  const items: DeltaEntry[] = [];
  let next = token;
  for (;;) {
    const page = await directory.delta(tenantId, 'user', { token: next });
    items.push(...page.items);
    if (page.deltaToken !== undefined) return items;
    next = page.nextToken!;
  }
}

async function deltaToken(directory: CloudDirectory, tenantId: string): Promise<string> {
  let page = await directory.delta(tenantId, 'user', { top: 999 });
  while (page.deltaToken === undefined) page = await directory.delta(tenantId, 'user', { token: page.nextToken!, top: 999 });
  return page.deltaToken;
}

for (const backend of BACKENDS) {
  describe(`directory updateMany [${backend.name}]`, () => {
    const f = useDirectory(backend);

    async function users(tenantId: string, domain: string, n: number) {
      return f.directory.createMany(tenantId, 'user', Array.from({ length: n }, (_, i) => ({ userPrincipalName: `u${i}@${domain}`, displayName: `User ${i}`, mail: `u${i}@${domain}` })));
    }

    it('writes what one update per item writes: later items see earlier ones, unchanged items are not reported by delta', async () => {
      const { tenantId, domain } = await f.tenant();
      const [u0, u1, u2] = await users(tenantId, domain, 3);
      const token = await deltaToken(f.directory, tenantId);
      const written = await f.directory.updateMany(tenantId, 'user', [
        { id: u0!.id, patch: { jobTitle: 'first' } },
        { id: u1!.id, patch: { displayName: 'User 1' } }, // its current value: no change
        { id: u2!.id, patch: { mail: `new2@${domain}`, proxyAddresses: [`SMTP:new2@${domain}`, `smtp:alias2@${domain}`] } },
        { id: u0!.id, patch: { department: 'Sales' } },
      ]);
      assert.deepEqual(written.map((u) => [u.id, u.jobTitle, u.department]), [
        [u0!.id, 'first', null],
        [u1!.id, null, null],
        [u2!.id, null, null],
        [u0!.id, 'first', 'Sales'],
      ]);
      const stored = await f.directory.get(tenantId, 'user', u0!.id);
      assert.deepEqual([stored.jobTitle, stored.department], ['first', 'Sales']);
      assert.equal((await f.directory.get(tenantId, 'user', u2!.id)).mail, `new2@${domain}`);

      const changes = await deltaSince(f.directory, tenantId, token);
      assert.deepEqual(changes.map((c) => c.id).sort(), [u0!.id, u2!.id].sort());

      // u2's addresses moved: the new ones are taken, the old one is free
      const e = await rejectsWith(f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `ALIAS2@${domain}` }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      assert.equal(e.details?.['conflictingObjectId'], u2!.id);
      await f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `u2@${domain}` });
    });

    it('many objects written at once keep the columns lists, lookups and deletes read (display name, UPN, sync flag)', async () => {
      const { tenantId, domain } = await f.tenant();
      const all = await users(tenantId, domain, 5);
      await f.directory.updateMany(tenantId, 'user', all.map((u, i) => ({ id: u.id, patch: { displayName: `Renamed ${i}`, onPremisesSyncEnabled: true } })), { actor: 'provisioning' });
      const page = await f.directory.list(tenantId, 'user', { top: 10, filter: { kind: 'comparison', operator: 'eq', property: 'displayName', value: 'Renamed 3' } });
      assert.deepEqual(page.items.map((u) => u.id), [all[3]!.id]);
      for (const u of all) await rejectsWith(f.directory.delete(tenantId, 'user', u.id), 'ERR_DIR_ON_PREMISES_MASTERED');
      assert.deepEqual((await f.directory.get(tenantId, 'user', all[4]!.id)).displayName, 'Renamed 4');
      // new UPNs for all (none passes from one object to another): the UPN index follows
      await f.directory.updateMany(tenantId, 'user', all.map((u, i) => ({ id: u.id, patch: { userPrincipalName: `renamed${i}@${domain}` } })), { actor: 'provisioning' });
      assert.equal((await f.directory.get(tenantId, 'user', `RENAMED2@${domain}`)).id, all[2]!.id);
      await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `renamed0@${domain}` }), 'ERR_DIR_UPN_CONFLICT');
      await f.directory.create(tenantId, 'user', { userPrincipalName: `u0@${domain}`, mailNickname: 'x' });
    });

    it('a UPN held by another object fails the whole call with update\'s error, and nothing is written', async () => {
      const { tenantId, domain } = await f.tenant();
      const [u0, u1, u2] = await users(tenantId, domain, 3);
      const e = await rejectsWith(
        f.directory.updateMany(tenantId, 'user', [
          { id: u0!.id, patch: { userPrincipalName: `fresh@${domain}`, jobTitle: 'x' } },
          { id: u1!.id, patch: { userPrincipalName: `U2@${domain}` } },
        ]),
        'ERR_DIR_UPN_CONFLICT',
      );
      const single = await rejectsWith(f.directory.update(tenantId, 'user', u1!.id, { userPrincipalName: `U2@${domain}` }), 'ERR_DIR_UPN_CONFLICT');
      assert.deepEqual([e.message, e.details], [single.message, single.details]);
      assert.equal(e.details?.['conflictingObjectId'], u2!.id);
      const u0After = await f.directory.get(tenantId, 'user', u0!.id);
      assert.deepEqual([u0After.userPrincipalName, u0After.jobTitle], [`u0@${domain}`, null]);
      await f.directory.create(tenantId, 'user', { userPrincipalName: `fresh@${domain}` }); // still free
    });

    it('between items of one call: a UPN is free once an earlier item gave it up, taken once an earlier item took it', async () => {
      const { tenantId, domain } = await f.tenant();
      const [u0, u1, u2] = await users(tenantId, domain, 3);
      // u1 asks for u0's UPN before u0 gives it up: update would refuse it at that point
      const upns = (...items: [string, string][]) => items.map(([id, upn]) => ({ id, patch: { userPrincipalName: upn } }));
      const early = await rejectsWith(f.directory.updateMany(tenantId, 'user', upns([u1!.id, `u0@${domain}`], [u0!.id, `moved0@${domain}`])), 'ERR_DIR_UPN_CONFLICT');
      assert.equal(early.details?.['conflictingObjectId'], u0!.id);
      // two items asking for the same new UPN: the second one fails, naming the first
      const twice = await rejectsWith(f.directory.updateMany(tenantId, 'user', upns([u0!.id, `same@${domain}`], [u2!.id, `SAME@${domain}`])), 'ERR_DIR_UPN_CONFLICT');
      assert.equal(twice.details?.['conflictingObjectId'], u0!.id);
      assert.equal(twice.details?.['objectId'], u2!.id);
      // in the other order it is a rotation update allows step by step
      await f.directory.updateMany(tenantId, 'user', upns([u0!.id, `moved0@${domain}`], [u1!.id, `u0@${domain}`], [u2!.id, `u1@${domain}`]));
      assert.deepEqual(
        await Promise.all([u0, u1, u2].map(async (u) => (await f.directory.get(tenantId, 'user', u!.id)).userPrincipalName)),
        [`moved0@${domain}`, `u0@${domain}`, `u1@${domain}`],
      );
      // the moved UPNs are what lookups by UPN find now
      assert.equal((await f.directory.get(tenantId, 'user', `U0@${domain}`)).id, u1!.id);
      await rejectsWith(f.directory.create(tenantId, 'user', { userPrincipalName: `moved0@${domain}` }), 'ERR_DIR_UPN_CONFLICT');
      await f.directory.create(tenantId, 'user', { userPrincipalName: `u2@${domain}` });
    });

    it('SMTP addresses and immutable ids are checked between items and against stored objects; UPN domains must be verified', async () => {
      const { tenantId, domain } = await f.tenant();
      const [u0, u1] = await users(tenantId, domain, 2);
      const group = await f.directory.create(tenantId, 'group', { displayName: 'g', mailEnabled: true, proxyAddresses: [`SMTP:team@${domain}`] });
      const inBatch = await rejectsWith(
        f.directory.updateMany(tenantId, 'user', [
          { id: u0!.id, patch: { proxyAddresses: [`SMTP:u0@${domain}`, `smtp:shared@${domain}`] } },
          { id: u1!.id, patch: { mail: `Shared@${domain}` } },
        ]),
        'ERR_DIR_PROXY_ADDRESS_CONFLICT',
      );
      assert.deepEqual([inBatch.details?.['conflictingObjectId'], inBatch.details?.['value']], [u0!.id, `shared@${domain}`]);
      const stored = await rejectsWith(f.directory.updateMany(tenantId, 'user', [{ id: u1!.id, patch: { proxyAddresses: [`smtp:TEAM@${domain}`] } }]), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      assert.deepEqual([stored.details?.['conflictingObjectId'], stored.details?.['conflictingObjectType']], [group.id, 'group']);
      // u0 gives its mail to u1 in the same call
      await f.directory.updateMany(tenantId, 'user', [
        { id: u0!.id, patch: { mail: `zero@${domain}` } },
        { id: u1!.id, patch: { proxyAddresses: [`SMTP:u1@${domain}`, `smtp:u0@${domain}`] } },
      ]);
      const e = await rejectsWith(f.directory.create(tenantId, 'orgContact', { displayName: 'c', mail: `u0@${domain}` }), 'ERR_DIR_PROXY_ADDRESS_CONFLICT');
      assert.equal(e.details?.['conflictingObjectId'], u1!.id);

      const provisioning = { actor: 'provisioning' } as const;
      const immutable = await rejectsWith(
        f.directory.updateMany(tenantId, 'user', [
          { id: u0!.id, patch: { onPremisesImmutableId: 'Zm9v' } },
          { id: u1!.id, patch: { onPremisesImmutableId: 'Zm9v' } },
        ], provisioning),
        'ERR_DIR_IMMUTABLE_ID_CONFLICT',
      );
      assert.equal(immutable.details?.['conflictingObjectId'], u0!.id);
      const unverified = await rejectsWith(f.directory.updateMany(tenantId, 'user', [{ id: u0!.id, patch: { userPrincipalName: 'a@contoso.example' } }]), 'ERR_DIR_UNVERIFIED_DOMAIN');
      assert.equal(unverified.details?.['domain'], 'contoso.example');
    });

    it('the first item update would refuse decides the error; ids may be UPNs; on-premises rules are those of update', async () => {
      const { tenantId, domain } = await f.tenant();
      const [u0, u1] = await users(tenantId, domain, 2);
      const missing = '00000000-0000-0000-0000-000000000000';
      await rejectsWith(f.directory.updateMany(tenantId, 'user', [{ id: u0!.id, patch: { jobTitle: 'x' } }, { id: missing, patch: { jobTitle: 'x' } }]), 'ERR_DIR_NOT_FOUND');
      await rejectsWith(
        f.directory.updateMany(tenantId, 'user', [{ id: u0!.id, patch: { userPrincipalName: `u1@${domain}` } }, { id: missing, patch: { jobTitle: 'x' } }]),
        'ERR_DIR_UPN_CONFLICT',
      );
      await rejectsWith(
        f.directory.updateMany(tenantId, 'user', [{ id: u0!.id, patch: { id: missing } }, { id: u1!.id, patch: { userPrincipalName: `u0@${domain}` } }]),
        'ERR_DIR_READ_ONLY_PROPERTY',
      );
      const group = await f.directory.create(tenantId, 'group', { displayName: 'g' });
      await rejectsWith(f.directory.updateMany(tenantId, 'user', [{ id: group.id, patch: { jobTitle: 'x' } }]), 'ERR_DIR_NOT_FOUND');
      assert.equal((await f.directory.get(tenantId, 'user', u0!.id)).jobTitle, null);

      const byUpn = await f.directory.updateMany(tenantId, 'user', [{ id: `U1@${domain}`, patch: { jobTitle: 'by upn' } }]);
      assert.equal(byUpn[0]!.id, u1!.id);
      assert.equal((await f.directory.get(tenantId, 'user', u1!.id)).jobTitle, 'by upn');

      const provisioning = { actor: 'provisioning' } as const;
      await f.directory.updateMany(tenantId, 'user', [
        { id: u0!.id, patch: { onPremisesSyncEnabled: true, onPremisesExtensionAttributes: { extensionAttribute1: 'one' } } },
        { id: u0!.id, patch: { onPremisesExtensionAttributes: { extensionAttribute2: 'two' } } },
      ], provisioning);
      const synced = await f.directory.get(tenantId, 'user', u0!.id);
      assert.equal(synced.onPremisesExtensionAttributes?.extensionAttribute1, 'one');
      assert.equal(synced.onPremisesExtensionAttributes?.extensionAttribute2, 'two');
      const mastered = await rejectsWith(f.directory.updateMany(tenantId, 'user', [{ id: u0!.id, patch: { onPremisesExtensionAttributes: { extensionAttribute1: 'api' } } }]), 'ERR_DIR_ON_PREMISES_MASTERED');
      assert.match(mastered.message, /extensionAttribute1|onPremisesExtensionAttributes/);
      assert.deepEqual(await f.directory.updateMany(tenantId, 'user', []), []);
    });
  });
}

stopHarnessAfterAll();
