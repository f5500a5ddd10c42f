/**
 * IsPresent — "If the expression evaluates to a string that isn't Null and isn't empty, then the IsPresent
 * function returns true. The inverse of this function is named IsNullOrEmpty."
 */
import { isNullOrEmpty } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const isPresent: ExpressionFunction = {
  name: 'IsPresent',
  summary: 'True when the expression is neither NULL nor an empty string (the inverse of IsNullOrEmpty).',
  syntax: 'IsPresent(expression)',
  parameters: [{ name: 'expression', description: 'Expression to be evaluated.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    {
      expression: 'Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])',
      attributes: { skiplevelManager: 'Ann', director: 'Bob' },
      result: null,
      note: 'Microsoft\'s example, as it really behaves: the source IsPresent([directManager]) is False, no key is False, so the default [directManager] (NULL) results. Hence Microsoft\'s advice not to use IsPresent in Switch\'s source',
    },
    { expression: 'IsPresent([mail])', attributes: { mail: 'a@contoso.com' }, result: true },
    { expression: 'IsPresent([mail])', attributes: { mail: '' }, result: false },
  ],
  evaluate([expression]) {
    return !isNullOrEmpty(expression ?? null);
  },
};
