/**
 * DateDiff — "This function uses the interval parameter to return a number that indicates the difference
 * between the two input dates. It returns a positive number if date2 > date1, a negative number if
 * date2 < date1, 0 if date2 == date1." Intervals: "yyyy Year, m Month, d Day, ww Week, h Hour, n Minute,
 * s Second."
 */
import { requiredDateTime } from '../date-time-argument.ts';
import { diffInterval, parseDateInterval } from '../date-interval.ts';
import { singleText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

const HIRE = 'DateDiff("d", Now(), CDate([StatusHireDate]))';

export const dateDiff: ExpressionFunction = {
  name: 'DateDiff',
  summary: 'The number of years, months, days, weeks, hours, minutes or seconds from date1 to date2.',
  syntax: 'DateDiff(interval, date1, date2)',
  semantics:
    'Years and months count calendar boundaries crossed (December 31 to January 1 is one year); days, hours, ' +
    'minutes and seconds count whole elapsed units, truncated toward zero; weeks count Sunday-based calendar ' +
    'weeks, as Visual Basic\'s DateDiff does. Dates may be DateTimes (CDate, Now) or text CDate accepts. A ' +
    'missing date is an error.',
  parameters: [
    { name: 'interval', description: 'Interval of time to use for calculating the difference: yyyy, m, d, ww, h, n or s.', required: true },
    { name: 'date1', description: 'DateTime representing a valid date.', required: true },
    { name: 'date2', description: 'DateTime representing a valid date.', required: true },
  ],
  minArgs: 3,
  maxArgs: 3,
  examples: [
    { expression: HIRE, context: { now: '2021-08-17T16:00:00Z' }, attributes: { StatusHireDate: '2021-08-31+08:00' }, result: 13, note: 'Positive difference in days between two dates (date1 = 2021-08-18+08:00)' },
    { expression: HIRE, context: { now: '2021-08-25T17:41:18Z' }, attributes: { StatusHireDate: '2012-03-16-07:00' }, result: -3449, note: 'Negative difference in days between two dates' },
    { expression: 'DateDiff("ww", Now(), CDate([StatusHireDate]))', context: { now: '2021-08-25T17:41:18Z' }, attributes: { StatusHireDate: '2012-03-16-07:00' }, result: -493, note: 'Difference in weeks between two dates' },
    { expression: 'DateDiff("m", Now(), CDate([StatusHireDate]))', context: { now: '2021-08-25T17:41:18Z' }, attributes: { StatusHireDate: '2012-03-16-07:00' }, result: -113, note: 'Difference in months between two dates' },
    { expression: 'DateDiff("yyyy", Now(), CDate([StatusHireDate]))', context: { now: '2021-08-25T17:41:18Z' }, attributes: { StatusHireDate: '2012-03-16-07:00' }, result: -9, note: 'Difference in years between two dates' },
    { expression: 'DateDiff("d", CDate("2021-08-31+08:00"), CDate("2021-08-31+08:00"))', result: 0, note: 'Difference when both dates are same' },
    { expression: 'DateDiff("h", CDate("2021-08-24"), CDate("2021-08-25"))', result: 24, note: 'Difference in hours between two dates' },
    { expression: 'DateDiff("n", CDate("2021-08-24"), CDate("2021-08-25"))', result: 1440, note: 'Difference in minutes between two dates' },
    { expression: 'DateDiff("s", CDate("2021-08-24"), CDate("2021-08-25"))', result: 86400, note: 'Difference in seconds between two dates' },
    { expression: 'DateDiff("d", "8/25/2021 5:41:18 PM", "2012-03-16-07:00")', result: -3449, note: 'dates given as text are read as CDate reads them' },
    {
      expression: 'Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")',
      context: { now: '2021-08-25T17:41:18Z' },
      attributes: { Active: '1', StatusHireDate: '2021-09-10-07:00' },
      result: 'False',
      note: 'accountEnabled is True only if the hire date is within the next five days',
    },
  ],
  evaluate([interval, date1, date2], context) {
    const unit = parseDateInterval('DateDiff', singleText('DateDiff', 'interval', interval ?? null));
    const now = context.now();
    return diffInterval(unit, requiredDateTime('DateDiff', 'date1', date1 ?? null, now), requiredDateTime('DateDiff', 'date2', date2 ?? null, now));
  },
};
