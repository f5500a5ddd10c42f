/**
 * The expression language of attribute mappings: Entra-compatible syntax and functions.
 * Pure: no I/O; the clock, randomness and target lookups come in through EvaluationContext.
 */
export {
  NODE_KINDS,
  BINARY_OPERATORS,
  COMPARISON_OPERATORS,
  type NodeKind,
  type BinaryOperator,
  type ComparisonOperator,
  type ExpressionNode,
  type CallNode,
  type AttributeNode,
  type StringNode,
  type NumberNode,
  type BooleanNode,
  type WordNode,
  type EmptyNode,
  type BinaryNode,
} from './ast.ts';
export { parseExpression, MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH } from './parser.ts';
export { printExpression } from './printer.ts';
export { checkExpression, compileExpression, type CompiledExpression, type CheckResult, type SlottedExpression } from './compiled-expression.ts';
export type { CheckOptions } from './checker.ts';
export type { EvaluationResult } from './compiler.ts';
export {
  IGNORE_FLOW,
  type IgnoreFlow,
  type EvaluationContext,
  type ExpressionFunction,
  type EagerFunction,
  type LazyFunction,
  type FunctionParameter,
  type FunctionExample,
  type Thunk,
} from './function-definition.ts';
export { DEFAULT_EVALUATION_CONTEXT, fixedContext } from './evaluation-context.ts';
export { valueFromJson, valueToJson, BINARY_PREFIX } from './json-value.ts';
export { renderFunctionReference } from './reference-doc.ts';
export { listFunctions } from './list-functions.ts';
export {
  attributeSource,
  AttributeSlots,
  frozenRecordSource,
  reference,
  isReference,
  kindOf,
  normalizeValue,
  VALUE_KINDS,
  type AttributeSource,
  type DnReference,
  type Scalar,
  type Value,
  type ValueKind,
} from './value.ts';
