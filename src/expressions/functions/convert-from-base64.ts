/**
 * ConvertFromBase64 — "The ConvertFromBase64 function converts the specified base64 encoded value to a
 * regular string." `str ConvertFromBase64(str source)` "assumes Unicode for encoding";
 * `str ConvertFromBase64(str source, enum Encoding)` with "Encoding: Unicode, ASCII, UTF8". Examples:
 * `ConvertFromBase64("SABlAGwAbABvACAAdwBvAHIAbABkACEA")` and `ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)`
 * "Both examples return "Hello world!"".
 *
 * .NET's decoders, which these names stand for, never fail on bad bytes: Encoding.Unicode and Encoding.UTF8
 * substitute U+FFFD, Encoding.ASCII substitutes "?" for bytes above 0x7F. Convert.FromBase64String ignores
 * white space but rejects anything else that is not base64.
 */
import { mapText, singleText } from '../coerce.ts';
import { evaluationError, type ExpressionFunction } from '../function-definition.ts';

export const BASE64_ENCODINGS = ['Unicode', 'ASCII', 'UTF8'] as const;
export type Base64Encoding = (typeof BASE64_ENCODINGS)[number];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decode(text: string, encoding: Base64Encoding): string {
  const compact = text.replace(/[\t\n\r ]+/g, '');
  if (!BASE64.test(compact)) {
    throw evaluationError('ConvertFromBase64', `"${text.length > 40 ? `${text.slice(0, 37)}…` : text}" is not base64 (A-Z, a-z, 0-9, +, / in groups of four, = padding)`);
  }
  const bytes = Buffer.from(compact, 'base64');
  switch (encoding) {
    case 'Unicode': return new TextDecoder('utf-16le').decode(bytes);
    case 'UTF8': return new TextDecoder('utf-8').decode(bytes);
    case 'ASCII': return Array.from(bytes, (b) => (b < 0x80 ? String.fromCharCode(b) : '?')).join('');
  }
}

export const convertFromBase64: ExpressionFunction = {
  name: 'ConvertFromBase64',
  summary: 'Decodes a base64 value to a string, as Unicode (UTF-16LE, the default), ASCII or UTF8.',
  syntax: 'ConvertFromBase64(source, [Unicode|ASCII|UTF8])',
  semantics:
    'The encoding names the bytes\' character encoding and is written bare or quoted, in any case. Bytes that ' +
    'are not valid in the encoding become U+FFFD (Unicode, UTF8) or "?" (ASCII), as .NET decodes them. Text that ' +
    'is not base64 is an error. A multi-valued value decodes each value; a missing value stays missing.',
  parameters: [
    { name: 'source', description: 'Base64 encoded string.', required: true },
    { name: 'encoding', description: 'Unicode (default), ASCII or UTF8.', required: false, enumValues: BASE64_ENCODINGS },
  ],
  minArgs: 1,
  maxArgs: 2,
  examples: [
    { expression: 'ConvertFromBase64("SABlAGwAbABvACAAdwBvAHIAbABkACEA")', result: 'Hello world!' },
    { expression: 'ConvertFromBase64("SGVsbG8gd29ybGQh", UTF8)', result: 'Hello world!' },
    { expression: 'ConvertFromBase64("w6k=", "ASCII")', result: '??' },
    { expression: 'ConvertFromBase64("SGVsbG8gd29ybGQh", "EBCDIC")', result: { error: 'ERR_EXPR_EVALUATION' } },
    { expression: 'ConvertFromBase64("not base64!")', result: { error: 'ERR_EXPR_EVALUATION' } },
  ],
  evaluate([source, encodingArg]) {
    const name = singleText('ConvertFromBase64', 'encoding', encodingArg ?? null);
    let encoding: Base64Encoding = 'Unicode';
    if (name !== null && name !== '') {
      const found = BASE64_ENCODINGS.find((e) => e.toLowerCase() === name.toLowerCase());
      if (found === undefined) throw evaluationError('ConvertFromBase64', `encoding "${name}" is not one of ${BASE64_ENCODINGS.join(', ')}`);
      encoding = found;
    }
    return mapText('ConvertFromBase64', source ?? null, (text) => decode(text, encoding));
  },
};
