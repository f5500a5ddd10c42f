/**
 * .NET date and time *formatting*: `DateTime.ToString(format)` with the en-US culture, which is the culture
 * Entra's provisioning service formats with (its default output "M/d/yyyy h:mm:ss tt" is en-US's "G").
 *
 * .NET, "Standard date and time format strings": "A standard date and time format string uses a single
 * character as the format specifier … Any date and time format string that contains more than one character,
 * including white space, is interpreted as a custom date and time format string."
 *
 * .NET, "Custom date and time format strings" (the specifiers implemented below):
 *   "d"      The day of the month, from 1 through 31.          "dd"    … from 01 through 31.
 *   "ddd"    The abbreviated name of the day of the week.      "dddd"  The full name of the day of the week.
 *   "f" … "fffffff"  The tenths … ten millionths of a second in a date and time value.
 *   "F" … "FFFFFFF"  If non-zero, the tenths … ten millionths of a second (trailing zeros are not displayed).
 *   "g", "gg" The period or era.
 *   "h"      The hour, using a 12-hour clock from 1 to 12.     "hh"    … from 01 to 12.
 *   "H"      The hour, using a 24-hour clock from 0 to 23.     "HH"    … from 00 to 23.
 *   "K"      Time zone information.
 *   "m", "mm" The minute, from 0 through 59 / from 00 through 59.
 *   "M", "MM" The month, from 1 through 12 / from 01 through 12. "MMM" abbreviated name, "MMMM" full name.
 *   "s", "ss" The second, from 0 through 59 / from 00 through 59.
 *   "t"      The first character of the AM/PM designator.       "tt"    The AM/PM designator.
 *   "y"      The year, from 0 to 99.  "yy" from 00 to 99.  "yyy" minimum of three digits.  "yyyy" four-digit
 *            number.  "yyyyy" five-digit number.
 *   "z"      Hours offset from UTC, with no leading zeros.  "zz" with a leading zero.  "zzz" hours and minutes.
 *   ":"      The time separator.   "/"  The date separator.
 *   "string" / 'string'  Literal string delimiter.
 *   %        Defines the following character as a custom format specifier.
 *   \        The escape character.
 *   Any other character: the character is copied to the result string unchanged.
 * "If the "f" format specifier is used alone, without other format specifiers, it's interpreted as the "f"
 * standard date and time format specifier" — hence `%f` for a lone custom specifier.
 */
import { CloudsyncError } from '../errors/index.ts';
import { TICKS_PER_MILLISECOND, type DotnetDateTime } from './dotnet-date-time.ts';

export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;
export const AM_DESIGNATOR = 'AM';
export const PM_DESIGNATOR = 'PM';

/** The pattern Entra documents for CDate, DateAdd and Now ("follows the format M/d/yyyy h:mm:ss tt"). */
export const DEFAULT_DATE_TIME_PATTERN = 'M/d/yyyy h:mm:ss tt';

/**
 * en-US standard formats. "o"/"O", "r"/"R", "s" and "u" are culture-invariant by definition; "r" and "u"
 * convert to UTC first, which is a no-op here because "local" is UTC (see dotnet-date-time.ts).
 */
export const STANDARD_DATE_TIME_FORMATS: Readonly<Record<string, string>> = Object.freeze({
  d: 'M/d/yyyy',
  D: 'dddd, MMMM d, yyyy',
  f: 'dddd, MMMM d, yyyy h:mm tt',
  F: 'dddd, MMMM d, yyyy h:mm:ss tt',
  g: 'M/d/yyyy h:mm tt',
  G: 'M/d/yyyy h:mm:ss tt',
  m: 'MMMM d',
  M: 'MMMM d',
  o: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  O: "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
  t: 'h:mm tt',
  T: 'h:mm:ss tt',
  u: "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
  U: 'dddd, MMMM d, yyyy h:mm:ss tt',
  y: 'MMMM yyyy',
  Y: 'MMMM yyyy',
});

/** The one error for a format string .NET would reject with a FormatException. */
export function formatStringError(format: string, reason: string): CloudsyncError {
  return new CloudsyncError('ERR_EXPR_EVALUATION', `invalid date and time format string "${format}": ${reason}`, {
    details: { format },
  });
}

/** Expands a one-character standard format to its custom pattern; longer strings are custom already. */
export function expandStandardFormat(format: string): string {
  if (format.length !== 1) return format;
  const pattern = STANDARD_DATE_TIME_FORMATS[format];
  if (pattern === undefined) {
    throw formatStringError(format, `"${format}" is not a standard format specifier; use "%${format}" for the custom one`);
  }
  return pattern;
}

/** Splits a custom format into tokens: a run of one specifier letter, or a literal. Shared with parsing. */
export type FormatToken =
  | { readonly type: 'specifier'; readonly letter: string; readonly count: number }
  | { readonly type: 'literal'; readonly text: string };

const SPECIFIER_LETTERS = new Set(['d', 'f', 'F', 'g', 'h', 'H', 'K', 'm', 'M', 's', 't', 'y', 'z']);

/** Mappings format every object with the same few patterns; tokenize each once. */
const TOKEN_CACHE_LIMIT = 256;
const tokenCache = new Map<string, readonly FormatToken[]>();

export function tokenizeFormat(format: string): readonly FormatToken[] {
  let tokens = tokenCache.get(format);
  if (tokens === undefined) {
    tokens = Object.freeze(tokenizeUncached(format));
    if (tokenCache.size >= TOKEN_CACHE_LIMIT) tokenCache.delete(tokenCache.keys().next().value!);
    tokenCache.set(format, tokens);
  }
  return tokens;
}

function tokenizeUncached(format: string): FormatToken[] {
  const tokens: FormatToken[] = [];
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (SPECIFIER_LETTERS.has(ch)) {
      let count = 1;
      while (format[i + count] === ch) count++;
      tokens.push({ type: 'specifier', letter: ch, count });
      i += count;
    } else if (ch === "'" || ch === '"') {
      // .NET honours backslash escapes inside quoted literals too ('it\'s').
      let text = '';
      let j = i + 1;
      while (j < format.length && format[j] !== ch) {
        if (format[j] === '\\' && j + 1 < format.length) j++;
        text += format[j];
        j++;
      }
      if (j >= format.length) throw formatStringError(format, `the quoted literal starting at position ${i} is not closed`);
      tokens.push({ type: 'literal', text });
      i = j + 1;
    } else if (ch === '%') {
      const next = format[i + 1];
      if (next === undefined || next === '%') throw formatStringError(format, `"%" at position ${i} must be followed by one specifier`);
      if (SPECIFIER_LETTERS.has(next)) tokens.push({ type: 'specifier', letter: next, count: 1 });
      else tokens.push({ type: 'literal', text: next });
      i += 2;
    } else if (ch === '\\') {
      const next = format[i + 1];
      if (next === undefined) throw formatStringError(format, 'it ends with an escape character "\\"');
      tokens.push({ type: 'literal', text: next });
      i += 2;
    } else if (ch === ':' || ch === '/') {
      // The en-US time and date separators are the characters themselves.
      tokens.push({ type: 'literal', text: ch });
      i++;
    } else {
      tokens.push({ type: 'literal', text: ch });
      i++;
    }
  }
  return tokens;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function offsetText(count: number): string {
  // "With DateTime values, the "z" custom format specifier represents the signed offset of the local
  // operating system's time zone from UTC" — local is UTC here.
  if (count === 1) return '+0';
  if (count === 2) return '+00';
  return '+00:00';
}

/** `DateTime.ToString(format, en-US)`. An empty format means "G", as in .NET. */
export function formatDotnetDateTime(value: DotnetDateTime, format: string): string {
  const pattern = expandStandardFormat(format === '' ? 'G' : format);
  const d = value.date;
  const year = d.getUTCFullYear();
  const hour = d.getUTCHours();
  const ticksOfSecond = d.getUTCMilliseconds() * TICKS_PER_MILLISECOND + value.subMillisecondTicks;
  let out = '';
  for (const token of tokenizeFormat(pattern)) {
    if (token.type === 'literal') {
      out += token.text;
      continue;
    }
    const n = token.count;
    switch (token.letter) {
      case 'd':
        if (n <= 2) out += pad(d.getUTCDate(), n);
        else if (n === 3) out += DAY_NAMES[d.getUTCDay()]!.slice(0, 3);
        else out += DAY_NAMES[d.getUTCDay()]!;
        break;
      case 'M':
        if (n <= 2) out += pad(d.getUTCMonth() + 1, n);
        else if (n === 3) out += MONTH_NAMES[d.getUTCMonth()]!.slice(0, 3);
        else out += MONTH_NAMES[d.getUTCMonth()]!;
        break;
      case 'y':
        out += n <= 2 ? pad(year % 100, n) : pad(year, n);
        break;
      case 'h':
        out += pad(hour % 12 === 0 ? 12 : hour % 12, Math.min(n, 2));
        break;
      case 'H':
        out += pad(hour, Math.min(n, 2));
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), Math.min(n, 2));
        break;
      case 's':
        out += pad(d.getUTCSeconds(), Math.min(n, 2));
        break;
      case 'f':
      case 'F': {
        if (n > 7) throw formatStringError(format, `"${token.letter.repeat(n)}": at most 7 fraction digits`);
        const digits = pad(Math.floor(ticksOfSecond / 10 ** (7 - n)), n);
        if (token.letter === 'f') {
          out += digits;
        } else {
          const trimmed = digits.replace(/0+$/, '');
          // .NET drops the decimal point before an "F" run that prints nothing.
          if (trimmed === '' && out.endsWith('.')) out = out.slice(0, -1);
          out += trimmed;
        }
        break;
      }
      case 't': {
        const designator = hour < 12 ? AM_DESIGNATOR : PM_DESIGNATOR;
        out += n === 1 ? designator[0] : designator;
        break;
      }
      case 'g':
        out += 'A.D.';
        break;
      case 'z':
        out += offsetText(n);
        break;
      case 'K':
        // "K" is not repeated in .NET: "KK" prints the time zone twice.
        for (let i = 0; i < n; i++) out += value.kind === 'utc' ? 'Z' : value.kind === 'local' ? '+00:00' : '';
        break;
      default:
        throw new TypeError(`unhandled format letter ${token.letter}`);
    }
  }
  return out;
}
