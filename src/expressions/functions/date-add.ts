/**
 * DateAdd — "Returns a date/time string representing a date to which a specified time interval is added.
 * The returned date is in the format: M/d/yyyy h:mm:ss tt." Parameters: interval ("yyyy Year, m Month,
 * d Day, ww Week, h Hour, n Minute, s Second"), value ("The number of units you want to add. It can be
 * positive (to get dates in the future) or negative (to get dates in the past)"), dateTime.
 */
import { requiredDateTime } from '../date-time-argument.ts';
import { addInterval, parseDateInterval } from '../date-interval.ts';
import { singleText } from '../coerce.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';
import type { Scalar, Value } from '../value.ts';

/** VB's DateAdd takes a Double and truncates it (Fix) before adding. */
function unitsOf(value: Value): number {
  const scalar = Array.isArray(value) && value.length === 1 ? (value[0] as Scalar) : value;
  let n: number = Number.NaN;
  if (typeof scalar === 'number') n = scalar;
  else if (typeof scalar === 'bigint') n = Number(scalar);
  else if (typeof scalar === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(scalar)) n = Number(scalar);
  if (!Number.isFinite(n)) {
    throw evaluationError('DateAdd', `value must be a number of units to add, got ${scalar === null ? 'nothing' : JSON.stringify(String(scalar))}`);
  }
  return Math.trunc(n) + 0;
}

export const dateAdd: ExpressionFunction = {
  name: 'DateAdd',
  summary: 'Adds a number of years, months, days, weeks, hours, minutes or seconds to a date.',
  syntax: 'DateAdd(interval, value, dateTime)',
  semantics:
    'Years and months keep the day of the month, clamped to the length of the target month (January 31 plus ' +
    'one month is the last day of February). A fractional value is truncated toward zero, as Visual Basic\'s ' +
    'DateAdd does. dateTime may be a DateTime (CDate, Now, DateFromNum) or text CDate accepts. A missing ' +
    'dateTime is an error; a result outside years 1-9999 is an error.',
  parameters: [
    { name: 'interval', description: 'Interval of time you want to add: yyyy, m, d, ww, h, n or s.', required: true },
    { name: 'value', description: 'The number of units you want to add; negative values go into the past.', required: true },
    { name: 'dateTime', description: 'DateTime representing date to which the interval is added.', required: true },
  ],
  minArgs: 3,
  maxArgs: 3,
  examples: [
    { expression: 'DateAdd("d", 7, CDate([StatusHireDate]))', attributes: { StatusHireDate: '2012-03-16-07:00' }, result: '3/23/2012 7:00:00 AM', note: 'Add 7 days to hire date' },
    { expression: 'DateAdd("d", -10, CDate([StatusHireDate]))', attributes: { StatusHireDate: '2012-03-16-07:00' }, result: '3/6/2012 7:00:00 AM', note: 'Get a date ten days before to hire date' },
    { expression: 'DateAdd("ww", 2, CDate([StatusHireDate]))', attributes: { StatusHireDate: '2012-03-16-07:00' }, result: '3/30/2012 7:00:00 AM', note: 'Add two weeks to hire date' },
    { expression: 'DateAdd("m", 10, CDate([StatusHireDate]))', attributes: { StatusHireDate: '2012-03-16-07:00' }, result: '1/16/2013 7:00:00 AM', note: 'Add ten months to hire date' },
    { expression: 'DateAdd("yyyy", 2, CDate([StatusHireDate]))', attributes: { StatusHireDate: '2012-03-16-07:00' }, result: '3/16/2014 7:00:00 AM', note: 'Add two years to hire date' },
    { expression: 'DateAdd("m", 1, CDate("2021-01-31"))', result: '2/28/2021 12:00:00 AM', note: 'the day is clamped to the end of February' },
    { expression: 'DateAdd("h", 36, Now())', context: { now: '2021-07-02T15:33:38Z' }, result: '7/4/2021 3:33:38 AM' },
    { expression: 'DateAdd("q", 1, Now())', result: { error: 'ERR_EXPR_EVALUATION' }, note: 'quarters are not among the documented intervals' },
  ],
  evaluate([interval, value, dateTime], context) {
    const unit = parseDateInterval('DateAdd', singleText('DateAdd', 'interval', interval ?? null));
    const units = unitsOf(value ?? null);
    const date = requiredDateTime('DateAdd', 'dateTime', dateTime ?? null, context.now());
    return addInterval('DateAdd', unit, units, date).date;
  },
};
