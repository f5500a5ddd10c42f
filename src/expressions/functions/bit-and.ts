/**
 * BitAnd — "This function converts both parameters to the binary representation and sets a bit to: 0 - if
 * one or both of the corresponding bits in value1 and value2 are 0; 1 - if both of the corresponding bits
 * are 1." Example: `BitAnd(&HF, &HF7)` returns 7.
 */
import { bigIntegerOf } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

export const bitAnd: ExpressionFunction = {
  name: 'BitAnd',
  summary: 'Bitwise AND of two integers.',
  syntax: 'BitAnd(value1, value2)',
  semantics:
    'Both values may be numbers, `&H` hex literals or integer text (userAccountControl often arrives as text). ' +
    'Works on the full 64-bit range; negative values are two\'s complement. A missing value is an error, because ' +
    'treating it as 0 would silently turn flags off.',
  parameters: [
    { name: 'value1', type: 'integer', description: 'Numeric value that should be AND\'ed with value2.', required: true },
    { name: 'value2', type: 'integer', description: 'Numeric value that should be AND\'ed with value1.', required: true },
  ],
  minArgs: 2,
  maxArgs: 2,
  examples: [
    { expression: 'BitAnd(&HF, &HF7)', result: 7 },
    { expression: 'BitAnd([userAccountControl], 2)', attributes: { userAccountControl: '514' }, result: 2, note: 'the ACCOUNTDISABLE bit of a disabled account' },
    { expression: 'BitAnd([userAccountControl], 2) = 0', attributes: { userAccountControl: 512 }, result: true, note: 'accountEnabled' },
    { expression: 'BitAnd([userAccountControl], 2)', attributes: {}, result: { error: 'ERR_EXPR_EVALUATION' } },
  ],
  evaluate([value1, value2]) {
    const result = bigIntegerOf('BitAnd', 'value1', value1 ?? null) & bigIntegerOf('BitAnd', 'value2', value2 ?? null);
    return result >= SAFE_MIN && result <= SAFE_MAX ? Number(result) : result;
  },
};
