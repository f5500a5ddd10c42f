/**
 * ConvertToUTF8Hex — "The ConvertToUTF8Hex function converts a string to a UTF8 Hex encoded value." "The
 * output format of this function is used by Microsoft Entra ID as DN attribute format." Example:
 * `ConvertToUTF8Hex("Hello world!")` returns 48656C6C6F20776F726C6421 (upper-case hex digits).
 */
import { mapText } from '../coerce.ts';
import type { ExpressionFunction } from '../function-definition.ts';

export const convertToUtf8Hex: ExpressionFunction = {
  name: 'ConvertToUTF8Hex',
  summary: 'Encodes a string as UTF-8 and writes the bytes as upper-case hexadecimal.',
  syntax: 'ConvertToUTF8Hex(source)',
  semantics:
    'Two upper-case hex digits per UTF-8 byte, no separators ("é" is `C3A9`). A multi-valued value converts ' +
    'each value; a missing value stays missing. Binary values are not text and are an error.',
  parameters: [{ name: 'source', description: 'String to be converted to UTF8 Hex.', required: true }],
  minArgs: 1,
  maxArgs: 1,
  examples: [
    { expression: 'ConvertToUTF8Hex("Hello world!")', result: '48656C6C6F20776F726C6421' },
    {
      expression: 'Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))',
      attributes: { objectId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' },
      result: '100030306161303061612626231312636332322646433332343465653434656534346565',
      note: 'Microsoft\'s sample shows "100064303565343762312333930392343435612626135652636136306362633065346234" for this input; that output cannot come from this input (the sample objectId was anonymized after the fact). This is what the documented expression yields for the documented input.',
    },
  ],
  evaluate([source]) {
    return mapText('ConvertToUTF8Hex', source ?? null, (text) => Buffer.from(text, 'utf8').toString('hex').toUpperCase());
  },
};
