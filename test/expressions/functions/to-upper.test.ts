import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../helpers.ts';

describe('ToUpper', () => {
  it('uses invariant culture, one character for one', () => {
    assert.equal(evaluate('ToUpper("straße")'), 'STRAßE', 'ß has no one-character upper case');
    assert.equal(evaluate('ToUpper("ﬁ ŉ")'), 'ﬁ ŉ', 'ligatures and ŉ stay');
    assert.equal(evaluate('ToUpper("ı")'), 'I');
    assert.equal(evaluate('ToUpper("i")'), 'I');
    assert.equal(evaluate('ToUpper("é😀")'), 'É😀');
  });
  it('applies culture rules', () => {
    assert.equal(evaluate('ToUpper("istanbul", "tr-TR")'), 'İSTANBUL');
    assert.equal(evaluate('ToUpper("ıi", "tr")'), 'Iİ');
    assert.equal(evaluate('ToUpper("straße", "de-DE")'), 'STRAßE');
  });
  it('handles NULL and multi-valued input', () => {
    assert.equal(evaluate('ToUpper([m])'), null);
    assert.deepEqual(evaluate('ToUpper([p])', { p: ['a', 'b'] }), ['A', 'B']);
    assert.deepEqual(evaluate('ToUpper([g])', { g: 'base64:AA==' }), { error: 'ERR_EXPR_EVALUATION' });
  });
});
