/**
 * CDate — "The CDate function returns a UTC DateTime from a string. DateTime isn't a native attribute type
 * but it can be used within date functions such as FormatDateTime and DateAdd." "The returned string is
 * always in UTC and follows the format M/d/yyyy h:mm:ss tt."
 */
import { dateTimeArgument } from '../date-time-argument.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const cDate: ExpressionFunction = {
  name: 'CDate',
  summary: 'Converts a date and time string to a UTC DateTime.',
  syntax: 'CDate(expression)',
  semantics:
    'Reads ISO 8601 dates with an optional time and UTC offset (`2020-03-16-07:00`, `2009-06-15T01:45:30-07:00`, ' +
    '`2021-08-24`), en-US dates (`8/25/2021 5:41:18 PM`, the output of Now) and RFC 1123 dates. An offset is ' +
    'converted to UTC; a date without one is taken as UTC. The result is a DateTime, shown as ' +
    '`M/d/yyyy h:mm:ss tt` in UTC. A missing value stays missing; text that is not a date is an error.',
  parameters: [
    { name: 'expression', description: 'Any valid string that represents a date/time.', required: true },
  ],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'CDate([StatusHireDate])', attributes: { StatusHireDate: '2020-03-16-07:00' }, result: '3/16/2020 7:00:00 AM' },
    { expression: 'CDate("2021-06-30+08:00")', result: '6/29/2021 4:00:00 PM' },
    { expression: 'CDate("2009-06-15T01:45:30-07:00")', result: '6/15/2009 8:45:30 AM' },
    { expression: 'CDate([StatusHireDate])', attributes: {}, result: null },
    { expression: 'CDate("next Tuesday")', result: { error: 'ERR_EXPR_EVALUATION' } },
  ],
  evaluate([expression], context) {
    const date = dateTimeArgument('CDate', 'expression', expression ?? null, context.now());
    return date === null ? null : date.date;
  },
};
