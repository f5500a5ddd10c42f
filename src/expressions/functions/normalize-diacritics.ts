/**
 * NormalizeDiacritics — "Requires one string argument. Returns the string, but with any diacritical
 * characters replaced with equivalent nondiacritical characters. Typically used to convert first names and
 * last names containing diacritical characters (accent marks) into legal values that can be used in various
 * user identifiers such as user principal names, SAM account names, and email addresses."
 * The replacement table is in ../diacritics.ts, verbatim.
 */
import { mapText } from '../coerce.ts';
import { normalizeDiacritics as replaceDiacritics } from '../diacritics.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const normalizeDiacritics: ExpressionFunction = {
  name: 'NormalizeDiacritics',
  summary: 'Replaces accented characters with unaccented ones (ä → a, æ → ae, ø → oe, ß → ss, …).',
  syntax: 'NormalizeDiacritics(source)',
  semantics:
    'Uses exactly Microsoft\'s documented table: every listed character maps to its listed replacement ' +
    '(Å → A, Æ → AE, ø → oe, ß → ss, ı → i, ł → l, …), whether the input is precomposed (NFC) or decomposed ' +
    '(NFD). Characters the table does not list, including œ, đ and þ, are left as they are. A multi-valued ' +
    'value converts each value; a missing value stays missing.',
  parameters: [{ name: 'source', description: 'Usually a first name or last name attribute.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'NormalizeDiacritics([givenName])', attributes: { givenName: 'Zoë' }, result: 'Zoe' },
    { expression: 'NormalizeDiacritics([sn])', attributes: { sn: 'Łukasz Øster-Bäßler' }, result: 'Lukasz OEster-Bassler' },
    {
      expression: 'ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))',
      attributes: { PreferredFirstName: 'John', PreferredLastName: 'Smith' },
      result: 'john.smith@contoso.com',
    },
    { expression: 'NormalizeDiacritics([givenName])', attributes: {}, result: null },
  ],
  evaluate([source]) {
    return mapText('NormalizeDiacritics', source ?? null, replaceDiacritics);
  },
};
