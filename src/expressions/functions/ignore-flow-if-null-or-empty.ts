/**
 * IgnoreFlowIfNullOrEmpty — "instructs the provisioning service to ignore the attribute and drop it from the
 * flow if the enclosed function or attribute is NULL or empty."
 */
import { isNullOrEmpty } from '../coerce.ts';
import { IGNORE_FLOW, type ExpressionFunction } from '../function-definition.ts';

export const ignoreFlowIfNullOrEmpty: ExpressionFunction = {
  name: 'IgnoreFlowIfNullOrEmpty',
  summary: 'Drops the target attribute from the flow when the enclosed expression is NULL or empty.',
  syntax: 'IgnoreFlowIfNullOrEmpty(expression)',
  semantics:
    'When the value is NULL, "" or a multi-valued value of only empty strings, the whole mapping produces no value ' +
    'and the target attribute is left as it is (not cleared). Otherwise the value flows unchanged. If it is nested ' +
    'inside another function, the whole expression is dropped.',
  parameters: [{ name: 'expression', description: 'Expression to be evaluated.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'IgnoreFlowIfNullOrEmpty([department])', attributes: {}, result: { ignoreFlow: true } },
    { expression: 'IgnoreFlowIfNullOrEmpty([department])', attributes: { department: 'Sales' }, result: 'Sales' },
    {
      expression: 'IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))',
      attributes: { prefix: '9999' },
      result: { ignoreFlow: true },
    },
    {
      expression: 'IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))',
      attributes: { prefix: '3444' },
      result: 'Prof.',
    },
  ],
  evaluate([expression]) {
    const value = expression ?? null;
    return isNullOrEmpty(value) ? IGNORE_FLOW : value;
  },
};
