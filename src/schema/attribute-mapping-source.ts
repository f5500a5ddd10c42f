/**
 * Graph's attributeMappingSource: the expression as text and as a tree, kept in step.
 *
 * Graph: "expression — Equivalent expression representation of this attributeMappingSource object." "name —
 * Depending on the type property value, this can be the name of the function, the name of the source
 * attribute, or a constant value to be used." "parameters — If this object represents a function, lists
 * function parameters. Parameters consist of attributeMappingSource objects themselves." "type — Attribute,
 * Constant, Function. Default is Attribute."
 *
 * Microsoft's own samples show the two forms do not carry the same information: the tree of
 * `Replace([preferredLanguage], "-", , , "_", , )` lists three keyed parameters (source, Find, Replacement)
 * and loses the positions of the skipped slots. So:
 * - the text is authoritative when present (it is what we compile and what Entra's portal shows);
 * - without text, the text is rebuilt from the tree, placing parameters by the function's parameter names
 *   where they match the registry and in listed order otherwise;
 * - "consistent" means the same function names, attribute names and constants in the same order (skipped
 *   slots and spelling of numbers aside) — strict enough to catch an edited tree that no longer matches its
 *   text, lenient enough to accept every sample Microsoft publishes.
 */
import type { ExpressionNode } from '../expressions/ast.ts';
import { findFunction } from '../expressions/functions/index.ts';
import { parseExpression } from '../expressions/parser.ts';
import { printExpression, quoteString } from '../expressions/printer.ts';

export const ATTRIBUTE_MAPPING_SOURCE_TYPES = ['Attribute', 'Constant', 'Function'] as const;
export type AttributeMappingSourceType = (typeof ATTRIBUTE_MAPPING_SOURCE_TYPES)[number];

export interface StringKeyAttributeMappingSourceValuePair {
  readonly key: string;
  readonly value: AttributeMappingSource;
  readonly [extra: string]: unknown;
}

export interface AttributeMappingSource {
  readonly type?: string | null;
  readonly name?: string | null;
  readonly expression?: string | null;
  readonly parameters?: readonly StringKeyAttributeMappingSourceValuePair[] | null;
  readonly [extra: string]: unknown;
}

/** Graph's `type`, defaulting to Attribute and read case-insensitively. */
export function sourceType(source: AttributeMappingSource): AttributeMappingSourceType | undefined {
  const type = source.type ?? 'Attribute';
  return ATTRIBUTE_MAPPING_SOURCE_TYPES.find((t) => t.toLowerCase() === String(type).toLowerCase());
}

/** The expression text for a source: its own `expression` if it has one, else rebuilt from the tree. */
export function expressionOfSource(source: AttributeMappingSource): string {
  if (typeof source.expression === 'string' && source.expression.trim() !== '') return source.expression;
  return renderSource(source);
}

/** Text from the tree alone. */
export function renderSource(source: AttributeMappingSource): string {
  const name = source.name ?? '';
  switch (sourceType(source)) {
    case 'Attribute': return `[${name}]`;
    case 'Constant': return quoteString(name);
    case 'Function': {
      const args = placeParameters(name, source.parameters ?? []).map((p) => (p === undefined ? '' : expressionOfSource(p)));
      return `${name}(${args.join(', ').trimEnd()})`;
    }
    default: throw new TypeError(`attributeMappingSource.type ${String(source.type)} is not one of ${ATTRIBUTE_MAPPING_SOURCE_TYPES.join(', ')}`);
  }
}

function placeParameters(functionName: string, parameters: readonly StringKeyAttributeMappingSourceValuePair[]): (AttributeMappingSource | undefined)[] {
  const declared = findFunction(functionName)?.parameters;
  if (declared !== undefined && declared.length > 0 && !declared.some((p) => p.variadic === true)) {
    const indexOf = (key: string) => declared.findIndex((p) => p.name.toLowerCase() === key.toLowerCase());
    if (parameters.every((p) => indexOf(p.key) >= 0)) {
      const placed: (AttributeMappingSource | undefined)[] = [];
      for (const p of parameters) placed[indexOf(p.key)] = p.value;
      return Array.from(placed, (v) => v);
    }
  }
  return parameters.map((p) => p.value);
}

/** The Graph tree for an expression, with the text on every node, as Graph's parseExpression returns it. */
export function sourceFromExpression(text: string): AttributeMappingSource {
  return sourceFromNode(parseExpression(text), text);
}

function sourceFromNode(node: ExpressionNode, text?: string): AttributeMappingSource {
  const expression = text ?? printExpression(node);
  switch (node.kind) {
    case 'attribute': return { expression, name: node.name, parameters: [], type: 'Attribute' };
    case 'string': return { expression, name: node.value, parameters: [], type: 'Constant' };
    case 'number': return { expression, name: String(node.value), parameters: [], type: 'Constant' };
    case 'boolean': return { expression, name: node.value ? 'True' : 'False', parameters: [], type: 'Constant' };
    case 'word': return { expression, name: node.name, parameters: [], type: 'Constant' };
    case 'empty': return { expression: '', name: '', parameters: [], type: 'Constant' };
    case 'call': {
      const declared = findFunction(node.name)?.parameters ?? [];
      const parameters: StringKeyAttributeMappingSourceValuePair[] = [];
      node.args.forEach((arg, index) => {
        // Graph leaves skipped optional arguments out of the tree (see Microsoft's Replace sample).
        if (arg.kind === 'empty') return;
        const last = declared[declared.length - 1];
        const key = declared[index]?.name ?? (last?.variadic === true ? `${last.name}${index - declared.length + 2}` : `parameter${index + 1}`);
        parameters.push({ key, value: sourceFromNode(arg) });
      });
      return { expression, name: node.name, parameters, type: 'Function' };
    }
    case 'binary':
      // No Graph tree form exists for operators; the text carries the meaning, the tree names the operator.
      return {
        expression,
        name: node.operator,
        parameters: [{ key: 'left', value: sourceFromNode(node.left) }, { key: 'right', value: sourceFromNode(node.right) }],
        type: 'Function',
      };
  }
}

/** Pre-order "shape" used for the consistency check: function names, attributes and constants. */
function signatureOfNode(node: ExpressionNode, out: string[]): string[] {
  switch (node.kind) {
    case 'call': out.push(`F:${node.name}`); for (const a of node.args) signatureOfNode(a, out); break;
    case 'attribute': out.push(`A:${node.name.toLowerCase()}`); break;
    case 'string': out.push(`C:${node.value}`); break;
    case 'number': out.push(`C:${String(node.value)}`); break;
    case 'boolean': out.push(`C:${node.value ? 'True' : 'False'}`); break;
    case 'word': out.push(`C:${node.name}`); break;
    case 'empty': break;
    case 'binary': out.push(`F:${node.operator}`); signatureOfNode(node.left, out); signatureOfNode(node.right, out); break;
  }
  return out;
}

function signatureOfSource(source: AttributeMappingSource, out: string[]): string[] {
  const name = source.name ?? '';
  switch (sourceType(source)) {
    case 'Attribute': out.push(`A:${name.toLowerCase()}`); break;
    case 'Constant': if (name !== '' || (source.expression ?? '') !== '') out.push(`C:${name}`); break;
    case 'Function': {
      const parameters = source.parameters ?? [];
      // A function node whose tree stops here (no parameters) but carries its text is judged by its text.
      if (parameters.length === 0 && typeof source.expression === 'string' && source.expression.trim() !== '' && !/\(\s*\)\s*$/.test(source.expression)) {
        signatureOfNode(parseExpression(source.expression), out);
      } else {
        out.push(`F:${name}`);
        for (const p of parameters) signatureOfSource(p.value, out);
      }
      break;
    }
    default: out.push(`?:${String(source.type)}`);
  }
  return out;
}

/**
 * undefined when the tree and the text agree (or the source has only one of them), else a sentence saying
 * where they part. Throws the parser's CloudsyncError when the text does not parse.
 */
export function sourceInconsistency(source: AttributeMappingSource): string | undefined {
  if (typeof source.expression !== 'string' || source.expression.trim() === '') return undefined;
  const type = sourceType(source);
  if (type === 'Function' && (source.parameters ?? []).length === 0 && (source.name ?? '') === '') return undefined;
  const fromText = signatureOfNode(parseExpression(source.expression), []);
  const fromTree = signatureOfSource(source, []);
  if (fromText.length === fromTree.length && fromText.every((s, i) => s === fromTree[i])) return undefined;
  const index = fromText.findIndex((s, i) => s !== fromTree[i]);
  const describe = (s: string | undefined) => (s === undefined ? 'nothing' : s.replace(/^F:/, 'function ').replace(/^A:/, 'attribute ').replace(/^C:/, 'constant '));
  return `expression ${JSON.stringify(source.expression)} and its parameters tree disagree: the text has ${describe(fromText[index])} where the tree has ${describe(fromTree[index])}`;
}
