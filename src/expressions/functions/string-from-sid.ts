/**
 * StringFromSid — "The StringFromSid function converts a byte array containing a security identifier to a
 * string." Syntax: `str StringFromSid(bin ObjectSID)`.
 */
import { sidToString } from '../security-identifier.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';
import type { Scalar, Value } from '../value.ts';

function convert(value: Scalar): string {
  if (!(value instanceof Uint8Array)) {
    const hint = typeof value === 'string' && /^S-1-/i.test(value) ? ' (it is already in string form)' : '';
    throw evaluationError('StringFromSid', `ObjectSID must be a binary SID such as objectSid${hint}`);
  }
  return sidToString(value);
}

export const stringFromSid: ExpressionFunction = {
  name: 'StringFromSid',
  summary: 'Converts a binary security identifier (objectSid) to its string form, S-1-5-….',
  syntax: 'StringFromSid(ObjectSID)',
  semantics:
    'Reads the binary SID layout of [MS-DTYP] 2.4.2.2 and writes the S-R-I-S… form of 2.4.2.1 (an identifier ' +
    'authority of 2^32 or more is written in hexadecimal). A value that is not a well-formed binary SID is an ' +
    'error. A multi-valued value (sIDHistory) converts each value; a missing value stays missing.',
  parameters: [{ name: 'ObjectSID', description: 'A byte array containing a security identifier.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    {
      expression: 'StringFromSid([objectSid])',
      attributes: { objectSid: 'base64:AQUAAAAAAAUVAAAAoGXPfnhLm1/fjNUyUAQAAA==' },
      result: 'S-1-5-21-2127521184-1604012920-852856031-1104',
    },
    { expression: 'StringFromSid([objectSid])', attributes: { objectSid: 'base64:AQEAAAAAAAEAAAAA' }, result: 'S-1-1-0', note: 'Everyone' },
    { expression: 'StringFromSid([objectSid])', attributes: { objectSid: 'S-1-1-0' }, result: { error: 'ERR_EXPR_EVALUATION' } },
    { expression: 'StringFromSid([objectSid])', attributes: {}, result: null },
  ],
  evaluate([source]) {
    const value: Value = source ?? null;
    if (value === null) return null;
    if (Array.isArray(value)) return value.map((item) => convert(item as Scalar));
    return convert(value as Scalar);
  },
};
