/**
 * Switch — "When source value matches a key, returns value for that key. If source value doesn't match any
 * keys, returns defaultValue. Key and value parameters must always come in pairs. The function always
 * expects an even number of parameters." "Switch function performs a case-sensitive string comparison of
 * the source and key values." "Example: `Switch([statusFlag], "Default Value", "true", "1", "", "0")`. In
 * this example, if the source attribute statusFlag is empty, the Switch function returns the value 0."
 */
import { describeValue, scalarText } from '../coerce.ts';
import { evaluationError, type ExpressionFunction, type Thunk } from '../function-definition.ts';
import type { Scalar, Value } from '../value.ts';

function keyText(value: Value, role: string): string {
  if (value === null) return '';
  const scalar = Array.isArray(value) ? (value.length === 1 ? (value[0] as Scalar) : undefined) : (value as Scalar);
  const text = scalar === undefined ? undefined : scalarText(scalar);
  if (text === undefined) throw evaluationError('Switch', `the ${role} must be a single text value, got ${describeValue(value)}`);
  return text;
}

export const switchFunction: ExpressionFunction = {
  name: 'Switch',
  summary: 'Returns the value paired with the first key equal to the source, or the default value.',
  syntax: 'Switch(source, defaultValue, key1, value1, key2, value2, …)',
  semantics:
    'Keys are compared with the source case-sensitively, as text (a Boolean source matches the key "True"). A NULL ' +
    'source matches the key "" (so `""` is the way to test for a missing value, rather than IsPresent in the ' +
    'source). Keys are evaluated in order and only until one matches; only the chosen value is evaluated. An empty ' +
    'defaultValue (`Switch([x], , …)`) means NULL.',
  parameters: [
    { name: 'source', description: 'Value to check.', required: true },
    { name: 'defaultValue', description: 'Used when the source matches no key. Can be "".', required: false },
    { name: 'key', description: 'Key to compare the source with.', required: true, variadic: true },
    { name: 'value', description: 'Returned when the source matches the key before it.', required: true, variadic: true },
  ],
  minArgs: 4,
  maxArgs: Infinity,
  lazy: true,
  checkArgumentCount: (count) =>
    count % 2 === 0 ? undefined : `needs source, defaultValue and key/value pairs (an even number of arguments), got ${count}`,
  examples: [
    {
      expression: 'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")',
      attributes: { state: 'QLD' },
      result: 'Australia/Brisbane',
    },
    {
      expression: 'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")',
      attributes: { state: 'qld' },
      result: 'Australia/Sydney',
      note: 'keys are case-sensitive',
    },
    { expression: 'Switch([statusFlag], "Default Value", "true", "1", "", "0")', attributes: {}, result: '0' },
    { expression: 'Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")', attributes: { statusFlag: 'TRUE' }, result: '1' },
    { expression: 'Switch([country],[country],"","Other")', attributes: {}, result: 'Other' },
    { expression: 'Switch([country],[country],"","Other")', attributes: { country: 'Norway' }, result: 'Norway' },
    { expression: 'Switch([Active], , "1", "True", "0", "False")', attributes: { Active: 'x' }, result: null },
    {
      expression: 'Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")',
      attributes: { Active: '1', StatusHireDate: '2024-01-03-08:00' },
      context: { now: '2024-01-01T00:00:00Z' },
      result: 'True',
      note: 'Microsoft\'s DateDiff example: enabled when the hire date is within five days',
    },
  ],
  deviation:
    'Entra documents a defect: when another mapped attribute changes but the Switch source does not, the Switch "is ' +
    'evaluated as null" and blanks the target. Here every mapping is evaluated against the whole source object, so a ' +
    'Switch result depends only on its own arguments and never blanks a target because a different attribute changed.',
  evaluate(args) {
    const source = keyText((args[0] as Thunk)(), 'source');
    for (let i = 2; i + 1 < args.length; i += 2) {
      if (keyText((args[i] as Thunk)(), `key ${i / 2}`) === source) return (args[i + 1] as Thunk)();
    }
    return (args[1] as Thunk)();
  },
};
