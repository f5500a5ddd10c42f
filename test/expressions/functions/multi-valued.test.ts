// Split, RemoveDuplicates, Item, Count, Trim, StripSpaces, Append: multi-valued behaviour.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../helpers.ts';

describe('multi-valued functions', () => {
  it('Split trims pieces, drops empty ones, accepts long delimiters and multi-valued sources', () => {
    assert.deepEqual(evaluate('Split("a || b||", "||")'), ['a', 'b']);
    assert.deepEqual(evaluate('Split([p], ",")', { p: ['a,b', 'c'] }), ['a', 'b', 'c']);
    assert.equal(evaluate('Split(" , ", ",")'), null);
    assert.deepEqual(evaluate('Split("a", "")'), { error: 'ERR_EXPR_EVALUATION' });
    assert.equal(evaluate('Count(Split([x], ";"))', { x: 'a;b;c;d' }), 4);
  });
  it('RemoveDuplicates keeps first occurrences, exactly', () => {
    assert.deepEqual(evaluate('RemoveDuplicates([p])', { p: ['b', 'a', 'b', 'B', 'a'] }), ['b', 'a', 'B']);
    assert.deepEqual(evaluate('RemoveDuplicates([p])', { p: [1, '1', 1] }), [1, '1'], 'a number and its text are different values');
    assert.deepEqual(evaluate('RemoveDuplicates([p])', { p: ['base64:AQ==', 'base64:AQ==', 'base64:Ag=='] }), ['base64:AQ==', 'base64:Ag==']);
    assert.equal(evaluate('RemoveDuplicates([x])'), null);
  });
  it('Item, Count, Trim, StripSpaces, Append', () => {
    assert.equal(evaluate('Item([p], 2)', { p: ['x', 'y', 'z'] }), 'y');
    assert.equal(evaluate('Item([s], 1)', { s: 'only' }), 'only');
    assert.deepEqual(evaluate('Item([s], 2)', { s: 'only' }), { error: 'ERR_EXPR_EVALUATION' });
    assert.equal(evaluate('Count([p])', { p: ['x', 'y'] }), 2);
    assert.deepEqual(evaluate('Trim([p])', { p: ['  a ', '\u00a0b\u2003'] }), ['a', 'b']);
    assert.equal(evaluate('StripSpaces(" a\tb c ")'), 'a\tbc');
    assert.deepEqual(evaluate('Append([p], "@x")', { p: ['a', 'b'] }), ['a@x', 'b@x']);
    assert.deepEqual(evaluate('Append("a", [p])', { p: ['x', 'y'] }), { error: 'ERR_EXPR_EVALUATION' });
  });
  it('BitAnd over the full 64-bit range and integer text', () => {
    assert.equal(evaluate('BitAnd(&HFFFFFFFFFFFFFFFF, 129699324000000000)'), '129699324000000000');
    assert.equal(evaluate('BitAnd(-1, 6)'), 6);
    assert.equal(evaluate('BitAnd(" 66050 ", &H10000)'), 65536);
    assert.deepEqual(evaluate('BitAnd("1.5", 1)'), { error: 'ERR_EXPR_ARGUMENT_TYPE' });
    assert.deepEqual(evaluate('BitAnd([v], 1)', { v: '1.5' }), { error: 'ERR_EXPR_EVALUATION' });
  });
  it('CBool, Not, CStr, IsString on edge values', () => {
    assert.equal(evaluate('CBool(" 0 ")'), false);
    assert.equal(evaluate('CBool(-1)'), true);
    assert.equal(evaluate('Not(0)'), true);
    assert.equal(evaluate('Not(1)'), false);
    assert.equal(evaluate('Not("TRUE")'), false);
    assert.deepEqual(evaluate('CStr([p])', { p: [1, true] }), ['1', 'True']);
    assert.equal(evaluate('CStr(2.5)'), '2.5');
    assert.equal(evaluate('IsString([p])', { p: ['a', 'b'] }), false);
  });
});
