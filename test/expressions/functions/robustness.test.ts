/**
 * Every registered function, fed awkward values in every argument position (NULL, "", multi-valued, binary,
 * huge, unicode, numbers, booleans, references), either returns a value or fails with a CloudsyncError that
 * is not an internal error. No raw exception may reach a user.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeSource, compileExpression, fixedContext, listFunctions, reference, type Value } from '../../../src/expressions/index.ts';
import { isCloudsyncError } from '../../../src/errors/index.ts';

const SAMPLES: Readonly<Record<string, Value>> = {
  null: null,
  empty: '',
  text: 'John Doe',
  unicode: 'İstanbul Zoë 😀 ß Σ',
  huge: 'x'.repeat(1_000_000),
  multi: ['a', 'B', ''],
  single: ['only'],
  binary: new Uint8Array([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 2, 3, 4]),
  zero: 0,
  negative: -3,
  big: 129699324000000000n,
  float: 2.5,
  yes: true,
  ref: reference('CN=Joe,OU=Sales,DC=contoso,DC=com'),
  date: new Date(Date.UTC(2021, 6, 2, 15, 33, 38)),
};
const NAMES = Object.keys(SAMPLES);

describe('every function is total over awkward values', () => {
  const source = attributeSource(SAMPLES);
  const context = fixedContext({ isUnique: () => true });
  for (const fn of listFunctions()) {
    it(fn.name, () => {
      const counts = new Set<number>([fn.minArgs, Math.min(fn.maxArgs, fn.minArgs + 1), Math.min(fn.maxArgs, Math.max(fn.minArgs, 4))]);
      let evaluations = 0;
      for (const count of counts) {
        if (fn.checkArgumentCount?.(count) !== undefined) continue;
        for (let position = 0; position < Math.max(count, 1); position++) {
          for (const name of NAMES) {
            const args = Array.from({ length: count }, (_, i) => (i === position ? `[${name}]` : '[text]'));
            if (fn.name === 'SelectUniqueValue' && count < 2) continue;
            const expression = `${fn.name}(${args.join(', ')})`;
            try {
              compileExpression(expression).evaluate(source, context);
            } catch (error) {
              assert.ok(isCloudsyncError(error), `${expression} threw a raw ${String(error)}`);
              assert.doesNotMatch(error.message, /internal error/, `${expression}: ${error.message}`);
            }
            evaluations++;
          }
        }
      }
      assert.ok(evaluations > 0);
    });
  }
});
