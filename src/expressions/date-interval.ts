/**
 * The intervals of DateAdd and DateDiff, and the arithmetic behind them (Visual Basic's DateAdd/DateDiff,
 * which Entra's functions are named and documented after).
 *
 * Entra: "The interval string must have one of the following values: yyyy Year, m Month, d Day, ww Week,
 * h Hour, n Minute, s Second."
 * DateDiff "returns a positive number if date2 > date1, a negative number if date2 < date1, 0 if date2 ==
 * date1". Entra's examples pin down the VB rules: years and months count calendar boundaries
 * (8/25/2021 → 3/16/2012 is -9 years, -113 months), days/hours/minutes/seconds count whole elapsed units
 * (-3449 days), and weeks count Sunday-to-Sunday calendar weeks (-493, not the -492 that elapsed time gives).
 */
import { CloudsyncError } from '../errors/index.ts';
import { daysInMonth, dotnetDateTime, isInDotnetRange, utcDate, type DotnetDateTime } from './dotnet-date-time.ts';

export const DATE_INTERVALS = ['yyyy', 'm', 'd', 'ww', 'h', 'n', 's'] as const;
export type DateInterval = (typeof DATE_INTERVALS)[number];

const MS: Readonly<Record<'d' | 'ww' | 'h' | 'n' | 's', number>> = { d: 86_400_000, ww: 604_800_000, h: 3_600_000, n: 60_000, s: 1000 };

/** VB reads interval names without regard to case ("M" is months too). */
export function parseDateInterval(functionName: string, text: string | null): DateInterval {
  const interval = DATE_INTERVALS.find((i) => i === text?.toLowerCase());
  if (interval === undefined) {
    throw new CloudsyncError(
      'ERR_EXPR_EVALUATION',
      `${functionName}: interval ${text === null ? 'is missing' : `"${text}" is not supported`}; use one of ${DATE_INTERVALS.map((i) => `"${i}"`).join(', ')} (year, month, day, week, hour, minute, second)`,
      { details: { interval: text } },
    );
  }
  return interval;
}

function outOfRange(functionName: string): CloudsyncError {
  return new CloudsyncError('ERR_EXPR_EVALUATION', `${functionName}: the result is outside 0001-01-01 … 9999-12-31`);
}

/** `DateAdd(interval, number, date)`; `number` is already truncated to an integer (VB's Fix). */
export function addInterval(functionName: string, interval: DateInterval, number: number, value: DotnetDateTime): DotnetDateTime {
  const d = value.date;
  let result: Date;
  if (interval === 'yyyy' || interval === 'm') {
    const months = d.getUTCFullYear() * 12 + d.getUTCMonth() + (interval === 'yyyy' ? number * 12 : number);
    const year = Math.floor(months / 12);
    const month = months - year * 12 + 1;
    if (year < 1 || year > 9999) throw outOfRange(functionName);
    // AddMonths/AddYears keep the day, clamped to the target month's length (Jan 31 + 1 month = Feb 28/29).
    const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
    result = utcDate(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  } else {
    result = new Date(d.getTime() + number * MS[interval]);
  }
  if (!isInDotnetRange(result)) throw outOfRange(functionName);
  return dotnetDateTime(result, value.kind, value.subMillisecondTicks);
}

/** `DateDiff(interval, date1, date2)`: date2 − date1 in whole units, truncated toward zero. */
export function diffInterval(interval: DateInterval, date1: DotnetDateTime, date2: DotnetDateTime): number {
  const a = date1.date;
  const b = date2.date;
  switch (interval) {
    case 'yyyy':
      return b.getUTCFullYear() - a.getUTCFullYear();
    case 'm':
      return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
    case 'ww': {
      // Each date moves back to the Sunday that starts its week (VB's default FirstDayOfWeek.Sunday).
      const sundayA = a.getTime() - a.getUTCDay() * MS.d;
      const sundayB = b.getTime() - b.getUTCDay() * MS.d;
      return Math.trunc(Math.trunc(elapsed(sundayA, date1, sundayB, date2) / MS.d) / 7);
    }
    default:
      return Math.trunc(elapsed(a.getTime(), date1, b.getTime(), date2) / MS[interval]) + 0;
  }
}

/** Elapsed milliseconds, with the sub-millisecond ticks deciding ties in truncation. */
function elapsed(msA: number, a: DotnetDateTime, msB: number, b: DotnetDateTime): number {
  return msB - msA + (b.subMillisecondTicks - a.subMillisecondTicks) / 10_000;
}
