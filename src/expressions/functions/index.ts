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
import { appRoleAssignmentsComplex } from './app-role-assignments-complex.ts';
import { bitAnd } from './bit-and.ts';
import { cBool } from './c-bool.ts';
import { cDate } from './c-date.ts';
import { coalesce } from './coalesce.ts';
import { convertFromBase64 } from './convert-from-base64.ts';
import { convertToBase64 } from './convert-to-base64.ts';
import { convertToUtf8Hex } from './convert-to-utf8-hex.ts';
import { count } from './count.ts';
import { cStr } from './c-str.ts';
import { dateAdd } from './date-add.ts';
import { dateDiff } from './date-diff.ts';
import { dateFromNum } from './date-from-num.ts';
import { dnComponent } from './dn-component.ts';
import { error } from './error.ts';
import { formatDateTime } from './format-date-time.ts';
import { guid } from './guid.ts';
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
import { normalizeDiacritics } from './normalize-diacritics.ts';
import { not } from './not.ts';
import { now } from './now.ts';
import { numFromDate } from './num-from-date.ts';
import { pCase } from './p-case.ts';
import { randomString } from './random-string.ts';
import { redact } from './redact.ts';
import { removeDuplicates } from './remove-duplicates.ts';
import { replace } from './replace.ts';
import { selectUniqueValue } from './select-unique-value.ts';
import { singleAppRoleAssignment } from './single-app-role-assignment.ts';
import { split } from './split.ts';
import { stringFromSid } from './string-from-sid.ts';
import { stripSpaces } from './strip-spaces.ts';
import { switchFunction } from './switch.ts';
import { toLower } from './to-lower.ts';
import { toUpper } from './to-upper.ts';
import { trim } from './trim.ts';
import { word } from './word.ts';

export const FUNCTIONS: readonly ExpressionFunction[] = Object.freeze([
  append,
  appRoleAssignmentsComplex,
  bitAnd,
  cBool,
  cDate,
  coalesce,
  convertFromBase64,
  convertToBase64,
  convertToUtf8Hex,
  count,
  cStr,
  dateAdd,
  dateDiff,
  dateFromNum,
  dnComponent,
  error,
  formatDateTime,
  guid,
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
  normalizeDiacritics,
  not,
  now,
  numFromDate,
  pCase,
  randomString,
  redact,
  removeDuplicates,
  replace,
  selectUniqueValue,
  singleAppRoleAssignment,
  split,
  stringFromSid,
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
