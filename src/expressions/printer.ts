/**
 * Prints a syntax tree back to expression text in one canonical layout (", " between arguments, spaces
 * around operators, parentheses only where precedence needs them).
 *
 * Invariant: `parseExpression(printExpression(node))` equals `node` apart from positions. The round-trip test
 * checks this over randomly generated trees.
 */
import type { BinaryOperator, ExpressionNode, NodeKind } from './ast.ts';

/** Higher binds tighter; see the grammar in parser.ts. */
const PRECEDENCE: Readonly<Record<BinaryOperator, number>> = {
  '&': 2,
  '=': 1,
  '<>': 1,
  '<': 1,
  '<=': 1,
  '>': 1,
  '>=': 1,
};
const OPERAND_PRECEDENCE = 3;

const PRINTERS: { readonly [K in NodeKind]: (node: Extract<ExpressionNode, { kind: K }>) => string } = {
  call: (node) => `${node.name}(${node.args.map(printExpression).join(', ').trimEnd()})`,
  attribute: (node) => `[${node.name}]`,
  string: (node) => quoteString(node.value),
  number: (node) => printNumber(node.value, node.radix),
  boolean: (node) => (node.value ? 'True' : 'False'),
  word: (node) => node.name,
  empty: () => '',
  binary: (node) => {
    const own = PRECEDENCE[node.operator];
    const left = printExpression(node.left);
    const right = printExpression(node.right);
    // Left-associative: a left child of equal precedence needs no parentheses, a right child does.
    return `${precedenceOf(node.left) < own ? `(${left})` : left} ${node.operator} ${precedenceOf(node.right) <= own ? `(${right})` : right}`;
  },
};

export function printExpression(node: ExpressionNode): string {
  return (PRINTERS[node.kind] as (n: ExpressionNode) => string)(node);
}

/** `"…"` with `\` and `"` escaped by a backslash, the only escapes Entra defines. */
export function quoteString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function precedenceOf(node: ExpressionNode): number {
  return node.kind === 'binary' ? PRECEDENCE[node.operator] : OPERAND_PRECEDENCE;
}

function printNumber(value: number | bigint, radix: 10 | 16): string {
  if (radix === 16 && value >= 0) return `&H${value.toString(16).toUpperCase()}`;
  if (typeof value === 'bigint') return value.toString();
  const text = String(value);
  // The grammar has no exponent notation.
  return /e/i.test(text) ? value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : text;
}
