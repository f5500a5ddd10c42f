/**
 * Join — "Join() is similar to Append(), except that it can combine multiple source string values into a
 * single string, and each value is separated by a separator string. If one of the source values is a
 * multi-value attribute, then every value in that attribute is joined together, separated by the separator
 * value." Example: `Join(", ", "", [surname], [givenName])` gives "Doe, John".
 */
import { singleText, textOf } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';
import type { Scalar } from '../value.ts';

export const join: ExpressionFunction = {
  name: 'Join',
  summary: 'Joins source values with a separator; multi-valued sources contribute every value.',
  syntax: 'Join(separator, source1, source2, …)',
  semantics:
    'NULL and empty sources are skipped, so no doubled or dangling separators appear (Microsoft\'s example ' +
    '`Join(", ", "", [surname], [givenName])` gives "Doe, John"). When every source is NULL the result is NULL; ' +
    'when all present sources are empty it is "".',
  parameters: [
    { name: 'separator', description: 'String placed between values. Can be "".', required: true },
    { name: 'source', description: 'Values to join; repeat as often as needed.', required: true, variadic: true },
  ],
  minArgs: 2,
  maxArgs: Infinity,
  examples: [
    { expression: 'Join(" ", [givenName], [sn])', attributes: { givenName: 'John', sn: 'Doe' }, result: 'John Doe' },
    { expression: 'Join(", ", "", [surname], [givenName])', attributes: { givenName: 'John', surname: 'Doe' }, result: 'Doe, John' },
    { expression: 'Join(";", [proxyAddresses], [mail])', attributes: { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com'], mail: 'c@contoso.com' }, result: 'SMTP:a@contoso.com;smtp:b@contoso.com;c@contoso.com' },
    { expression: 'Join("@", NormalizeDiacritics(StripSpaces(Join(".", [PreferredFirstName], [PreferredLastName]))), "contoso.com")', attributes: { PreferredFirstName: 'John', PreferredLastName: 'Smith' }, result: 'John.Smith@contoso.com' },
    { expression: 'Join("", 1000, "42")', result: '100042' },
    {
      expression: 'Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))',
      attributes: { objectId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' },
      result: '100030306161303061612626231312636332322646433332343465653434656534346565',
      note: 'Microsoft\'s example; its published output was computed from a different object ID',
    },
    { expression: 'Join(" ", [givenName], [sn])', attributes: {}, result: null },
  ],
  evaluate(args) {
    const separator = singleText('Join', 'separator', args[0] ?? null) ?? '';
    let out = '';
    let first = true;
    let sawValue = false;
    for (let i = 1; i < args.length; i++) {
      const value = args[i];
      if (value === null || value === undefined) continue;
      sawValue = true;
      if (Array.isArray(value)) {
        for (const v of value) {
          const text = textOf('Join', v as Scalar);
          if (text === '') continue;
          out = first ? text : out + separator + text;
          first = false;
        }
      } else {
        const text = textOf('Join', value as Scalar);
        if (text === '') continue;
        out = first ? text : out + separator + text;
        first = false;
      }
    }
    return sawValue ? out : null;
  },
};
