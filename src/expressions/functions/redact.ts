/**
 * Redact — "The Redact function replaces the attribute value with the string literal "[Redact]" in the
 * provisioning logs." Examples: `Redact([userPrincipalName])`, `Redact("StringToBeRedacted")`,
 * `Redact(RandomString(6,3,0,0,3))`.
 */
import type { ExpressionFunction } from '../function-definition.ts';

export const REDACTED_TEXT = '[Redact]';

export const redact: ExpressionFunction = {
  name: 'Redact',
  summary: 'Flows the value unchanged but shows it as "[Redact]" in provisioning logs.',
  syntax: 'Redact(value)',
  semantics:
    'The value itself is returned; the compiled expression is marked `redacted`, and everything that logs or ' +
    'previews mapping results (provisioning logs, provision on demand) shows "[Redact]" instead of the result.',
  parameters: [{ name: 'value', description: 'The attribute or constant to redact from the logs.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'Redact([userPrincipalName])', attributes: { userPrincipalName: 'jdoe@contoso.com' }, result: 'jdoe@contoso.com', note: 'logs show [Redact]' },
    { expression: 'Redact("StringToBeRedacted")', result: 'StringToBeRedacted', note: 'logs show [Redact]' },
    { expression: 'Redact(RandomString(6,3,0,0,3))', result: '1a73qt', resultPattern: '(?=(?:.*[0-9]){3})(?=(?:.*[a-z]){3})[0-9a-z]{6}', note: 'random; logs show [Redact]' },
  ],
  evaluate([value]) {
    return value ?? null;
  },
};
