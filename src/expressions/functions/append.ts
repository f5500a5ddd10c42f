/**
 * Append — "Takes a source string value and appends the suffix to the end of it." (Microsoft Entra
 * expression reference)
 */
import { mapText, singleText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const append: ExpressionFunction = {
  name: 'Append',
  summary: 'Takes a source string value and appends the suffix to the end of it.',
  syntax: 'Append(source, suffix)',
  semantics:
    'A missing source counts as the empty string, as in `&` concatenation, so the result is the suffix. ' +
    'A multi-valued source gets the suffix appended to each value.',
  parameters: [
    { name: 'source', description: 'Usually the name of the attribute from the source object.', required: true },
    { name: 'suffix', description: 'The string to append to the end of the source value.', required: true },
  ],
  minArgs: 2,
  maxArgs: 2,
  examples: [
    { expression: 'Append([userPrincipalName], ".test")', attributes: { userPrincipalName: 'John.Doe@contoso.com' }, result: 'John.Doe@contoso.com.test' },
    { expression: 'Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))', attributes: { givenName: 'John', surname: 'Doe' }, result: 'JohDoe' },
    { expression: 'Append([proxyAddresses], ";")', attributes: { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com'] }, result: ['SMTP:a@contoso.com;', 'smtp:b@contoso.com;'] },
    { expression: 'Append([missing], "-x")', result: '-x' },
  ],
  evaluate([source, suffix]) {
    const tail = singleText('Append', 'suffix', suffix ?? null) ?? '';
    if (source === null || source === undefined) return tail;
    return mapText('Append', source, (text) => text + tail);
  },
};
