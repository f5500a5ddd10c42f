/**
 * IsString — "If the expression can be evaluated to a string type, then the IsString function evaluates to
 * True." "Used to determine if CStr() can be successful to parse the expression."
 */
import { scalarText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';
import type { Scalar } from '../value.ts';

export const isString: ExpressionFunction = {
  name: 'IsString',
  summary: 'True when the expression can be converted to a string (when CStr would succeed).',
  syntax: 'IsString(expression)',
  semantics: 'True for text, numbers, Booleans, dates and references; False for NULL and binary values. A multi-valued value is a string when it has exactly one value that is.',
  parameters: [{ name: 'expression', description: 'Expression to be evaluated.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'IsString([displayName])', attributes: { displayName: 'John' }, result: true },
    { expression: 'IsString([employeeNumber])', attributes: { employeeNumber: 42 }, result: true },
    { expression: 'IsString([objectGUID])', attributes: { objectGUID: 'base64:AAECAwQFBgcICQoLDA0ODw==' }, result: false },
    { expression: 'IsString([missing])', result: false },
  ],
  evaluate([expression]) {
    const value = expression ?? null;
    if (value === null) return false;
    if (Array.isArray(value)) return value.length === 1 && scalarText(value[0] as Scalar) !== undefined;
    return scalarText(value as Scalar) !== undefined;
  },
};
