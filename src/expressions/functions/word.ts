/**
 * Word — "returns a word contained within a string, based on parameters describing the delimiters to use and
 * the word number to return. Each string of characters in string separated by the one of the characters in
 * delimiters are identified as words: If number < 1, returns empty string. If string is null, returns empty
 * string. If string contains less than number words, or string doesn't contain any words identified by
 * delimiters, an empty string is returned." `Word("The quick brown fox",3," ")` is "brown";
 * `Word("This,string!has&many separators",3,",!&#")` is "has".
 */
import { integerOf, mapText, singleText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const word: ExpressionFunction = {
  name: 'Word',
  summary: 'Returns the n-th word (1-based) of a string, words being separated by any of the delimiter characters.',
  syntax: 'Word(string, wordNumber, delimiters)',
  semantics:
    'Runs of delimiters count as one separation (no empty words). wordNumber < 1, a NULL string, or too few words ' +
    'give "". A multi-valued string gives the word of each value.',
  parameters: [
    { name: 'string', description: 'String to return a word from.', required: true },
    { name: 'wordNumber', type: 'integer', description: 'Which word to return; the first is 1.', required: true },
    { name: 'delimiters', description: 'The characters that separate words.', required: true },
  ],
  minArgs: 3,
  maxArgs: 3,
  examples: [
    { expression: 'Word("The quick brown fox",3," ")', result: 'brown' },
    { expression: 'Word("This,string!has&many separators",3,",!&#")', result: 'has' },
    { expression: 'Word("a  b", 2, " ")', result: 'b' },
    { expression: 'Word("a b", 0, " ")', result: '' },
    { expression: 'Word("a b", 3, " ")', result: '' },
    { expression: 'Word([missing], 1, " ")', result: '' },
  ],
  evaluate([string, wordNumber, delimiters]) {
    const n = integerOf('Word', 'wordNumber', wordNumber ?? null);
    const separators = new Set(Array.from(singleText('Word', 'delimiters', delimiters ?? null) ?? ''));
    const value = string ?? null;
    if (value === null || n < 1) return '';
    return mapText('Word', value, (text) => {
      let index = 0;
      let current = '';
      for (const ch of text) {
        if (separators.has(ch)) {
          if (current !== '') {
            if (++index === n) return current;
            current = '';
          }
        } else {
          current += ch;
        }
      }
      if (current !== '' && ++index === n) return current;
      return '';
    });
  },
};
