/**
 * Renders docs/reference/expression-functions.md from the function registry: the docs describe exactly the
 * functions the evaluator runs, and every example in them is executed by the test suite. A test asserts the
 * committed file equals this output; `npm run docs` rewrites it.
 */
import type { ExpressionFunction, FunctionExample } from './function-definition.ts';
import { listFunctions } from './list-functions.ts';

export function renderFunctionReference(functions: readonly ExpressionFunction[] = listFunctions()): string {
  const lines: string[] = [
    '# Expression function reference',
    '',
    '<!-- Generated from src/expressions/functions by `npm run docs`. Do not edit by hand. -->',
    '',
    'Functions of the attribute-mapping expression language, compatible with Microsoft Entra Cloud Sync and',
    'app provisioning. Names are case-sensitive. The grammar, value model and error codes are described in',
    '[../expressions.md](../expressions.md). Every example below is executed by the test suite',
    '(`test/expressions/function-examples.test.ts`); results are shown as the CLI prints them',
    '(`cloudsync expression eval`), with dates fixed where an example needs a clock.',
    '',
    `${functions.length} functions:`,
    '',
    functions.map((fn) => `[${fn.name}](#${anchor(fn.name)})`).join(' · '),
    '',
  ];
  for (const fn of functions) lines.push(...renderFunction(fn));
  return `${lines.join('\n').trimEnd()}\n`;
}

function renderFunction(fn: ExpressionFunction): string[] {
  const lines: string[] = ['---', '', `## ${fn.name}`, '', `\`${fn.syntax}\``, '', fn.summary.trim(), ''];
  if (fn.semantics !== undefined && fn.semantics.trim() !== '') lines.push(fn.semantics.trim(), '');
  const arity = fn.maxArgs === Infinity ? `${fn.minArgs} or more` : fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
  lines.push(`Arguments: ${arity}${fn.lazy === true ? '; evaluated only when needed (untaken branches are not evaluated)' : ''}.`, '');
  if (fn.parameters.length > 0) {
    lines.push('| Parameter | Required | Description |', '| --- | --- | --- |');
    for (const p of fn.parameters) {
      const required = `${p.required ? 'required' : 'optional'}${p.variadic === true ? ', repeating' : ''}${p.type === undefined ? '' : `, ${p.type}`}`;
      const words = p.enumValues !== undefined && p.enumValues.length > 0 ? ` One of: ${p.enumValues.map((w) => `\`${w}\``).join(', ')}.` : '';
      lines.push(`| ${cell(p.name)} | ${required} | ${cell(p.description + words)} |`);
    }
    lines.push('');
  }
  if (fn.examples.length > 0) {
    lines.push('| Expression | Attributes | Result |', '| --- | --- | --- |');
    for (const example of fn.examples) lines.push(renderExample(example));
    lines.push('');
  }
  if (fn.deviation !== undefined && fn.deviation.trim() !== '') {
    lines.push(`**Differs from Entra:** ${fn.deviation.trim()}`, '');
  }
  return lines;
}

function renderExample(example: FunctionExample): string {
  const attributes = example.attributes === undefined || Object.keys(example.attributes).length === 0 ? '' : code(JSON.stringify(example.attributes));
  const context = [
    example.context?.now === undefined ? undefined : `now = ${example.context.now}`,
    example.context?.taken === undefined ? undefined : `taken in target: ${JSON.stringify(example.context.taken)}`,
  ].filter((part): part is string => part !== undefined);
  const result = renderResult(example);
  const note = [...context, example.note?.trim()].filter((part) => part !== undefined && part !== '').join('; ');
  return `| ${code(example.expression)} | ${attributes} | ${result}${note === '' ? '' : `<br>${cell(note)}`} |`;
}

function renderResult(example: FunctionExample): string {
  const result = example.result as { error?: unknown; ignoreFlow?: unknown } | null;
  if (result !== null && typeof result === 'object' && !Array.isArray(result)) {
    if (typeof result.error === 'string') return `error ${code(result.error)}`;
    if (result.ignoreFlow === true) return 'not flowed (target left out)';
  }
  const shown = code(JSON.stringify(example.result));
  return example.resultPattern === undefined ? shown : `for example ${shown}`;
}

/** Inline code that survives a GFM table cell. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\|/g, '\\|').replace(/\r?\n\s*/g, ' ')}${pad}${fence}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function anchor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]/g, '');
}
