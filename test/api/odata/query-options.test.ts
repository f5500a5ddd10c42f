import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListOptions } from '../../../src/api/odata/query-options.ts';
import { applySelect } from '../../../src/api/odata/select.ts';
import { CloudsyncError } from '../../../src/errors/index.ts';

const spec = { properties: ['id', 'displayName', 'userPrincipalName', 'mail'], typeName: 'microsoft.graph.user' };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof CloudsyncError);
    return error.code;
  }
  assert.fail('expected an error');
}

test('defaults and every option', () => {
  assert.deepEqual(parseListOptions({}, undefined, spec), { query: { top: 100 }, select: undefined });
  const parsed = parseListOptions(
    { $top: '999', $filter: "mail eq 'a'", $orderby: 'displayName desc', $skipToken: 'abc', $count: 'true', $select: 'DisplayName,id' },
    'eventual',
    spec,
  );
  assert.equal(parsed.query.top, 999);
  assert.deepEqual(parsed.query.orderBy, { property: 'displayName', direction: 'desc' });
  assert.equal(parsed.query.skipToken, 'abc');
  assert.equal(parsed.query.count, true);
  assert.deepEqual(parsed.select?.properties, ['displayName', 'id']);
});

test('refusals', () => {
  assert.equal(code(() => parseListOptions({ $top: '1000' }, undefined, spec)), 'ERR_ODATA_TOP');
  assert.equal(code(() => parseListOptions({ $top: '0' }, undefined, spec)), 'ERR_ODATA_TOP');
  assert.equal(code(() => parseListOptions({ $top: '1e2' }, undefined, spec)), 'ERR_ODATA_TOP');
  assert.equal(code(() => parseListOptions({ $count: 'true' }, undefined, spec)), 'ERR_HTTP_BAD_REQUEST');
  assert.equal(code(() => parseListOptions({ $select: 'nope' }, undefined, spec)), 'ERR_ODATA_SELECT');
  assert.equal(code(() => parseListOptions({ $select: 'id,,mail' }, undefined, spec)), 'ERR_ODATA_SELECT');
  assert.equal(code(() => parseListOptions({ $orderby: 'mail' }, undefined, spec)), 'ERR_ODATA_ORDERBY');
  assert.equal(code(() => parseListOptions({ $orderby: 'displayName,userPrincipalName' }, undefined, spec)), 'ERR_ODATA_ORDERBY');
  assert.equal(code(() => parseListOptions({ $expand: 'manager' }, undefined, spec)), 'ERR_ODATA_UNSUPPORTED');
  assert.equal(code(() => parseListOptions({ $bogus: '1' }, undefined, spec)), 'ERR_HTTP_BAD_REQUEST');
  assert.equal(code(() => parseListOptions({ $top: ['1', '2'] }, undefined, spec)), 'ERR_HTTP_BAD_REQUEST');
  assert.equal(code(() => parseListOptions({ $filter: 'x eq' }, undefined, spec)), 'ERR_ODATA_FILTER');
});

test('select projects canonical names; absent ones are null, unset extensions absent', () => {
  const selection = parseListOptions({ $select: 'displayName,mail,extension_0123456789abcdef0123456789abcdef_x' }, undefined, spec).select!;
  assert.deepEqual(applySelect({ id: '1', displayName: 'A', '@odata.type': '#microsoft.graph.user' }, selection), { displayName: 'A', mail: null });
  assert.deepEqual(applySelect({ id: '1', '@odata.type': '#t' }, selection, ['@odata.type', 'id']), { '@odata.type': '#t', id: '1', displayName: null, mail: null });
});
