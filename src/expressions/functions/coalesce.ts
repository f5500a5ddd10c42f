/**
 * Coalesce — "Returns the first source value that isn't NULL. If all arguments are NULL and defaultValue is
 * present, the defaultValue is returned. If all arguments are NULL and defaultValue isn't present, Coalesce
 * returns NULL."
 */
import type { ExpressionFunction } from '../function-definition.ts';

export const coalesce: ExpressionFunction = {
  name: 'Coalesce',
  summary: 'Returns the first source value that is not NULL; otherwise the default value; otherwise NULL.',
  syntax: 'Coalesce(source1, source2, …, defaultValue)',
  semantics:
    'Arguments are evaluated left to right and only until one is not NULL, so an Error() after the first present ' +
    'value never fires. An empty string is a value (it is not NULL); use IIF with IsNullOrEmpty to skip empties.',
  parameters: [
    { name: 'source', description: 'Usually the name of an attribute from the source object; repeat as often as needed.', required: true, variadic: true },
    { name: 'defaultValue', description: 'Used when all sources are NULL. Can be "".', required: false },
  ],
  minArgs: 1,
  maxArgs: Infinity,
  lazy: true,
  examples: [
    { expression: 'Coalesce([mail],[userPrincipalName])', attributes: { userPrincipalName: 'John.Doe@contoso.com' }, result: 'John.Doe@contoso.com' },
    { expression: 'Coalesce([mail], [otherMail], "none")', attributes: {}, result: 'none' },
    { expression: 'Coalesce([mail], [otherMail])', attributes: {}, result: null },
    { expression: 'Coalesce([mail], Error("no mail"))', attributes: { mail: 'a@contoso.com' }, result: 'a@contoso.com' },
  ],
  evaluate(args) {
    for (const arg of args) {
      const value = arg();
      if (value !== null) return value;
    }
    return null;
  },
};
