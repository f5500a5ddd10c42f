import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listFunctions, renderFunctionReference } from '../../src/expressions/index.ts';

describe('docs/reference/expression-functions.md', () => {
  it('documents every registered function with its syntax, parameters and deviations', () => {
    const doc = renderFunctionReference();
    for (const fn of listFunctions()) {
      assert.ok(doc.includes(`\n## ${fn.name}\n`), `section for ${fn.name}`);
      assert.ok(doc.includes(`\`${fn.syntax}\``), `syntax of ${fn.name}`);
      if (fn.deviation !== undefined) assert.ok(doc.includes(fn.deviation.trim().slice(0, 40)), `deviation of ${fn.name}`);
    }
    assert.match(doc, /\| `BitAnd\(&HF, &HF7\)` \|  \| `7` \|/);
    assert.match(doc, /\| `Switch\(\[Active\], , "1", "True", "0", "False"\)` \| `\{"Active":"x"\}` \| `null` \|/);
  });

  it('escapes table cells', () => {
    const doc = renderFunctionReference([
      {
        name: 'Pipe',
        summary: 'a | b',
        syntax: 'Pipe(x)',
        parameters: [{ name: 'x', description: 'one | two', required: true }],
        minArgs: 1,
        maxArgs: 1,
        examples: [{ expression: 'Pipe("|")', result: '|' }],
        evaluate: () => null,
      },
    ]);
    assert.match(doc, /\| x \| required \| one \\\| two \|/);
    assert.match(doc, /\| `Pipe\("\\\|"\)` \|  \| `"\\\|"` \|/);
  });
});
