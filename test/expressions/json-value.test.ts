import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isReference, reference, valueFromJson, valueToJson } from '../../src/expressions/index.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';

describe('valueFromJson / valueToJson', () => {
  it('reads every value kind', () => {
    assert.equal(valueFromJson(null), null);
    assert.equal(valueFromJson('text'), 'text');
    assert.equal(valueFromJson(12), 12);
    assert.equal(valueFromJson(129699324000000000n), 129699324000000000n);
    assert.equal(valueFromJson(false), false);
    assert.deepEqual(valueFromJson('base64:AAEC'), new Uint8Array([0, 1, 2]));
    const dn = valueFromJson({ dn: 'CN=Joe,DC=x' });
    assert.ok(isReference(dn) && dn.dn === 'CN=Joe,DC=x');
    assert.deepEqual(valueFromJson(['a', 1, true]), ['a', 1, true]);
    assert.equal(valueFromJson([]), null, 'an empty list is NULL');
  });

  it('refuses what is not a value, naming the path', () => {
    for (const [json, pattern] of [
      [{ a: 1 }, /^mail: expected .* got an object/],
      [[['nested']], /^mail\[0\]: .* an array inside a multi-valued value/],
      [['a', null], /^mail\[1\]: .* null inside a multi-valued value/],
      ['base64:not base64!', /^mail: "base64:…" must be followed by standard padded base64/],
      [Number.POSITIVE_INFINITY, /not finite/],
    ] as const) {
      assert.throws(() => valueFromJson(json, 'mail'), (error: unknown) => isCloudsyncError(error) && error.code === 'ERR_EXPR_ARGUMENT_TYPE' && pattern.test(error.message) && error.path?.startsWith('mail') === true);
    }
  });

  it('renders values as the CLI prints them', () => {
    assert.equal(valueToJson('x'), 'x');
    assert.equal(valueToJson(129699324000000000n), '129699324000000000', 'beyond 2^53: a string of digits');
    assert.equal(valueToJson(42n), 42, 'a bigint that fits is a number');
    assert.equal(valueToJson(new Uint8Array([0, 1, 2])), 'base64:AAEC');
    assert.equal(valueToJson(new Date(Date.UTC(2021, 6, 2, 15, 33, 38))), '7/2/2021 3:33:38 PM', 'Entra\'s M/d/yyyy h:mm:ss tt, UTC');
    assert.equal(valueToJson(new Date(Date.UTC(2020, 2, 16, 0, 5, 9))), '3/16/2020 12:05:09 AM');
    assert.equal(valueToJson(reference('CN=Joe')), 'CN=Joe');
    assert.deepEqual(valueToJson(['a', new Uint8Array([255])]), ['a', 'base64:/w==']);
  });

  it('round-trips binary, text, numbers and lists', () => {
    for (const json of ['base64:AAECAwQFBgcICQoLDA0ODw==', 'plain', 7, 2.5, true, ['x', 'base64:/w==', 3]]) {
      assert.deepEqual(valueToJson(valueFromJson(json)), json);
    }
  });
});
