import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FILTER_TERMS, parseFilter } from '../../../src/api/odata/filter-parser.ts';
import { CloudsyncError } from '../../../src/errors/index.ts';

function failsAt(text: string, position: number, pattern: RegExp): void {
  assert.throws(
    () => parseFilter(text),
    (error: unknown) => {
      assert.ok(error instanceof CloudsyncError);
      assert.equal(error.code, 'ERR_ODATA_FILTER');
      assert.equal(error.path, '$filter');
      assert.equal(error.position, position, `position for ${text}: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('comparisons with every literal kind', () => {
  assert.deepEqual(parseFilter("userPrincipalName eq 'a@b.example'"), { kind: 'comparison', operator: 'eq', property: 'userPrincipalName', value: 'a@b.example' });
  assert.deepEqual(parseFilter('accountEnabled eq false'), { kind: 'comparison', operator: 'eq', property: 'accountEnabled', value: false });
  assert.deepEqual(parseFilter('mail ne null'), { kind: 'comparison', operator: 'ne', property: 'mail', value: null });
  assert.deepEqual(parseFilter('createdDateTime ge 2024-01-02T03:04:05Z'), {
    kind: 'comparison', operator: 'ge', property: 'createdDateTime', value: '2024-01-02T03:04:05Z',
  });
  assert.deepEqual(parseFilter('x lt -1.5'), { kind: 'comparison', operator: 'lt', property: 'x', value: -1.5 });
  assert.deepEqual(parseFilter("displayName eq 'O''Brien'"), { kind: 'comparison', operator: 'eq', property: 'displayName', value: "O'Brien" });
  assert.deepEqual(parseFilter('id eq 0b3a7c2e-1111-4a4a-9b9b-0123456789ab'), {
    kind: 'comparison', operator: 'eq', property: 'id', value: '0b3a7c2e-1111-4a4a-9b9b-0123456789ab',
  });
});

test('extension attribute paths and directory extensions', () => {
  assert.deepEqual(parseFilter("onPremisesExtensionAttributes/extensionAttribute3 eq 'x'"), {
    kind: 'comparison', operator: 'eq', property: 'onPremisesExtensionAttributes/extensionAttribute3', value: 'x',
  });
  assert.equal((parseFilter("extension_0123456789abcdef0123456789abcdef_costCenter eq 'x'") as { property: string }).property,
    'extension_0123456789abcdef0123456789abcdef_costCenter');
});

test('precedence: not > and > or; parentheses override', () => {
  const node = parseFilter("a eq 'x' or b eq 'y' and not c eq 'z'");
  assert.equal(node.kind, 'or');
  assert.equal(node.kind === 'or' && node.right.kind, 'and');
  assert.equal(node.kind === 'or' && node.right.kind === 'and' && node.right.right.kind, 'not');
  const grouped = parseFilter("(a eq 'x' or b eq 'y') and c eq 'z'");
  assert.equal(grouped.kind, 'and');
  assert.equal(grouped.kind === 'and' && grouped.left.kind, 'or');
});

test('startswith / endswith, case-insensitive names', () => {
  assert.deepEqual(parseFilter("startsWith(displayName, 'Al')"), { kind: 'stringFunction', function: 'startswith', property: 'displayName', value: 'Al' });
  assert.deepEqual(parseFilter("endswith(mail,'@b.example')"), { kind: 'stringFunction', function: 'endswith', property: 'mail', value: '@b.example' });
  assert.equal(parseFilter("NOT startswith(displayName,'x')").kind, 'not');
});

test('in lists', () => {
  assert.deepEqual(parseFilter("department in ('Sales', 'HR')"), { kind: 'in', property: 'department', values: ['Sales', 'HR'] });
});

test('any() over proxyAddresses', () => {
  assert.deepEqual(parseFilter("proxyAddresses/any(p: p eq 'smtp:a@b.example')"), {
    kind: 'any', collection: 'proxyAddresses', variable: 'p',
    predicate: { kind: 'comparison', operator: 'eq', property: 'p', value: 'smtp:a@b.example' },
  });
  assert.deepEqual(parseFilter("proxyAddresses/any(x:startswith(x,'SMTP:'))"), {
    kind: 'any', collection: 'proxyAddresses', variable: 'x',
    predicate: { kind: 'stringFunction', function: 'startswith', property: 'x', value: 'SMTP:' },
  });
});

test('errors say where and what was expected', () => {
  failsAt("displayName eq 'x' and", 22, /expected a property name/);
  failsAt("displayName eq 'x", 15, /not closed/);
  failsAt("displayName equals 'x'", 12, /expected an operator.*'equals' at position 12/);
  failsAt("(displayName eq 'x'", 19, /expected '\)' to close the '\(' at position 0/);
  failsAt("displayName eq 'x' 'y'", 19, /expected 'and', 'or' or the end/);
  failsAt('displayName eq', 14, /expected a value.*end of the filter/);
  failsAt("substringof('a', displayName)", 0, /unknown function 'substringof'/);
  failsAt("startswith(displayName, 3)", 24, /quoted string/);
  failsAt('a gt null', 5, /null can only be compared with eq or ne/);
  failsAt("displayName eq 'x' # 1", 19, /unexpected character '#'/);
  failsAt('', 0, /empty/);
  failsAt("proxyAddresses/all(p: p eq 'x')", 18, /after 'proxyAddresses\/all' but found '\('/);
});

test('hostile nesting is bounded, not a stack overflow', () => {
  const deep = '('.repeat(10_000) + "a eq 'x'" + ')'.repeat(10_000);
  assert.throws(() => parseFilter(deep), (error: unknown) => error instanceof CloudsyncError && error.code === 'ERR_ODATA_FILTER');
  const deepNot = 'not '.repeat(1_000) + "a eq 'x'";
  assert.throws(() => parseFilter(deepNot), (error: unknown) => error instanceof CloudsyncError && /nests deeper/.test(error.message));
});

test('the number of comparisons is bounded: each costs a pass over every row the filter scans', () => {
  const terms = (n: number, term: (i: number) => string) => Array.from({ length: n }, (_, i) => term(i)).join(' or ');
  assert.doesNotThrow(() => parseFilter(terms(MAX_FILTER_TERMS, (i) => `jobTitle eq 'x${i}'`)));
  // 21 terms: the 21st starts at the position of its property.
  const tooMany = terms(MAX_FILTER_TERMS + 1, (i) => `jobTitle eq 'x${i}'`);
  failsAt(tooMany, tooMany.lastIndexOf('jobTitle'), /more than 20 comparisons/);
  // Terms inside any() count (they run per element), and so do string functions.
  const inside = `proxyAddresses/any(p: ${terms(MAX_FILTER_TERMS + 1, (i) => `p eq 'x${i}'`)})`;
  assert.throws(() => parseFilter(inside), /more than 20 comparisons/);
  assert.throws(() => parseFilter(terms(MAX_FILTER_TERMS + 1, (i) => `endswith(mail, 'x${i}')`)), /more than 20 comparisons/);
  // An in list is one term however long: it is a set lookup.
  assert.doesNotThrow(() => parseFilter(`id in (${Array.from({ length: 500 }, (_, i) => `'x${i}'`).join(',')})`));
});
