/**
 * Error — "The Error function is used to return a custom error." Example:
 * `IIF(IsPresent([accountName]),[accountName],Error("AccountName is required"))` — "If the attribute
 * accountName is not present, throw an error on the object."
 */
import { CloudsyncError } from '../../errors/index.ts';
import { singleText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const error: ExpressionFunction = {
  name: 'Error',
  summary: 'Fails the object with a custom error message.',
  syntax: 'Error(errorMessage)',
  semantics:
    'The object fails with code `ERR_EXPR_USER_ERROR` and the given message, which appears in the provisioning log. ' +
    'Inside IIF, Switch and Coalesce it fires only when its branch is taken.',
  parameters: [{ name: 'errorMessage', description: 'The message to report.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'IIF(IsPresent([accountName]),[accountName],Error("AccountName is required"))', attributes: {}, result: { error: 'ERR_EXPR_USER_ERROR' } },
    { expression: 'IIF(IsPresent([accountName]),[accountName],Error("AccountName is required"))', attributes: { accountName: 'jdoe' }, result: 'jdoe' },
  ],
  evaluate([message]) {
    const text = singleText('Error', 'errorMessage', message ?? null);
    throw new CloudsyncError('ERR_EXPR_USER_ERROR', text === null || text === '' ? 'Error() was called without a message' : text);
  },
};
