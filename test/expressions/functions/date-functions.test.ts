/** CDate, Now, DateAdd, DateDiff, DateFromNum, NumFromDate: edge cases beyond the documented examples. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedContext } from '../../../src/expressions/index.ts';
import { evaluate, evaluateRaw, evaluationError } from '../helpers.ts';

const at = (iso: string) => fixedContext({ now: new Date(iso) });

describe('CDate', () => {
  it('returns a Date in UTC that renders as M/d/yyyy h:mm:ss tt', () => {
    const value = evaluateRaw('CDate("2009-06-15T01:45:30-07:00")');
    assert.ok(value instanceof Date);
    assert.equal(value.toISOString(), '2009-06-15T08:45:30.000Z');
    assert.equal(evaluate('CDate("2000-01-01T00:00:00Z")'), '1/1/2000 12:00:00 AM');
    assert.equal(evaluate('CDate("2000-01-01T12:00:00Z")'), '1/1/2000 12:00:00 PM');
  });
  it('passes a Date through, keeps a missing value missing, rejects several values', () => {
    assert.equal(evaluate('CDate(CDate("2021-06-30+08:00"))'), '6/29/2021 4:00:00 PM');
    assert.equal(evaluate('CDate([d])', { d: ['2021-06-30'] }), '6/30/2021 12:00:00 AM');
    assert.equal(evaluate('CDate([d])'), null);
    assert.deepEqual(evaluate('CDate([d])', { d: ['2021-06-30', '2021-07-01'] }), { error: 'ERR_EXPR_EVALUATION' });
    assert.deepEqual(evaluate('CDate([d])', { d: '' }), { error: 'ERR_EXPR_EVALUATION' });
    assert.match(evaluationError('CDate("31/12/2020")').message, /^CDate: expression: "31\/12\/2020" is not a date and time/);
  });
});

describe('Now', () => {
  it('reads the context clock, and each call gets its own Date', () => {
    const context = at('2021-07-02T15:33:38.123Z');
    const value = evaluateRaw('Now()', {}, context);
    assert.ok(value instanceof Date);
    assert.equal(value.toISOString(), '2021-07-02T15:33:38.123Z');
    assert.equal(evaluateRaw('Join(" ", Now())', {}, context), '7/2/2021 3:33:38 PM');
  });
});

describe('DateAdd', () => {
  it('accepts numbers as text, truncates fractions, reads date text directly', () => {
    assert.equal(evaluate('DateAdd("d", "7", "2012-03-16-07:00")'), '3/23/2012 7:00:00 AM');
    assert.equal(evaluate('DateAdd("d", "1.9", "2012-03-16")'), '3/17/2012 12:00:00 AM');
    assert.equal(evaluate('DateAdd("s", -1, "2012-01-01")'), '12/31/2011 11:59:59 PM');
    assert.equal(evaluate('DateAdd("yyyy", [n], [d])', { n: 1, d: '2024-02-29T10:00:00Z' }), '2/28/2025 10:00:00 AM');
  });
  it('fails clearly on missing or bad arguments', () => {
    assert.match(evaluationError('DateAdd("d", 1, [missing])').message, /dateTime is missing/);
    assert.match(evaluationError('DateAdd("d", "soon", Now())').message, /value must be a number/);
    assert.match(evaluationError('DateAdd("days", 1, Now())').message, /"days" is not supported; use one of "yyyy", "m", "d", "ww", "h", "n", "s"/);
    assert.deepEqual(evaluate('DateAdd("yyyy", 8000, "2024-01-01")'), { error: 'ERR_EXPR_EVALUATION' });
  });
});

describe('DateDiff', () => {
  it('is antisymmetric for elapsed units and zero for equal dates', () => {
    assert.equal(evaluate('DateDiff("h", "2021-08-25", "2021-08-24")'), -24);
    assert.equal(evaluate('DateDiff("s", Now(), Now())'), 0);
  });
  it('counts year boundaries, not elapsed years', () => {
    assert.equal(evaluate('DateDiff("yyyy", "2020-12-31T23:59:59Z", "2021-01-01T00:00:00Z")'), 1);
    assert.equal(evaluate('DateDiff("yyyy", "2020-01-01", "2020-12-31")'), 0);
  });
  it('requires both dates', () => {
    assert.match(evaluationError('DateDiff("d", [a], Now())').message, /date1 is missing/);
  });
});

describe('DateFromNum', () => {
  it('accepts FILETIMEs as numbers, big integers and text', () => {
    assert.equal(evaluate('DateFromNum([t])', { t: 129699324000 }), '1/1/1601 3:36:09 AM');
    assert.equal(evaluate('DateFromNum(129699324000000000)'), '1/1/2012 11:00:00 PM', 'a big literal is a 64-bit integer');
    // A JSON number beyond 2^53 may already have lost digits; such values must come as integers or text.
    assert.match(evaluationError('DateFromNum([t])', { t: 129699324000000000 }).message, /FILETIME integer/);
    assert.equal(evaluate('DateFromNum("0")'), '1/1/1601 12:00:00 AM');
    assert.equal(evaluate('DateFromNum([t])', { t: '133000000000000000' }), '6/18/2022 4:26:40 AM');
  });
  it('converts each value of a multi-valued attribute', () => {
    assert.deepEqual(evaluate('DateFromNum([t])', { t: ['129699324000000000', '0'] }), ['1/1/2012 11:00:00 PM', '1/1/1601 12:00:00 AM']);
  });
  it('refuses text that is not an integer, and the never-expires marker with an explanation', () => {
    assert.match(evaluationError('DateFromNum("2012-01-01")').message, /FILETIME integer/);
    assert.match(evaluationError('DateFromNum([t])', { t: '9223372036854775807' }).message, /never expires/);
    assert.deepEqual(evaluate('DateFromNum([t])', { t: 1.5 }), { error: 'ERR_EXPR_EVALUATION' });
  });
});

describe('NumFromDate', () => {
  it('returns the FILETIME as a 64-bit integer, round-tripping DateFromNum', () => {
    const value = evaluateRaw('NumFromDate("2012-01-01T23:00:00Z")');
    assert.equal(value, 129699324000000000n);
    assert.equal(evaluate('NumFromDate(DateFromNum("129699324000000000"))'), '129699324000000000');
    assert.equal(evaluate('NumFromDate("1601-01-01T00:00:00Z")'), 0);
  });
  it('keeps sub-millisecond precision from ISO 8601 text', () => {
    assert.equal(evaluate('NumFromDate("2012-01-01T23:00:00.0000001Z")'), '129699324000000001');
  });
  it('refuses text that is not a date', () => {
    assert.deepEqual(evaluate('NumFromDate("never")'), { error: 'ERR_EXPR_EVALUATION' });
  });
});
