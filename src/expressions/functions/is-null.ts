/**
 * IsNull — "If the expression evaluates to Null, then the IsNull function returns true. For an attribute, a
 * Null is expressed by the absence of the attribute."
 */
import type { ExpressionFunction } from '../function-definition.ts';

export const isNull: ExpressionFunction = {
  name: 'IsNull',
  summary: 'True when the expression is NULL (for an attribute: when it is absent).',
  syntax: 'IsNull(expression)',
  semantics: 'An empty string is not NULL; use IsNullOrEmpty for both.',
  parameters: [{ name: 'expression', description: 'Expression to be evaluated.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'IsNull([displayName])', attributes: {}, result: true },
    { expression: 'IsNull([displayName])', attributes: { displayName: '' }, result: false },
    { expression: 'IsNull([displayName])', attributes: { displayName: 'John Doe' }, result: false },
  ],
  evaluate([expression]) {
    return expression === null || expression === undefined;
  },
};
