/**
 * Turns a checked syntax tree into a tree of closures, once, so evaluating a mapping for each of a million
 * objects never re-parses or re-dispatches on node kinds.
 *
 * Invariants:
 * - The closures of one compiled expression share a frame holding the current AttributeSource and context.
 *   `evaluate` saves and restores it, so a re-entrant evaluation (an isUnique callback evaluating the same
 *   mapping) cannot see another call's object.
 * - Per evaluation, the only allocations are the results themselves: eager call sites reuse their argument
 *   array (a fresh one is taken only on re-entry), lazy call sites hand out thunks built at compile time.
 * - IGNORE_FLOW anywhere in the tree makes the whole expression `{ kind: 'ignoreFlow' }`: an eager call
 *   receiving it returns it at once; inside a thunk it is thrown as a private signal and caught at the top.
 * - Errors leaving `evaluate` are CloudsyncErrors carrying the position of the call that failed.
 */
import { COMPARISON_OPERATORS, type ComparisonOperator, type ExpressionNode, type NodeKind } from './ast.ts';
import { describeValue, textOf } from './coerce.ts';
import { compareValues } from './comparison.ts';
import { resolveContext } from './evaluation-context.ts';
import { IGNORE_FLOW, type EvaluationContext, type IgnoreFlow, type Thunk } from './function-definition.ts';
import { findFunction } from './functions/index.ts';
import { CloudsyncError, isCloudsyncError } from '../errors/index.ts';
import type { AttributeSource, Scalar, Value } from './value.ts';

export type EvaluationResult = { readonly kind: 'value'; readonly value: Value } | { readonly kind: 'ignoreFlow' };

type Evaluator = () => Value | IgnoreFlow;

interface Frame {
  source: AttributeSource;
  context: EvaluationContext;
  /** the object's values by slot, for trees compiled with a slot table (see compileTree) */
  snapshot: readonly (Value | undefined)[];
  /** compile time only: where each attribute is found in `snapshot` (-1: read `source`) */
  readonly slotOf: ((name: string) => number) | undefined;
}

const IGNORE_FLOW_RESULT: EvaluationResult = Object.freeze({ kind: 'ignoreFlow' });
const IGNORE_FLOW_SIGNAL = Object.freeze({ signal: 'ignoreFlow' });
const NO_SOURCE: AttributeSource = Object.freeze({ get: () => undefined });
const COMPARISONS = new Set<string>(COMPARISON_OPERATORS);

type Compile<K extends NodeKind> = (node: Extract<ExpressionNode, { kind: K }>, frame: Frame) => Evaluator;

const COMPILERS: { readonly [K in NodeKind]: Compile<K> } = {
  attribute: (node, frame) => {
    const name = node.name;
    const slot = frame.slotOf === undefined ? -1 : frame.slotOf(name);
    if (slot >= 0) {
      return () => {
        const value = frame.snapshot[slot];
        if (value === undefined) return null;
        return Array.isArray(value) && value.length === 0 ? null : value;
      };
    }
    return () => {
      const value = frame.source.get(name);
      if (value === undefined) return null;
      return Array.isArray(value) && value.length === 0 ? null : value;
    };
  },
  string: (node) => constant(node.value),
  number: (node) => constant(node.value),
  boolean: (node) => constant(node.value),
  word: (node) => constant(node.name),
  empty: () => constant(null),
  binary: (node, frame) => {
    const left = compileNode(node.left, frame);
    const right = compileNode(node.right, frame);
    if (node.operator === '&') {
      return () => {
        const l = left();
        if (l === IGNORE_FLOW) return l;
        const r = right();
        if (r === IGNORE_FLOW) return r;
        return concatText(l) + concatText(r);
      };
    }
    if (!COMPARISONS.has(node.operator)) throw new TypeError(`compiler: unknown operator ${node.operator}`);
    const operator = node.operator as ComparisonOperator;
    return () => {
      const l = left();
      if (l === IGNORE_FLOW) return l;
      const r = right();
      if (r === IGNORE_FLOW) return r;
      try {
        return compareValues(operator, l, r);
      } catch (error) {
        throw locate(error, node.start);
      }
    };
  },
  call: (node, frame) => {
    const fn = findFunction(node.name);
    if (fn === undefined) throw new TypeError(`compiler: unchecked call to unknown function ${node.name}`);
    const argEvaluators = node.args.map((arg) => compileNode(arg, frame));
    const start = node.start;
    if (fn.lazy === true) {
      const thunks: Thunk[] = argEvaluators.map((evaluate) => () => {
        const value = evaluate();
        if (value === IGNORE_FLOW) throw IGNORE_FLOW_SIGNAL;
        return value;
      });
      return () => {
        try {
          return fn.evaluate(thunks, frame.context);
        } catch (error) {
          throw locate(error, start);
        }
      };
    }
    const count = argEvaluators.length;
    const shared: Value[] = new Array<Value>(count).fill(null);
    let busy = false;
    return () => {
      const args = busy ? new Array<Value>(count) : shared;
      const owner = !busy;
      busy = true;
      try {
        for (let i = 0; i < count; i++) {
          const value = (argEvaluators[i] as Evaluator)();
          if (value === IGNORE_FLOW) return value;
          args[i] = value;
        }
        return fn.evaluate(args, frame.context);
      } catch (error) {
        throw locate(error, start);
      } finally {
        if (owner) busy = false;
      }
    };
  },
};

function compileNode(node: ExpressionNode, frame: Frame): Evaluator {
  return (COMPILERS[node.kind] as (node: ExpressionNode, frame: Frame) => Evaluator)(node, frame);
}

function constant(value: Value): Evaluator {
  return () => value;
}

/** `&` is VBA's string concatenation: null is "", anything else its text. */
function concatText(value: Value): string {
  if (value === null) return '';
  if (Array.isArray(value)) {
    if (value.length === 1) return textOf('&', value[0] as Scalar);
    throw new CloudsyncError('ERR_EXPR_EVALUATION', `&: cannot concatenate ${describeValue(value)}; combine the values with Join first`);
  }
  return textOf('&', value as Scalar);
}

/**
 * Gives an error the position of the call it came from (the innermost one, which sets it first). Anything
 * that is not a CloudsyncError is a bug in a function; it still must not reach the user raw.
 */
function locate(error: unknown, position: number): unknown {
  if (error === IGNORE_FLOW_SIGNAL) return error;
  if (isCloudsyncError(error)) {
    if (error.position !== undefined) return error;
    return new CloudsyncError(error.code, error.message, {
      position,
      cause: error.cause,
      ...(error.details === undefined ? {} : { details: { ...error.details } }),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CloudsyncError('ERR_EXPR_EVALUATION', `internal error while evaluating the call at position ${position}: ${message}`, {
    position,
    cause: error,
  });
}

export interface CompiledEvaluator {
  evaluate(source: AttributeSource, context?: Partial<EvaluationContext>): EvaluationResult;
  /** evaluate without the result object: the value, or IGNORE_FLOW */
  evaluateValue(source: AttributeSource, context?: Partial<EvaluationContext>): Value | IgnoreFlow;
}

/** evaluateValue of a tree compiled with a slot table: see compileSlottedTree. */
export type SnapshotEvaluator = (snapshot: readonly (Value | undefined)[], source: AttributeSource, context?: Partial<EvaluationContext>) => Value | IgnoreFlow;

const NO_SNAPSHOT: readonly (Value | undefined)[] = Object.freeze([]);

export function compileTree(root: ExpressionNode): CompiledEvaluator {
  const evaluateSnapshot = compileRoot(root, undefined);
  const evaluateValue = (source: AttributeSource, context?: Partial<EvaluationContext>): Value | IgnoreFlow => evaluateSnapshot(NO_SNAPSHOT, source, context);
  return {
    evaluate(source, context) {
      const value = evaluateValue(source, context);
      return value === IGNORE_FLOW ? IGNORE_FLOW_RESULT : { kind: 'value', value };
    },
    evaluateValue,
  };
}

/**
 * The tree compiled to read its attributes from a snapshot by slot — `slotOf(name)`, -1 for one read from the
 * source — with no lookup per read: for a caller that reads each object's attributes once for many expressions
 * (mapping evaluation, ~50 expressions and ~100 reads per object). `snapshot[slotOf(name)]` must be what
 * `source.get(name)` answers.
 */
export function compileSlottedTree(root: ExpressionNode, slotOf: (name: string) => number): SnapshotEvaluator {
  return compileRoot(root, slotOf);
}

function compileRoot(root: ExpressionNode, slotOf: ((name: string) => number) | undefined): SnapshotEvaluator {
  const frame: Frame = { source: NO_SOURCE, context: resolveContext(undefined), snapshot: NO_SNAPSHOT, slotOf };
  const evaluateRoot = compileNode(root, frame);
  return (snapshot, source, context) => {
    const previousSource = frame.source;
    const previousContext = frame.context;
    const previousSnapshot = frame.snapshot;
    frame.source = source;
    frame.context = resolveContext(context);
    frame.snapshot = snapshot;
    try {
      return evaluateRoot();
    } catch (error) {
      if (error === IGNORE_FLOW_SIGNAL) return IGNORE_FLOW;
      if (isCloudsyncError(error)) throw error;
      throw locate(error, root.start);
    } finally {
      frame.source = previousSource;
      frame.context = previousContext;
      frame.snapshot = previousSnapshot;
    }
  };
}
