/**
 * NumFromDate — "The NumFromDate function converts a DateTime value to Active Directory format that is
 * required to set attributes like accountExpires." value: "Date time string in ISO 8601 format. If the date
 * variable is in a different format, use FormatDateTime function to convert the date to ISO 8601 format."
 */
import { dateTimeArgument } from '../date-time-argument.ts';
import { filetimeFromDate } from '../filetime.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const numFromDate: ExpressionFunction = {
  name: 'NumFromDate',
  summary: 'Converts a date and time to AD\'s date format (FILETIME), for attributes such as accountExpires.',
  syntax: 'NumFromDate(value)',
  semantics:
    'value is an ISO 8601 date and time (with its UTC offset, or taken as UTC without one), any other text ' +
    'CDate accepts, or a DateTime. The result is the FILETIME integer: 100-nanosecond intervals since ' +
    '1601-01-01 UTC (shown as text when it exceeds 2^53, which current dates do). A missing value stays missing.',
  parameters: [{ name: 'value', description: 'Date time string in ISO 8601 format.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    {
      expression: 'NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))',
      attributes: { ContractEndDate: '2020-12-31-08:00' },
      result: '132539615990000000',
      note: 'Workday: the contract ends at 23:59:59 Pacific time on 2020-12-31',
    },
    {
      expression: 'NumFromDate(Join("",FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")," 23:59:59-08:00"))',
      attributes: { endDate: '12/31/2020 12:00:00 AM' },
      result: '132539615990000000',
      note: 'SuccessFactors',
    },
    { expression: 'NumFromDate("2012-01-01T23:00:00Z")', result: '129699324000000000' },
    { expression: 'NumFromDate([end])', attributes: {}, result: null },
  ],
  evaluate([value], context) {
    const date = dateTimeArgument('NumFromDate', 'value', value ?? null, context.now());
    return date === null ? null : filetimeFromDate(date);
  },
};
