/**
 * StripSpaces — "Removes all space (" ") characters from the source string."
 */
import { mapText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const stripSpaces: ExpressionFunction = {
  name: 'StripSpaces',
  summary: 'Removes all space (" ") characters from the source string.',
  syntax: 'StripSpaces(source)',
  semantics: 'Only U+0020 is removed; tabs and other white space stay (use Replace for those). NULL stays NULL; multi-valued sources are stripped value by value.',
  parameters: [{ name: 'source', description: 'Value to update.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'StripSpaces("John Van Der Berg")', result: 'JohnVanDerBerg' },
    { expression: 'StripSpaces(Join(".", [givenName], [sn]))', attributes: { givenName: 'Mary Ann', sn: 'de la Cruz' }, result: 'MaryAnn.delaCruz' },
    { expression: 'StripSpaces([missing])', result: null },
  ],
  evaluate([source]) {
    return mapText('StripSpaces', source ?? null, (text) => (text.includes(' ') ? text.replaceAll(' ', '') : text));
  },
};
