import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeSource, type Value } from '../../src/expressions/value.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';
import { compileScopingFilter, type FilterClause } from '../../src/schema/scoping-filter.ts';

function clause(sourceOperandName: string, operatorName: string, values: string[] = []): FilterClause {
  return { sourceOperandName, operatorName, targetOperand: { values } };
}

function check(c: FilterClause, attributes: Record<string, Value>, context?: { memberOf?: ReadonlySet<string>; transitiveMemberOf?: ReadonlySet<string> }): boolean {
  return compileScopingFilter({ groups: [{ clauses: [c] }] }).evaluate(attributeSource(attributes), context);
}

test('EQUALS is exact and case-sensitive; integers compare numerically', () => {
  assert.equal(check(clause('department', 'EQUALS', ['Sales']), { department: 'Sales' }), true);
  assert.equal(check(clause('department', 'EQUALS', ['Sales']), { department: 'sales' }), false);
  assert.equal(check(clause('employeeType', 'EQUALS', ['0042']), { employeeType: '42' }), false);
  assert.equal(check(clause('countryCode', 'EQUALS', ['0042']), { countryCode: 42 }), true);
  assert.equal(check(clause('department', 'EQUALS', ['Sales', 'Marketing']), { department: 'Marketing' }), true);
});

test('every operator except IS NULL is false on null, empty and absent values', () => {
  const nulls: Record<string, Value>[] = [{}, { x: null }, { x: '' }, { x: [] }];
  const operators: [string, string[]][] = [
    ['EQUALS', ['a']], ['NOT EQUALS', ['a']], ['IS TRUE', []], ['IS FALSE', []], ['IS NOT NULL', []],
    ['REGEX MATCH', ['.*']], ['NOT REGEX MATCH', ['a']], ['Greater_Than', ['1']], ['Greater_Than_OR_EQUALS', ['1']],
    ['Less_Than', ['1']], ['Less_Than_OR_EQUALS', ['1']], ['Includes', ['a']], ['STARTS_WITH', ['a']], ['ENDS_WITH', ['a']],
    ['&', ['a,b']], ['!&', ['a,b']], ['IS_BIT_SET', ['2']], ['IS_NOT_BIT_SET', ['2']],
  ];
  for (const attributes of nulls) {
    for (const [op, values] of operators) assert.equal(check(clause('x', op, values), attributes), false, `${op} on ${JSON.stringify(attributes)}`);
    assert.equal(check(clause('x', 'IS NULL'), attributes), true);
  }
});

test('IS NULL / IS NOT NULL are exact complements', () => {
  for (const value of ['a', 0, false, ['x'], new Uint8Array([1])] as Value[]) {
    assert.equal(check(clause('x', 'IS NULL'), { x: value }), false);
    assert.equal(check(clause('x', 'IS NOT NULL'), { x: value }), true);
  }
});

test('IS TRUE / IS FALSE accept booleans and LDAP "TRUE"/"FALSE"', () => {
  assert.equal(check(clause('isCriticalSystemObject', 'IS TRUE'), { isCriticalSystemObject: 'TRUE' }), true);
  assert.equal(check(clause('isCriticalSystemObject', 'IS TRUE'), { isCriticalSystemObject: true }), true);
  assert.equal(check(clause('isCriticalSystemObject', 'IS FALSE'), { isCriticalSystemObject: 'FALSE' }), true);
  assert.equal(check(clause('isCriticalSystemObject', 'IS FALSE'), { isCriticalSystemObject: 'yes' }), false);
});

test('REGEX MATCH is unanchored and case-sensitive; NOT REGEX MATCH negates for present values', () => {
  assert.equal(check(clause('upn', 'REGEX MATCH', ['.*\\@contoso.com']), { upn: 'a@contoso.com' }), true);
  assert.equal(check(clause('upn', 'REGEX MATCH', ['contoso']), { upn: 'a@CONTOSO.com' }), false);
  assert.equal(check(clause('upn', 'NOT REGEX MATCH', ['contoso']), { upn: 'a@fabrikam.com' }), true);
});

test('integer comparisons need integers on both sides', () => {
  assert.equal(check(clause('employeeID', 'Greater_Than', ['1000000']), { employeeID: '1500000' }), true);
  assert.equal(check(clause('employeeID', 'Greater_Than', ['1000000']), { employeeID: 'E1500000' }), false);
  assert.equal(check(clause('n', 'Greater_Than_OR_EQUALS', ['5']), { n: 5 }), true);
  assert.equal(check(clause('n', 'Less_Than', ['5']), { n: 4n }), true);
  assert.equal(check(clause('n', 'Less_Than_OR_EQUALS', ['5']), { n: 6 }), false);
  assert.equal(check(clause('pwdLastSet', 'Greater_Than', ['133000000000000000']), { pwdLastSet: 133500000000000000n }), true);
});

test('string containment operators are case-sensitive', () => {
  assert.equal(check(clause('title', 'Includes', ['Engineer']), { title: 'Senior Engineer II' }), true);
  assert.equal(check(clause('title', 'Includes', ['engineer']), { title: 'Senior Engineer II' }), false);
  assert.equal(check(clause('title', 'STARTS_WITH', ['Senior']), { title: 'Senior Engineer' }), true);
  assert.equal(check(clause('mail', 'ENDS_WITH', ['@contoso.com']), { mail: 'a@contoso.com' }), true);
  assert.equal(check(clause('mail', 'ENDS_WITH', ['@contoso.com']), { mail: 'a@Contoso.com' }), false);
});

test('& and !& test list membership; one comma-separated value is a list', () => {
  assert.equal(check(clause('department', '&', ['Sales,Marketing']), { department: 'Marketing' }), true);
  assert.equal(check(clause('department', '&', ['Sales', 'Marketing']), { department: 'Sales' }), true);
  assert.equal(check(clause('department', '!&', ['Sales, Marketing']), { department: 'Marketing' }), false);
  assert.equal(check(clause('department', '!&', ['Sales, Marketing']), { department: 'HR' }), true);
});

test('IS_BIT_SET / IS_NOT_BIT_SET read userAccountControl flags', () => {
  const disabled = clause('userAccountControl', 'IS_BIT_SET', ['2']);
  const enabled = clause('userAccountControl', 'IS_NOT_BIT_SET', ['&H2']);
  assert.equal(check(disabled, { userAccountControl: 514 }), true);
  assert.equal(check(disabled, { userAccountControl: '512' }), false);
  assert.equal(check(enabled, { userAccountControl: 66048 }), true);
  assert.equal(check(enabled, { userAccountControl: 66050 }), false);
  assert.equal(check(clause('userAccountControl', 'IS_BIT_SET', ['0x10002']), { userAccountControl: 66050 }), true);
});

test('IS_MEMBER_OF reads the memberships the engine supplies, direct or transitive', () => {
  const pilot = 'D3B07384-D113-4EC6-A3C8-9B2A5E0F1A22';
  const direct = clause('memberOf', 'IS_MEMBER_OF', [pilot]);
  const nested = clause('transitiveMemberOf', 'IS_MEMBER_OF', [`<GUID=${pilot}>;CN=Pilot,OU=Groups,DC=contoso,DC=com`]);
  const guid = pilot.toLowerCase();
  assert.equal(check(direct, {}, { memberOf: new Set([guid]) }), true);
  assert.equal(check(direct, {}, { memberOf: new Set(), transitiveMemberOf: new Set([guid]) }), false);
  assert.equal(check(nested, {}, { memberOf: new Set(), transitiveMemberOf: new Set([guid]) }), true);
  assert.equal(check(direct, {}), false);
});

test('a compiled filter names the groups its IS_MEMBER_OF clauses compare, and whether one is transitive (what the engine resolves)', () => {
  const pilot = 'D3B07384-D113-4EC6-A3C8-9B2A5E0F1A22';
  const other = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const filter = compileScopingFilter({
    inputFilterGroups: [{ clauses: [{ sourceOperandName: 'memberOf', operatorName: 'IS_MEMBER_OF', targetOperand: { values: [pilot] } }] }],
    groups: [{ clauses: [{ sourceOperandName: 'department', operatorName: 'EQUALS', targetOperand: { values: ['Sales'] } }] },
      { clauses: [{ sourceOperandName: 'transitiveMemberOf', operatorName: 'IS_MEMBER_OF', targetOperand: { values: [`<GUID=${other}>;CN=Other,DC=contoso,DC=com`, pilot] } }] }],
  });
  assert.deepEqual([...filter.memberships.groups].sort(), [other, pilot.toLowerCase()].sort());
  assert.equal(filter.memberships.transitive, true);
  const plain = compileScopingFilter({ groups: [{ clauses: [{ sourceOperandName: 'memberOf', operatorName: 'IS_MEMBER_OF', targetOperand: { values: [pilot] } }] }] });
  assert.equal(plain.memberships.transitive, false);
  assert.deepEqual(compileScopingFilter(null).memberships, { groups: [], transitive: false });
});

test('multi-valued attributes: every value must satisfy the clause (Graph multivaluedComparisonType All)', () => {
  const c = clause('proxyAddresses', 'REGEX MATCH', ['@contoso\\.com$']);
  assert.equal(check(c, { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com'] }), true);
  assert.equal(check(c, { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@fabrikam.com'] }), false);
});

test('clauses AND within a group, groups OR; empty sets do not filter', () => {
  const filter = compileScopingFilter({
    groups: [
      { name: 'NY engineering', clauses: [clause('state', 'EQUALS', ['New York']), clause('department', 'EQUALS', ['Engineering'])] },
      { name: 'contractors', clauses: [clause('employeeType', 'EQUALS', ['Contractor'])] },
    ],
  });
  assert.equal(filter.evaluate(attributeSource({ state: 'New York', department: 'Engineering' })), true);
  assert.equal(filter.evaluate(attributeSource({ state: 'New York', department: 'Sales' })), false);
  assert.equal(filter.evaluate(attributeSource({ employeeType: 'Contractor' })), true);
  assert.equal(compileScopingFilter(null).evaluate(attributeSource({})), true);
  assert.equal(compileScopingFilter({ groups: [] }).evaluate(attributeSource({})), true);
  assert.equal(compileScopingFilter({ groups: [{ clauses: [] }] }).evaluate(attributeSource({})), true);
});

test('the trace records every clause, group and the overall result', () => {
  const filter = compileScopingFilter({
    inputFilterGroups: [{ clauses: [clause('isCriticalSystemObject', 'IS NULL')] }],
    groups: [{ name: 'g', clauses: [clause('department', 'EQUALS', ['Sales']), clause('title', 'IS NOT NULL')] }],
  }, 'synchronizationRules[0].objectMappings[0].scope');
  const trace = filter.trace(attributeSource({ department: 'Sales' }));
  assert.equal(trace.result, false);
  assert.equal(trace.inputFilterGroups.result, true);
  assert.deepEqual(trace.groups.groups[0]?.clauses.map((c) => [c.path, c.operandValue, c.operatorName, c.targetValues, c.result]), [
    ['synchronizationRules[0].objectMappings[0].scope.groups[0].clauses[0]', 'Sales', 'EQUALS', ['Sales'], true],
    ['synchronizationRules[0].objectMappings[0].scope.groups[0].clauses[1]', null, 'IS NOT NULL', [], false],
  ]);
  assert.equal(trace.groups.groups[0]?.result, false);
  assert.equal(trace.groups.groups[0]?.name, 'g');
});

test('bad clauses fail at compile time with ERR_SCOPE_INVALID naming the clause', () => {
  const cases: [FilterClause, string][] = [
    [clause('x', 'LIKE', ['a']), 'scope.groups[0].clauses[0].operatorName'],
    [clause('x', 'REGEX MATCH', ['(unclosed']), 'scope.groups[0].clauses[0].targetOperand.values[0]'],
    [clause('x', 'Greater_Than', ['ten']), 'scope.groups[0].clauses[0].targetOperand.values'],
    [clause('x', 'IS_BIT_SET', ['0']), 'scope.groups[0].clauses[0].targetOperand.values'],
    [clause('x', 'EQUALS', []), 'scope.groups[0].clauses[0].targetOperand.values'],
    [clause('manager', 'IS_MEMBER_OF', ['abc']), 'scope.groups[0].clauses[0].sourceOperandName'],
    [clause('memberOf', 'IS_MEMBER_OF', ['not-a-guid']), 'scope.groups[0].clauses[0].targetOperand.values[0]'],
    [clause('', 'IS NULL'), 'scope.groups[0].clauses[0].sourceOperandName'],
  ];
  for (const [c, path] of cases) {
    assert.throws(() => compileScopingFilter({ groups: [{ clauses: [c] }] }), (error: unknown) => {
      assert.ok(isCloudsyncError(error));
      assert.equal(error.code, 'ERR_SCOPE_INVALID');
      assert.equal(error.path, path);
      return true;
    }, path);
  }
});

test('Entra→AD operator spellings are accepted as aliases', () => {
  assert.equal(check(clause('n', 'GREATER_THAN', ['1']), { n: 2 }), true);
  assert.equal(check(clause('s', 'INCLUDES', ['b']), { s: 'abc' }), true);
});

test('the operator table in docs/scoping.md is the one the code runs', async () => {
  const { readFileSync } = await import('node:fs');
  const { renderScopingOperatorReference } = await import('../../src/schema/index.ts');
  const doc = readFileSync(new URL('../../docs/scoping.md', import.meta.url), 'utf8');
  assert.ok(doc.includes(renderScopingOperatorReference()), 'docs/scoping.md is out of date: paste renderScopingOperatorReference() into its Operators section');
});

test('filterOperators lists Graph\'s eight operators as Graph describes them, plus ours', async () => {
  const { filterOperatorSchemas } = await import('../../src/schema/index.ts');
  const byName = new Map(filterOperatorSchemas().map((o) => [o.name, o]));
  assert.deepEqual(byName.get('EQUALS'), { name: 'EQUALS', arity: 'Binary', multivaluedComparisonType: 'All', supportedAttributeTypes: ['String', 'Integer'] });
  assert.deepEqual(byName.get('IS NULL')?.arity, 'Unary');
  for (const name of ['EQUALS', 'NOT EQUALS', 'IS TRUE', 'IS FALSE', 'IS NULL', 'IS NOT NULL', 'REGEX MATCH', 'NOT REGEX MATCH']) assert.ok(byName.has(name), name);
  assert.equal(byName.size, 20);
});

test('IS_BIT_SET on AD groupType, whose security bit makes it negative', () => {
  const security = clause('groupType', 'IS_BIT_SET', ['&H80000000']);
  assert.equal(check(security, { groupType: -2147483646 }), true);
  assert.equal(check(security, { groupType: 2 }), false);
});

test('invariants over random filters and values: never throws once compiled; trace agrees with evaluate', async () => {
  const { reference } = await import('../../src/expressions/value.ts');
  let seed = 0x2545f491;
  const random = (n: number) => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const targets: Record<string, string[]> = {
    'EQUALS': ['a', '42'], 'NOT EQUALS': ['a'], 'IS TRUE': [], 'IS FALSE': [], 'IS NULL': [], 'IS NOT NULL': [],
    'REGEX MATCH': ['^a', '\\d+'], 'NOT REGEX MATCH': ['b$'], 'Greater_Than': ['10'], 'Greater_Than_OR_EQUALS': ['-3'],
    'Less_Than': ['99999999999999999999'], 'Less_Than_OR_EQUALS': ['0'], 'Includes': ['a'], 'STARTS_WITH': ['T'], 'ENDS_WITH': ['e'],
    '&': ['a,b,42'], '!&': ['a'], 'IS_BIT_SET': ['2'], 'IS_NOT_BIT_SET': ['&H10'],
  };
  const operators = Object.keys(targets);
  const values: Value[] = [null, '', 'a', 'abc', 'True', 'FALSE', '42', ' 7 ', 514, 66048, -1, 2.5, 10n ** 20n, true, false,
    new Uint8Array([1, 2]), new Date(0), reference('CN=x'), ['a', 'b'], ['42', 514], []];
  const names = ['x', 'y', 'z'];
  for (let round = 0; round < 300; round++) {
    const groups = Array.from({ length: 1 + random(3) }, () => ({
      clauses: Array.from({ length: random(4) }, () => {
        const op = operators[random(operators.length)] as string;
        return clause(names[random(3)] as string, op, targets[op] as string[]);
      }),
    }));
    const filter = compileScopingFilter({ groups });
    for (let i = 0; i < 10; i++) {
      const record: Record<string, Value> = {};
      for (const name of names) if (random(4) > 0) record[name] = values[random(values.length)] as Value;
      const source = attributeSource(record);
      const result = filter.evaluate(source);
      assert.equal(typeof result, 'boolean');
      assert.equal(filter.trace(source).result, result);
    }
  }
});
