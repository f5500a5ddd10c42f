/**
 * Static checks run before a mapping is saved, so a typo fails at configuration time instead of on every
 * object of the next cycle:
 * - every function exists, spelled exactly ("The syntax is case-sensitive"); a near miss gets a suggestion;
 * - argument counts fit the function, and required arguments are not skipped;
 * - bare words are enumeration constants some function declares (a bare `mail` is a forgotten `[mail]`), and
 *   a parameter with declared constants gets one of them;
 * - literal arguments fit their parameter's declared type (`Left([x], "three")` can never work);
 * - SelectUniqueValue is the whole expression ("This function must be at the top-level and can't be nested");
 * - with a catalogue, every [attribute] exists in the source schema.
 * All problems are reported, in text order, each with its position.
 */
import { walkNodes, type CallNode, type ExpressionNode } from './ast.ts';
import type { ExpressionFunction, FunctionParameter } from './function-definition.ts';
import { findFunction, FUNCTIONS, functionNames } from './functions/index.ts';
import { CloudsyncError } from '../errors/index.ts';

export interface CheckOptions {
  /** The source schema's attribute catalogue; absent = any attribute name is accepted. Case-insensitive by contract. */
  readonly isKnownAttribute?: (name: string) => boolean;
}

/** Enumeration words used by Microsoft's examples even when no registered parameter declares them. */
const BUILT_IN_WORDS = ['vbBinaryCompare', 'vbTextCompare', 'Unicode', 'ASCII', 'UTF8'] as const;
const TOP_LEVEL_ONLY = ['SelectUniqueValue'] as const;

let knownWords: ReadonlySet<string> | undefined;

function wordsInRegistry(): ReadonlySet<string> {
  if (knownWords === undefined) {
    const words = new Set<string>(BUILT_IN_WORDS);
    for (const fn of FUNCTIONS) for (const p of fn.parameters) for (const w of p.enumValues ?? []) words.add(w);
    knownWords = words;
  }
  return knownWords;
}

export function checkTree(root: ExpressionNode, options: CheckOptions = {}): CloudsyncError[] {
  const errors: CloudsyncError[] = [];
  for (const node of walkNodes(root)) {
    switch (node.kind) {
      case 'call': {
        const fn = findFunction(node.name);
        if (fn === undefined) {
          errors.push(unknownFunction(node));
          break;
        }
        errors.push(...checkArguments(fn, node));
        if ((TOP_LEVEL_ONLY as readonly string[]).includes(fn.name) && node !== root) {
          errors.push(new CloudsyncError('ERR_EXPR_NOT_APPLICABLE', `${fn.name} must be the whole expression; it cannot be nested (position ${node.start})`, { position: node.start }));
        }
        break;
      }
      case 'attribute':
        if (options.isKnownAttribute !== undefined && !options.isKnownAttribute(node.name)) {
          errors.push(new CloudsyncError('ERR_EXPR_UNKNOWN_ATTRIBUTE', `unknown source attribute [${node.name}] at position ${node.start}`, { position: node.start, details: { attribute: node.name } }));
        }
        break;
      case 'word':
        if (!wordsInRegistry().has(node.name)) {
          const hint = findFunction(node.name) !== undefined
            ? `; to call it, write ${node.name}(…)`
            : `; attributes are written in brackets ([${node.name}]) and text in quotes ("${node.name}")`;
          errors.push(new CloudsyncError('ERR_EXPR_SYNTAX', `unknown name ${node.name} at position ${node.start}${hint}`, { position: node.start }));
        }
        break;
      case 'empty':
        if (node === root) errors.push(new CloudsyncError('ERR_EXPR_SYNTAX', 'expected an expression at position 0', { position: 0 }));
        break;
      default:
        break;
    }
  }
  // One problem per position: a misspelt enumeration word is reported by its parameter, not twice.
  const seen = new Set<number | undefined>();
  return errors
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
    .filter((error) => (seen.has(error.position) ? false : (seen.add(error.position), true)));
}

function checkArguments(fn: ExpressionFunction, node: CallNode): CloudsyncError[] {
  const count = node.args.length;
  const errors: CloudsyncError[] = [];
  if (count < fn.minArgs || count > fn.maxArgs) {
    errors.push(new CloudsyncError('ERR_EXPR_ARITY', `${fn.name} takes ${describeArity(fn)} but got ${count} at position ${node.start}; syntax: ${fn.syntax}`, { position: node.start }));
    return errors;
  }
  const extra = fn.checkArgumentCount?.(count);
  if (extra !== undefined) {
    errors.push(new CloudsyncError('ERR_EXPR_ARITY', `${fn.name} ${extra} at position ${node.start}; syntax: ${fn.syntax}`, { position: node.start }));
  }
  node.args.forEach((arg, index) => {
    const parameter = fn.parameters[Math.min(index, fn.parameters.length - 1)];
    if (parameter === undefined) return;
    if (index >= fn.parameters.length && parameter.variadic !== true) return;
    if (arg.kind === 'empty' && parameter.required && parameter.variadic !== true) {
      errors.push(new CloudsyncError('ERR_EXPR_ARITY', `argument ${index + 1} (${parameter.name}) of ${fn.name} is required but empty at position ${arg.start}`, { position: arg.start }));
    }
    const problem = literalProblem(arg, parameter);
    if (problem !== undefined) {
      errors.push(new CloudsyncError('ERR_EXPR_ARGUMENT_TYPE', `${parameter.name} of ${fn.name} ${problem} at position ${arg.start}`, { position: arg.start }));
    }
  });
  return errors;
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

/** Why a literal argument can never fit its parameter, or undefined. Non-literals are checked at run time. */
function literalProblem(arg: ExpressionNode, parameter: FunctionParameter): string | undefined {
  const words = parameter.enumValues;
  // Quoted spellings are left to the function: some accept other cases or aliases at run time.
  if (words !== undefined && words.length > 0 && arg.kind === 'word') {
    if (!words.some((w) => w.toLowerCase() === arg.name.toLowerCase())) return `must be one of ${words.join(', ')}, got ${arg.name}`;
  }
  if (parameter.type === 'integer') {
    switch (arg.kind) {
      case 'string':
        return INTEGER_TEXT.test(arg.value) ? undefined : `must be an integer, got ${JSON.stringify(arg.value)}`;
      case 'number':
        return typeof arg.value === 'bigint' || Number.isInteger(arg.value) ? undefined : `must be an integer, got ${arg.value}`;
      case 'boolean':
        return `must be an integer, got ${arg.value ? 'True' : 'False'}`;
      default:
        return undefined;
    }
  }
  return undefined;
}

function describeArity(fn: ExpressionFunction): string {
  const plural = (n: number): string => (n === 1 ? 'argument' : 'arguments');
  if (fn.maxArgs === Infinity) return `at least ${fn.minArgs} ${plural(fn.minArgs)}`;
  if (fn.minArgs === fn.maxArgs) return `${fn.minArgs} ${plural(fn.minArgs)}`;
  return `${fn.minArgs} to ${fn.maxArgs} arguments`;
}

function unknownFunction(node: CallNode): CloudsyncError {
  const suggestion = suggest(node.name);
  return new CloudsyncError(
    'ERR_EXPR_UNKNOWN_FUNCTION',
    `unknown function ${node.name} at position ${node.start}${suggestion === undefined ? '' : `; did you mean ${suggestion}?${suggestion.toLowerCase() === node.name.toLowerCase() ? ' (function names are case-sensitive)' : ''}`}`,
    { position: node.start, details: { function: node.name } },
  );
}

function suggest(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of functionNames()) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
