/** Test helpers: evaluate an expression against JSON-style attributes and get the JSON-rendered result. */
import {
  attributeSource,
  compileExpression,
  fixedContext,
  valueFromJson,
  valueToJson,
  type EvaluationContext,
  type Value,
} from '../../src/expressions/index.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';

export function record(attributes: Readonly<Record<string, unknown>> = {}): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [name, json] of Object.entries(attributes)) out[name] = valueFromJson(json, name);
  return out;
}

/** The raw Value (or 'ignoreFlow'); throws what evaluation throws. */
export function evaluateRaw(expression: string, attributes: Readonly<Record<string, unknown>> = {}, context: Partial<EvaluationContext> = fixedContext()): Value | 'ignoreFlow' {
  const result = compileExpression(expression).evaluate(attributeSource(record(attributes)), context);
  return result.kind === 'ignoreFlow' ? 'ignoreFlow' : result.value;
}

/** JSON rendering of the result, { ignoreFlow: true }, or { error: code, position?, message }. */
export function evaluate(expression: string, attributes: Readonly<Record<string, unknown>> = {}): unknown {
  try {
    const value = evaluateRaw(expression, attributes);
    return value === 'ignoreFlow' ? { ignoreFlow: true } : valueToJson(value);
  } catch (error) {
    if (isCloudsyncError(error)) return { error: error.code };
    throw error;
  }
}

export function evaluationError(expression: string, attributes: Readonly<Record<string, unknown>> = {}): { code: string; message: string; position: number | undefined } {
  try {
    evaluateRaw(expression, attributes);
  } catch (error) {
    if (isCloudsyncError(error)) return { code: error.code, message: error.message, position: error.position };
    throw error;
  }
  throw new Error(`expected ${expression} to fail`);
}
