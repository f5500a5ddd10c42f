/**
 * Split — "Splits a string into a multi-valued array, using the specified delimiter character." Example:
 * `Split([extensionAttribute5], ",")` on "PermissionSetOne, PermissionSetTwo" gives ["PermissionSetOne",
 * "PermissionSetTwo"].
 */
import { singleText, textOf } from '../coerce.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';
import type { Scalar, Value } from '../value.ts';

export const split: ExpressionFunction = {
  name: 'Split',
  summary: 'Splits a string into a multi-valued value at each occurrence of the delimiter.',
  syntax: 'Split(source, delimiter)',
  semantics:
    'Each piece is trimmed of surrounding white space, as Microsoft\'s example shows ("PermissionSetOne, ' +
    'PermissionSetTwo" gives "PermissionSetTwo" without the space), and empty pieces are dropped (a directory ' +
    'attribute holds no empty values). The delimiter may be longer than one character. A multi-valued source is ' +
    'split value by value into one list. NULL stays NULL; a source with no pieces left is NULL.',
  parameters: [
    { name: 'source', description: 'Value to split.', required: true },
    { name: 'delimiter', description: 'The string to split at (example: ",").', required: true },
  ],
  minArgs: 2,
  maxArgs: 2,
  examples: [
    { expression: 'Split([extensionAttribute5], ",")', attributes: { extensionAttribute5: 'PermissionSetOne, PermissionSetTwo' }, result: ['PermissionSetOne', 'PermissionSetTwo'] },
    { expression: 'Split("a;;b;", ";")', result: ['a', 'b'] },
    { expression: 'Split("a", ",")', result: ['a'] },
    { expression: 'Split([missing], ",")', result: null },
  ],
  evaluate([source, delimiter]) {
    const separator = singleText('Split', 'delimiter', delimiter ?? null);
    if (separator === null || separator === '') throw evaluationError('Split', 'delimiter must not be empty');
    const value: Value = source ?? null;
    if (value === null) return null;
    const texts = Array.isArray(value) ? value.map((v) => textOf('Split', v as Scalar)) : [textOf('Split', value as Scalar)];
    const out: string[] = [];
    for (const text of texts) {
      for (const piece of text.split(separator)) {
        const trimmed = piece.trim();
        if (trimmed !== '') out.push(trimmed);
      }
    }
    return out.length === 0 ? null : out;
  },
};
