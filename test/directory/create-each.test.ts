/**
 * createEach: one transaction with the outcome of `create` called once per item, in order — an item is refused iff
 * it is invalid or conflicts with what is stored or with an earlier item that was created, and a refused item's
 * values stay free for the items after it. Each scenario runs the same items through createEach in one tenant and
 * through `create` one at a time in another, and compares the outcomes, the directory contents and the delta.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloudDirectory, ObjectProperties } from '../../src/directory/index.ts';
import { BACKENDS } from '../storage/backends.ts';
import { stopHarnessAfterAll, useDirectory, type DirectoryFixture } from './fixture.ts';
import { codeOf, deltaTokens, detailsOf, outcomeOf, snapshot, type Outcome, type Snapshot } from './outcome-snapshot.ts';

/** Objects stored before the run, by label: what the items conflict with. */
function storedObjects(domain: string): Record<string, { type: 'user' | 'group'; properties: ObjectProperties }> {
  return {
    holder: { type: 'user', properties: { displayName: 'Holder', userPrincipalName: `taken@${domain}`, mailNickname: 'holder' } },
    anchored: { type: 'user', properties: { displayName: 'Anchored', userPrincipalName: `anchored@${domain}`, onPremisesImmutableId: 'c3RvcmVk' } },
    team: { type: 'group', properties: { displayName: 'Team', mailEnabled: true, proxyAddresses: [`SMTP:team@${domain}`, `smtp:zzz@${domain}`] } },
  };
}

/** Users with conflicts in various positions; the comment says what one-by-one creates make of each. */
function conflictingItems(domain: string): ObjectProperties[] {
  return [
    { displayName: 'i0', userPrincipalName: `i0@${domain}` }, // created
    { displayName: 'i1', userPrincipalName: `TAKEN@${domain}` }, // UPN of a stored user
    { displayName: 'i2', userPrincipalName: `dup@${domain}` }, // created
    { displayName: 'i3', userPrincipalName: `Dup@${domain}` }, // UPN of i2, created before it
    { displayName: 'i4', userPrincipalName: `i4@${domain}`, onPremisesImmutableId: 'c3RvcmVk' }, // immutable id of a stored user
    { displayName: 'i5', userPrincipalName: `taken@${domain}`, mail: `twin@${domain}`, onPremisesImmutableId: 'dHdpbg==' }, // UPN of a stored user
    { displayName: 'i6', userPrincipalName: `i6@${domain}`, mail: `twin@${domain}`, onPremisesImmutableId: 'dHdpbg==' }, // created: its twin i5 was refused
    { displayName: 'i7', userPrincipalName: `i7@${domain}`, mail: `team@${domain}` }, // SMTP address of the stored group
    { displayName: 'i8', userPrincipalName: `i8@contoso.example` }, // unverified domain
    { displayName: 'i9', userPrincipalName: `i9@${domain}`, accountEnabled: 'yes' }, // invalid value
    { displayName: 'i10', userPrincipalName: `i10@${domain}`, proxyAddresses: [`SMTP:i10@${domain}`, `smtp:TWIN@${domain}`] }, // address of i6
    { displayName: 'i11', userPrincipalName: `i11@${domain}`, onPremisesImmutableId: 'aTEx' }, // created
    { displayName: 'i12', userPrincipalName: `i12@${domain}`, onPremisesImmutableId: 'aTEx' }, // immutable id of i11
    { displayName: 'i13', userPrincipalName: `i13@${domain}`, proxyAddresses: [`SMTP:zzz@${domain}`, `smtp:team@${domain}`] }, // two addresses of the group: the first named
    { displayName: 'i14', userPrincipalName: `i14@${domain}`, notAProperty: 1 }, // unknown property
    { displayName: 'i15', userPrincipalName: `DUP@${domain}`, mail: `i15@${domain}` }, // UPN of i2 again
    { displayName: 'i16', userPrincipalName: `i16@${domain}`, mail: `i15@${domain}` }, // created: i15 was refused
  ];
}

/** The same items, one `create` each, as the engine's fallback makes them. */
async function oneByOne(directory: CloudDirectory, tenantId: string, items: readonly ObjectProperties[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const item of items) outcomes.push(await outcomeOf(() => directory.create(tenantId, 'user', item, { actor: 'provisioning' })));
  return outcomes;
}

/** A run of `items` in a fresh tenant holding the stored objects, with createEach (in `calls` calls) or one create per item. */
async function run(f: DirectoryFixture, way: 'createEach' | 'oneByOne', itemsOf: (domain: string) => ObjectProperties[], calls = 1): Promise<Snapshot> {
  const tenant = await f.tenant();
  const { tenantId, domain } = tenant;
  const labels = new Map<string, string>();
  for (const [label, { type, properties }] of Object.entries(storedObjects(domain))) labels.set((await f.directory.create(tenantId, type, properties)).id, label);
  const before = await deltaTokens(f.directory, tenantId);
  const items = itemsOf(domain);
  const outcomes: Outcome[] = [];
  const size = Math.ceil(items.length / calls);
  for (let start = 0; start < items.length; start += size) {
    const part = items.slice(start, start + size);
    outcomes.push(...(way === 'createEach' ? await f.directory.createEach(tenantId, 'user', part, { actor: 'provisioning' }) : await oneByOne(f.directory, tenantId, part)));
  }
  assert.equal(outcomes.length, items.length);
  return snapshot(f.directory, tenant, labels, outcomes, before);
}

for (const backend of BACKENDS) {
  describe(`directory createEach [${backend.name}]`, () => {
    const f = useDirectory(backend);

    it('refuses exactly the items one-by-one creates refuse, with their errors; the others are created as they create them', async () => {
      const batched = await run(f, 'createEach', conflictingItems);
      const single = await run(f, 'oneByOne', conflictingItems);
      assert.deepEqual(batched, single);

      // what one-by-one creates make of them, so that the comparison above cannot pass on two empty runs
      assert.deepEqual(batched.outcomes.map(codeOf), [
        'written', 'ERR_DIR_UPN_CONFLICT', 'written', 'ERR_DIR_UPN_CONFLICT', 'ERR_DIR_IMMUTABLE_ID_CONFLICT', 'ERR_DIR_UPN_CONFLICT',
        'written', 'ERR_DIR_PROXY_ADDRESS_CONFLICT', 'ERR_DIR_UNVERIFIED_DOMAIN', 'ERR_DIR_INVALID_VALUE', 'ERR_DIR_PROXY_ADDRESS_CONFLICT',
        'written', 'ERR_DIR_IMMUTABLE_ID_CONFLICT', 'ERR_DIR_PROXY_ADDRESS_CONFLICT', 'ERR_DIR_INVALID_PROPERTY', 'ERR_DIR_UPN_CONFLICT', 'written',
      ]);
      const details = (index: number) => detailsOf(batched.outcomes[index]!);
      assert.equal(details(1)['conflictingObjectId'], 'holder');
      assert.equal(details(3)['conflictingObjectId'], 'item2');
      assert.equal(details(10)['conflictingObjectId'], 'item6');
      assert.equal(details(12)['conflictingObjectId'], 'item11');
      assert.deepEqual([details(13)['conflictingObjectId'], details(13)['value']], ['team', 'zzz@<domain>']);
      assert.equal(details(15)['conflictingObjectId'], 'item2');
      assert.equal(batched.users.length, 2 + 5);
      assert.equal(batched.delta.length, 5);
    });

    it('in three calls, each after one that met refusals (SQLite then looks up before it inserts), as one-by-one creates', async () => {
      const batched = await run(f, 'createEach', conflictingItems, 3);
      assert.deepEqual(batched, await run(f, 'oneByOne', conflictingItems));
      assert.equal(batched.users.length, 2 + 5);
      const fresh = (domain: string) => [...conflictingItems(domain), ...Array.from({ length: 6 }, (_, i) => ({ displayName: `f${i}`, userPrincipalName: `f${i}@${domain}` }))];
      // the last call has no refusal (SQLite inserts first again after it)
      assert.deepEqual(await run(f, 'createEach', fresh, 4), await run(f, 'oneByOne', fresh));
    });

    it('only an SMTP address refused: the objects already inserted go back, the others are created once', async () => {
      const items = (domain: string) => Array.from({ length: 30 }, (_, i) => ({
        displayName: `s${i}`,
        userPrincipalName: `s${i}@${domain}`,
        mail: i === 17 ? `TEAM@${domain}` : i === 25 ? `s3@${domain}` : `s${i}@${domain}`,
      }));
      const batched = await run(f, 'createEach', items);
      assert.deepEqual(batched, await run(f, 'oneByOne', items));
      assert.equal(batched.users.length, 2 + 28);
      assert.deepEqual([codeOf(batched.outcomes[17]!), detailsOf(batched.outcomes[25]!)['conflictingObjectId']], ['ERR_DIR_PROXY_ADDRESS_CONFLICT', 'item3']);
    });

    it('without a conflict every item is created; with every item refused nothing is written; an empty call is empty', async () => {
      const fresh = (domain: string) => Array.from({ length: 5 }, (_, i) => ({ displayName: `f${i}`, userPrincipalName: `f${i}@${domain}`, mail: `f${i}@${domain}` }));
      const created = await run(f, 'createEach', fresh);
      assert.deepEqual(created, await run(f, 'oneByOne', fresh));
      assert.ok(created.outcomes.every((o) => codeOf(o) === 'written'));
      assert.equal(created.delta.length, 5);

      const refused = (domain: string) => Array.from({ length: 3 }, () => ({ displayName: 'r', userPrincipalName: `taken@${domain}` }));
      const none = await run(f, 'createEach', refused);
      assert.deepEqual(none, await run(f, 'oneByOne', refused));
      assert.deepEqual([none.users.length, none.delta.length], [2, 0]);

      const { tenantId } = await f.tenant();
      assert.deepEqual(await f.directory.createEach(tenantId, 'user', []), []);
    });
  });
}

stopHarnessAfterAll();
