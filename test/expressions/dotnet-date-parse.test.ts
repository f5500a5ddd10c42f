import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDotnetDateTime } from '../../src/expressions/dotnet-date-format.ts';
import {
  DEFAULT_FORMAT_DATE_TIME_STYLES, parseDateTimeStyles, parseDotnetDateTime, parseExactDotnetDateTime,
} from '../../src/expressions/dotnet-date-parse.ts';

const NOW = new Date('2024-05-06T07:08:09Z');

function exact(input: string, format: string, styles = DEFAULT_FORMAT_DATE_TIME_STYLES): string {
  return formatDotnetDateTime(parseExactDotnetDateTime(input, format, styles, NOW), 'o');
}

describe('ParseExact', () => {
  it('reads Entra\'s documented input formats', () => {
    assert.equal(exact('20150123105347.1Z', 'yyyyMMddHHmmss.fZ'), '2015-01-23T10:53:47.1000000Z');
    assert.equal(exact('2020-12-31-08:00', 'yyyy-MM-ddzzz'), '2020-12-31T08:00:00.0000000+00:00');
    assert.equal(exact('12/31/2020 11:59:59 PM', 'M/d/yyyy hh:mm:ss tt'), '2020-12-31T23:59:59.0000000');
  });

  it('one-letter specifiers take one or two digits, two-letter ones exactly two', () => {
    assert.equal(exact('1/2/2024', 'M/d/yyyy'), '2024-01-02T00:00:00.0000000');
    assert.equal(exact('12/31/2024', 'M/d/yyyy'), '2024-12-31T00:00:00.0000000');
    assert.throws(() => exact('1/2/2024', 'MM/dd/yyyy'), { code: 'ERR_EXPR_EVALUATION', message: /two-digit month/ });
  });

  it('fractions: f needs its digits, F takes up to its count', () => {
    assert.equal(exact('10:00:00.1234567', 'HH:mm:ss.fffffff'), '2024-05-06T10:00:00.1234567');
    assert.equal(exact('10:00:00.12', 'HH:mm:ss.FFF'), '2024-05-06T10:00:00.1200000');
    assert.throws(() => exact('10:00:00.12', 'HH:mm:ss.fff'));
  });

  it('a time without a date is today; NoCurrentDateDefault makes it 0001-01-01', () => {
    assert.equal(exact('10:30', 'HH:mm'), '2024-05-06T10:30:00.0000000');
    assert.equal(exact('10:30', 'HH:mm', parseDateTimeStyles('NoCurrentDateDefault')), '0001-01-01T10:30:00.0000000');
  });

  it('names of months and days, case-insensitively, and checks the day of the week', () => {
    assert.equal(exact('Monday, june 15, 2009', 'dddd, MMMM d, yyyy'), '2009-06-15T00:00:00.0000000');
    assert.equal(exact('15 Jun 09', 'dd MMM yy'), '2009-06-15T00:00:00.0000000');
    assert.throws(() => exact('Tuesday, June 15, 2009', 'dddd, MMMM d, yyyy'), { message: /Tuesday does not match/ });
  });

  it('year and offset widths follow ParseDigits', () => {
    assert.throws(() => exact('24-01-01', 'yyyy-MM-dd'), { message: /4-digit year/ });
    assert.throws(() => exact('02024-01-01', 'yyyy-MM-dd'));
    assert.equal(exact('02024-01-01', 'yyyyy-MM-dd').slice(0, 10), '2024-01-01');
    assert.equal(exact('2024-01-02 -0830', 'yyyy-MM-dd zz'), '2024-01-02T08:30:00.0000000+00:00');
    assert.equal(exact('2024-01-02 +5:30', 'yyyy-MM-dd z'), '2024-01-01T18:30:00.0000000+00:00');
    assert.throws(() => exact('2024-01-02 +05', 'yyyy-MM-dd zzz'), { message: /offset like "-08:00"/ });
  });

  it('two-digit years pivot at 2049', () => {
    assert.equal(exact('49', 'yy').slice(0, 4), '2049');
    assert.equal(exact('50', 'yy').slice(0, 4), '1950');
  });

  it('rejects impossible dates and trailing text', () => {
    assert.throws(() => exact('2023-02-29', 'yyyy-MM-dd'), { message: /day 29 does not exist in 2023-02/ });
    assert.throws(() => exact('2024-13-01', 'yyyy-MM-dd'), { message: /month 13/ });
    assert.throws(() => exact('25:00', 'HH:mm'), { message: /hour 25/ });
    assert.throws(() => exact('2024-01-01x', 'yyyy-MM-dd'), { message: /unexpected "x"/ });
    assert.equal(exact('13:00 PM', 'H:mm tt'), '2024-05-06T13:00:00.0000000', 'a 24-hour hour agreeing with PM');
    assert.equal(exact('1:00 PM', 'H:mm tt'), '2024-05-06T13:00:00.0000000', 'PM moves a morning hour on, even with H');
    assert.equal(exact('12:30 AM', 'h:mm tt'), '2024-05-06T00:30:00.0000000');
    assert.equal(exact('12:30 PM', 'hh:mm tt'), '2024-05-06T12:30:00.0000000');
    assert.throws(() => exact('13:00 AM', 'H:mm tt'), { message: /contradicts the AM designator/ });
  });

  it('white space: leading and trailing by default, inner only with AllowInnerWhite', () => {
    assert.equal(exact('  2024-01-02  ', 'yyyy-MM-dd'), '2024-01-02T00:00:00.0000000');
    assert.throws(() => exact('2024 - 01-02', 'yyyy-MM-dd'));
    assert.equal(exact('2024 - 01-02', 'yyyy-MM-dd', parseDateTimeStyles('AllowWhiteSpaces')), '2024-01-02T00:00:00.0000000');
    assert.throws(() => exact(' 2024-01-02', 'yyyy-MM-dd', parseDateTimeStyles('None')));
  });

  it('kinds: offsets convert to local (UTC) time; AdjustToUniversal and AssumeUniversal', () => {
    assert.equal(exact('2024-01-02T03:04:05+02:00', "yyyy-MM-dd'T'HH:mm:sszzz", parseDateTimeStyles('AdjustToUniversal')), '2024-01-02T01:04:05.0000000Z');
    assert.equal(exact('2024-01-02T03:04:05Z', "yyyy-MM-dd'T'HH:mm:ssK"), '2024-01-02T03:04:05.0000000Z');
    assert.equal(exact('2024-01-02T03:04:05', "yyyy-MM-dd'T'HH:mm:ssK"), '2024-01-02T03:04:05.0000000');
    assert.equal(exact('2024-01-02', 'yyyy-MM-dd', parseDateTimeStyles('AssumeUniversal, AdjustToUniversal')), '2024-01-02T00:00:00.0000000Z');
    assert.equal(exact('2024-01-02 -5', 'yyyy-MM-dd z'), '2024-01-02T05:00:00.0000000+00:00');
  });

  it('DateTimeStyles: names, numbers, and the combinations .NET refuses', () => {
    assert.equal(parseDateTimeStyles('roundtripkind,AllowLeadingWhite').roundtripKind, true);
    assert.equal(parseDateTimeStyles('DateTimeStyles.AdjustToUniversal').adjustToUniversal, true);
    assert.equal(parseDateTimeStyles('7').allowInnerWhite, true);
    assert.throws(() => parseDateTimeStyles('RoundtripKind, AdjustToUniversal'), { code: 'ERR_EXPR_EVALUATION', message: /RoundtripKind cannot be combined/ });
    assert.throws(() => parseDateTimeStyles('AssumeLocal, AssumeUniversal'), { message: /exclude each other/ });
    assert.throws(() => parseDateTimeStyles('Sideways'), { message: /"Sideways" is not a DateTimeStyles value/ });
  });
});

describe('Parse (CDate and the date functions)', () => {
  const parse = (text: string): string => formatDotnetDateTime(parseDotnetDateTime(text, NOW), 'o');
  it('ISO 8601 with and without time and offset, always in UTC', () => {
    assert.equal(parse('2020-03-16-07:00'), '2020-03-16T07:00:00.0000000Z');
    assert.equal(parse('2009-06-15T01:45:30-07:00'), '2009-06-15T08:45:30.0000000Z');
    assert.equal(parse('2009-06-15T01:45:30.1234567Z'), '2009-06-15T01:45:30.1234567Z');
    assert.equal(parse('2009-06-15 01:45'), '2009-06-15T01:45:00.0000000Z');
    assert.equal(parse('2009-06-15T01:45:30+0530'), '2009-06-14T20:15:30.0000000Z');
  });
  it('en-US dates and RFC 1123', () => {
    assert.equal(parse('8/25/2021 5:41:18 PM'), '2021-08-25T17:41:18.0000000Z');
    assert.equal(parse('8/25/2021 12:00:00 AM'), '2021-08-25T00:00:00.0000000Z');
    assert.equal(parse('8/25/2021'), '2021-08-25T00:00:00.0000000Z');
    assert.equal(parse('Mon, 15 Jun 2009 13:45:30 GMT'), '2009-06-15T13:45:30.0000000Z');
    assert.equal(parse('June 15, 2009'), '2009-06-15T00:00:00.0000000Z');
    assert.equal(parse('Jun 15, 2009'), '2009-06-15T00:00:00.0000000Z');
    assert.equal(parse('15 June 2009 13:45:30'), '2009-06-15T13:45:30.0000000Z');
    assert.equal(parse('Monday, June 15, 2009 1:45 PM'), '2009-06-15T13:45:00.0000000Z');
    assert.equal(parse('2009/06/15 13:45'), '2009-06-15T13:45:00.0000000Z');
    assert.throws(() => parse('2009/06-15'), { code: 'ERR_EXPR_EVALUATION' }, 'one separator throughout');
  });
  it('refuses what it cannot read', () => {
    for (const text of ['', 'tomorrow', '2021-02-30', '15.06.2009', '2009-06-15T25:00']) {
      assert.throws(() => parse(text), { code: 'ERR_EXPR_EVALUATION' }, text);
    }
  });
});
