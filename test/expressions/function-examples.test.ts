/**
 * Runs every example of every registered function — the examples are the generated reference's claims, so
 * each one must hold. Also checks that the registry entries are complete enough to document.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attributeSource,
  compileExpression,
  fixedContext,
  listFunctions,
  valueFromJson,
  valueToJson,
  type FunctionExample,
  type Value,
} from '../../src/expressions/index.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';

function runExample(example: FunctionExample): unknown {
  const record: Record<string, Value> = {};
  for (const [name, json] of Object.entries(example.attributes ?? {})) record[name] = valueFromJson(json, name);
  const taken = new Set((example.context?.taken ?? []).map((v) => JSON.stringify(v)));
  const context = fixedContext({
    ...(example.context?.now === undefined ? {} : { now: new Date(example.context.now) }),
    isUnique: (value) => !taken.has(JSON.stringify(valueToJson(value))),
  });
  try {
    const result = compileExpression(example.expression).evaluate(attributeSource(record), context);
    return result.kind === 'ignoreFlow' ? { ignoreFlow: true } : valueToJson(result.value);
  } catch (error) {
    if (isCloudsyncError(error)) return { error: error.code };
    throw error;
  }
}

describe('function examples', () => {
  for (const fn of listFunctions()) {
    describe(fn.name, () => {
      it('is documented', () => {
        assert.ok(fn.summary.trim().length > 0);
        assert.ok(fn.syntax.startsWith(`${fn.name}(`), `syntax of ${fn.name} starts with its name: ${fn.syntax}`);
        assert.ok(fn.minArgs >= 0 && fn.minArgs <= fn.maxArgs);
        assert.ok(fn.examples.length > 0, `${fn.name} has at least one example`);
      });
      fn.examples.forEach((example, index) => {
        it(`example ${index + 1}: ${example.expression}`, () => {
          const actual = runExample(example);
          if (example.resultPattern !== undefined) {
            assert.equal(typeof actual, 'string', `result of ${example.expression} is a string`);
            assert.match(actual as string, new RegExp(`^(?:${example.resultPattern})$`));
          } else {
            assert.deepEqual(actual, example.result);
          }
        });
      });
    });
  }
});
