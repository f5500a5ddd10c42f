/**
 * Count — "The Count function returns the number of elements in a multi-valued attribute."
 */
import type { ExpressionFunction } from '../function-definition.ts';

export const count: ExpressionFunction = {
  name: 'Count',
  summary: 'Returns the number of values of a (multi-valued) attribute.',
  syntax: 'Count(attribute)',
  semantics: 'A missing attribute has 0 values; a single-valued one has 1.',
  parameters: [{ name: 'attribute', description: 'Multi-valued attribute whose values are counted.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'Count([proxyAddresses])', attributes: { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com', 'smtp:c@contoso.com'] }, result: 3 },
    { expression: 'Count([mail])', attributes: { mail: 'a@contoso.com' }, result: 1 },
    { expression: 'Count([proxyAddresses])', attributes: {}, result: 0 },
  ],
  evaluate([attribute]) {
    if (attribute === null || attribute === undefined) return 0;
    return Array.isArray(attribute) ? attribute.length : 1;
  },
};
