import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDotnetDateTime, tokenizeFormat } from '../../src/expressions/dotnet-date-format.ts';
import { dotnetDateTime, utcDate } from '../../src/expressions/dotnet-date-time.ts';

// 2009-06-15T13:45:30.6175425Z, the instant .NET's own format-string documentation uses.
const SAMPLE = dotnetDateTime(utcDate(2009, 6, 15, 13, 45, 30, 617), 'utc', 5425);
const MORNING = dotnetDateTime(utcDate(2009, 6, 1, 1, 5, 7, 0), 'utc');

function f(format: string, value = SAMPLE): string {
  return formatDotnetDateTime(value, format);
}

describe('.NET custom date and time format strings', () => {
  it('day, month and year specifiers', () => {
    assert.equal(f('d MMMM'), '15 June');
    assert.equal(f('%d', MORNING), '1');
    assert.equal(f('dd', MORNING), '01');
    assert.equal(f('ddd'), 'Mon');
    assert.equal(f('dddd'), 'Monday');
    assert.equal(f('ddddd'), 'Monday');
    assert.equal(f('%M'), '6');
    assert.equal(f('MM'), '06');
    assert.equal(f('MMM'), 'Jun');
    assert.equal(f('MMMM'), 'June');
    assert.equal(f('%y'), '9');
    assert.equal(f('yy'), '09');
    assert.equal(f('yyy'), '2009');
    assert.equal(f('yyyy'), '2009');
    assert.equal(f('yyyyy'), '02009');
    assert.equal(f('yyyy', dotnetDateTime(utcDate(33, 1, 1))), '0033');
    assert.equal(f('%g'), 'A.D.');
  });

  it('hour, minute, second and AM/PM specifiers', () => {
    assert.equal(f('%h'), '1');
    assert.equal(f('hh'), '01');
    assert.equal(f('hhh'), '01', 'more than two letters still pads to two');
    assert.equal(f('%H'), '13');
    assert.equal(f('HH', MORNING), '01');
    assert.equal(f('%m', MORNING), '5');
    assert.equal(f('mm', MORNING), '05');
    assert.equal(f('%s', MORNING), '7');
    assert.equal(f('ss', MORNING), '07');
    assert.equal(f('%t'), 'P');
    assert.equal(f('tt'), 'PM');
    assert.equal(f('h tt', dotnetDateTime(utcDate(2009, 6, 15, 0, 0))), '12 AM');
    assert.equal(f('h tt', dotnetDateTime(utcDate(2009, 6, 15, 12, 0))), '12 PM');
  });

  it('fractions of a second down to ticks, f and F', () => {
    assert.equal(f('%f'), '6');
    assert.equal(f('ff'), '61');
    assert.equal(f('fff'), '617');
    assert.equal(f('ffff'), '6175');
    assert.equal(f('fffff'), '61754');
    assert.equal(f('ffffff'), '617542');
    assert.equal(f('fffffff'), '6175425');
    assert.equal(f('%F'), '6');
    assert.equal(f('FFFFFFF'), '6175425');
    const round = dotnetDateTime(utcDate(2009, 6, 15, 13, 45, 30, 500), 'utc');
    assert.equal(f('ss.FFF', round), '30.5', 'F drops trailing zeros');
    assert.equal(f('ss.FFF', MORNING), '07', 'and the decimal point when nothing is left');
    assert.equal(f('ss.fff', MORNING), '07.000');
    assert.throws(() => f('ffffffff'), { code: 'ERR_EXPR_EVALUATION' });
  });

  it('time zone specifiers follow the kind; local time is UTC', () => {
    assert.equal(f('%K'), 'Z');
    assert.equal(f('%K', dotnetDateTime(SAMPLE.date, 'local')), '+00:00');
    assert.equal(f('%K', dotnetDateTime(SAMPLE.date, 'unspecified')), '');
    assert.equal(f('%z'), '+0');
    assert.equal(f('zz'), '+00');
    assert.equal(f('zzz'), '+00:00');
  });

  it('literals: quotes, backslash, percent, separators and other characters', () => {
    assert.equal(f("yyyy'-'MM'-'dd'T'HH"), '2009-06-15T13');
    assert.equal(f('"day" d'), 'day 15');
    assert.equal(f("'it''s' d"), 'its 15', 'two quoted strings back to back');
    assert.equal(f("'a\\'b'"), "a'b", 'backslash escapes inside quotes');
    assert.equal(f('\\d\\a\\y d'), 'day 15');
    assert.equal(f('HH:mm:ss'), '13:45:30');
    assert.equal(f('MM/dd/yyyy'), '06/15/2009');
    assert.equal(f('yyyyMMdd-HHmm#'), '20090615-1345#');
    assert.equal(f('日 d'), '日 15');
    assert.throws(() => f("'open"), { code: 'ERR_EXPR_EVALUATION', message: /not closed/ });
    assert.throws(() => f('d\\'), { code: 'ERR_EXPR_EVALUATION', message: /escape/ });
    assert.throws(() => f('d%'), { code: 'ERR_EXPR_EVALUATION' });
    assert.throws(() => f('%%'), { code: 'ERR_EXPR_EVALUATION' });
  });

  it('standard one-letter formats (en-US)', () => {
    assert.equal(f('d'), '6/15/2009');
    assert.equal(f('D'), 'Monday, June 15, 2009');
    assert.equal(f('f'), 'Monday, June 15, 2009 1:45 PM');
    assert.equal(f('F'), 'Monday, June 15, 2009 1:45:30 PM');
    assert.equal(f('g'), '6/15/2009 1:45 PM');
    assert.equal(f('G'), '6/15/2009 1:45:30 PM');
    assert.equal(f('M'), 'June 15');
    assert.equal(f('o'), '2009-06-15T13:45:30.6175425Z');
    assert.equal(f('R'), 'Mon, 15 Jun 2009 13:45:30 GMT');
    assert.equal(f('s'), '2009-06-15T13:45:30');
    assert.equal(f('t'), '1:45 PM');
    assert.equal(f('T'), '1:45:30 PM');
    assert.equal(f('u'), '2009-06-15 13:45:30Z');
    assert.equal(f('Y'), 'June 2009');
    assert.equal(f(''), '6/15/2009 1:45:30 PM', 'an empty format is G');
    assert.throws(() => f('x'), { code: 'ERR_EXPR_EVALUATION', message: /%x/ });
  });

  it('tokenizes runs of one letter', () => {
    assert.deepEqual(tokenizeFormat('ddMM'), [
      { type: 'specifier', letter: 'd', count: 2 },
      { type: 'specifier', letter: 'M', count: 2 },
    ]);
  });
});
