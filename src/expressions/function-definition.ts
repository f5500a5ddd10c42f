/**
 * The contract every expression function implements, and the registry (`functions/index.ts`) lists.
 *
 * Entra's reference documents each function as: name, one-line description, syntax, a parameter table
 * (Name / Required-Repeating / Type / Notes) and examples. The fields below mirror that table so that
 * `docs/reference/expression-functions.md` is generated from the same objects the evaluator runs, and the
 * examples are executed by the test suite (test/expressions/function-examples.test.ts).
 *
 * Invariants:
 * - `name` is matched case-sensitively ("Syntax is case-sensitive", reference-expressions.md).
 * - `minArgs <= maxArgs`; `maxArgs` is `Infinity` for functions with a repeating parameter.
 * - An eager function receives already evaluated arguments; an empty (skipped) optional argument, as in
 *   `Replace([mail], "@x.com", , ,"", ,)`, arrives as `null`. A lazy function receives thunks and decides
 *   which to evaluate (IIF, Switch, Coalesce, IgnoreFlowIfNullOrEmpty must not evaluate untaken branches,
 *   or Error() in an untaken branch would fire).
 * - Functions are pure: anything non-deterministic (clock, randomness, the target's uniqueness lookup) comes
 *   through the EvaluationContext, so tests and the docs examples can fix it.
 */
import { CloudsyncError } from '../errors/index.ts';
import type { Value } from './value.ts';

export interface FunctionParameter {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  /** The last parameter may repeat (Join's sources, Coalesce's sources, Switch's key/value pairs). */
  readonly variadic?: boolean;
  /**
   * Bare words this parameter accepts, written without quotes as in `InStr("a", "b", 1, vbTextCompare)` or
   * `ConvertFromBase64(x, UTF8)`. The checker rejects bare words no registered parameter declares (a bare
   * `mail` is almost always a forgotten `[mail]`); at run time a bare word evaluates to its own spelling.
   */
  readonly enumValues?: readonly string[];
  /**
   * What the parameter needs, when that is narrower than "any value". The checker rejects literal arguments
   * that can never fit (`Left([x], "three")`) before the mapping is saved; values read from attributes are
   * checked by the function at run time.
   */
  readonly type?: ParameterType;
}

export const PARAMETER_TYPES = ['integer'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface FunctionExample {
  readonly expression: string;
  /** attribute → value as in the CLI's --attributes JSON (string, number, boolean, array; "base64:…" = binary) */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /**
   * expected result as JSON (the CLI's {"value": …} rendering), or { error: code }, or { ignoreFlow: true }
   * when the expression leaves the target attribute out of the flow.
   */
  readonly result: unknown;
  /**
   * For non-deterministic results (Guid, RandomString): a regular expression (JavaScript syntax, anchored by
   * the test) the JSON-rendered string result must match; `result` is then only shown in the docs.
   */
  readonly resultPattern?: string;
  readonly context?: {
    /** fixed clock for date examples (ISO 8601); the example runner's default is 2024-01-01T00:00:00Z */
    readonly now?: string;
    /** values (JSON rendering) already present in the target, for SelectUniqueValue examples */
    readonly taken?: readonly unknown[];
  };
  readonly note?: string;
}

export type Thunk = () => Value;

export interface EvaluationContext {
  now(): Date;
  /** uniform integer in [0, maxExclusive) */
  randomInt(maxExclusive: number): number;
  /** SelectUniqueValue asks the caller whether a candidate is free in the target; absent → ERR_EXPR_NOT_APPLICABLE */
  isUnique?(value: Value): boolean;
}

/**
 * "Don't write the target attribute": returned by IgnoreFlowIfNullOrEmpty and propagated unchanged by the
 * evaluator to the caller, which then leaves the target attribute out of the export.
 */
export const IGNORE_FLOW: unique symbol = Symbol('cloudsync.expressions.ignoreFlow');
export type IgnoreFlow = typeof IGNORE_FLOW;

interface FunctionBase {
  /** case-sensitive, spelled as Entra spells it */
  readonly name: string;
  readonly summary: string;
  readonly syntax: string;
  readonly parameters: readonly FunctionParameter[];
  readonly minArgs: number;
  /** Infinity = variadic */
  readonly maxArgs: number;
  readonly examples: readonly FunctionExample[];
  /** where we knowingly differ from, or fix, Entra */
  readonly deviation?: string;
  /** longer semantics for the generated reference (multi-valued input, nulls, errors); Markdown */
  readonly semantics?: string;
  /**
   * An arity rule beyond min/max (Switch: an even number of arguments). Returns the problem as a sentence
   * fragment ("needs key/value pairs: got 5 arguments"), or undefined when `count` is fine.
   */
  checkArgumentCount?(count: number): string | undefined;
}

export interface EagerFunction extends FunctionBase {
  readonly lazy?: false;
  /** `args` is reused by the call site: read it during the call, never keep or return the array itself. */
  evaluate(args: readonly Value[], context: EvaluationContext): Value | IgnoreFlow;
}

export interface LazyFunction extends FunctionBase {
  readonly lazy: true;
  evaluate(args: readonly Thunk[], context: EvaluationContext): Value | IgnoreFlow;
}

export type ExpressionFunction = EagerFunction | LazyFunction;

/**
 * The error a function throws for a value it cannot work with. The message names the function and the
 * value, because it ends up in the provisioning log next to the object that failed.
 */
export function evaluationError(functionName: string, message: string, details?: Record<string, unknown>): CloudsyncError {
  return new CloudsyncError('ERR_EXPR_EVALUATION', `${functionName}: ${message}`, details === undefined ? {} : { details });
}
