/**
 * ConvertToBase64 — "The ConvertToBase64 function converts a string to a Unicode base64 string." Cloud Sync
 * adds: "Converts the value of an array of integers to its equivalent string representation that is encoded
 * with base-64 digits." Example: `ConvertToBase64("Hello world!")` returns "SABlAGwAbABvACAAdwBvAHIAbABkACEA".
 *
 * "Unicode" is .NET's Encoding.Unicode: UTF-16, little endian, no byte order mark. Binary values (objectGUID)
 * are the "array of integers" and are encoded as they are, which is how sourceAnchor/immutableId are made.
 */
import { textOf } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';
import type { Scalar, Value } from '../value.ts';

function encode(value: Scalar): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return Buffer.from(textOf('ConvertToBase64', value), 'utf16le').toString('base64');
}

export const convertToBase64: ExpressionFunction = {
  name: 'ConvertToBase64',
  summary: 'Encodes a string as UTF-16LE ("Unicode") base64, or binary data as base64.',
  syntax: 'ConvertToBase64(source)',
  semantics:
    'Text is encoded as UTF-16 little endian without byte order mark, then base64 (so "A" is `QQA=`); binary ' +
    'values such as objectGUID are base64-encoded as they are. A multi-valued value encodes each value; a ' +
    'missing value stays missing.',
  parameters: [{ name: 'source', description: 'String to be converted to base 64.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'ConvertToBase64("Hello world!")', result: 'SABlAGwAbABvACAAdwBvAHIAbABkACEA' },
    { expression: 'ConvertToBase64([objectGUID])', attributes: { objectGUID: 'base64:Ek2LYSPl/EyJmuq1WzbKnA==' }, result: 'Ek2LYSPl/EyJmuq1WzbKnA==', note: 'binary values are encoded as they are (sourceAnchor)' },
    { expression: 'ConvertToBase64([missing])', attributes: {}, result: null },
  ],
  evaluate([source]) {
    const value: Value = source ?? null;
    if (value === null) return null;
    if (Array.isArray(value)) return value.map((item) => encode(item as Scalar));
    return encode(value as Scalar);
  },
};
