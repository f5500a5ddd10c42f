/**
 * Active Directory's date format: a Windows FILETIME, as stored in accountExpires, pwdLastSet,
 * lastLogonTimestamp.
 *
 * [MS-DTYP] 2.3.3 FILETIME: "The FILETIME structure is a 64-bit value that represents the number of
 * 100-nanosecond intervals that have elapsed since January 1, 1601, Coordinated Universal Time (UTC)."
 * accountExpires: "A value of 0 or 0x7FFFFFFFFFFFFFFF (9223372036854775807) indicates that the account never
 * expires." Those two are markers, not dates; .NET's DateTime.FromFileTimeUtc rejects the second (it lies
 * beyond DateTime.MaxValue), and so do we, with a message that says what it means.
 *
 * The values exceed 2^53, hence bigint throughout.
 */
import { CloudsyncError } from '../errors/index.ts';
import { TICKS_PER_MILLISECOND, dotnetDateTime, type DotnetDateTime } from './dotnet-date-time.ts';

/** FILETIME of 1970-01-01T00:00:00Z. */
export const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
/** FILETIME of DateTime.MaxValue, 9999-12-31T23:59:59.9999999Z. */
export const FILETIME_MAX = 2_650_467_743_999_999_999n;
export const FILETIME_NEVER = 0x7fff_ffff_ffff_ffffn;

const TICKS_PER_MS = BigInt(TICKS_PER_MILLISECOND);

export function dateFromFiletime(filetime: bigint): DotnetDateTime {
  if (filetime < 0n || filetime > FILETIME_MAX) {
    const hint = filetime === FILETIME_NEVER ? ' (0x7FFFFFFFFFFFFFFF is AD\'s "never expires" marker, not a date)' : '';
    throw new CloudsyncError(
      'ERR_EXPR_EVALUATION',
      `${filetime} is not a FILETIME between 0 (1601-01-01) and ${FILETIME_MAX} (9999-12-31)${hint}`,
      { details: { value: filetime.toString() } },
    );
  }
  const sinceUnix = filetime - FILETIME_UNIX_EPOCH;
  // Floor division keeps the remainder non-negative for instants before 1970.
  let ms = sinceUnix / TICKS_PER_MS;
  let rest = sinceUnix % TICKS_PER_MS;
  if (rest < 0n) {
    ms -= 1n;
    rest += TICKS_PER_MS;
  }
  return dotnetDateTime(new Date(Number(ms)), 'utc', Number(rest));
}

export function filetimeFromDate(value: DotnetDateTime): bigint {
  const filetime = BigInt(value.date.getTime()) * TICKS_PER_MS + BigInt(value.subMillisecondTicks) + FILETIME_UNIX_EPOCH;
  if (filetime < 0n) {
    throw new CloudsyncError('ERR_EXPR_EVALUATION', `${value.date.toISOString()} is before 1601-01-01, the FILETIME epoch`, {
      details: { value: value.date.toISOString() },
    });
  }
  return filetime;
}
