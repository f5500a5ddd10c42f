/**
 * How the date functions (DateAdd, DateDiff, FormatDateTime, NumFromDate) read a date argument.
 *
 * Entra passes DateTimes between functions as text in "M/d/yyyy h:mm:ss tt" (DateDiff's documented date1 is
 * "8/25/2021 5:41:18 PM", the output of Now), and "When passing a date string as input, use CDate function
 * to wrap the datetime string". Here a date is a Date value (CDate, Now, DateAdd, DateFromNum return one) or
 * text that CDate would accept; both are read the same way, so wrapping in CDate is never required.
 */
import { singleText } from './coerce.ts';
import { parseDotnetDateTime } from './dotnet-date-parse.ts';
import { dotnetDateTime, isInDotnetRange, type DotnetDateTime } from './dotnet-date-time.ts';
import { evaluationError } from './function-definition.ts';
import type { Scalar, Value } from './value.ts';

/** null when the argument is missing; the caller decides whether that is an error. */
export function dateTimeArgument(functionName: string, parameter: string, value: Value, now: Date): DotnetDateTime | null {
  const scalar = Array.isArray(value) && value.length === 1 ? (value[0] as Scalar) : value;
  if (scalar instanceof Date) {
    if (!isInDotnetRange(scalar)) throw evaluationError(functionName, `${parameter} is outside 0001-01-01 … 9999-12-31`);
    return dotnetDateTime(scalar, 'utc');
  }
  const text = singleText(functionName, parameter, value);
  if (text === null) return null;
  try {
    return parseDotnetDateTime(text, now);
  } catch (error) {
    throw evaluationError(functionName, `${parameter}: ${(error as Error).message}`, { value: text });
  }
}

/** The same, for a required argument: a missing date is an error naming the parameter. */
export function requiredDateTime(functionName: string, parameter: string, value: Value, now: Date): DotnetDateTime {
  const date = dateTimeArgument(functionName, parameter, value, now);
  if (date === null) throw evaluationError(functionName, `${parameter} is missing; expected a date and time`);
  return date;
}
