/**
 * ToLower — "Takes a source string value and converts it to lower case using the culture rules that are
 * specified. If there's no culture info specified, then it uses Invariant culture." culture: "The format for
 * the culture name based on RFC 4646 is languagecode2-country/regioncode2 … Examples include ja-JP … and
 * en-US".
 */
import { lowerCase, resolveCulture } from '../case-mapping.ts';
import { mapText, singleText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const toLower: ExpressionFunction = {
  name: 'ToLower',
  summary: 'Converts a string to lower case, with invariant or the given culture\'s rules.',
  syntax: 'ToLower(source[, culture])',
  semantics:
    'Each character maps to one character, as in .NET (no "ß"-style expansions). With `tr-TR` or `az` "I" becomes ' +
    '"ı". NULL stays NULL; multi-valued sources are converted value by value. An unknown culture name is an error.',
  parameters: [
    { name: 'source', description: 'Usually the name of the attribute from the source object.', required: true },
    { name: 'culture', description: 'RFC 4646 culture name such as "en-US" or "tr-TR"; default invariant.', required: false },
  ],
  minArgs: 1,
  maxArgs: 2,
  examples: [
    {
      expression: 'ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))',
      attributes: { PreferredFirstName: 'John', PreferredLastName: 'Smith' },
      result: 'john.smith@contoso.com',
    },
    { expression: 'ToLower([mail])', attributes: { mail: 'John.Doe@Contoso.COM' }, result: 'john.doe@contoso.com' },
    { expression: 'ToLower("ISTANBUL", "tr-TR")', result: 'ıstanbul' },
    { expression: 'ToLower("İSTANBUL")', result: 'istanbul' },
    { expression: 'ToLower([proxyAddresses])', attributes: { proxyAddresses: ['SMTP:A@X.COM', 'smtp:B@X.COM'] }, result: ['smtp:a@x.com', 'smtp:b@x.com'] },
    { expression: 'ToLower("A", "not a culture!")', result: { error: 'ERR_EXPR_EVALUATION' } },
  ],
  evaluate([source, culture]) {
    const locale = resolveCulture('ToLower', singleText('ToLower', 'culture', culture ?? null));
    return mapText('ToLower', source ?? null, (text) => lowerCase(text, locale));
  },
};
