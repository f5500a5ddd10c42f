/**
 * Trim — "The Trim function removes leading and trailing white spaces from a string." `Trim(" Test ")`
 * returns "Test"; `Trim([proxyAddresses])` "Removes leading and trailing spaces for each value in the
 * proxyAddress attribute."
 */
import { mapText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const trim: ExpressionFunction = {
  name: 'Trim',
  summary: 'Removes leading and trailing white space; from each value of a multi-valued attribute.',
  syntax: 'Trim(value)',
  semantics: 'White space is Unicode white space (spaces, tabs, line breaks, no-break spaces). NULL stays NULL.',
  parameters: [{ name: 'value', description: 'The string (or multi-valued attribute) to trim.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'Trim(" Test ")', result: 'Test' },
    { expression: 'Trim([proxyAddresses])', attributes: { proxyAddresses: [' SMTP:a@contoso.com', 'smtp:b@contoso.com\t'] }, result: ['SMTP:a@contoso.com', 'smtp:b@contoso.com'] },
    { expression: 'Trim([missing])', result: null },
  ],
  evaluate([value]) {
    return mapText('Trim', value ?? null, (text) => text.trim());
  },
};
