/**
 * PCase — "converts the first character of each word in a string to upper case, and all other characters
 * are converted to lower case." Without wordSeparators, .NET ToTitleCase's separators apply: "Space
 * character; New line character; Control characters like CRLF; Format control characters;
 * ConnectorPunctuation …; DashPunctuation …; OpenPunctuation and ClosePunctuation …; InitialQuotePunctuation
 * and FinalQuotePunctuation …; OtherPunctuation …; MathSymbol …; CurrencySymbol …; ModifierSymbol …;
 * OtherSymbol …". "If the wordSeparators parameter is specified, then PCase only uses the characters
 * specified as word separators."
 */
import { mapText, singleText } from '../coerce.ts';
import { lowerChar, upperChar } from '../case-mapping.ts';
import type { ExpressionFunction } from '../function-definition.ts';

const DEFAULT_SEPARATOR = /^[\p{Z}\s\p{Cc}\p{Cf}\p{Pc}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{Sm}\p{Sc}\p{Sk}\p{So}]$/u;

export function properCase(text: string, isSeparator: (ch: string) => boolean): string {
  let out = '';
  let inWord = false;
  for (const ch of text) {
    if (isSeparator(ch)) {
      out += ch;
      inWord = false;
    } else if (inWord) {
      out += lowerChar(ch);
    } else {
      out += upperChar(ch);
      inWord = true;
    }
  }
  return out;
}

export const pCase: ExpressionFunction = {
  name: 'PCase',
  summary: 'Converts the first character of each word to upper case and all other characters to lower case.',
  syntax: 'PCase(source[, wordSeparators])',
  semantics:
    'Words are separated by white space, control and format characters, punctuation and symbols (the Unicode ' +
    'categories listed by Microsoft), or only by the characters of wordSeparators when it is given. Casing is ' +
    'invariant-culture. Unlike plain .NET ToTitleCase, words in capitals are not kept as acronyms, matching ' +
    'Microsoft\'s examples. NULL stays NULL; multi-valued sources are converted value by value.',
  parameters: [
    { name: 'source', description: 'Value to convert to proper case.', required: true },
    { name: 'wordSeparators', description: 'Characters that separate words (example: " ,-\'").', required: false },
  ],
  minArgs: 1,
  maxArgs: 2,
  examples: [
    { expression: 'PCase([firstName])', attributes: { firstName: 'PABLO GONSALVES (SECOND)' }, result: 'Pablo Gonsalves (Second)' },
    { expression: 'PCase([lastName]," \'-")', attributes: { lastName: 'PINTO-DE\'SILVA' }, result: 'Pinto-De\'Silva' },
    { expression: 'PCase(Join(" ",[firstName],[lastName]))', attributes: { firstName: 'GREGORY', lastName: 'JAMES' }, result: 'Gregory James' },
    { expression: 'PCase("mary-ann o\'neil", " ")', result: 'Mary-ann O\'neil' },
    { expression: 'PCase("élodie ÇELIK")', result: 'Élodie Çelik' },
  ],
  evaluate([source, wordSeparators]) {
    const separators = singleText('PCase', 'wordSeparators', wordSeparators ?? null);
    if (separators === null) return mapText('PCase', source ?? null, (text) => properCase(text, (ch) => DEFAULT_SEPARATOR.test(ch)));
    const set = new Set(Array.from(separators));
    return mapText('PCase', source ?? null, (text) => properCase(text, (ch) => set.has(ch)));
  },
};
