/**
 * Left — "returns a specified number of characters from the left of a string. If numChars = 0, return empty
 * string. If numChars < 0, return input string. If string is null, return empty string. If string contains
 * fewer characters than the number specified in numChars, a string identical to string … is returned."
 */
import { integerOf, mapText } from '../coerce.ts';
import { sliceCodePoints } from '../code-points.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const left: ExpressionFunction = {
  name: 'Left',
  summary: 'Returns the first numChars characters of a string.',
  syntax: 'Left(string, numChars)',
  semantics: 'numChars = 0 gives "", numChars < 0 gives the whole string, NULL gives "". A multi-valued string is cut value by value.',
  parameters: [
    { name: 'string', description: 'The string to return characters from.', required: true },
    { name: 'numChars', type: 'integer', description: 'How many characters to return from the beginning (left) of the string.', required: true },
  ],
  minArgs: 2,
  maxArgs: 2,
  examples: [
    { expression: 'Left("John Doe", 3)', result: 'Joh' },
    { expression: 'Left("John Doe", 0)', result: '' },
    { expression: 'Left("John Doe", -1)', result: 'John Doe' },
    { expression: 'Left("Jo", 5)', result: 'Jo' },
    { expression: 'Left([missing], 3)', result: '' },
    { expression: 'Left("😀😁😂", 2)', result: '😀😁', note: 'characters, not UTF-16 units' },
  ],
  deviation: 'Counts characters (code points) rather than UTF-16 code units, so characters outside the BMP are never cut in half.',
  evaluate([string, numChars]) {
    const n = integerOf('Left', 'numChars', numChars ?? null);
    const value = string ?? null;
    if (value === null) return '';
    return mapText('Left', value, (text) => (n < 0 ? text : sliceCodePoints(text, 0, n)));
  },
};
