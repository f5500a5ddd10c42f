/**
 * RemoveDuplicates — "takes a multi-valued string and make sure each value is unique." Example:
 * `RemoveDuplicates([proxyAddresses])` "Returns a sanitized proxyAddress attribute where all duplicate values
 * are removed."
 */
import { comparableText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';
import type { Scalar } from '../value.ts';

export const removeDuplicates: ExpressionFunction = {
  name: 'RemoveDuplicates',
  summary: 'Removes duplicate values from a multi-valued attribute.',
  syntax: 'RemoveDuplicates(attribute)',
  semantics:
    'Values are compared exactly (case-sensitively: "SMTP:" and "smtp:" proxy addresses mean different things). ' +
    'The first occurrence of each value is kept, in order. A single value or NULL is returned as it is.',
  parameters: [{ name: 'attribute', description: 'Multi-valued attribute to remove duplicates from.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    {
      expression: 'RemoveDuplicates([proxyAddresses])',
      attributes: { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com', 'SMTP:a@contoso.com', 'smtp:A@contoso.com'] },
      result: ['SMTP:a@contoso.com', 'smtp:b@contoso.com', 'smtp:A@contoso.com'],
    },
    { expression: 'RemoveDuplicates(Split("a,b,a", ","))', result: ['a', 'b'] },
    { expression: 'RemoveDuplicates([mail])', attributes: { mail: 'a@contoso.com' }, result: 'a@contoso.com' },
  ],
  evaluate([attribute]) {
    const value = attribute ?? null;
    if (!Array.isArray(value)) return value;
    const seen = new Set<string>();
    const out: Scalar[] = [];
    for (const v of value as readonly Scalar[]) {
      const key = `${typeof v}:${comparableText(v)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(v);
    }
    return out;
  },
};
