import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../helpers.ts';

describe('ToLower', () => {
  it('uses invariant culture, one character for one', () => {
    assert.equal(evaluate('ToLower("ÀÉÎÕÜ ΣΑΣ")'), 'àéîõü σασ', 'no final-sigma context rule, as .NET');
    assert.equal(evaluate('ToLower("İ")'), 'i', 'simple mapping: İ becomes i, not i + combining dot');
    assert.equal(evaluate('ToLower("I")'), 'i');
    assert.equal(evaluate('ToLower("😀A")'), '😀a');
    assert.equal(evaluate('ToLower("𐐀")'), '𐐨', 'astral letters (Deseret) too');
  });
  it('applies culture rules', () => {
    assert.equal(evaluate('ToLower("TITLE IN", "tr-TR")'), 'tıtle ın');
    assert.equal(evaluate('ToLower("İI", "az")'), 'iı');
    assert.equal(evaluate('ToLower("TITLE", "en-US")'), 'title');
    assert.equal(evaluate('ToLower("TITLE", "")'), 'title', '"" is invariant');
    assert.deepEqual(evaluate('ToLower("A", "xx_YY!")'), { error: 'ERR_EXPR_EVALUATION' });
  });
  it('handles NULL, empty, multi-valued and huge input', () => {
    assert.equal(evaluate('ToLower([m])'), null);
    assert.equal(evaluate('ToLower("")'), '');
    assert.deepEqual(evaluate('ToLower([p])', { p: ['A', 'B'] }), ['a', 'b']);
    const huge = 'AÉ'.repeat(200_000);
    assert.equal(evaluate('ToLower([h])', { h: huge }), 'aé'.repeat(200_000));
  });
});
