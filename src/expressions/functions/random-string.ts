/**
 * RandomString — "The RandomString function generates a random string based on the conditions specified."
 * Length: "Total length of the random string. This should be greater than or equal to the sum of
 * MinimumNumbers, MinimumSpecialCharacters, and MinimumCapital. 256 characters max." MinimumNumbers,
 * MinimumSpecialCharacters, MinimumCapital, MinimumLowerCase: minimum counts. CharactersToAvoid:
 * "Characters to be excluded when generating the random string."
 * "Characters allowed" are those of Windows' password complexity rule: "Uppercase letters of European
 * languages (A through Z …)", "Lowercase letters of European languages (a through z …)", "Base 10 digits
 * (0 through 9)", "Nonalphanumeric characters: ~!@#$%^&*_-+=`|\(){}[]:;"'<>,.?/".
 */
import { integerOf, singleText } from '../coerce.ts';
import { CloudsyncError } from '../../errors/index.ts';
import { evaluationError, type EvaluationContext, type ExpressionFunction } from '../function-definition.ts';

export const RANDOM_STRING_MAX_LENGTH = 256;

export const RANDOM_STRING_CLASSES = ['numbers', 'special characters', 'capital letters', 'lower case letters'] as const;
type CharacterClass = (typeof RANDOM_STRING_CLASSES)[number];

const ALPHABETS: Readonly<Record<CharacterClass, string>> = {
  numbers: '0123456789',
  'special characters': '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/',
  'capital letters': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  'lower case letters': 'abcdefghijklmnopqrstuvwxyz',
};

function pick(alphabet: string, context: EvaluationContext): string {
  return alphabet[context.randomInt(alphabet.length)]!;
}

export const randomString: ExpressionFunction = {
  name: 'RandomString',
  summary: 'A random string of a given length with minimum counts of digits, special characters, capitals and lower-case letters.',
  syntax: 'RandomString(Length, MinimumNumbers, MinimumSpecialCharacters, MinimumCapital, MinimumLowerCase, [CharactersToAvoid])',
  semantics:
    'The minimums are met exactly first; the remaining characters are drawn from all four classes; then the ' +
    'characters are shuffled. Special characters are Windows\' password-complexity set ' +
    '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/. Length is 1 to 256 (more is ERR_EXPR_TOO_LARGE) and must be at least ' +
    'the sum of all four minimums. A class whose characters are all avoided cannot meet a non-zero minimum, ' +
    'which is an error. Randomness comes from the evaluation context (cryptographically strong in the service).',
  deviation:
    'Microsoft documents that Length must cover MinimumNumbers, MinimumSpecialCharacters and MinimumCapital, ' +
    'leaving MinimumLowerCase out of the sum; a string cannot meet all four minimums otherwise, so we require ' +
    'Length >= the sum of all four and say so in the error.',
  parameters: [
    { name: 'Length', description: 'Total length of the random string; 256 characters max.', required: true },
    { name: 'MinimumNumbers', description: 'Minimum numbers in the random string.', required: true },
    { name: 'MinimumSpecialCharacters', description: 'Minimum number of special characters.', required: true },
    { name: 'MinimumCapital', description: 'Minimum number of capital letters in the random string.', required: true },
    { name: 'MinimumLowerCase', description: 'Minimum number of lower case letters in the random string.', required: true },
    { name: 'CharactersToAvoid', description: 'Characters to be excluded when generating the random string.', required: false },
  ],
  minArgs: 5,
  maxArgs: 6,
  examples: [
    {
      expression: 'RandomString(6,3,0,0,3)',
      result: '1a73qt',
      resultPattern: '(?=(?:[^0-9]*[0-9]){3}[^0-9]*$)[0-9a-z]{6}',
      note: 'random: 3 numbers and 3 lower case characters',
    },
    {
      expression: 'RandomString(10,2,2,2,1,"?,")',
      result: '1@!2BaRg53',
      resultPattern: '(?=(?:[^0-9]*[0-9]){2})(?=(?:[^A-Z]*[A-Z]){2})(?=[^a-z]*[a-z])(?=(?:[0-9A-Za-z]*[^0-9A-Za-z]){2})[^?,]{10}',
      note: 'random: at least 2 numbers, 2 special characters, 2 capital letters and 1 lower case letter, never "?" or ","',
    },
    { expression: 'RandomString(257,0,0,0,0)', result: { error: 'ERR_EXPR_TOO_LARGE' } },
    { expression: 'RandomString(4,2,2,2,0)', result: { error: 'ERR_EXPR_EVALUATION' }, note: 'the minimums need 6 characters' },
  ],
  evaluate([length, minNumbers, minSpecial, minCapital, minLower, avoid], context) {
    const fn = 'RandomString';
    const total = integerOf(fn, 'Length', length ?? null);
    if (total > RANDOM_STRING_MAX_LENGTH) {
      throw new CloudsyncError('ERR_EXPR_TOO_LARGE', `${fn}: Length ${total} exceeds the maximum of ${RANDOM_STRING_MAX_LENGTH} characters`, {
        details: { length: total, maximum: RANDOM_STRING_MAX_LENGTH },
      });
    }
    if (total < 1) throw evaluationError(fn, `Length must be at least 1, got ${total}`);
    const minimums: Record<CharacterClass, number> = {
      numbers: integerOf(fn, 'MinimumNumbers', minNumbers ?? null),
      'special characters': integerOf(fn, 'MinimumSpecialCharacters', minSpecial ?? null),
      'capital letters': integerOf(fn, 'MinimumCapital', minCapital ?? null),
      'lower case letters': integerOf(fn, 'MinimumLowerCase', minLower ?? null),
    };
    for (const cls of RANDOM_STRING_CLASSES) {
      if (minimums[cls] < 0) throw evaluationError(fn, `the minimum number of ${cls} cannot be negative (${minimums[cls]})`);
    }
    const required = RANDOM_STRING_CLASSES.reduce((sum, cls) => sum + minimums[cls], 0);
    if (required > total) {
      throw evaluationError(fn, `Length ${total} is shorter than the sum of the minimums (${required}); make Length at least ${required}`);
    }
    const avoided = new Set(singleText(fn, 'CharactersToAvoid', avoid ?? null) ?? '');
    const alphabets = {} as Record<CharacterClass, string>;
    for (const cls of RANDOM_STRING_CLASSES) {
      alphabets[cls] = [...ALPHABETS[cls]].filter((c) => !avoided.has(c)).join('');
      if (alphabets[cls] === '' && minimums[cls] > 0) {
        throw evaluationError(fn, `CharactersToAvoid excludes every one of the ${cls}, but at least ${minimums[cls]} are required`);
      }
    }
    const anyAlphabet = RANDOM_STRING_CLASSES.map((cls) => alphabets[cls]).join('');
    if (anyAlphabet === '') throw evaluationError(fn, 'CharactersToAvoid excludes every allowed character');
    const chars: string[] = [];
    for (const cls of RANDOM_STRING_CLASSES) for (let i = 0; i < minimums[cls]; i++) chars.push(pick(alphabets[cls], context));
    while (chars.length < total) chars.push(pick(anyAlphabet, context));
    // Fisher–Yates, so the guaranteed characters are not always at the front.
    for (let i = chars.length - 1; i > 0; i--) {
      const j = context.randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    return chars.join('');
  },
};
