import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reference } from '../../src/expressions/value.ts';
import { toTargetValue } from '../../src/schema/index.ts';

const def = (type: string, multivalued = false) => ({ name: 'attr', type, multivalued });

test('text from expressions becomes the target attribute\'s type', () => {
  assert.deepEqual(toTargetValue('True', def('Boolean')), { ok: true, value: true });
  assert.deepEqual(toTargetValue('false', def('boolean')), { ok: true, value: false });
  assert.deepEqual(toTargetValue(' 42 ', def('Integer')), { ok: true, value: 42 });
  assert.deepEqual(toTargetValue('133500000000000000000', def('Integer')), { ok: true, value: 133500000000000000000n });
  assert.deepEqual(toTargetValue(514, def('String')), { ok: true, value: '514' });
  assert.deepEqual(toTargetValue(true, def('String')), { ok: true, value: 'True' });
  assert.deepEqual(toTargetValue('CN=Miriam,OU=Sales,DC=contoso,DC=com', def('Reference')), { ok: true, value: reference('CN=Miriam,OU=Sales,DC=contoso,DC=com') });
  assert.deepEqual(toTargetValue('2026-01-02T03:04:05Z', def('DateTime')), { ok: true, value: new Date('2026-01-02T03:04:05Z') });
  assert.deepEqual(toTargetValue(null, def('Boolean')), { ok: true, value: null });
});

test('multiplicity: a single value fills a multi-valued target; one value of a multi-value fills a single one', () => {
  assert.deepEqual(toTargetValue('+1 425 555 0109', def('String', true)), { ok: true, value: ['+1 425 555 0109'] });
  assert.deepEqual(toTargetValue(['only'], def('String')), { ok: true, value: 'only' });
  assert.deepEqual(toTargetValue([], def('String', true)), { ok: true, value: null });
  const many = toTargetValue(['a', 'b'], def('String'));
  assert.equal(many.ok, false);
});

test('values that do not fit are refused with a message naming the attribute', () => {
  const refused = [
    toTargetValue('yes', def('Boolean')),
    toTargetValue('4.5', def('Integer')),
    toTargetValue(2.5, def('Integer')),
    toTargetValue('not a date', def('DateTime')),
    toTargetValue('AAEC', def('Binary')),
  ];
  for (const result of refused) {
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.message, /^attr is of type /);
  }
});
