import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedContext, type Value } from '../../../src/expressions/index.ts';
import { isCloudsyncError } from '../../../src/errors/index.ts';
import { evaluateRaw } from '../helpers.ts';

const RULES = 'SelectUniqueValue([a], Join("", [a], "2"), Join("", [a], "3"))';

function run(expression: string, attributes: Record<string, unknown>, taken: readonly string[], asked: Value[] = []): unknown {
  const context = fixedContext({
    isUnique: (value) => {
      asked.push(value);
      return !taken.includes(String(value));
    },
  });
  try {
    return evaluateRaw(expression, attributes, context);
  } catch (error) {
    if (isCloudsyncError(error)) return { error: error.code, message: error.message, details: error.details };
    throw error;
  }
}

describe('SelectUniqueValue', () => {
  it('returns the first candidate the target does not have, asking only as far as needed', () => {
    const asked: Value[] = [];
    assert.equal(run(RULES, { a: 'jo' }, ['jo'], asked), 'jo2');
    assert.deepEqual(asked, ['jo', 'jo2']);
  });

  it('does not evaluate rules after the one that is unique', () => {
    assert.equal(run('SelectUniqueValue([a], Error("not reached"))', { a: 'jo' }, []), 'jo');
    assert.deepEqual((run('SelectUniqueValue([a], Error("reached"))', { a: 'jo' }, ['jo']) as { error: string }).error, 'ERR_EXPR_USER_ERROR');
  });

  it('skips rules that produce nothing', () => {
    const asked: Value[] = [];
    assert.equal(run('SelectUniqueValue([missing], "", [a])', { a: 'x' }, [], asked), 'x');
    assert.deepEqual(asked, ['x']);
  });

  it('fails with ERR_EXPR_NOT_UNIQUE listing the candidates when all are taken', () => {
    const result = run(RULES, { a: 'jo' }, ['jo', 'jo2', 'jo3']) as { error: string; message: string; details: { candidates: string[] } };
    assert.equal(result.error, 'ERR_EXPR_NOT_UNIQUE');
    assert.match(result.message, /"jo", "jo2", "jo3"/);
    assert.deepEqual(result.details.candidates, ['jo', 'jo2', 'jo3']);
    assert.equal((run('SelectUniqueValue([x], [y])', {}, []) as { error: string; message: string }).message.includes('no rule produced a value'), true);
  });

  it('is not applicable without a target to ask', () => {
    assert.throws(() => evaluateRaw(RULES, { a: 'jo' }, fixedContext()), { code: 'ERR_EXPR_NOT_APPLICABLE', message: /no target directory/ });
  });

  it('takes any number of rules (no upper bound), but at least two', () => {
    const many = `SelectUniqueValue(${Array.from({ length: 40 }, (_, i) => `"v${i}"`).join(', ')})`;
    assert.equal(run(many, {}, Array.from({ length: 39 }, (_, i) => `v${i}`)), 'v39');
    assert.equal((run('SelectUniqueValue("a")', {}, []) as { error: string } | undefined) === undefined, false);
    assert.throws(() => evaluateRaw('SelectUniqueValue("a")', {}, fixedContext({ isUnique: () => true })), { code: 'ERR_EXPR_ARITY' });
  });

  it('passes unicode and multi-valued candidates to the target as they are', () => {
    const asked: Value[] = [];
    assert.equal(run('SelectUniqueValue(NormalizeDiacritics([a]), [a])', { a: 'Jéssica' }, [], asked), 'Jessica');
    assert.deepEqual(asked, ['Jessica']);
    assert.deepEqual(run('SelectUniqueValue([m], "x")', { m: ['p', 'q'] }, []), ['p', 'q']);
  });
});
