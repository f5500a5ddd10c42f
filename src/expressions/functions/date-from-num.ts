/**
 * DateFromNum — "The DateFromNum function converts a value in AD's date format to a DateTime type."
 * Example: `DateFromNum(129699324000000000)` "Returns a DateTime representing January 1, 2012 at 11:00PM."
 */
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';
import { dateFromFiletime } from '../filetime.ts';
import type { Scalar, Value } from '../value.ts';

function filetimeOf(value: Scalar): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return BigInt(value.trim());
  // A FILETIME above 2^53 that arrived as a JSON number has already lost digits; refuse rather than guess.
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : `a ${typeof value} value`;
  throw evaluationError('DateFromNum', `value must be an AD date (a FILETIME integer such as 129699324000000000), got ${shown}`);
}

export const dateFromNum: ExpressionFunction = {
  name: 'DateFromNum',
  summary: 'Converts an AD date (FILETIME: 100-nanosecond intervals since 1601-01-01 UTC) to a DateTime.',
  syntax: 'DateFromNum(value)',
  semantics:
    'Accepts the integer as a number, a 64-bit integer or text (LDAP returns accountExpires, pwdLastSet and ' +
    'lastLogonTimestamp as text). The result is a UTC DateTime, shown as `M/d/yyyy h:mm:ss tt`. ' +
    '0x7FFFFFFFFFFFFFFF, AD\'s "never expires", is not a date and is an error, as in .NET; test for it first ' +
    '(for example with Switch). A multi-valued value converts each value; a missing value stays missing.',
  parameters: [{ name: 'value', description: 'AD Date to be converted to DateTime type.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'DateFromNum(129699324000000000)', result: '1/1/2012 11:00:00 PM' },
    { expression: 'DateFromNum([lastLogonTimestamp])', attributes: { lastLogonTimestamp: '129699324000000000' }, result: '1/1/2012 11:00:00 PM' },
    { expression: 'DateFromNum([accountExpires])', attributes: { accountExpires: '9223372036854775807' }, result: { error: 'ERR_EXPR_EVALUATION' }, note: '"never expires" is not a date' },
    { expression: 'DateFromNum([lastLogonTimestamp])', attributes: {}, result: null },
  ],
  evaluate([value]) {
    const v: Value = value ?? null;
    if (v === null) return null;
    if (Array.isArray(v)) return v.map((item) => dateFromFiletime(filetimeOf(item as Scalar)).date);
    return dateFromFiletime(filetimeOf(v as Scalar)).date;
  },
};
