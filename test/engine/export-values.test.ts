import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOf, EMPTY_DIGEST, valueDigest } from '../../src/engine/export-values.ts';
import type { TargetValue } from '../../src/engine/target-directory.ts';

/** The digest as it was defined before strings were quoted without JSON.stringify: what stored digests hold. */
function storedDigest(value: TargetValue): string {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return EMPTY_DIGEST;
  const text = JSON.stringify(value);
  return text.length <= 22 ? `=${text}` : digestOf(text);
}

describe('valueDigest', () => {
  it('is the digest of the value\'s JSON for every UTF-16 code unit, alone, between text, and in long values', () => {
    let differing: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const c = String.fromCharCode(unit);
      for (const value of [c, `a${c}b`, `${c}${'x'.repeat(30)}`, `uid=user${c},ou=people,dc=example,dc=org`]) {
        if (valueDigest(value) !== storedDigest(value)) differing.push(`U+${unit.toString(16).padStart(4, '0')} in ${JSON.stringify(value)}`);
      }
    }
    assert.deepEqual(differing.slice(0, 10), []);
    differing = [];
    // surrogate pairs (JSON.stringify keeps them), lone and reversed surrogates (it escapes those), U+2028/2029 (kept)
    const specials = ['😀', 'a😀b', '\ud83d', '\ude00', '\ude00\ud83d', 'x\ud83dy', '\u2028\u2029', 'tab\there', 'quote"and\\slash', 'Zoë Ångström', '山田太郎'];
    for (const s of specials) {
      for (const value of [s, s.repeat(10), [s, 'other']]) {
        if (valueDigest(value) !== storedDigest(value)) differing.push(JSON.stringify(value));
      }
    }
    assert.deepEqual(differing, []);
  });

  it('keeps short values as they are, digests long ones, and gives every empty form one digest', () => {
    assert.equal(valueDigest('Engineer'), '="Engineer"');
    assert.equal(valueDigest(true), '=true');
    assert.equal(valueDigest(['+1 555 0100']), '=["+1 555 0100"]');
    assert.equal(valueDigest('a"b'), '="a\\"b"');
    const long = 'uid=user000100,ou=people,dc=example,dc=org';
    assert.equal(valueDigest(long), digestOf(JSON.stringify(long)));
    assert.match(valueDigest(long), /^[A-Za-z0-9_-]{22}$/);
    assert.equal(valueDigest(null), EMPTY_DIGEST);
    assert.equal(valueDigest(''), EMPTY_DIGEST);
    assert.equal(valueDigest([]), EMPTY_DIGEST);
  });
});
