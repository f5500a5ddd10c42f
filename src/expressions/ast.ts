/**
 * The expression syntax tree. Nodes are frozen values built by the factories below; `start`/`end` are 0-based
 * character offsets into the source text (end exclusive), so every later error (unknown function, arity,
 * unknown attribute, evaluation) can point at the part of the expression that caused it.
 *
 * Graph stores a parsed mapping as a tree of attributeMappingSource objects (type Function / Attribute /
 * Constant with `parameters`); `call`, `attribute` and the literal kinds correspond to those three. The
 * operators (`&`, comparisons) and bare words are the VBA-like surface syntax on top.
 */

export const NODE_KINDS = ['call', 'attribute', 'string', 'number', 'boolean', 'word', 'empty', 'binary'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** Comparison operators ("can be used in the condition", IIF) and `&` string concatenation. */
export const BINARY_OPERATORS = ['&', '=', '<>', '<', '<=', '>', '>='] as const;
export type BinaryOperator = (typeof BINARY_OPERATORS)[number];
export const COMPARISON_OPERATORS = ['=', '<>', '<', '<=', '>', '>='] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

interface NodeBase {
  readonly start: number;
  readonly end: number;
}

export interface CallNode extends NodeBase {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly ExpressionNode[];
}

export interface AttributeNode extends NodeBase {
  readonly kind: 'attribute';
  readonly name: string;
}

export interface StringNode extends NodeBase {
  readonly kind: 'string';
  readonly value: string;
}

export interface NumberNode extends NodeBase {
  readonly kind: 'number';
  /** bigint when the literal does not fit a double exactly (FILETIMEs such as 129699324000000000) */
  readonly value: number | bigint;
  /** `&HF7` literals keep their spelling through printing */
  readonly radix: 10 | 16;
}

export interface BooleanNode extends NodeBase {
  readonly kind: 'boolean';
  readonly value: boolean;
}

/** A bare word such as `vbTextCompare` or `UTF8`: an enumeration constant of some function parameter. */
export interface WordNode extends NodeBase {
  readonly kind: 'word';
  readonly name: string;
}

/** A skipped optional argument: the empty slots of `Replace([mail], "@x.com", , ,"", ,)`. Only inside calls. */
export interface EmptyNode extends NodeBase {
  readonly kind: 'empty';
}

export interface BinaryNode extends NodeBase {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: ExpressionNode;
  readonly right: ExpressionNode;
}

export type ExpressionNode =
  | CallNode
  | AttributeNode
  | StringNode
  | NumberNode
  | BooleanNode
  | WordNode
  | EmptyNode
  | BinaryNode;

export function callNode(name: string, args: readonly ExpressionNode[], start: number, end: number): CallNode {
  return Object.freeze({ kind: 'call', name, args: Object.freeze([...args]), start, end });
}

export function attributeNode(name: string, start: number, end: number): AttributeNode {
  return Object.freeze({ kind: 'attribute', name, start, end });
}

export function stringNode(value: string, start: number, end: number): StringNode {
  return Object.freeze({ kind: 'string', value, start, end });
}

export function numberNode(value: number | bigint, radix: 10 | 16, start: number, end: number): NumberNode {
  return Object.freeze({ kind: 'number', value, radix, start, end });
}

export function booleanNode(value: boolean, start: number, end: number): BooleanNode {
  return Object.freeze({ kind: 'boolean', value, start, end });
}

export function wordNode(name: string, start: number, end: number): WordNode {
  return Object.freeze({ kind: 'word', name, start, end });
}

export function emptyNode(start: number, end: number): EmptyNode {
  return Object.freeze({ kind: 'empty', start, end });
}

export function binaryNode(operator: BinaryOperator, left: ExpressionNode, right: ExpressionNode): BinaryNode {
  return Object.freeze({ kind: 'binary', operator, left, right, start: left.start, end: right.end });
}

/** Every node of the tree, parents before children, left to right. */
export function* walkNodes(node: ExpressionNode): Generator<ExpressionNode> {
  yield node;
  if (node.kind === 'call') for (const arg of node.args) yield* walkNodes(arg);
  else if (node.kind === 'binary') {
    yield* walkNodes(node.left);
    yield* walkNodes(node.right);
  }
}
