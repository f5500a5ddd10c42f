/**
 * CStr — "The CStr function converts a value to a string data type." "Can be a numeric value, reference
 * attribute, or Boolean." Example: `CStr([dn])` returns "cn=Joe,dc=contoso,dc=com".
 */
import { mapText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const cStr: ExpressionFunction = {
  name: 'CStr',
  summary: 'Converts a number, reference or Boolean to a string.',
  syntax: 'CStr(value)',
  semantics:
    'Numbers print in invariant culture, Booleans as `True`/`False`, references as their DN, dates as ' +
    '`M/d/yyyy h:mm:ss tt` (UTC). A multi-valued value converts each value; a missing value stays missing. ' +
    'Binary values have no string form (use StringFromSid or ConvertToBase64).',
  parameters: [{ name: 'value', description: 'A numeric value, reference attribute, or Boolean.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'CStr([dn])', attributes: { dn: { dn: 'cn=Joe,dc=contoso,dc=com' } }, result: 'cn=Joe,dc=contoso,dc=com' },
    { expression: 'CStr([employeeNumber])', attributes: { employeeNumber: 1042 }, result: '1042' },
    { expression: 'CStr(IsPresent([mail]))', attributes: { mail: 'a@contoso.com' }, result: 'True' },
    { expression: 'CStr([objectGUID])', attributes: { objectGUID: 'base64:AAECAwQFBgcICQoLDA0ODw==' }, result: { error: 'ERR_EXPR_EVALUATION' } },
  ],
  evaluate([value]) {
    return mapText('CStr', value ?? null, (text) => text);
  },
};
