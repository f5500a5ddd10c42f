import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../helpers.ts';

describe('PCase', () => {
  it('separates words at the documented Unicode categories by default', () => {
    assert.equal(evaluate('PCase("JEAN-LUC O\'NEIL_SMITH")'), 'Jean-Luc O\'Neil_Smith');
    assert.equal(evaluate('PCase("a.b,c;d/e+f$g©h«i»j\\tk\\nl")'.replace('\\t', '\t').replace('\\n', '\n')), 'A.B,C;D/E+F$G©H«I»J\tK\nL');
    assert.equal(evaluate('PCase("ÉLODIE  DUPONT")'), 'Élodie  Dupont');
    assert.equal(evaluate('PCase("3RD STREET")'), '3rd Street', 'digits start a word but have no case');
  });
  it('uses only the given separators when there are any', () => {
    assert.equal(evaluate('PCase("jean-luc o\'neil", " ")'), 'Jean-luc O\'neil');
    assert.equal(evaluate('PCase("jean-luc o\'neil", "-")'), 'Jean-Luc o\'neil');
    assert.equal(evaluate('PCase("jean-luc", "")'), 'Jean-luc', 'no separators: one word');
  });
  it('handles NULL, empty and multi-valued input', () => {
    assert.equal(evaluate('PCase([m])'), null);
    assert.equal(evaluate('PCase("")'), '');
    assert.deepEqual(evaluate('PCase([p])', { p: ['ANN LEE', 'bob'] }), ['Ann Lee', 'Bob']);
  });
});
