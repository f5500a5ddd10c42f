/**
 * A .NET `System.DateTime` as Entra's expression functions see it: an instant with 100-nanosecond precision
 * and a `DateTimeKind`.
 *
 * JavaScript's Date stops at milliseconds, but .NET format strings reach down to ticks ("fffffff": "the ten
 * millionths of a second") and AD's FILETIME counts ticks, so the sub-millisecond remainder travels next to
 * the Date. Invariant: `0 <= subMillisecondTicks < 10_000` and `date` is a valid Date.
 *
 * Time zones: Entra's provisioning service runs with its local time zone set to UTC, which is why CDate and
 * Now "always" answer in UTC. We make the same assumption explicit: "local" here *is* UTC. `kind` only
 * changes what the `K` specifier prints ("Z" for Utc, "+00:00" for Local, nothing for Unspecified).
 */
export const DATE_TIME_KINDS = ['utc', 'local', 'unspecified'] as const;
export type DateTimeKind = (typeof DATE_TIME_KINDS)[number];

export interface DotnetDateTime {
  readonly date: Date;
  readonly subMillisecondTicks: number;
  readonly kind: DateTimeKind;
}

export const TICKS_PER_MILLISECOND = 10_000;

/** DateTime.MinValue (0001-01-01) and MaxValue (9999-12-31 23:59:59.9999999), in Unix milliseconds. */
export const MIN_DATE_MS = -62135596800000;
export const MAX_DATE_MS = 253402300799999;

export function dotnetDateTime(date: Date, kind: DateTimeKind = 'utc', subMillisecondTicks = 0): DotnetDateTime {
  if (Number.isNaN(date.getTime())) throw new TypeError('dotnetDateTime: invalid Date');
  if (!Number.isInteger(subMillisecondTicks) || subMillisecondTicks < 0 || subMillisecondTicks >= TICKS_PER_MILLISECOND) {
    throw new TypeError(`dotnetDateTime: subMillisecondTicks out of range: ${subMillisecondTicks}`);
  }
  return Object.freeze({ date, subMillisecondTicks, kind });
}

/** Year 1..9999, the range of System.DateTime; Date.UTC maps years 0..99 to 1900..1999, so build through setUTCFullYear. */
export function utcDate(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, millisecond = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return date;
}

export function isInDotnetRange(date: Date): boolean {
  const ms = date.getTime();
  return ms >= MIN_DATE_MS && ms <= MAX_DATE_MS;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
