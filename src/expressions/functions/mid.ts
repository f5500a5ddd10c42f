/**
 * Mid — "Returns a substring of the source value." "start: Index in the source string where substring should
 * start. First character in the string has an index of 1" "length: Length of the substring. If length ends
 * outside the source string, function returns substring from start index until end of source string."
 */
import { integerOf, mapText } from '../coerce.ts';
import { sliceCodePoints } from '../code-points.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';

export const mid: ExpressionFunction = {
  name: 'Mid',
  summary: 'Returns the substring of `length` characters starting at the 1-based position `start`.',
  syntax: 'Mid(source, start, length)',
  semantics:
    'A start beyond the end gives "". Without a length (as in Connect Sync\'s `Mid(x, 6)`) the rest of the string is ' +
    'returned. start < 1 or length < 0 is an error. NULL stays NULL; a multi-valued source is cut value by value.',
  parameters: [
    { name: 'source', description: 'Usually the name of the attribute.', required: true },
    { name: 'start', type: 'integer', description: 'Position where the substring starts; the first character is 1.', required: true },
    { name: 'length', type: 'integer', description: 'Length of the substring; clipped at the end of the source.', required: false },
  ],
  minArgs: 2,
  maxArgs: 3,
  examples: [
    { expression: 'Mid([givenName], 1, 3)', attributes: { givenName: 'John' }, result: 'Joh' },
    { expression: 'Mid("John Doe", 6, 10)', result: 'Doe' },
    { expression: 'Mid("SMTP:a@contoso.com", 6)', result: 'a@contoso.com' },
    { expression: 'Mid("abc", 9, 2)', result: '' },
    { expression: 'Mid("abc", 0, 2)', result: { error: 'ERR_EXPR_EVALUATION' } },
    { expression: 'Mid([missing], 1, 2)', result: null },
  ],
  deviation: 'length is optional (Connect Sync\'s form); positions count characters (code points), not UTF-16 units.',
  evaluate([source, start, length]) {
    const from = integerOf('Mid', 'start', start ?? null);
    if (from < 1) throw evaluationError('Mid', `start must be 1 or more, got ${from}`);
    const count = length === null || length === undefined ? Infinity : integerOf('Mid', 'length', length);
    if (count < 0) throw evaluationError('Mid', `length must not be negative, got ${count}`);
    return mapText('Mid', source ?? null, (text) => sliceCodePoints(text, from - 1, from - 1 + count));
  },
};
