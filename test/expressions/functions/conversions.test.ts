/** ConvertFromBase64, ConvertToBase64, ConvertToUTF8Hex, StringFromSid and NormalizeDiacritics. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, evaluationError } from '../helpers.ts';

describe('ConvertToBase64 / ConvertFromBase64', () => {
  it('round-trips unicode text in each encoding', () => {
    for (const text of ['Zoë', '東京', '😀 emoji', '']) {
      const literal = JSON.stringify(text);
      assert.equal(evaluate(`ConvertFromBase64(ConvertToBase64(${literal}))`), text);
    }
    assert.equal(evaluate('ConvertToBase64("A")'), 'QQA=', 'UTF-16LE, no byte order mark');
    assert.equal(evaluate('ConvertFromBase64("w6k=", UTF8)'), 'é');
    assert.equal(evaluate('ConvertFromBase64("w6k=", "utf8")'), 'é', 'encoding names in any case');
    assert.equal(evaluate('ConvertFromBase64("SGk=", ASCII)'), 'Hi');
  });
  it('decodes bad bytes the way .NET does instead of failing', () => {
    assert.equal(evaluate('ConvertFromBase64("/w==", UTF8)'), '\ufffd');
    assert.equal(evaluate('ConvertFromBase64("QQ==")'), '\ufffd', 'an odd byte in UTF-16');
  });
  it('ignores white space in base64 but nothing else', () => {
    assert.equal(evaluate('ConvertFromBase64([b], UTF8)', { b: 'SGVs\nbG8=' }), 'Hello');
    assert.deepEqual(evaluate('ConvertFromBase64("SGVsbG8", UTF8)'), { error: 'ERR_EXPR_EVALUATION' }, 'padding is required');
    assert.match(evaluationError('ConvertFromBase64("a-b_")').message, /is not base64/);
  });
  it('encodes binary values as they are; handles multi-valued and missing values', () => {
    assert.equal(evaluate('ConvertToBase64([g])', { g: 'base64:AAECAwQFBgcICQoLDA0ODw==' }), 'AAECAwQFBgcICQoLDA0ODw==');
    assert.deepEqual(evaluate('ConvertToBase64([m])', { m: ['a', 'b'] }), ['YQA=', 'YgA=']);
    assert.equal(evaluate('ConvertFromBase64([m])'), null);
    assert.equal(evaluate('ConvertToBase64(12)'), 'MQAyAA==', 'numbers as their text');
  });
  it('handles large values', () => {
    const big = 'x'.repeat(300_000);
    assert.equal(evaluate('ConvertFromBase64(ConvertToBase64([b]))', { b: big }), big);
  });
});

describe('ConvertToUTF8Hex', () => {
  it('writes upper-case UTF-8 hex', () => {
    assert.equal(evaluate('ConvertToUTF8Hex("é😀")'), 'C3A9F09F9880');
    assert.equal(evaluate('ConvertToUTF8Hex("")'), '');
    assert.deepEqual(evaluate('ConvertToUTF8Hex([m])', { m: ['A', 'B'] }), ['41', '42']);
    assert.equal(evaluate('ConvertToUTF8Hex([m])'), null);
    assert.deepEqual(evaluate('ConvertToUTF8Hex([g])', { g: 'base64:AQI=' }), { error: 'ERR_EXPR_EVALUATION' });
  });
});

describe('StringFromSid', () => {
  it('converts each value of sIDHistory', () => {
    assert.deepEqual(evaluate('StringFromSid([h])', { h: ['base64:AQEAAAAAAAEAAAAA', 'base64:AQIAAAAAAAUgAAAAIAIAAA=='] }), ['S-1-1-0', 'S-1-5-32-544']);
  });
  it('explains what is wrong with a value that is not a binary SID', () => {
    assert.match(evaluationError('StringFromSid([s])', { s: 'S-1-5-32-544' }).message, /already in string form/);
    assert.match(evaluationError('StringFromSid([s])', { s: 'base64:AQI=' }).message, /not a security identifier: a SID has at least 8 bytes/);
    assert.match(evaluationError('StringFromSid([s])', { s: 42 }).message, /must be a binary SID/);
  });
});

describe('NormalizeDiacritics', () => {
  it('normalizes each value and leaves missing values missing', () => {
    assert.deepEqual(evaluate('NormalizeDiacritics([n])', { n: ['Zoë', 'Søren', 'Straße'] }), ['Zoe', 'Soeren', 'Strasse']);
    assert.equal(evaluate('NormalizeDiacritics([n])'), null);
    assert.equal(evaluate('NormalizeDiacritics([n])', { n: '' }), '');
  });
});
