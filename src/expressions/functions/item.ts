/**
 * Item — "The Item function returns one item from a multi-valued string/attribute." "`Item([proxyAddresses],
 * 1)` returns the first item in the multi-valued attribute. Index 0 shouldn't be used." Cloud Sync adds:
 * "Throws an error if index is out of bounds."
 */
import { describeValue, integerOf } from '../coerce.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';

export const item: ExpressionFunction = {
  name: 'Item',
  summary: 'Returns one value of a multi-valued attribute; 1 is the first.',
  syntax: 'Item(attribute, index)',
  semantics:
    'The index is 1-based. An index below 1 or beyond the last value is an error. A single-valued attribute has one ' +
    'value; a missing attribute gives NULL (there is nothing to pick from).',
  parameters: [
    { name: 'attribute', description: 'Multi-valued attribute to be searched.', required: true },
    { name: 'index', type: 'integer', description: 'Index to an item in the multi-valued attribute; 1 is the first.', required: true },
  ],
  minArgs: 2,
  maxArgs: 2,
  examples: [
    { expression: 'Item([proxyAddresses], 1)', attributes: { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com'] }, result: 'SMTP:a@contoso.com' },
    { expression: 'Item([proxyAddresses], 2)', attributes: { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com'] }, result: 'smtp:b@contoso.com' },
    { expression: 'Item([proxyAddresses], 3)', attributes: { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com'] }, result: { error: 'ERR_EXPR_EVALUATION' } },
    { expression: 'Item([proxyAddresses], 0)', attributes: { proxyAddresses: ['SMTP:a@contoso.com'] }, result: { error: 'ERR_EXPR_EVALUATION' } },
    { expression: 'Item([proxyAddresses], 1)', attributes: {}, result: null },
  ],
  deviation: 'A missing attribute gives NULL instead of an out-of-bounds error, so optional multi-valued attributes do not fail objects.',
  evaluate([attribute, index]) {
    const i = integerOf('Item', 'index', index ?? null);
    const value = attribute ?? null;
    if (value === null) return null;
    const values = Array.isArray(value) ? value : [value];
    if (i < 1 || i > values.length) {
      throw evaluationError('Item', `index ${i} is out of bounds: ${describeValue(value)} has ${values.length} value${values.length === 1 ? '' : 's'} (the first is 1)`);
    }
    return values[i - 1] ?? null;
  },
};
