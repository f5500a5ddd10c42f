import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FilterNode, ListQuery, User } from '../../src/directory/index.ts';
import { BACKENDS } from '../storage/backends.ts';
import { rejectsWith, stopHarnessAfterAll, useDirectory } from './fixture.ts';

const eq = (property: string, value: string | number | boolean | null): FilterNode => ({ kind: 'comparison', operator: 'eq', property, value });
const cmp = (operator: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', property: string, value: string | number | boolean | null): FilterNode => ({
  kind: 'comparison',
  operator,
  property,
  value,
});
const and = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'and', left, right });
const or = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'or', left, right });
const not = (operand: FilterNode): FilterNode => ({ kind: 'not', operand });
const starts = (property: string, value: string): FilterNode => ({ kind: 'stringFunction', function: 'startswith', property, value });
const ends = (property: string, value: string): FilterNode => ({ kind: 'stringFunction', function: 'endswith', property, value });
const any = (collection: string, predicate: FilterNode): FilterNode => ({ kind: 'any', collection, variable: 'p', predicate });

for (const backend of BACKENDS) {
  describe(`list and $filter [${backend.name}]`, () => {
    const f = useDirectory(backend);
    let tenantId = '';
    let domain = '';
    let ext = '';
    const byName = new Map<string, User>();

    async function names(filter: FilterNode, type: 'user' | 'group' = 'user'): Promise<string[]> {
      const page = await f.directory.list(tenantId, type, { top: 999, filter });
      return page.items.map((i) => String(i.displayName)).sort();
    }

    it('sets up a tenant with varied users', async () => {
      ({ tenantId, domain } = await f.tenant());
      const app = await f.directory.create(tenantId, 'application', { displayName: 'schema' });
      ext = `extension_${app.appId.replace(/-/g, '')}_`;
      await f.directory.createExtensionProperty(tenantId, app.id, { name: 'cost', dataType: 'String', targetObjects: ['User'] });
      await f.directory.createExtensionProperty(tenantId, app.id, { name: 'level', dataType: 'Integer', targetObjects: ['User'] });
      await f.directory.createExtensionProperty(tenantId, app.id, { name: 'vip', dataType: 'Boolean', targetObjects: ['User'] });
      await f.directory.createExtensionProperty(tenantId, app.id, { name: 'tags', dataType: 'String', targetObjects: ['User'], isMultiValued: true });
      const people = [
        { displayName: 'Alice Smith', jobTitle: 'Engineer', department: 'R&D', employeeId: '100', city: 'Oslo', accountEnabled: true,
          proxyAddresses: [`SMTP:alice@${domain}`, `smtp:a.smith@${domain}`], onPremisesExtensionAttributes: { extensionAttribute1: 'A' },
          [`${ext}cost`]: 'CC1', [`${ext}level`]: 5, [`${ext}vip`]: true, [`${ext}tags`]: ['x', 'y'] },
        { displayName: 'Bob Jones', jobTitle: 'engineer', department: 'Sales', employeeId: '200', city: null, accountEnabled: false,
          proxyAddresses: [`SMTP:bob@${domain}`], [`${ext}level`]: 10, [`${ext}vip`]: false },
        { displayName: 'Carol Smith', jobTitle: 'Manager', department: 'R&D', employeeId: '300', city: 'Bergen', accountEnabled: true,
          onPremisesExtensionAttributes: { extensionAttribute1: 'B', extensionAttribute15: 'z' }, [`${ext}tags`]: ['y'] },
        { displayName: '100% Dave', jobTitle: null, department: null, employeeId: null, city: 'Oslo', accountEnabled: true },
        { displayName: '100x Eve', jobTitle: 'Intern', department: 'Sales', employeeId: '050', city: null, accountEnabled: true },
      ];
      for (const [i, p] of people.entries()) {
        f.now = new Date(Date.UTC(2025, 0, 1 + i));
        const user = await f.directory.create(tenantId, 'user', { userPrincipalName: `user${i}@${domain}`, ...p });
        byName.set(p.displayName, user);
      }
      await f.directory.create(tenantId, 'group', { displayName: 'M365', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false });
      await f.directory.create(tenantId, 'group', { displayName: 'Sec', groupTypes: [], securityEnabled: true });
    });

    it('eq, ne and null comparisons (strings compare case-insensitively)', async () => {
      assert.deepEqual(await names(eq('displayName', 'alice SMITH')), ['Alice Smith']);
      assert.deepEqual(await names(eq('userPrincipalName', `USER1@${domain.toUpperCase()}`)), ['Bob Jones']);
      assert.deepEqual(await names(eq('jobTitle', 'ENGINEER')), ['Alice Smith', 'Bob Jones']);
      assert.deepEqual(await names(cmp('ne', 'jobTitle', 'engineer')), ['100% Dave', '100x Eve', 'Carol Smith']);
      assert.deepEqual(await names(eq('city', null)), ['100x Eve', 'Bob Jones']);
      assert.deepEqual(await names(cmp('ne', 'city', null)), ['100% Dave', 'Alice Smith', 'Carol Smith']);
      assert.deepEqual(await names(eq('accountEnabled', false)), ['Bob Jones']);
      assert.deepEqual(await names(cmp('ne', 'accountEnabled', false)), ['100% Dave', '100x Eve', 'Alice Smith', 'Carol Smith']);
      assert.deepEqual(await names(eq('id', byName.get('Carol Smith')!.id)), ['Carol Smith']);
      const nameless = await f.directory.create(tenantId, 'orgContact', { mail: 'nameless@partner.example' });
      await f.directory.create(tenantId, 'orgContact', { displayName: 'Named' });
      const contacts = await f.directory.list(tenantId, 'orgContact', { top: 10, filter: eq('displayName', null) });
      assert.deepEqual(contacts.items.map((c) => c.id), [nameless.id]);
      const named = await f.directory.list(tenantId, 'orgContact', { top: 10, filter: cmp('ne', 'displayName', null) });
      assert.deepEqual(named.items.map((c) => c.displayName), ['Named']);
    });

    it('gt, ge, lt, le on strings and dates', async () => {
      assert.deepEqual(await names(cmp('gt', 'employeeId', '100')), ['Bob Jones', 'Carol Smith']);
      assert.deepEqual(await names(cmp('ge', 'employeeId', '100')), ['Alice Smith', 'Bob Jones', 'Carol Smith']);
      assert.deepEqual(await names(cmp('lt', 'employeeId', '100')), ['100x Eve']);
      assert.deepEqual(await names(cmp('le', 'employeeId', '100')), ['100x Eve', 'Alice Smith']);
      assert.deepEqual(await names(cmp('ge', 'createdDateTime', '2025-01-04T00:00:00Z')), ['100% Dave', '100x Eve']);
      assert.deepEqual(await names(cmp('lt', 'createdDateTime', '2025-01-02')), ['Alice Smith']);
    });

    it('startswith, endswith (wildcards in the value are literal), in', async () => {
      assert.deepEqual(await names(starts('displayName', 'al')), ['Alice Smith']);
      assert.deepEqual(await names(starts('displayName', '100%')), ['100% Dave']);
      assert.deepEqual(await names(ends('displayName', 'SMITH')), ['Alice Smith', 'Carol Smith']);
      assert.deepEqual(await names(starts('userPrincipalName', 'USER3@')), ['100% Dave']);
      assert.deepEqual(await names({ kind: 'in', property: 'department', values: ['r&d', 'Nope'] }), ['Alice Smith', 'Carol Smith']);
      assert.deepEqual(await names({ kind: 'in', property: 'department', values: ['Sales', null] }), ['100% Dave', '100x Eve', 'Bob Jones']);
      assert.deepEqual(await names({ kind: 'in', property: 'department', values: [] }), []);
    });

    it('and, or, not (not is the exact complement, nulls included)', async () => {
      assert.deepEqual(await names(and(eq('department', 'R&D'), eq('city', 'Oslo'))), ['Alice Smith']);
      assert.deepEqual(await names(or(eq('department', 'Sales'), eq('city', 'Bergen'))), ['100x Eve', 'Bob Jones', 'Carol Smith']);
      assert.deepEqual(await names(not(eq('department', 'R&D'))), ['100% Dave', '100x Eve', 'Bob Jones']);
      assert.deepEqual(await names(not(or(eq('city', null), starts('displayName', '1')))), ['Alice Smith', 'Carol Smith']);
    });

    it('any() over proxyAddresses and multi-valued collections', async () => {
      assert.deepEqual(await names(any('proxyAddresses', eq('p', `smtp:ALICE@${domain}`))), ['Alice Smith']);
      assert.deepEqual(await names(any('proxyAddresses', starts('p', 'smtp:b'))), ['Bob Jones']);
      assert.deepEqual(await names(not(any('proxyAddresses', starts('p', 'smtp:')))), ['100% Dave', '100x Eve', 'Carol Smith']);
      assert.deepEqual(await names(any('groupTypes', eq('p', 'Unified')), 'group'), ['M365']);
      assert.deepEqual(await names(eq('securityEnabled', true), 'group'), ['Sec']);
    });

    it('onPremisesExtensionAttributes and directory extensions', async () => {
      assert.deepEqual(await names(eq('onPremisesExtensionAttributes/extensionAttribute1', 'a')), ['Alice Smith']);
      assert.deepEqual(await names(cmp('ne', 'onPremisesExtensionAttributes/extensionAttribute15', null)), ['Carol Smith']);
      assert.deepEqual(await names(eq(`${ext}cost`, 'cc1')), ['Alice Smith']);
      assert.deepEqual(await names(cmp('gt', `${ext}level`, 6)), ['Bob Jones']);
      assert.deepEqual(await names(cmp('le', `${ext}level`, 10)), ['Alice Smith', 'Bob Jones']);
      assert.deepEqual(await names(eq(`${ext}vip`, true)), ['Alice Smith']);
      assert.deepEqual(await names(any(`${ext}tags`, eq('p', 'y'))), ['Alice Smith', 'Carol Smith']);
    });

    it('refuses unknown and unfilterable properties and mismatched literals, naming the property', async () => {
      const cases: [FilterNode, string][] = [
        [eq('shoeSize', '42'), 'shoeSize'],
        [eq('passwordProfile', 'x'), 'passwordProfile'],
        [eq('proxyAddresses', 'smtp:x@y'), 'proxyAddresses'],
        [eq('onPremisesExtensionAttributes/extensionAttribute16', 'x'), 'onPremisesExtensionAttributes/extensionAttribute16'],
        [eq('extension_00000000000000000000000000000000_x', 'x'), 'extension_00000000000000000000000000000000_x'],
        [cmp('gt', 'accountEnabled', true), 'accountEnabled'],
        [eq('accountEnabled', 'yes'), 'accountEnabled'],
        [cmp('gt', 'createdDateTime', 'yesterday'), 'createdDateTime'],
        [any('displayName', eq('p', 'x')), 'displayName'],
      ];
      for (const [filter, property] of cases) {
        const e = await rejectsWith(f.directory.list(tenantId, 'user', { top: 10, filter }), 'ERR_ODATA_FILTER');
        assert.match(e.message, new RegExp(property.replace(/[/]/g, '\\/')));
      }
      await rejectsWith(f.directory.list(tenantId, 'group', { top: 10, orderBy: { property: 'userPrincipalName', direction: 'asc' } }), 'ERR_ODATA_ORDERBY');
    });

    it('listJson returns the same page as stored JSON text', async () => {
      const query = { top: 3, orderBy: { property: 'displayName', direction: 'asc' }, count: true } as const;
      const parsed = await f.directory.list(tenantId, 'user', query);
      const raw = await f.directory.listJson(tenantId, 'user', query);
      assert.deepEqual(raw.items.map((text) => JSON.parse(text)), parsed.items);
      assert.equal(raw.nextSkipToken, parsed.nextSkipToken);
      assert.equal(raw.count, parsed.count);
    });

    it('$count counts every match, not just the page', async () => {
      const page = await f.directory.list(tenantId, 'user', { top: 1, count: true, filter: eq('department', 'R&D') });
      assert.equal(page.items.length, 1);
      assert.equal(page.count, 2);
      assert.ok(page.nextSkipToken);
    });
  });

  describe(`keyset paging [${backend.name}]`, () => {
    const f = useDirectory(backend);

    for (const order of [undefined, { property: 'displayName', direction: 'asc' }, { property: 'displayName', direction: 'desc' }, { property: 'userPrincipalName', direction: 'asc' }, { property: 'userPrincipalName', direction: 'desc' }] as const) {
      it(`stays correct while objects are added and removed between pages (order ${order === undefined ? 'id' : `${order.property} ${order.direction}`})`, async () => {
        const { tenantId, domain } = await f.tenant();
        const pad = (n: number) => String(n).padStart(3, '0');
        // Duplicate display names exercise the id tie-break.
        const initial = await f.directory.createMany(
          tenantId,
          'user',
          Array.from({ length: 40 }, (_, i) => ({ userPrincipalName: `n${pad(i * 10)}@${domain}`, displayName: `N${pad(Math.floor(i / 2) * 20)}` })),
        );
        const alive = new Set(initial.map((u) => u.id));
        const removedUnseen = new Set<string>();
        const addedAhead = new Set<string>();
        const seen: string[] = [];
        let skipToken: string | undefined;
        let step = 0;
        const key = (u: User) =>
          order === undefined ? u.id : order.property === 'displayName' ? String(u.displayName) : u.userPrincipalName.toLowerCase();
        do {
          const query: ListQuery = { top: 7, ...(order === undefined ? {} : { orderBy: order }), ...(skipToken === undefined ? {} : { skipToken }) };
          const page = await f.directory.list(tenantId, 'user', query);
          seen.push(...page.items.map((u) => u.id));
          skipToken = page.nextSkipToken;
          if (skipToken === undefined || page.items.length === 0) break;
          const last = page.items[page.items.length - 1]!;
          const unseen = initial.filter((u) => alive.has(u.id) && !seen.includes(u.id));
          // Remove one object not yet seen and one already seen.
          const victim = unseen[unseen.length - 1 - (step % 3)];
          if (victim !== undefined) {
            await f.directory.delete(tenantId, 'user', victim.id);
            alive.delete(victim.id);
            removedUnseen.add(victim.id);
          }
          const seenVictim = initial.find((u) => alive.has(u.id) && seen.includes(u.id));
          if (seenVictim !== undefined) {
            await f.directory.delete(tenantId, 'user', seenVictim.id);
            alive.delete(seenVictim.id);
          }
          // Add one object certain to sort before the position and one certain to sort after it.
          const desc = order?.direction === 'desc';
          const before = await f.directory.create(tenantId, 'user', {
            userPrincipalName: `${desc ? 'z' : 'a'}${step}@${domain}`,
            displayName: desc ? `Z${step}` : `A${step}`,
          });
          const afterUser = await f.directory.create(tenantId, 'user', {
            userPrincipalName: `${desc ? 'a' : 'z'}${step}@${domain}`,
            displayName: desc ? `A${step}` : `Z${step}`,
          });
          if (order === undefined) {
            // Ids are random: whether a new object falls ahead of the position depends on its id.
            for (const u of [before, afterUser]) if (u.id > last.id) addedAhead.add(u.id);
          } else {
            addedAhead.add(afterUser.id);
            assert.ok(desc ? key(afterUser) < key(last) : key(afterUser) > key(last));
          }
          step++;
        } while (step < 100);
        assert.equal(new Set(seen).size, seen.length, 'no object is returned twice');
        for (const u of initial) {
          if (removedUnseen.has(u.id)) assert.equal(seen.includes(u.id), false, 'an object removed before its page is not returned');
          else assert.equal(seen.includes(u.id), true, 'every object present throughout is returned');
        }
        for (const id of addedAhead) assert.equal(seen.includes(id), true, 'objects added ahead of the position are returned');
      });
    }

    it('refuses a skip token from another order', async () => {
      const { tenantId, domain } = await f.tenant();
      await f.directory.createMany(tenantId, 'user', [{ userPrincipalName: `a@${domain}` }, { userPrincipalName: `b@${domain}` }]);
      const page = await f.directory.list(tenantId, 'user', { top: 1 });
      await rejectsWith(
        f.directory.list(tenantId, 'user', { top: 1, skipToken: page.nextSkipToken!, orderBy: { property: 'displayName', direction: 'asc' } }),
        'ERR_ODATA_SKIPTOKEN',
      );
      await rejectsWith(f.directory.list(tenantId, 'user', { top: 1, skipToken: '%%%' }), 'ERR_ODATA_SKIPTOKEN');
    });
  });
}

stopHarnessAfterAll();
