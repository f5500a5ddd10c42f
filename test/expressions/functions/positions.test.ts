// Left, Mid, InStr and Word: 1-based positions in characters, NULL/empty/multi-valued handling.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../helpers.ts';

describe('Left, Mid, InStr, Word', () => {
  it('Left follows the documented rules', () => {
    assert.equal(evaluate('Left("John Doe", 3)'), 'Joh');
    assert.equal(evaluate('Left("John", 0)'), '');
    assert.equal(evaluate('Left("John", -5)'), 'John');
    assert.equal(evaluate('Left([x], 2)'), '');
    assert.deepEqual(evaluate('Left([p], 1)', { p: ['ab', 'cd'] }), ['a', 'c']);
    assert.equal(evaluate('Left("a😀b", 2)'), 'a😀');
    assert.deepEqual(evaluate('Left("John", "x")'), { error: 'ERR_EXPR_ARGUMENT_TYPE' }, 'a literal that can never fit fails the check');
    assert.deepEqual(evaluate('Left("John", [n])', { n: 'x' }), { error: 'ERR_EXPR_EVALUATION' });
    assert.equal(evaluate('Left("John", "2")'), 'Jo', 'integer text is a number');
  });
  it('Mid is 1-based and clips', () => {
    assert.equal(evaluate('Mid("abcdef", 2, 3)'), 'bcd');
    assert.equal(evaluate('Mid("abcdef", 5, 99)'), 'ef');
    assert.equal(evaluate('Mid("abcdef", 7, 1)'), '');
    assert.equal(evaluate('Mid("abcdef", 1, 0)'), '');
    assert.equal(evaluate('Mid("😀😁😂", 2, 1)'), '😁');
    assert.deepEqual(evaluate('Mid("abc", 1, -1)'), { error: 'ERR_EXPR_EVALUATION' });
    assert.deepEqual(evaluate('Mid([p], 2, 1)', { p: ['abc', 'xyz'] }), ['b', 'y']);
  });
  it('InStr is 1-based, 0 when absent', () => {
    assert.equal(evaluate('InStr("The quick brown fox","quick")'), 5);
    assert.equal(evaluate('InStr("abcabc","c",4)'), 6);
    assert.equal(evaluate('InStr("abc","",2)'), 2);
    assert.equal(evaluate('InStr("abc","a",9)'), 0);
    assert.equal(evaluate('InStr("😀x😀y","y")'), 4, 'counts characters');
    assert.equal(evaluate('InStr("ABC","b",1,vbTextCompare)'), 2);
    assert.equal(evaluate('InStr("ABC","b",1,"vbTextCompare")'), 2, 'quoted enumeration words work too');
    assert.deepEqual(evaluate('InStr("ABC","b",0)'), { error: 'ERR_EXPR_EVALUATION' });
    assert.deepEqual(evaluate('InStr("ABC","b",1,"nope")'), { error: 'ERR_EXPR_EVALUATION' });
  });
  it('Word splits on any delimiter character, skipping runs', () => {
    assert.equal(evaluate('Word("a,,b;c", 2, ",;")'), 'b');
    assert.equal(evaluate('Word(",a,", 1, ",")'), 'a');
    assert.equal(evaluate('Word("a b", -1, " ")'), '');
    assert.equal(evaluate('Word("abc", 1, "")'), 'abc', 'no delimiters: the whole string is one word');
    assert.equal(evaluate('Word("x😀y😀z", 3, "😀")'), 'z');
    assert.deepEqual(evaluate('Word([p], 2, " ")', { p: ['a b', 'c d'] }), ['b', 'd']);
  });
});
