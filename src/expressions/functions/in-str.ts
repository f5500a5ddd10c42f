/**
 * InStr — "The InStr function finds the first occurrence of a substring in a string." "Returns the position
 * where the substring was found or 0 if not found." Syntax: `InStr(stringcheck, stringmatch[, start[,
 * compare]])`, compare being vbTextCompare or vbBinaryCompare. `InStr("The quick brown fox","quick")` is 5;
 * `InStr("repEated","e",3,vbBinaryCompare)` is 7.
 */
import { integerOf, singleText } from '../coerce.ts';
import { codePointLength, indexOfCodePoints } from '../code-points.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';

const COMPARE_TYPES = ['vbBinaryCompare', 'vbTextCompare'] as const;

export const inStr: ExpressionFunction = {
  name: 'InStr',
  summary: 'Returns the 1-based position of the first occurrence of a substring, or 0 if it is not found.',
  syntax: 'InStr(value1, value2[, start[, compareType]])',
  semantics:
    'Positions count characters from 1. The search begins at `start` (default 1). `vbBinaryCompare` (the default) is ' +
    'case-sensitive, `vbTextCompare` ignores case. An empty value2 is found at `start`. A missing value1 gives 0.',
  parameters: [
    { name: 'value1', description: 'String to be searched.', required: true },
    { name: 'value2', description: 'String to be found.', required: true },
    { name: 'start', type: 'integer', description: 'Starting position (1-based) of the search.', required: false },
    { name: 'compareType', description: 'How to compare.', required: false, enumValues: COMPARE_TYPES },
  ],
  minArgs: 2,
  maxArgs: 4,
  examples: [
    { expression: 'InStr("The quick brown fox","quick")', result: 5 },
    { expression: 'InStr("repEated","e",3,vbBinaryCompare)', result: 7 },
    { expression: 'InStr("repEated","e",3,vbTextCompare)', result: 4 },
    { expression: 'InStr([mail], "@")', attributes: {}, result: 0 },
    { expression: 'InStr("ab", "x")', result: 0 },
  ],
  evaluate([value1, value2, start, compareType]) {
    const from = start === null || start === undefined ? 1 : integerOf('InStr', 'start', start);
    if (from < 1) throw evaluationError('InStr', `start must be 1 or more, got ${from}`);
    const given = singleText('InStr', 'compareType', compareType ?? null) ?? 'vbBinaryCompare';
    const compare = COMPARE_TYPES.find((type) => type.toLowerCase() === given.toLowerCase());
    if (compare === undefined) {
      throw evaluationError('InStr', `compareType must be vbBinaryCompare or vbTextCompare, got ${JSON.stringify(given)}`);
    }
    const haystack = singleText('InStr', 'value1', value1 ?? null);
    const needle = singleText('InStr', 'value2', value2 ?? null) ?? '';
    if (haystack === null) return 0;
    if (from > codePointLength(haystack) + 1) return 0;
    return indexOfCodePoints(haystack, needle, from - 1, compare === 'vbTextCompare') + 1;
  },
};
