import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeSource } from '../../src/expressions/value.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';
import { canonicalDn, compileContainerScope, compileGroupScope, pinScopeEntries } from '../../src/schema/container-scope.ts';
import { AD_DEFAULT_EXCLUSIONS, exclusionsToInputFilterGroups } from '../../src/schema/default-exclusions.ts';
import { compileObjectScope } from '../../src/schema/object-scope.ts';
import { formatScopeReference, normalizeGuid, parseScopeReference } from '../../src/schema/object-guid.ts';
import { compileScopingFilter } from '../../src/schema/scoping-filter.ts';

const SALES_OU = 'a1b2c3d4-0000-4000-8000-000000000001';
const PILOT_GROUP = 'a1b2c3d4-0000-4000-8000-000000000002';
const NESTED_GROUP = 'a1b2c3d4-0000-4000-8000-000000000003';

test('canonical DNs: case folded, spaces around separators and at the ends dropped, spaces inside values kept', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['CN=John Smith,OU=Sales,DC=Contoso,DC=com', 'cn=john smith,ou=sales,dc=contoso,dc=com'],
    [' CN = John Smith , OU=Sales ,DC=contoso\t', 'cn=john smith,ou=sales,dc=contoso'],
    ['cn=a + sn=B,dc=x', 'cn=a+sn=b,dc=x'],
    ['uid=user1,ou=people,dc=example,dc=org', 'uid=user1,ou=people,dc=example,dc=org'],
    ['CN=Smith\\, John ,DC=x', 'cn=smith\\,john,dc=x'],
  ];
  assert.deepEqual(cases.map(([dn]) => canonicalDn(dn)), cases.map(([, expected]) => expected));
});

test('objectGUID bytes are read in AD\'s mixed-endian layout', () => {
  const bytes = Uint8Array.from([0x03, 0x02, 0x01, 0x00, 0x05, 0x04, 0x07, 0x06, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);
  assert.equal(normalizeGuid(bytes), '00010203-0405-0607-0809-0a0b0c0d0e0f');
  assert.equal(normalizeGuid('{00010203-0405-0607-0809-0A0B0C0D0E0F}'), '00010203-0405-0607-0809-0a0b0c0d0e0f');
  assert.equal(normalizeGuid('nope'), undefined);
  assert.deepEqual(parseScopeReference(`<GUID=${SALES_OU.toUpperCase()}>;OU=Sales,DC=contoso,DC=com`), {
    guid: SALES_OU, dn: 'OU=Sales,DC=contoso,DC=com', text: `<GUID=${SALES_OU.toUpperCase()}>;OU=Sales,DC=contoso,DC=com`,
  });
  assert.equal(formatScopeReference(SALES_OU, 'OU=Sales,DC=contoso,DC=com'), `<GUID=${SALES_OU}>;OU=Sales,DC=contoso,DC=com`);
});

test('container scope follows the OU by GUID through a rename or move, nested OUs included', () => {
  const scope = compileContainerScope({ includedContainers: [formatScopeReference(SALES_OU, 'OU=Sales,DC=contoso,DC=com')] });
  // the OU was renamed to "Sales EMEA" and moved: the DN no longer matches, the GUID still does
  const moved = scope.evaluate({ distinguishedName: 'CN=Ann,OU=Team,OU=Sales EMEA,OU=Regions,DC=contoso,DC=com', ancestorGuids: new Set([SALES_OU, 'ffffffff-0000-4000-8000-000000000000']) });
  assert.deepEqual(moved, { configured: true, result: true, matched: `<GUID=${SALES_OU}>;OU=Sales,DC=contoso,DC=com`, matchedBy: 'guid' });
  // a look-alike DN without the GUID among the ancestors is not in scope
  assert.equal(scope.evaluate({ distinguishedName: 'CN=Bob,OU=Sales,DC=contoso,DC=com', ancestorGuids: new Set() }).result, false);
});

test('DN-only entries (imported from Entra) match by DN suffix, case- and space-insensitively, and are reported unpinned', () => {
  const scope = compileContainerScope({ includedContainers: ['OU=Sales, DC=contoso, DC=com'] });
  assert.equal(scope.unpinned.length, 1);
  assert.equal(scope.evaluate({ distinguishedName: 'CN=Ann,OU=Team,ou=sales,DC=Contoso,DC=com' }).matchedBy, 'dn');
  assert.equal(scope.evaluate({ distinguishedName: 'CN=Ann,OU=PreSales,DC=contoso,DC=com' }).result, false);
});

test('an empty container or group list does not filter', () => {
  assert.deepEqual(compileContainerScope({ includedContainers: [] }).evaluate({}), { configured: false, result: true, matched: undefined, matchedBy: undefined });
  assert.equal(compileGroupScope(null).evaluate({}).result, true);
});

test('group scope is first-level by default and transitive on request', () => {
  const entries = { includedGroups: [`<GUID=${PILOT_GROUP}>;CN=Pilot,OU=Groups,DC=contoso,DC=com`] };
  const placement = { memberOf: new Set([NESTED_GROUP]), transitiveMemberOf: new Set([NESTED_GROUP, PILOT_GROUP]) };
  assert.equal(compileGroupScope(entries).evaluate(placement).result, false);
  assert.equal(compileGroupScope(entries, { nesting: 'Transitive' }).evaluate(placement).result, true);
  assert.equal(compileGroupScope(entries).evaluate({ memberOf: new Set([PILOT_GROUP]) }).result, true);
  const byDn = compileGroupScope({ includedGroups: ['CN=Pilot,OU=Groups,DC=contoso,DC=com'] });
  assert.equal(byDn.evaluate({ memberOfDns: new Set(['cn=pilot,ou=groups,dc=contoso,dc=com']) }).matchedBy, 'dn');
});

test('bad entries are ERR_SCOPE_INVALID with their path', () => {
  assert.throws(() => compileContainerScope({ includedContainers: [''] }, 'synchronizationRules[0].containerFilter'), (e: unknown) =>
    isCloudsyncError(e) && e.code === 'ERR_SCOPE_INVALID' && e.path === 'synchronizationRules[0].containerFilter.includedContainers[0]');
});

test('default exclusions: system objects, CAS_ mailboxes and CNF conflicts are out; ordinary objects (with nulls) are in', () => {
  const filter = compileScopingFilter({ inputFilterGroups: exclusionsToInputFilterGroups(AD_DEFAULT_EXCLUSIONS) });
  const ordinary = { distinguishedName: 'CN=Ann Lee,OU=Sales,DC=contoso,DC=com' };
  assert.equal(filter.passesInputFilter(attributeSource(ordinary)), true);
  assert.equal(filter.passesInputFilter(attributeSource({ ...ordinary, mailNickname: 'ann', isCriticalSystemObject: 'FALSE' })), true);
  assert.equal(filter.passesInputFilter(attributeSource({ distinguishedName: 'CN=krbtgt,CN=Users,DC=contoso,DC=com', isCriticalSystemObject: 'TRUE' })), false);
  assert.equal(filter.passesInputFilter(attributeSource({ ...ordinary, mailNickname: 'CAS_{a1b2c3}' })), false);
  assert.equal(filter.passesInputFilter(attributeSource({ distinguishedName: 'CN=Ann Lee\\0ACNF:5f3e1c2a-0d7b-4b3e-9a51-2c4d6e8f0a1b,OU=Sales,DC=contoso,DC=com' })), false);
  assert.equal(filter.passesInputFilter(attributeSource({ distinguishedName: 'CN=Ann Lee\nCNF:5f3e1c2a-0d7b-4b3e-9a51-2c4d6e8f0a1b,OU=Sales,DC=contoso,DC=com' })), false);
  assert.equal(filter.passesInputFilter(attributeSource({ distinguishedName: 'CN=Smith\\, John\\0ACNF:5f3e1c2a,OU=Sales,DC=contoso,DC=com' })), false);
  // "CNF" elsewhere in the DN is not a conflict marker
  assert.equal(filter.passesInputFilter(attributeSource({ distinguishedName: 'CN=Ann,OU=CNF:team,DC=contoso,DC=com' })), true);
});

/** The default AD exclusions, department Sales, under the Sales OU. */
function salesScope() {
  return compileObjectScope({
    scope: {
      inputFilterGroups: exclusionsToInputFilterGroups(AD_DEFAULT_EXCLUSIONS),
      groups: [{ clauses: [{ sourceOperandName: 'department', operatorName: 'EQUALS', targetOperand: { values: ['Sales'] } }] }],
    },
    containerFilter: { includedContainers: [formatScopeReference(SALES_OU)] },
  });
}

test('object scope composes input filter, containers, groups and the attribute filter, with a trace', () => {
  const scope = salesScope();
  const placement = { distinguishedName: 'CN=Ann,OU=Sales,DC=contoso,DC=com', ancestorGuids: new Set([SALES_OU]) };
  assert.equal(scope.isInScope(attributeSource({ distinguishedName: placement.distinguishedName, department: 'Sales' }), placement), true);
  const out = scope.trace(attributeSource({ distinguishedName: placement.distinguishedName, department: 'HR' }), placement);
  assert.equal(out.inScope, false);
  assert.equal(out.deprovisionOnExit, true);
  assert.equal(out.container.matchedBy, 'guid');
  const excluded = scope.trace(attributeSource({ distinguishedName: placement.distinguishedName, department: 'Sales', isCriticalSystemObject: true }), placement);
  assert.equal(excluded.inScope, false);
  assert.equal(excluded.deprovisionOnExit, false);
  assert.equal(scope.isInScope(attributeSource({ distinguishedName: placement.distinguishedName, department: 'Sales' }), { ancestorGuids: new Set() }), false);
});

test('decide answers what the trace answers: in scope, out of scope (deprovisioned), filtered out by the input filter', () => {
  const scope = salesScope();
  const inSales = { distinguishedName: 'CN=Ann,OU=Sales,DC=contoso,DC=com', ancestorGuids: new Set([SALES_OU]) };
  const elsewhere = { distinguishedName: 'CN=Ann,OU=HR,DC=contoso,DC=com', ancestorGuids: new Set<string>() };
  const cases = [
    [{ department: 'Sales' }, inSales, { inScope: true, deprovisionOnExit: true }],
    [{ department: 'HR' }, inSales, { inScope: false, deprovisionOnExit: true }],
    [{ department: 'Sales' }, elsewhere, { inScope: false, deprovisionOnExit: true }],
    [{ department: 'Sales', isCriticalSystemObject: true }, inSales, { inScope: false, deprovisionOnExit: false }],
    [{ department: 'HR', mailNickname: 'CAS_{1}' }, elsewhere, { inScope: false, deprovisionOnExit: false }],
  ] as const;
  for (const [attributes, placement, expected] of cases) {
    const source = attributeSource({ distinguishedName: placement.distinguishedName, ...attributes });
    const trace = scope.trace(source, placement);
    assert.deepEqual({ inScope: trace.inScope, deprovisionOnExit: trace.deprovisionOnExit }, expected, JSON.stringify(attributes));
    assert.deepEqual({ ...scope.decide(source, placement) }, expected, JSON.stringify(attributes));
  }
});

test('an object mapping\'s scope from its rule, with transitive group scope opted in through rule metadata', async () => {
  const { compileObjectMappingScope } = await import('../../src/schema/object-scope.ts');
  const rule = {
    sourceDirectoryName: 'Active Directory',
    targetDirectoryName: 'Azure Active Directory',
    metadata: [{ key: 'GroupScopeNesting', value: 'Transitive' }],
    groupFilter: { includedGroups: [formatScopeReference(PILOT_GROUP, 'CN=Pilot,OU=Groups,DC=contoso,DC=com')] },
    objectMappings: [],
  };
  const mapping = { sourceObjectName: 'user', targetObjectName: 'User', scope: null };
  const scope = compileObjectMappingScope(rule, mapping);
  const nestedMember = { memberOf: new Set([NESTED_GROUP]), transitiveMemberOf: new Set([NESTED_GROUP, PILOT_GROUP]) };
  assert.equal(scope.isInScope(attributeSource({}), nestedMember), true);
  const direct = compileObjectMappingScope({ ...rule, metadata: [] }, mapping);
  assert.equal(direct.isInScope(attributeSource({}), nestedMember), false);
  assert.equal(direct.trace(attributeSource({}), nestedMember).group.configured, true);
});

test('saving a configuration pins GUIDs into DN-only entries; unknown DNs are reported', () => {
  const guidOf = new Map([['OU=Sales,DC=contoso,DC=com', Uint8Array.from([0x3e, 0x2d, 0x1c, 0x6f, 0x5b, 0x4a, 0x6d, 0x4c, 0x8e, 0x7f, 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f])]]);
  const pinned = pinScopeEntries(['OU=Sales,DC=contoso,DC=com', `<GUID=${SALES_OU}>;OU=Old,DC=contoso,DC=com`, 'OU=Gone,DC=contoso,DC=com'], (dn) => guidOf.get(dn));
  assert.deepEqual(pinned.entries, [
    '<GUID=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f>;OU=Sales,DC=contoso,DC=com',
    `<GUID=${SALES_OU}>;OU=Old,DC=contoso,DC=com`,
    'OU=Gone,DC=contoso,DC=com',
  ]);
  assert.deepEqual(pinned.unresolved, ['OU=Gone,DC=contoso,DC=com']);
});
