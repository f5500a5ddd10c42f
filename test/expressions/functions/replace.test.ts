import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, evaluationError } from '../helpers.ts';

describe('Replace', () => {
  describe('oldValue + replacementValue', () => {
    it('replaces every occurrence, case-sensitively', () => {
      assert.equal(evaluate('Replace([s], "a", , , "b", , )', { s: 'aAaA' }), 'bAbA');
      assert.equal(evaluate('Replace([s], ".", , , "\\\\", , )', { s: 'a.b.c' }), 'a\\b\\c');
      assert.equal(evaluate('Replace([s], "$1", , , "x", , )', { s: 'cost $1' }), 'cost x', 'oldValue is literal text, not a pattern');
      assert.equal(evaluate('Replace([s], "x", , , "$&", , )', { s: 'axb' }), 'a$&b', 'replacementValue is literal here');
    });
    it('with two arguments, or an empty replacement slot, removes occurrences', () => {
      assert.equal(evaluate('Replace([s], " ")', { s: 'a b c' }), 'abc');
      assert.equal(evaluate('Replace([s], "-", , , , , )', { s: '1-2-3' }), '123');
    });
    it('replaces in each value; keeps missing missing; unicode and large inputs', () => {
      assert.deepEqual(evaluate('Replace([p], "@old.com", , , "@new.com", , )', { p: ['a@old.com', 'b@x.com'] }), ['a@new.com', 'b@x.com']);
      assert.equal(evaluate('Replace([s], "a", , , "b", , )'), null);
      assert.equal(evaluate('Replace([s], "ë", , , "e", , )', { s: 'Zoë 😀' }), 'Zoe 😀');
      assert.equal((evaluate('Replace([s], "ab", , , "x", , )', { s: 'ab'.repeat(500_000) }) as string).length, 500_000);
    });
    it('refuses an empty oldValue', () => {
      assert.match(evaluationError('Replace([s], "", , , "x", , )', { s: 'a' }).message, /oldValue cannot be empty/);
    });
  });

  describe('oldValue + template', () => {
    it('puts the source into the template', () => {
      assert.equal(evaluate('Replace([id], "{id}", , , , , "{id}@contoso.com ({id})")', { id: 'js' }), 'js@contoso.com (js)');
      assert.deepEqual(evaluate('Replace([id], "{id}", , , , , "x-{id}")', { id: ['a', 'b'] }), ['x-a', 'x-b']);
      assert.equal(evaluate('Replace([id], "{id}", , , , , "x-{id}")'), null);
    });
  });

  describe('oldValue + replacementAttributeName', () => {
    it('replaces with the other attribute\'s value', () => {
      assert.equal(evaluate('Replace([s], "%dept%", , , , [department], )', { s: 'Team %dept%', department: 'Sales' }), 'Team Sales');
    });
  });

  describe('regexPattern + replacementValue', () => {
    it('uses .NET substitutions', () => {
      assert.equal(evaluate('Replace([n], , "(\\\\w+) (\\\\w+)", , "$2, $1", , )', { n: 'Ada Lovelace' }), 'Lovelace, Ada');
      assert.equal(evaluate('Replace([n], , "^(?<first>.)[^ ]* (?<last>.*)$", , "${first}${last}", , )', { n: 'Ada Lovelace' }), 'ALovelace');
      assert.equal(evaluate('Replace([n], , "a", , "[$$]", , )', { n: 'a' }), '[$]');
    });
    it('is case-sensitive unless the pattern says (?i)', () => {
      assert.equal(evaluate('Replace([s], , "abc", , "x", , )', { s: 'ABC abc' }), 'ABC x');
      assert.equal(evaluate('Replace([s], , "(?i)abc", , "x", , )', { s: 'ABC abc' }), 'x x');
    });
  });

  describe('regexPattern + regexGroupName + replacementValue', () => {
    it('replaces only the group, in every match, literally', () => {
      assert.equal(evaluate('Replace([s], , "(?<d>\\\\d+)-", "d", "#", , )', { s: '1-22-333' }), '#-#-333');
      assert.equal(evaluate('Replace([s], , "x(?<g>y)?", "g", "Z", , )', { s: 'xy x' }), 'xZ x', 'a match without the group stays');
      assert.equal(evaluate('Replace([s], , "(?<g>a)", "g", "$1", , )', { s: 'a' }), '$1');
      assert.equal(evaluate('Replace([s], , "(a)(b)", "2", "_", , )', { s: 'ab' }), 'a_', 'a group may be named by its number');
    });
    it('names the groups that exist when regexGroupName does not', () => {
      const error = evaluationError('Replace([s], , "(?<street>\\\\d+)", "number", "1", , )', { s: '5 Main' });
      assert.equal(error.code, 'ERR_EXPR_REGEX');
      assert.match(error.message, /regexGroupName "number" is not a group .*\(its named groups: street\)/);
    });
  });

  describe('regexPattern + regexGroupName + replacementAttributeName', () => {
    const expr = 'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )';
    it('returns the source when it has a value', () => {
      assert.equal(evaluate(expr, { telephoneNumber: '+1 5550000000', mobile: '+91 8887779999' }), '+1 5550000000');
      assert.deepEqual(evaluate(expr, { telephoneNumber: ['a', 'b'], mobile: '+91 8887779999' }), ['a', 'b']);
    });
    it('extracts the group from the other attribute when the source is missing or empty', () => {
      assert.equal(evaluate(expr, { mobile: '+91 8887779999' }), '8887779999');
      assert.equal(evaluate(expr, { telephoneNumber: '', mobile: '+91 8887779999' }), '8887779999');
    });
    it('gives nothing when the other attribute is missing or does not match', () => {
      assert.equal(evaluate(expr, { telephoneNumber: '' }), null);
      assert.equal(evaluate(expr, { mobile: 'none' }), null);
    });
  });

  describe('regexPattern + replacementAttributeName', () => {
    it('replaces matches with the attribute value, literally', () => {
      assert.equal(evaluate('Replace([s], , "\\\\{dept\\\\}", , , [d], )', { s: 'Team {dept}', d: 'R$1&D' }), 'Team R$1&D');
    });
  });

  describe('errors', () => {
    it('needs oldValue or regexPattern, and a replacement for a pattern', () => {
      assert.match(evaluationError('Replace([s], , , , "x", , )', { s: 'a' }).message, /give oldValue or regexPattern/);
      assert.match(evaluationError('Replace([s], , "a", , , , )', { s: 'a' }).message, /regexPattern needs replacementValue/);
    });
    it('reports untranslatable and invalid patterns with ERR_EXPR_REGEX and the construct', () => {
      for (const [pattern, message] of [
        ['(?<a-b>x)', /balancing group/],
        ['\\\\G', /\\G/],
        ['\\\\p{IsCyrillic}', /Unicode block/],
        ['(unclosed', /not enough \)/],
      ] as const) {
        const error = evaluationError(`Replace([s], , "${pattern}", , "x", , )`, { s: 'a' });
        assert.equal(error.code, 'ERR_EXPR_REGEX', pattern);
        assert.match(error.message, /^Replace: regular expression/);
        assert.match(error.message, message);
      }
    });
    it('refuses binary sources and multi-valued parameters', () => {
      assert.deepEqual(evaluate('Replace([g], "a", , , "b", , )', { g: 'base64:AQI=' }), { error: 'ERR_EXPR_EVALUATION' });
      assert.deepEqual(evaluate('Replace([s], [o], , , "b", , )', { s: 'a', o: ['a', 'b'] }), { error: 'ERR_EXPR_EVALUATION' });
    });
  });
});
