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
import { append } from './append.ts';
import { bitAnd } from './bit-and.ts';
import { cBool } from './c-bool.ts';
import { coalesce } from './coalesce.ts';
import { count } from './count.ts';
import { cStr } from './c-str.ts';
import { dnComponent } from './dn-component.ts';
import { error } from './error.ts';
import { ignoreFlowIfNullOrEmpty } from './ignore-flow-if-null-or-empty.ts';
import { iif } from './iif.ts';
import { inStr } from './in-str.ts';
import { isNull } from './is-null.ts';
import { isNullOrEmpty } from './is-null-or-empty.ts';
import { isPresent } from './is-present.ts';
import { isString } from './is-string.ts';
import { item } from './item.ts';
import { join } from './join.ts';
import { left } from './left.ts';
import { mid } from './mid.ts';
import { not } from './not.ts';
import { pCase } from './p-case.ts';
import { redact } from './redact.ts';
import { removeDuplicates } from './remove-duplicates.ts';
import { split } from './split.ts';
import { stripSpaces } from './strip-spaces.ts';
import { switchFunction } from './switch.ts';
import { toLower } from './to-lower.ts';
import { toUpper } from './to-upper.ts';
import { trim } from './trim.ts';
import { word } from './word.ts';

export const FUNCTIONS: readonly ExpressionFunction[] = Object.freeze([
  append,
  bitAnd,
  cBool,
  coalesce,
  count,
  cStr,
  dnComponent,
  error,
  ignoreFlowIfNullOrEmpty,
  iif,
  inStr,
  isNull,
  isNullOrEmpty,
  isPresent,
  isString,
  item,
  join,
  left,
  mid,
  not,
  pCase,
  redact,
  removeDuplicates,
  split,
  stripSpaces,
  switchFunction,
  toLower,
  toUpper,
  trim,
  word,
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
