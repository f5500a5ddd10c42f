import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedContext } from '../../../src/expressions/index.ts';
import { evaluateRaw, evaluationError } from '../helpers.ts';

const SPECIAL = '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/';

function counts(text: string): { digits: number; special: number; upper: number; lower: number } {
  const chars = [...text];
  return {
    digits: chars.filter((c) => /[0-9]/.test(c)).length,
    special: chars.filter((c) => SPECIAL.includes(c)).length,
    upper: chars.filter((c) => /[A-Z]/.test(c)).length,
    lower: chars.filter((c) => /[a-z]/.test(c)).length,
  };
}

describe('RandomString', () => {
  it('meets every minimum, over many seeds', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const text = evaluateRaw('RandomString(10,2,2,2,1,"?,")', {}, fixedContext({ seed })) as string;
      assert.equal(text.length, 10);
      const c = counts(text);
      assert.ok(c.digits >= 2 && c.special >= 2 && c.upper >= 2 && c.lower >= 1, `${text} (seed ${seed})`);
      assert.ok(!text.includes('?') && !text.includes(','), text);
      assert.equal(c.digits + c.special + c.upper + c.lower, 10, 'only allowed characters');
    }
  });

  it('meets exact counts when the minimums fill the length', () => {
    const text = evaluateRaw('RandomString(6,3,0,0,3)', {}, fixedContext({ seed: 7 })) as string;
    assert.deepEqual(counts(text), { digits: 3, special: 0, upper: 0, lower: 3 });
  });

  it('shuffles: required characters are not always in front', () => {
    const firsts = new Set<string>();
    for (let seed = 1; seed <= 50; seed++) firsts.add(/[0-9]/.test((evaluateRaw('RandomString(8,1,0,0,7)', {}, fixedContext({ seed })) as string)[0]!) ? 'digit' : 'letter');
    assert.deepEqual([...firsts].sort(), ['digit', 'letter']);
  });

  it('is repeatable with the same seed and random with the real source', () => {
    const a = evaluateRaw('RandomString(32,4,4,4,4)', {}, fixedContext({ seed: 3 }));
    assert.equal(evaluateRaw('RandomString(32,4,4,4,4)', {}, fixedContext({ seed: 3 })), a);
    const live = new Set(Array.from({ length: 5 }, () => evaluateRaw('RandomString(32,4,4,4,4)', {}, {})));
    assert.equal(live.size, 5);
  });

  it('allows 256 characters and no more', () => {
    assert.equal((evaluateRaw('RandomString(256,0,0,0,0)') as string).length, 256);
    assert.equal(evaluationError('RandomString(257,0,0,0,0)').code, 'ERR_EXPR_TOO_LARGE');
    assert.equal(evaluationError('RandomString(1000000000,0,0,0,0)').code, 'ERR_EXPR_TOO_LARGE');
  });

  it('checks lengths, minimums and avoided characters', () => {
    assert.match(evaluationError('RandomString(6,3,0,0,4)').message, /shorter than the sum of the minimums \(7\)/, 'MinimumLowerCase counts too');
    assert.match(evaluationError('RandomString(0,0,0,0,0)').message, /at least 1/);
    assert.match(evaluationError('RandomString(4,-1,0,0,0)').message, /cannot be negative/);
    assert.match(evaluationError('RandomString(4,1,0,0,0,"0123456789")').message, /excludes every one of the numbers/);
    assert.match(evaluationError('RandomString("six",1,0,0,0)').message, /Length must be an integer/);
    assert.equal(evaluateRaw('RandomString(5,0,0,0,5,"abcdefghijklmnopqrstuvwxy")'), 'zzzzz');
    assert.equal(evaluateRaw('RandomString("3","3","0","0","0","123456789")'), '000', 'numbers may come as text');
  });
});

describe('Guid', () => {
  it('is a lower-case version 4 UUID, different each time', () => {
    const context = fixedContext({ seed: 11 });
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const value = evaluateRaw('Guid()', {}, context) as string;
      assert.match(value, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(value);
    }
    assert.equal(seen.size, 100);
  });
  it('takes no arguments', () => {
    assert.equal(evaluationError('Guid(1)').code, 'ERR_EXPR_ARITY');
  });
});
