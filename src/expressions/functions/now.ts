/**
 * Now — "The Now function returns a string representing the current UTC DateTime in the format
 * M/d/yyyy h:mm:ss tt." Example value returned: "7/2/2021 3:33:38 PM".
 */
import type { ExpressionFunction } from '../function-definition.ts';

export const now: ExpressionFunction = {
  name: 'Now',
  summary: 'The current UTC date and time.',
  syntax: 'Now()',
  semantics:
    'Returns a DateTime, shown as `M/d/yyyy h:mm:ss tt` in UTC. The clock is the evaluation context\'s, so ' +
    'provisioning on demand, tests and these examples can fix it.',
  parameters: [],
  minArgs: 0,
  maxArgs: 0,
  examples: [
    { expression: 'Now()', context: { now: '2021-07-02T15:33:38Z' }, result: '7/2/2021 3:33:38 PM' },
  ],
  evaluate(_args, context) {
    const current = context.now();
    if (!(current instanceof Date) || Number.isNaN(current.getTime())) throw new TypeError('EvaluationContext.now() returned an invalid Date');
    return new Date(current.getTime());
  },
};
