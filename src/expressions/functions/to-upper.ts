/**
 * ToUpper — "Takes a source string value and converts it to upper case using the culture rules that are
 * specified. If there's no culture info specified, then it uses Invariant culture."
 */
import { resolveCulture, upperCase } from '../case-mapping.ts';
import { mapText, singleText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const toUpper: ExpressionFunction = {
  name: 'ToUpper',
  summary: 'Converts a string to upper case, with invariant or the given culture\'s rules.',
  syntax: 'ToUpper(source[, culture])',
  semantics:
    'Each character maps to one character, as in .NET: "ß" stays "ß" (JavaScript would make it "SS"). With ' +
    '`tr-TR` or `az` "i" becomes "İ". NULL stays NULL; multi-valued sources are converted value by value.',
  parameters: [
    { name: 'source', description: 'Usually the name of the attribute from the source object.', required: true },
    { name: 'culture', description: 'RFC 4646 culture name such as "en-US" or "tr-TR"; default invariant.', required: false },
  ],
  minArgs: 1,
  maxArgs: 2,
  examples: [
    { expression: 'ToUpper([countryCode])', attributes: { countryCode: 'nz' }, result: 'NZ' },
    { expression: 'ToUpper("istanbul", "tr-TR")', result: 'İSTANBUL' },
    { expression: 'ToUpper("istanbul")', result: 'ISTANBUL' },
    { expression: 'ToUpper("Straße")', result: 'STRAßE' },
  ],
  evaluate([source, culture]) {
    const locale = resolveCulture('ToUpper', singleText('ToUpper', 'culture', culture ?? null));
    return mapText('ToUpper', source ?? null, (text) => upperCase(text, locale));
  },
};
