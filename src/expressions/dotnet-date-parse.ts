/**
 * .NET date and time *parsing*: `DateTime.ParseExact(s, format, en-US, styles)` for FormatDateTime's
 * inputFormat, and a `DateTime.Parse`-like reader for CDate, DateAdd, DateDiff and NumFromDate.
 *
 * .NET, "Custom date and time format strings": "In parsing operations, custom date and time format strings
 * can be used with the DateTime.ParseExact … methods. These methods require that an input string conforms
 * exactly to a particular pattern for the parse operation to succeed."
 * "When you use this format specifier ["f"…] with the ParseExact … method, the number of "f" format
 * specifiers that you use indicates the number of most significant digits of the seconds fraction to parse."
 *
 * .NET, DateTimeStyles (the members FormatDateTime's dateTimeStyles argument may name):
 *   None, AllowLeadingWhite, AllowTrailingWhite, AllowInnerWhite, AllowWhiteSpaces, NoCurrentDateDefault,
 *   AdjustToUniversal, AssumeLocal, AssumeUniversal, RoundtripKind.
 * Entra, FormatDateTime: "If left empty, the default value used is DateTimeStyles.RoundtripKind,
 * DateTimeStyles.AllowLeadingWhite, DateTimeStyles.AllowTrailingWhite".
 *
 * A literal "Z" in a ParseExact pattern ("yyyyMMddHHmmss.fZ" in Entra's own example) is read by .NET as the
 * UTC designator, not as a letter to match; we do the same.
 */
import { CloudsyncError } from '../errors/index.ts';
import {
  AM_DESIGNATOR, DAY_NAMES, MONTH_NAMES, expandStandardFormat, formatStringError, tokenizeFormat,
} from './dotnet-date-format.ts';
import {
  TICKS_PER_MILLISECOND, daysInMonth, dotnetDateTime, isInDotnetRange, utcDate, type DateTimeKind,
  type DotnetDateTime,
} from './dotnet-date-time.ts';

export const DATE_TIME_STYLES = [
  'None', 'AllowLeadingWhite', 'AllowTrailingWhite', 'AllowInnerWhite', 'AllowWhiteSpaces', 'NoCurrentDateDefault',
  'AdjustToUniversal', 'AssumeLocal', 'AssumeUniversal', 'RoundtripKind',
] as const;
export type DateTimeStyle = (typeof DATE_TIME_STYLES)[number];

/** The numeric values of System.Globalization.DateTimeStyles, so "7" parses as Enum.Parse would. */
const STYLE_VALUES: Readonly<Record<DateTimeStyle, number>> = {
  None: 0, AllowLeadingWhite: 1, AllowTrailingWhite: 2, AllowInnerWhite: 4, AllowWhiteSpaces: 7,
  NoCurrentDateDefault: 8, AdjustToUniversal: 16, AssumeLocal: 32, AssumeUniversal: 64, RoundtripKind: 128,
};

export interface DateTimeStyles {
  readonly allowLeadingWhite: boolean;
  readonly allowTrailingWhite: boolean;
  readonly allowInnerWhite: boolean;
  readonly noCurrentDateDefault: boolean;
  readonly adjustToUniversal: boolean;
  readonly assumeLocal: boolean;
  readonly assumeUniversal: boolean;
  readonly roundtripKind: boolean;
}

function stylesFromBits(bits: number): DateTimeStyles {
  return Object.freeze({
    allowLeadingWhite: (bits & 1) !== 0,
    allowTrailingWhite: (bits & 2) !== 0,
    allowInnerWhite: (bits & 4) !== 0,
    noCurrentDateDefault: (bits & 8) !== 0,
    adjustToUniversal: (bits & 16) !== 0,
    assumeLocal: (bits & 32) !== 0,
    assumeUniversal: (bits & 64) !== 0,
    roundtripKind: (bits & 128) !== 0,
  });
}

export const DEFAULT_FORMAT_DATE_TIME_STYLES: DateTimeStyles = stylesFromBits(
  STYLE_VALUES.RoundtripKind | STYLE_VALUES.AllowLeadingWhite | STYLE_VALUES.AllowTrailingWhite,
);

/**
 * Reads "RoundtripKind, AllowLeadingWhite" (Enum.Parse's comma-separated names, matched without regard to
 * case) or a number. .NET rejects RoundtripKind with AdjustToUniversal/AssumeLocal/AssumeUniversal, and
 * AssumeLocal with AssumeUniversal (ArgumentException); so do we.
 */
export function parseDateTimeStyles(text: string): DateTimeStyles {
  let bits = 0;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    bits = Number(trimmed);
    if (bits > 255) throw stylesError(text, `${bits} is not a combination of DateTimeStyles values`);
  } else {
    for (const part of trimmed.split(',')) {
      const name = part.trim().replace(/^DateTimeStyles\./i, '');
      const style = DATE_TIME_STYLES.find((s) => s.toLowerCase() === name.toLowerCase());
      if (style === undefined) {
        throw stylesError(text, `"${part.trim()}" is not a DateTimeStyles value (one of ${DATE_TIME_STYLES.join(', ')})`);
      }
      bits |= STYLE_VALUES[style];
    }
  }
  if ((bits & 128) !== 0 && (bits & (16 | 32 | 64)) !== 0) {
    throw stylesError(text, 'RoundtripKind cannot be combined with AdjustToUniversal, AssumeLocal or AssumeUniversal');
  }
  if ((bits & 32) !== 0 && (bits & 64) !== 0) throw stylesError(text, 'AssumeLocal and AssumeUniversal exclude each other');
  return stylesFromBits(bits);
}

function stylesError(text: string, reason: string): CloudsyncError {
  return new CloudsyncError('ERR_EXPR_EVALUATION', `invalid dateTimeStyles "${text}": ${reason}`, { details: { dateTimeStyles: text } });
}

function mismatch(input: string, format: string, reason: string): CloudsyncError {
  return new CloudsyncError(
    'ERR_EXPR_EVALUATION',
    `"${input}" does not match the date and time format "${format}": ${reason}`,
    { details: { value: input, format } },
  );
}

interface Fields {
  year?: number;
  twoDigitYear?: boolean;
  month?: number;
  day?: number;
  dayOfWeek?: number;
  hour?: number;
  pm?: boolean;
  minute?: number;
  second?: number;
  fractionTicks?: number;
  offsetMinutes?: number;
  utcDesignator?: boolean;
}

/** .NET's Gregorian TwoDigitYearMax: 2-digit years 50..99 are 1950..1999, 00..49 are 2000..2049. */
const TWO_DIGIT_YEAR_MAX = 2049;

const WHITE = /\s/;

class Cursor {
  pos = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string | undefined {
    return this.text[this.pos];
  }
  digits(min: number, max: number): number | undefined {
    let end = this.pos;
    while (end < this.text.length && end - this.pos < max && this.text.charCodeAt(end) >= 48 && this.text.charCodeAt(end) <= 57) end++;
    if (end - this.pos < min) return undefined;
    const value = Number(this.text.slice(this.pos, end));
    this.pos = end;
    return value;
  }
  /** Longest case-insensitive match among names; returns its index. */
  oneOf(names: readonly string[]): number | undefined {
    let best: number | undefined;
    let bestLength = 0;
    const rest = this.text.slice(this.pos).toLowerCase();
    names.forEach((name, index) => {
      if (name.length > bestLength && rest.startsWith(name.toLowerCase())) {
        best = index;
        bestLength = name.length;
      }
    });
    if (best !== undefined) this.pos += bestLength;
    return best;
  }
  skipWhite(): void {
    while (!this.done && WHITE.test(this.text[this.pos]!)) this.pos++;
  }
}

function readOffset(cursor: Cursor, count: number): number | undefined {
  const sign = cursor.peek();
  if (sign !== '+' && sign !== '-') return undefined;
  cursor.pos++;
  const hours = cursor.digits(count === 1 ? 1 : 2, 2);
  if (hours === undefined) return undefined;
  // "z" and "zz" take optional minutes ("-8", "-08:30", "-0830"); "zzz" requires them.
  const mark = cursor.pos;
  if (cursor.peek() === ':') cursor.pos++;
  let minutes = cursor.digits(2, 2);
  if (minutes === undefined) {
    if (count >= 3) return undefined;
    cursor.pos = mark;
    minutes = 0;
  }
  if (hours > 14 || minutes > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * `DateTime.ParseExact(input, format, en-US, styles)`. `now` supplies the date when the format has none
 * ("If the parsed string contains only the time and not the date, … the current date"), unless
 * NoCurrentDateDefault asks for 0001-01-01.
 */
export function parseExactDotnetDateTime(input: string, format: string, styles: DateTimeStyles, now: Date): DotnetDateTime {
  if (format === '') throw formatStringError(format, 'the format is empty');
  const pattern = expandStandardFormat(format);
  const tokens = tokenizeFormat(pattern);
  const cursor = new Cursor(input);
  const fields: Fields = {};
  if (styles.allowLeadingWhite) cursor.skipWhite();
  for (const token of tokens) {
    if (token.type === 'literal') {
      for (const ch of token.text) {
        if (ch === 'Z' && token.text.length === 1) {
          // The UTC designator; .NET also accepts "z" and "GMT" here.
          const at = cursor.oneOf(['GMT', 'Z']);
          if (at === undefined) throw mismatch(input, format, `expected "Z" at position ${cursor.pos}`);
          fields.utcDesignator = true;
          fields.offsetMinutes = 0;
          continue;
        }
        if (WHITE.test(ch)) {
          if (!cursor.done && WHITE.test(cursor.peek()!)) {
            cursor.pos++;
            if (styles.allowInnerWhite) cursor.skipWhite();
            continue;
          }
          if (styles.allowInnerWhite) continue;
          throw mismatch(input, format, `expected white space at position ${cursor.pos}`);
        }
        if (styles.allowInnerWhite) cursor.skipWhite();
        if (cursor.peek() !== ch) throw mismatch(input, format, `expected "${ch}" at position ${cursor.pos}`);
        cursor.pos++;
      }
      continue;
    }
    if (styles.allowInnerWhite) cursor.skipWhite();
    const n = token.count;
    const at = cursor.pos;
    const need = (value: number | undefined, what: string): number => {
      if (value === undefined) throw mismatch(input, format, `expected ${what} at position ${at}`);
      return value;
    };
    switch (token.letter) {
      case 'd':
        if (n <= 2) fields.day = need(cursor.digits(n, 2), n === 1 ? 'a day (1-31)' : 'a two-digit day');
        else fields.dayOfWeek = need(cursor.oneOf(n === 3 ? DAY_NAMES.map((x) => x.slice(0, 3)) : DAY_NAMES), 'a day name');
        break;
      case 'M':
        if (n <= 2) fields.month = need(cursor.digits(n, 2), n === 1 ? 'a month (1-12)' : 'a two-digit month');
        else fields.month = need(cursor.oneOf(n === 3 ? MONTH_NAMES.map((x) => x.slice(0, 3)) : MONTH_NAMES), 'a month name') + 1;
        break;
      case 'y':
        if (n <= 2) {
          fields.year = need(cursor.digits(n, 2), n === 1 ? 'a year' : 'a two-digit year');
          fields.twoDigitYear = true;
        } else {
          // .NET's ParseDigits(tokenLen): "yyyy" takes exactly four digits, "yyyyy" exactly five.
          fields.year = need(cursor.digits(n, n), `a ${n}-digit year`);
        }
        break;
      case 'h':
      case 'H':
        fields.hour = need(cursor.digits(Math.min(n, 2), 2), 'an hour');
        break;
      case 'm':
        fields.minute = need(cursor.digits(Math.min(n, 2), 2), 'minutes');
        break;
      case 's':
        fields.second = need(cursor.digits(Math.min(n, 2), 2), 'seconds');
        break;
      case 'f':
      case 'F': {
        if (n > 7) throw formatStringError(format, `"${token.letter.repeat(n)}": at most 7 fraction digits`);
        const start = cursor.pos;
        const value = cursor.digits(token.letter === 'f' ? n : 0, n);
        const length = cursor.pos - start;
        fields.fractionTicks = need(value, `${n} fraction digits`) * 10 ** (7 - length);
        if (length === 0) fields.fractionTicks = 0;
        break;
      }
      case 't': {
        const designators = n === 1 ? ['A', 'P'] : [AM_DESIGNATOR, 'PM'];
        fields.pm = need(cursor.oneOf(designators), 'AM or PM') === 1;
        break;
      }
      case 'g':
        need(cursor.oneOf(['A.D.', 'AD']), 'the era "A.D."');
        break;
      case 'z':
        fields.offsetMinutes = need(readOffset(cursor, n), n >= 3 ? 'an offset like "-08:00"' : 'an offset like "-8"');
        break;
      case 'K':
        if (cursor.oneOf(['Z']) !== undefined) {
          fields.offsetMinutes = 0;
          fields.utcDesignator = true;
        } else if (cursor.peek() === '+' || cursor.peek() === '-') {
          fields.offsetMinutes = need(readOffset(cursor, 3), 'an offset like "-08:00"');
        }
        break;
      default:
        throw new TypeError(`unhandled format letter ${token.letter}`);
    }
  }
  if (styles.allowTrailingWhite) cursor.skipWhite();
  if (!cursor.done) throw mismatch(input, format, `unexpected "${input.slice(cursor.pos)}" at position ${cursor.pos}`);
  return resolveFields(fields, styles, now, (reason) => mismatch(input, format, reason));
}

function resolveFields(
  fields: Fields, styles: DateTimeStyles, now: Date, fail: (reason: string) => CloudsyncError,
): DotnetDateTime {
  const hasDate = fields.year !== undefined || fields.month !== undefined || fields.day !== undefined;
  let year: number;
  let month: number;
  let day: number;
  if (!hasDate && styles.noCurrentDateDefault) {
    [year, month, day] = [1, 1, 1];
  } else if (!hasDate) {
    [year, month, day] = [now.getUTCFullYear(), now.getUTCMonth() + 1, now.getUTCDate()];
  } else {
    year = fields.year ?? now.getUTCFullYear();
    if (fields.twoDigitYear === true) {
      const century = Math.floor(TWO_DIGIT_YEAR_MAX / 100) * 100;
      year = century + year > TWO_DIGIT_YEAR_MAX ? century - 100 + year : century + year;
    }
    month = fields.month ?? 1;
    day = fields.day ?? 1;
  }
  if (year < 1 || year > 9999) throw fail(`year ${year} is outside 1-9999`);
  if (month < 1 || month > 12) throw fail(`month ${month} is outside 1-12`);
  if (day < 1 || day > daysInMonth(year, month)) throw fail(`day ${day} does not exist in ${year}-${String(month).padStart(2, '0')}`);
  // .NET's AdjustHour, whichever of h and H read the hour: with AM the hour must be 0-12 (12 AM is 0); with
  // PM it may be 0-23 and hours before noon move 12 hours on.
  let hour = fields.hour ?? 0;
  if (hour > 23) throw fail(`hour ${hour} is outside 0-23`);
  if (fields.pm === false) {
    if (hour > 12) throw fail(`hour ${hour} contradicts the AM designator`);
    if (hour === 12) hour = 0;
  } else if (fields.pm === true && hour < 12) {
    hour += 12;
  }
  const minute = fields.minute ?? 0;
  const second = fields.second ?? 0;
  if (minute > 59) throw fail(`minute ${minute} is outside 0-59`);
  if (second > 59) throw fail(`second ${second} is outside 0-59`);
  const ticks = fields.fractionTicks ?? 0;
  const wall = utcDate(year, month, day, hour, minute, second, Math.floor(ticks / TICKS_PER_MILLISECOND));
  if (fields.dayOfWeek !== undefined && wall.getUTCDay() !== fields.dayOfWeek) {
    throw fail(`${DAY_NAMES[fields.dayOfWeek]} does not match the date, a ${DAY_NAMES[wall.getUTCDay()]}`);
  }
  let kind: DateTimeKind;
  let date = wall;
  if (fields.offsetMinutes !== undefined) {
    date = new Date(wall.getTime() - fields.offsetMinutes * 60_000);
    // An explicit offset always yields a converted time; it is Local unless the caller wants UTC back.
    kind = styles.adjustToUniversal || (styles.roundtripKind && fields.utcDesignator === true) ? 'utc' : 'local';
  } else if (styles.assumeUniversal || styles.assumeLocal) {
    kind = styles.adjustToUniversal ? 'utc' : 'local';
  } else {
    kind = styles.adjustToUniversal ? 'utc' : 'unspecified';
  }
  if (!isInDotnetRange(date)) throw fail('the result is outside 0001-01-01 … 9999-12-31');
  return dotnetDateTime(date, kind, ticks % TICKS_PER_MILLISECOND);
}

/**
 * The date and time shapes `DateTime.Parse` (en-US) reads that Entra's documents feed to CDate, DateDiff
 * and NumFromDate: ISO 8601 dates with optional time and offset ("2020-03-16-07:00", "2009-06-15T01:45:30-07:00",
 * "2020-12-31 23:59:59-08:00", also with "/" as in "2020/12/31"), en-US dates ("8/25/2021 5:41:18 PM", Now's own
 * output), RFC 1123 and dates with month names ("June 15, 2009", "15 Jun 2009").
 * Anything else is an error naming what we read, never a guess.
 */
const ISO_DATE_TIME =
  /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const US_DATE_TIME =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7})\d*)?)?\s*(AM|PM|A|P)?)?\s*(Z|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const NAMED_MONTH_PATTERNS = [
  "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  'dddd, MMMM d, yyyy h:mm:ss tt', 'dddd, MMMM d, yyyy h:mm tt', 'dddd, MMMM d, yyyy',
  'MMMM d, yyyy h:mm:ss tt', 'MMMM d, yyyy h:mm tt', 'MMMM d, yyyy', 'MMM d, yyyy',
  'd MMMM yyyy HH:mm:ss', 'd MMMM yyyy', 'd MMM yyyy',
];

export function parseDotnetDateTime(input: string, now: Date): DotnetDateTime {
  const text = input.trim();
  const fail = (reason: string): CloudsyncError => new CloudsyncError(
    'ERR_EXPR_EVALUATION', `"${input}" is not a date and time: ${reason}`, { details: { value: input } },
  );
  const styles = stylesFromBits(STYLE_VALUES.AllowWhiteSpaces);
  const iso = ISO_DATE_TIME.exec(text);
  const us = iso === null ? US_DATE_TIME.exec(text) : null;
  if (iso !== null || us !== null) {
    const fields: Fields = {};
    let zone: string | undefined;
    if (iso !== null) {
      const [, y, , mo, d, h, mi, s, f, z] = iso;
      Object.assign(fields, { year: Number(y), month: Number(mo), day: Number(d) });
      if (h !== undefined) Object.assign(fields, { hour: Number(h), minute: Number(mi), second: Number(s ?? 0) });
      if (f !== undefined) fields.fractionTicks = Number(f.padEnd(7, '0'));
      zone = z;
    } else {
      const [, mo, d, y, h, mi, s, f, t, z] = us!;
      Object.assign(fields, { year: Number(y), month: Number(mo), day: Number(d), twoDigitYear: y!.length === 2 });
      if (h !== undefined) Object.assign(fields, { hour: Number(h), minute: Number(mi), second: Number(s ?? 0) });
      if (f !== undefined) fields.fractionTicks = Number(f.padEnd(7, '0'));
      if (t !== undefined) fields.pm = t.toUpperCase().startsWith('P');
      zone = z;
    }
    if (zone !== undefined) {
      if (/^(Z|GMT)$/i.test(zone)) {
        Object.assign(fields, { offsetMinutes: 0, utcDesignator: true });
      } else {
        const cursor = new Cursor(zone.replace(':', ''));
        const sign = zone.startsWith('-') ? -1 : 1;
        cursor.pos = 1;
        const hh = cursor.digits(2, 2) ?? 0;
        const mm = cursor.digits(2, 2) ?? 0;
        if (hh > 14 || mm > 59) throw fail(`"${zone}" is not a UTC offset`);
        fields.offsetMinutes = sign * (hh * 60 + mm);
      }
    }
    // "DateTime.Parse … converts to local time" when an offset is present; local is UTC.
    return resolveFields(fields, { ...styles, adjustToUniversal: true }, now, fail);
  }
  for (const pattern of NAMED_MONTH_PATTERNS) {
    try {
      return parseExactDotnetDateTime(text, pattern, { ...styles, adjustToUniversal: true }, now);
    } catch (error) {
      if (!(error instanceof CloudsyncError)) throw error;
    }
  }
  throw fail('expected an ISO 8601 date ("2021-06-30", "2009-06-15T01:45:30-07:00"), an en-US date ("8/25/2021 5:41:18 PM") or RFC 1123');
}
