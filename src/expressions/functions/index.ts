/**
 * The registry of expression functions: the one list the checker, the evaluator, the CLI and the generated
 * reference (docs/reference/expression-functions.md) read.
 *
 * Convention: one file per function, `functions/<kebab-name>.ts`, exporting `const <camelName>:
 * ExpressionFunction` (e.g. `to-lower.ts` exports `toLower`, `iif.ts` exports `iif`). To add one, add its
 * import line and its entry in FUNCTIONS, keeping both in alphabetical order of the Entra name so that
 * concurrent additions don't collide.
 */
import type { ExpressionFunction } from '../function-definition.ts';

export const FUNCTIONS: readonly ExpressionFunction[] = Object.freeze([
]);

const BY_NAME: ReadonlyMap<string, ExpressionFunction> = indexByName(FUNCTIONS);

function indexByName(functions: readonly ExpressionFunction[]): Map<string, ExpressionFunction> {
  const byName = new Map<string, ExpressionFunction>();
  for (const fn of functions) {
    if (byName.has(fn.name)) throw new TypeError(`expression function ${fn.name} is registered twice`);
    if (!(fn.minArgs <= fn.maxArgs)) throw new TypeError(`expression function ${fn.name}: minArgs > maxArgs`);
    byName.set(fn.name, fn);
  }
  return byName;
}

/** Case-sensitive, as Entra: `tolower(...)` is not `ToLower(...)`. */
export function findFunction(name: string): ExpressionFunction | undefined {
  return BY_NAME.get(name);
}

/** The names in registry order; for "did you mean" suggestions and the docs. */
export function functionNames(): readonly string[] {
  return [...BY_NAME.keys()];
}
