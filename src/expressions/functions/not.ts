/**
 * Not — "Flips the boolean value of the source. If source value is True, returns False. Otherwise, returns
 * True." "Expected source values are "True" or "False"."
 */
import { truthOf } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const not: ExpressionFunction = {
  name: 'Not',
  summary: 'Returns False when the source is True, otherwise True.',
  syntax: 'Not(source)',
  semantics: 'The source is True when it is the Boolean True, the text "True" in any case, or a non-zero number. Anything else, NULL included, gives True.',
  parameters: [{ name: 'source', description: 'Expected values are "True" or "False".', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'Not("True")', result: false },
    { expression: 'Not("False")', result: true },
    { expression: 'Not(IsPresent([mail]))', attributes: { mail: 'a@contoso.com' }, result: false },
    { expression: 'Not([missing])', result: true },
    { expression: 'Not("banana")', result: true },
  ],
  evaluate([source]) {
    return truthOf(source ?? null) !== true;
  },
};
