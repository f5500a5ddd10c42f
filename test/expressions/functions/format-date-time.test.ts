import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, evaluationError } from '../helpers.ts';

describe('FormatDateTime', () => {
  it('converts between .NET formats with both documented signatures', () => {
    assert.equal(evaluate('FormatDateTime([d], "yyyy-MM-dd", "dd.MM.yyyy")', { d: '2024-02-29' }), '29.02.2024');
    assert.equal(evaluate('FormatDateTime([d], , "yyyy-MM-dd", "dd.MM.yyyy")', { d: '2024-02-29' }), '29.02.2024');
    assert.equal(evaluate('FormatDateTime([d], "", "yyyy-MM-dd", "MMMM d")', { d: '2024-02-29' }), 'February 29');
  });
  it('honours dateTimeStyles', () => {
    assert.equal(evaluate('FormatDateTime([d], "AssumeUniversal, AdjustToUniversal", "yyyy-MM-dd HH:mm", "o")', { d: '2024-02-29 10:15' }), '2024-02-29T10:15:00.0000000Z');
    assert.equal(evaluate('FormatDateTime([d], "None", "yyyy-MM-dd HH:mm", "%K")', { d: '2024-02-29 10:15' }), '');
    assert.deepEqual(evaluate('FormatDateTime([d], "None", "yyyy-MM-dd", "yyyy")', { d: ' 2024-02-29' }), { error: 'ERR_EXPR_EVALUATION' }, 'no leading white space without AllowLeadingWhite');
    assert.match(evaluationError('FormatDateTime([d], "Sometimes", "yyyy", "yyyy")', { d: '2024' }).message, /^FormatDateTime: invalid dateTimeStyles "Sometimes"/);
  });
  it('formats DateTime values directly', () => {
    assert.equal(evaluate('FormatDateTime(CDate("2009-06-15T13:45:30Z"), , "unused", "yyyyMMddHHmmss.0Z")'), '20090615134530.0Z');
    // DateTime values cross function boundaries as JavaScript Dates: milliseconds survive, ticks below them do not.
    assert.equal(evaluate('FormatDateTime(DateFromNum("129699324001231234"), , "x", "HH:mm:ss.fffffff")'), '23:00:00.1230000');
  });
  it('round-trips ticks through ParseExact and the format', () => {
    assert.equal(evaluate('FormatDateTime([d], , "yyyy-MM-ddTHH:mm:ss.fffffffK", "o")', { d: '2024-02-29T10:15:00.1234567Z' }), '2024-02-29T10:15:00.1234567Z');
  });
  it('converts each value of a multi-valued source; missing stays missing', () => {
    assert.deepEqual(evaluate('FormatDateTime([d], , "yyyyMMdd", "yyyy-MM-dd")', { d: ['20240101', '20241231'] }), ['2024-01-01', '2024-12-31']);
    assert.equal(evaluate('FormatDateTime([d], , "yyyyMMdd", "yyyy-MM-dd")'), null);
  });
  it('names the function, the value and the format when the source does not match', () => {
    const error = evaluationError('FormatDateTime([d], , "yyyy-MM-dd", "yyyy")', { d: '2024/02/29' });
    assert.equal(error.code, 'ERR_EXPR_EVALUATION');
    assert.match(error.message, /^FormatDateTime: "2024\/02\/29" does not match the date and time format "yyyy-MM-dd": expected "-" at position 4/);
  });
  it('requires both formats and refuses invalid ones', () => {
    assert.match(evaluationError('FormatDateTime([d], , , "yyyy")', { d: '2024' }).message, /inputFormat\) of FormatDateTime is required/);
    assert.match(evaluationError('FormatDateTime([d], , "yyyy")', { d: '2024' }).message, /^FormatDateTime: inputFormat is required/, 'three arguments: the Cloud Sync signature');
    assert.match(evaluationError('FormatDateTime([d], "yyyy", "")', { d: '2024' }).message, /outputFormat is required/);
    assert.match(evaluationError('FormatDateTime([d], "yyyy", "\'open")', { d: '2024' }).message, /not closed/);
    assert.match(evaluationError('FormatDateTime([d], "yyyy", "x")', { d: '2024' }).message, /not a standard format specifier/);
  });
  it('handles unicode literals and huge inputs', () => {
    assert.equal(evaluate('FormatDateTime([d], "yyyy年M月d日", "yyyy-MM-dd")', { d: '2024年2月9日' }), '2024-02-09');
    assert.deepEqual(evaluate('FormatDateTime([d], "yyyy", "yyyy")', { d: '2'.repeat(100_000) }), { error: 'ERR_EXPR_EVALUATION' });
  });
});
