/**
 * Guid — "The function Guid generates a new random GUID." Sample output: "00aa00aa-bb11-cc22-dd33-44ee44ee44ee".
 *
 * RFC 9562 §5.4 (UUID version 4): "random_a/b/c: The three fields … set to random bits"; "ver: The 4-bit
 * version field … set to 0b0100"; "var: The 2-bit variant field … set to 10". Lower case, as .NET's
 * Guid.ToString() writes it.
 */
import type { ExpressionFunction } from '../function-definition.ts';

export const guid: ExpressionFunction = {
  name: 'Guid',
  summary: 'A new random GUID (UUID version 4).',
  syntax: 'Guid()',
  semantics:
    'Lower-case hexadecimal in the 8-4-4-4-12 form. Randomness comes from the evaluation context: ' +
    'cryptographically strong in the service, seeded (and therefore repeatable) in tests and these examples.',
  parameters: [],
  minArgs: 0,
  maxArgs: 0,
  examples: [
    { expression: 'Guid()', result: '00aa00aa-bb11-4c22-9d33-44ee44ee44ee', resultPattern: '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}', note: 'random; version 4, lower case' },
  ],
  evaluate(_args, context) {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = context.randomInt(256);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};
