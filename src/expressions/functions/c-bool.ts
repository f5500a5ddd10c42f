/**
 * CBool — "returns a Boolean based on the evaluated expression. If the expression evaluates to a non-zero
 * value, then CBool returns True, else it returns False."
 */
import { describeValue, truthOf } from '../coerce.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';

export const cBool: ExpressionFunction = {
  name: 'CBool',
  summary: 'Returns a Boolean based on the evaluated expression: True for non-zero, else False.',
  syntax: 'CBool(expression)',
  semantics:
    'Booleans are themselves; numbers and numeric text are True when non-zero; the text "True"/"False" in any case ' +
    'is that boolean; a missing value or empty text is False. Any other text is an error.',
  parameters: [{ name: 'expression', description: 'Any valid expression.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'CBool([attribute1] = [attribute2])', attributes: { attribute1: 'Sales', attribute2: 'Sales' }, result: true },
    { expression: 'CBool([attribute1] = [attribute2])', attributes: { attribute1: 'Sales', attribute2: 'sales' }, result: false },
    { expression: 'CBool(BitAnd([userAccountControl], 2))', attributes: { userAccountControl: 514 }, result: true },
    { expression: 'CBool("false")', result: false },
    { expression: 'CBool([missing])', result: false },
    { expression: 'CBool("maybe")', result: { error: 'ERR_EXPR_EVALUATION' } },
  ],
  deviation: 'A missing value is False instead of failing the object.',
  evaluate([expression]) {
    const truth = truthOf(expression ?? null);
    if (truth === undefined) throw evaluationError('CBool', `cannot convert ${describeValue(expression ?? null)} to a Boolean`);
    return truth;
  },
};
