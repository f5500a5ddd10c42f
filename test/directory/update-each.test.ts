/**
 * updateEach: one transaction with the outcome of `update` called once per item, in order — an item is refused iff
 * `update` would refuse it after the items before it that were written, and a refused item's values stay where they
 * were for the items after it. Each scenario runs the same items through updateEach in one tenant and through
 * `update` one at a time in another, and compares the outcomes, the directory contents and the delta. When a later
 * item depends on an item refused for a constraint (the same object, or users named by UPN), the call fails as
 * updateMany does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudDirectory, ObjectUpdate } from '../../src/directory/index.ts';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory, type DirectoryFixture } from './fixture.ts';
import { codeOf, deltaTokens, detailsOf, outcomeOf, snapshot, type Outcome, type Snapshot } from './outcome-snapshot.ts';

const PROVISIONING = { actor: 'provisioning' } as const;

/** The items, given each stored object's id by label (u0…u9, anchored, team) and the tenant's domain. */
type ItemsOf = (id: (label: string) => string, domain: string) => ObjectUpdate[];

/** Updates with refusals in various positions; the comment says what one-by-one updates make of each. */
const conflictingItems: ItemsOf = (id, domain) => [
  { id: id('u0'), patch: { jobTitle: 'zero' } }, // written
  { id: id('u1'), patch: { userPrincipalName: `U2@${domain}` } }, // UPN of u2, stored
  { id: id('u2'), patch: { userPrincipalName: `moved2@${domain}` } }, // written: frees u2@
  { id: id('u3'), patch: { userPrincipalName: `u2@${domain}`, jobTitle: 'three' } }, // written: u2 gave it up
  { id: id('u4'), patch: { userPrincipalName: `Moved2@${domain}` } }, // UPN u2 took
  { id: id('u5'), patch: { userPrincipalName: `u6@${domain}`, mail: `twin@${domain}` } }, // UPN of u6
  { id: id('u6'), patch: { mail: `twin@${domain}` } }, // written: its twin u5 was refused
  { id: id('u7'), patch: { proxyAddresses: [`SMTP:u7@${domain}`, `smtp:team@${domain}`] } }, // address of the group
  { id: '00000000-0000-0000-0000-000000000000', patch: { jobTitle: 'nobody' } }, // not found
  { id: id('u8'), patch: { id: 'x' } }, // read-only property
  { id: id('u8'), patch: { onPremisesImmutableId: 'c3RvcmVk' } }, // immutable id of `anchored` (u8's item before, refused for itself, changed nothing)
  { id: id('u9'), patch: { userPrincipalName: 'u9@contoso.example' } }, // unverified domain
  { id: id('anchored'), patch: { displayName: 'Anchored' } }, // written: no change
];

/** The same items, one `update` each. */
async function oneByOne(directory: CloudDirectory, tenantId: string, items: readonly ObjectUpdate[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const { id, patch } of items) outcomes.push(await outcomeOf(() => directory.update(tenantId, 'user', id, patch, PROVISIONING)));
  return outcomes;
}

/** A fresh tenant with users u0…u9 (UPN and mail uN@), a user holding an immutable id and a group holding team@. */
async function tenantWithObjects(f: DirectoryFixture) {
  const tenant = await f.tenant();
  const { tenantId, domain } = tenant;
  const labels = new Map<string, string>();
  const users = await f.directory.createMany(tenantId, 'user', Array.from({ length: 10 }, (_, i) => ({ displayName: `u${i}`, userPrincipalName: `u${i}@${domain}`, mail: `u${i}@${domain}` })));
  users.forEach((u, i) => labels.set(u.id, `u${i}`));
  labels.set((await f.directory.create(tenantId, 'user', { displayName: 'Anchored', userPrincipalName: `anchored@${domain}`, onPremisesImmutableId: 'c3RvcmVk' })).id, 'anchored');
  labels.set((await f.directory.create(tenantId, 'group', { displayName: 'Team', mailEnabled: true, proxyAddresses: [`SMTP:team@${domain}`] })).id, 'team');
  const ids = new Map([...labels].map(([id, label]) => [label, id]));
  return { tenant, labels, id: (label: string) => ids.get(label)! };
}

async function run(f: DirectoryFixture, way: 'updateEach' | 'oneByOne', itemsOf: ItemsOf): Promise<Snapshot> {
  const { tenant, labels, id } = await tenantWithObjects(f);
  const before = await deltaTokens(f.directory, tenant.tenantId);
  const items = itemsOf(id, tenant.domain);
  const outcomes = way === 'updateEach' ? await f.directory.updateEach(tenant.tenantId, 'user', items, PROVISIONING) : await oneByOne(f.directory, tenant.tenantId, items);
  assert.equal(outcomes.length, items.length);
  return snapshot(f.directory, tenant, labels, outcomes, before);
}

for (const backend of BACKENDS) {
  describe(`directory updateEach [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('refuses exactly the items one-by-one updates refuse, with their errors; the others are written as they write them', async () => {
      const batched = await run(f, 'updateEach', conflictingItems);
      assert.deepEqual(batched, await run(f, 'oneByOne', conflictingItems));
      assert.deepEqual(batched.outcomes.map(codeOf), [
        'written', 'ERR_DIR_UPN_CONFLICT', 'written', 'written', 'ERR_DIR_UPN_CONFLICT', 'ERR_DIR_UPN_CONFLICT', 'written',
        'ERR_DIR_PROXY_ADDRESS_CONFLICT', 'ERR_DIR_NOT_FOUND', 'ERR_DIR_READ_ONLY_PROPERTY', 'ERR_DIR_IMMUTABLE_ID_CONFLICT',
        'ERR_DIR_UNVERIFIED_DOMAIN', 'written',
      ]);
      const details = (index: number) => detailsOf(batched.outcomes[index]!);
      assert.equal(details(1)['conflictingObjectId'], 'u2');
      assert.equal(details(4)['conflictingObjectId'], 'u2');
      assert.equal(details(7)['conflictingObjectId'], 'team');
      assert.equal(details(10)['conflictingObjectId'], 'anchored');
      // u0, u2, u3 and u6 changed (anchored's item changed nothing)
      assert.equal(batched.delta.length, 4);
    });

    it('an item refused for a constraint and a later item of the same object: the call fails as updateMany, nothing written', async () => {
      const { tenant, id } = await tenantWithObjects(f);
      const items = [
        { id: id('u0'), patch: { jobTitle: 'zero' } },
        { id: id('u1'), patch: { userPrincipalName: `u2@${tenant.domain}` } },
        { id: id('u1'), patch: { jobTitle: 'one' } },
      ];
      const each = await rejectsWith(f.directory.updateEach(tenant.tenantId, 'user', items, PROVISIONING), 'ERR_DIR_UPN_CONFLICT');
      const many = await rejectsWith(f.directory.updateMany(tenant.tenantId, 'user', items, PROVISIONING), 'ERR_DIR_UPN_CONFLICT');
      assert.deepEqual([each.message, each.details], [many.message, many.details]);
      assert.equal((await f.directory.get(tenant.tenantId, 'user', id('u0'))).jobTitle, null);
      // users named by UPN, likewise
      await rejectsWith(f.directory.updateEach(tenant.tenantId, 'user', [{ id: id('u3'), patch: { userPrincipalName: `u4@${tenant.domain}` } }, { id: `u5@${tenant.domain}`, patch: { jobTitle: 'five' } }], PROVISIONING), 'ERR_DIR_UPN_CONFLICT');
      assert.equal((await f.directory.get(tenant.tenantId, 'user', id('u5'))).jobTitle, null);
      // without a refusal, both are fine
      const written = await f.directory.updateEach(tenant.tenantId, 'user', [items[0]!, items[2]!, { id: `U5@${tenant.domain}`, patch: { jobTitle: 'five' } }], PROVISIONING);
      assert.ok(written.every((r) => r.ok));
      assert.deepEqual(await Promise.all(['u0', 'u1', 'u5'].map(async (u) => (await f.directory.get(tenant.tenantId, 'user', id(u))).jobTitle)), ['zero', 'one', 'five']);
      assert.deepEqual(await f.directory.updateEach(tenant.tenantId, 'user', []), []);
    });
  });
}

stopHarnessAfterAll();
