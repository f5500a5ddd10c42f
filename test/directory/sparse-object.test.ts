import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FilterNode, User } from '../../src/directory/index.ts';
import { emptyObject } from '../../src/directory/object-input.ts';
import { denseJson, denseObject, sparseJson } from '../../src/directory/sparse-object.ts';
import { BACKENDS } from '../storage/backends.ts';
import { stopHarnessAfterAll, useDirectory } from './fixture.ts';

const cmp = (operator: 'eq' | 'ne', property: string, value: string | boolean | null): FilterNode => ({ kind: 'comparison', operator, property, value });
const not = (operand: FilterNode): FilterNode => ({ kind: 'not', operand });
const any = (collection: string, predicate: FilterNode): FilterNode => ({ kind: 'any', collection, variable: 'p', predicate });
const inList = (property: string, values: (string | null)[]): FilterNode => ({ kind: 'in', property, values });

describe('sparse stored form', () => {
  it('leaves out exactly the members without a value and puts them back in their place', () => {
    const full = emptyObject('user', 'u1', '2025-01-01T00:00:00.000Z');
    Object.assign(full, {
      userPrincipalName: 'a@b.example',
      displayName: 'He said "x":null,"jobTitle":"y" \\ ok',
      jobTitle: ',"surname":"trap"',
      proxyAddresses: ['SMTP:a@b.example'],
      onPremisesExtensionAttributes: { ...(full['onPremisesExtensionAttributes'] as object), extensionAttribute3: 'c', extensionAttribute15: '{"}' },
      extension_0123456789abcdef0123456789abcdef_tags: ['x', '"y"'],
      deletedDateTime: '2025-02-01T00:00:00.000Z',
    });
    const stored = sparseJson('user', full);
    assert.ok(!stored.includes('"surname"') && !stored.includes('"otherMails"') && !stored.includes('"extensionAttribute1"'), stored);
    assert.ok(stored.length < JSON.stringify(full).length / 2, `${stored.length} of ${JSON.stringify(full).length}`);
    assert.equal(denseJson(stored), JSON.stringify(full));
  });

  it('returns a dense (legacy) text unchanged; one out of shape order comes back whole, in shape order', () => {
    const full = emptyObject('group', 'g1', '2025-01-01T00:00:00.000Z');
    full['displayName'] = 'G';
    assert.equal(denseJson(JSON.stringify(full)), JSON.stringify(full));
    const { description, ...rest } = full;
    const reordered = JSON.stringify({ description, ...rest });
    assert.equal(denseJson(reordered), JSON.stringify(full));
    assert.equal(JSON.stringify(denseObject(reordered)), JSON.stringify(full));
  });

  it('reads the text and the object alike, and tells array elements and nested keys from members', () => {
    const full = emptyObject('user', 'u2', '2025-01-01T00:00:00.000Z');
    Object.assign(full, {
      userPrincipalName: 'a@b.example',
      proxyAddresses: ['SMTP:a@b.example', 'x500:"surname":', 'sip:x\\', 'smtp:,"jobTitle":"y"'],
      otherMails: ['jobTitle', 'q":r', 'mail'],
      onPremisesExtensionAttributes: { ...(full['onPremisesExtensionAttributes'] as object), extensionAttribute1: 'one' },
      extension_0123456789abcdef0123456789abcdef_level: 3,
    });
    for (const stored of [sparseJson('user', full), JSON.stringify(full)]) {
      assert.equal(denseJson(stored), JSON.stringify(full));
      assert.equal(JSON.stringify(denseObject(stored)), JSON.stringify(full));
    }
    // A group's proxyAddresses are followed by members that are all missing here: an element taken for a member
    // would get their fills spliced into the array.
    const group = emptyObject('group', 'g2', '2025-01-01T00:00:00.000Z');
    Object.assign(group, { displayName: 'G', proxyAddresses: ['SMTP:g@b.example', 'q":r', 'x,"visibility":"Public"'] });
    assert.equal(denseJson(sparseJson('group', group)), JSON.stringify(group));
  });

  it('keeps an object of every type intact through the stored form', () => {
    for (const type of ['user', 'group', 'orgContact', 'application'] as const) {
      const full = emptyObject(type, 'x', '2025-01-01T00:00:00.000Z');
      assert.equal(denseJson(sparseJson(type, full)), JSON.stringify(full), type);
    }
  });
});

for (const backend of BACKENDS) {
  describe(`sparse storage [${backend.name}]`, () => {
    const f = useDirectory(backend);
    let tenantId = '';
    let domain = '';
    let sparse: User;
    let legacy: User;
    let full: User;

    const storedText = async (id: string) =>
      (await f.store.db.selectFrom('directory_objects').select('data').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow()).data as string;

    async function names(filter: FilterNode): Promise<string[]> {
      const page = await f.directory.list(tenantId, 'user', { top: 999, filter });
      return page.items.map((i) => String(i.displayName)).sort();
    }

    it('stores an object without its null and empty members and returns it whole', async () => {
      ({ tenantId, domain } = await f.tenant());
      sparse = await f.directory.create(tenantId, 'user', { userPrincipalName: `sparse@${domain}`, displayName: 'Sparse' });
      const text = await storedText(sparse.id);
      assert.ok(!text.includes('null') && !text.includes('[]'), text);
      assert.ok(!text.includes('onPremisesExtensionAttributes'), text);
      const read = await f.directory.get(tenantId, 'user', sparse.id);
      assert.deepEqual(read, sparse);
      assert.deepEqual(Object.keys(read), Object.keys(sparse));
      assert.equal(read.jobTitle, null);
      assert.deepEqual(read.otherMails, []);
      assert.equal(read.onPremisesExtensionAttributes.extensionAttribute7, null);
      const [listed] = (await f.directory.listJson(tenantId, 'user', { top: 1, filter: cmp('eq', 'id', sparse.id) })).items;
      assert.equal(listed, JSON.stringify(sparse));
    });

    it('reads a row written dense (before sparse storage) exactly as before', async () => {
      legacy = await f.directory.create(tenantId, 'user', { userPrincipalName: `legacy@${domain}`, displayName: 'Legacy' });
      const dense = JSON.stringify(legacy);
      await f.store.db.updateTable('directory_objects').set({ data: dense }).where('tenant_id', '=', tenantId).where('id', '=', legacy.id).execute();
      assert.equal(await storedText(legacy.id), dense);
      const read = await f.directory.get(tenantId, 'user', legacy.id);
      assert.deepEqual(read, legacy);
      assert.deepEqual(Object.keys(read), Object.keys(legacy));
      const [listed] = (await f.directory.listJson(tenantId, 'user', { top: 1, filter: cmp('eq', 'id', legacy.id) })).items;
      assert.equal(listed, dense);
      // An update rewrites it sparse; what it reads as does not change beyond the update.
      const updated = await f.directory.update(tenantId, 'user', legacy.id, { jobTitle: 'Clerk' });
      assert.deepEqual(updated, { ...legacy, jobTitle: 'Clerk' });
      assert.ok(!(await storedText(legacy.id)).includes('null'));
      await f.directory.update(tenantId, 'user', legacy.id, { jobTitle: null });
      await f.store.db.updateTable('directory_objects').set({ data: dense }).where('tenant_id', '=', tenantId).where('id', '=', legacy.id).execute();
    });

    it('filters a left-out member as the stored null it stands for', async () => {
      full = await f.directory.create(tenantId, 'user', {
        userPrincipalName: `full@${domain}`,
        displayName: 'Full',
        jobTitle: 'Engineer',
        accountEnabled: false,
        otherMails: ['full@other.example'],
        onPremisesExtensionAttributes: { extensionAttribute3: 'three' },
      });
      const all = ['Full', 'Legacy', 'Sparse'];
      const cases: [FilterNode, string[]][] = [
        [cmp('eq', 'jobTitle', null), ['Legacy', 'Sparse']],
        [cmp('ne', 'jobTitle', null), ['Full']],
        [not(cmp('eq', 'jobTitle', null)), ['Full']],
        [not(cmp('ne', 'jobTitle', null)), ['Legacy', 'Sparse']],
        [cmp('ne', 'jobTitle', 'Engineer'), ['Legacy', 'Sparse']],
        [not(cmp('eq', 'jobTitle', 'Engineer')), ['Legacy', 'Sparse']],
        [inList('jobTitle', [null, 'Engineer']), all],
        [cmp('eq', 'onPremisesExtensionAttributes/extensionAttribute3', null), ['Legacy', 'Sparse']],
        [cmp('ne', 'onPremisesExtensionAttributes/extensionAttribute3', null), ['Full']],
        [not(cmp('eq', 'onPremisesExtensionAttributes/extensionAttribute3', null)), ['Full']],
        [cmp('eq', 'onPremisesExtensionAttributes/extensionAttribute4', null), all],
        [not(cmp('ne', 'onPremisesExtensionAttributes/extensionAttribute4', null)), all],
        [cmp('eq', 'onPremisesSyncEnabled', null), all],
        [cmp('ne', 'onPremisesSyncEnabled', true), all],
        [cmp('eq', 'accountEnabled', true), ['Legacy', 'Sparse']],
        [cmp('eq', 'mail', null), all],
        [any('otherMails', cmp('eq', 'p', 'full@other.example')), ['Full']],
        [not(any('otherMails', cmp('ne', 'p', ''))), ['Legacy', 'Sparse']],
        [not(any('proxyAddresses', cmp('eq', 'p', 'x'))), all],
      ];
      for (const [filter, expected] of cases) assert.deepEqual(await names(filter), expected, JSON.stringify(filter));
    });

    it('keeps deleted items and their restore whole', async () => {
      await f.directory.delete(tenantId, 'user', sparse.id);
      const [deleted] = (await f.directory.listDeleted(tenantId, 'user', { top: 10 })).items;
      assert.deepEqual(Object.keys(deleted!), [...Object.keys(sparse), 'deletedDateTime']);
      const restored = await f.directory.restore(tenantId, sparse.id);
      assert.deepEqual(restored, sparse);
      assert.deepEqual(await f.directory.get(tenantId, 'user', sparse.id), sparse);
    });
  });
}

stopHarnessAfterAll();
