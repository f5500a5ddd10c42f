/**
 * An expression that has been parsed, checked and compiled: what a saved attribute mapping holds.
 */
import { walkNodes, type ExpressionNode } from './ast.ts';
import { checkTree, type CheckOptions } from './checker.ts';
import { compileSlottedTree, compileTree, type EvaluationResult } from './compiler.ts';
import type { EvaluationContext, IgnoreFlow } from './function-definition.ts';
import { parseExpression } from './parser.ts';
import { isCloudsyncError, type CloudsyncError } from '../errors/index.ts';
import type { AttributeSource, Value } from './value.ts';

export interface CompiledExpression {
  readonly source: string;
  readonly ast: ExpressionNode;
  /** The [attributes] it reads, each once (first spelling wins; names are case-insensitive). */
  readonly attributes: readonly string[];
  /** True when the expression calls Redact: its result must show as "[Redact]" in provisioning logs. */
  readonly redacted: boolean;
  evaluate(source: AttributeSource, context?: Partial<EvaluationContext>): EvaluationResult;
  /** `evaluate` without its result object: the value, or IGNORE_FLOW when the expression drops the flow. */
  evaluateValue(source: AttributeSource, context?: Partial<EvaluationContext>): Value | IgnoreFlow;
  /**
   * The expression compiled again to read its attributes from a snapshot by slot (`slotOf(name)`, -1: from the
   * source): for a caller that reads each object's attributes once for many expressions (mapping evaluation).
   */
  bindSlots(slotOf: (name: string) => number): SlottedExpression;
}

export interface SlottedExpression {
  /** evaluateValue, with `snapshot[slotOf(name)]` holding what `source.get(name)` would answer */
  evaluateSnapshot(snapshot: readonly (Value | undefined)[], source: AttributeSource, context?: Partial<EvaluationContext>): Value | IgnoreFlow;
}

export type CheckResult = { readonly ok: true; readonly compiled: CompiledExpression } | { readonly ok: false; readonly errors: CloudsyncError[] };

export function checkExpression(text: string, options: CheckOptions = {}): CheckResult {
  let ast: ExpressionNode;
  try {
    ast = parseExpression(text);
  } catch (error) {
    if (isCloudsyncError(error)) return { ok: false, errors: [error] };
    throw error;
  }
  const errors = checkTree(ast, options);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, compiled: compiledFrom(text, ast) };
}

export function compileExpression(text: string, options: CheckOptions = {}): CompiledExpression {
  const result = checkExpression(text, options);
  if (!result.ok) throw result.errors[0] as CloudsyncError;
  return result.compiled;
}

function compiledFrom(source: string, ast: ExpressionNode): CompiledExpression {
  const attributes = new Map<string, string>();
  let redacted = false;
  for (const node of walkNodes(ast)) {
    if (node.kind === 'attribute' && !attributes.has(node.name.toLowerCase())) attributes.set(node.name.toLowerCase(), node.name);
    if (node.kind === 'call' && node.name === 'Redact') redacted = true;
  }
  const evaluator = compileTree(ast);
  return Object.freeze({
    source,
    ast,
    attributes: Object.freeze([...attributes.values()]),
    redacted,
    evaluate: evaluator.evaluate,
    evaluateValue: evaluator.evaluateValue,
    bindSlots: (slotOf: (name: string) => number): SlottedExpression => ({ evaluateSnapshot: compileSlottedTree(ast, slotOf) }),
  });
}
