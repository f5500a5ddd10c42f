/**
 * IIF — "The IIF function returns one of a set of possible values based on a specified condition."
 * `IIF(condition, valueIfTrue, valueIfFalse)`; "condition: Any value or expression that can be evaluated to
 * true or false." Comparison operators `=`, `<>`, `>`, `>=`, `<`, `<=` can be used in the condition.
 */
import { describeValue, truthOf } from '../coerce.ts';
import { evaluationError, type ExpressionFunction, type Thunk } from '../function-definition.ts';

export const iif: ExpressionFunction = {
  name: 'IIF',
  summary: 'Returns one of two values depending on a condition.',
  syntax: 'IIF(condition, valueIfTrue, valueIfFalse)',
  semantics:
    'Only the chosen branch is evaluated. The condition is a comparison or anything with a truth value (see CBool); ' +
    'a NULL condition is False. There is no AND/OR: nest IIF along the true path for AND, along the false path for OR.',
  parameters: [
    { name: 'condition', description: 'Any value or expression that can be evaluated to true or false.', required: true },
    { name: 'valueIfTrue', description: 'Returned when the condition is true.', required: true },
    { name: 'valueIfFalse', description: 'Returned when the condition is false.', required: true },
  ],
  minArgs: 3,
  maxArgs: 3,
  lazy: true,
  examples: [
    { expression: 'IIF([country]="USA",[country],[department])', attributes: { country: 'USA', department: 'Sales' }, result: 'USA' },
    { expression: 'IIF([country]="USA",[country],[department])', attributes: { country: 'France', department: 'Sales' }, result: 'Sales' },
    { expression: 'IIF([employeeType]="Intern","t-" & [alias],[alias])', attributes: { employeeType: 'Intern', alias: 'jdoe' }, result: 't-jdoe' },
    { expression: 'IIF([country]="USA",IIF([state]="CA","True","False"),"False")', attributes: { country: 'USA', state: 'CA' }, result: 'True' },
    { expression: 'IIF([country]="",  "Other", [country])', attributes: {}, result: 'Other', note: 'unsupported in Entra; works here' },
    { expression: 'IIF(IsPresent([country]),[country],"Other")', attributes: { country: '' }, result: 'Other', note: 'unsupported in Entra; works here' },
  ],
  deviation:
    'Entra documents that "If the source attribute used within the IIF function is empty or null, the condition check ' +
    'fails", so `IIF([country]="","Other",[country])` and `IIF(IsPresent([country]),…)` do not work there. Here a NULL ' +
    'compares as "" and IsPresent/IsNullOrEmpty conditions work, so the Switch workaround is unnecessary.',
  evaluate([condition, valueIfTrue, valueIfFalse]) {
    const value = (condition as Thunk)();
    const truth = truthOf(value);
    if (truth === undefined) throw evaluationError('IIF', `the condition ${describeValue(value)} is neither true nor false`);
    return truth ? (valueIfTrue as Thunk)() : (valueIfFalse as Thunk)();
  },
};
