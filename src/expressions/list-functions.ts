/**
 * The registered functions in alphabetical order (case-insensitive, as Microsoft's reference lists them).
 */
import type { ExpressionFunction } from './function-definition.ts';
import { FUNCTIONS } from './functions/index.ts';

let sorted: readonly ExpressionFunction[] | undefined;

export function listFunctions(): readonly ExpressionFunction[] {
  sorted ??= Object.freeze([...FUNCTIONS].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase(), 'en')));
  return sorted;
}
