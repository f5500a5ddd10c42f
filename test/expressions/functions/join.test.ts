import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../helpers.ts';

describe('Join', () => {
  it('flattens multi-valued sources and skips NULL and empty values', () => {
    assert.equal(evaluate('Join(",", [p], [q], [missing], "", "z")', { p: ['a', '', 'b'], q: 'c' }), 'a,b,c,z');
    assert.equal(evaluate('Join("", [a], [b])', { a: 'x', b: 'y' }), 'xy');
    assert.equal(evaluate('Join(" ", [a])', { a: '' }), '', 'present but empty gives ""');
    assert.equal(evaluate('Join(" ", [a], [b])'), null, 'all NULL gives NULL');
  });
  it('renders numbers, Booleans, references and dates as text', () => {
    assert.equal(evaluate('Join("|", 1, True, [r], 2.5)', { r: { dn: 'CN=x' } }), '1|True|CN=x|2.5');
    assert.equal(evaluate('Join("|", 129699324000000000)'), '129699324000000000');
  });
  it('refuses binary values and a multi-valued separator, naming them', () => {
    assert.deepEqual(evaluate('Join(" ", [g])', { g: 'base64:AQI=' }), { error: 'ERR_EXPR_EVALUATION' });
    assert.deepEqual(evaluate('Join([s], "a", "b")', { s: [',', ';'] }), { error: 'ERR_EXPR_EVALUATION' });
  });
  it('joins unicode and huge values', () => {
    assert.equal(evaluate('Join("·", "Zoë", "😀")'), 'Zoë·😀');
    const big = 'y'.repeat(500_000);
    assert.equal((evaluate('Join("-", [a], [a])', { a: big }) as string).length, 1_000_001);
  });
});
