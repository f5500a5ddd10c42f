/**
 * IsNullOrEmpty — "If the expression is null or an empty string, then the IsNullOrEmpty function returns
 * true. This evaluates to True if the attribute is absent or is present but is an empty string. The inverse
 * of this function is named IsPresent."
 */
import { isNullOrEmpty as nullOrEmpty } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const isNullOrEmpty: ExpressionFunction = {
  name: 'IsNullOrEmpty',
  summary: 'True when the expression is NULL or an empty string.',
  syntax: 'IsNullOrEmpty(expression)',
  semantics: 'A multi-valued value counts as empty only when all its values are empty strings.',
  parameters: [{ name: 'expression', description: 'Expression to be evaluated.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'IsNullOrEmpty([displayName])', attributes: {}, result: true },
    { expression: 'IsNullOrEmpty([displayName])', attributes: { displayName: '' }, result: true },
    { expression: 'IsNullOrEmpty([displayName])', attributes: { displayName: 'John Doe' }, result: false },
  ],
  evaluate([expression]) {
    return nullOrEmpty(expression ?? null);
  },
};
