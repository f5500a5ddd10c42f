import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeSource, compileExpression } from '../../../src/expressions/index.ts';
import { evaluate } from '../helpers.ts';

describe('Switch', () => {
  const timezone = 'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")';
  it('compares case-sensitively and falls back to the default', () => {
    assert.equal(evaluate(timezone, { state: 'SA' }), 'Australia/Adelaide');
    assert.equal(evaluate(timezone, { state: 'sa' }), 'Australia/Sydney');
    assert.equal(evaluate(timezone, { state: 'SA ' }), 'Australia/Sydney');
    assert.equal(evaluate(timezone), 'Australia/Sydney');
  });
  it('matches a NULL or empty source with the key ""', () => {
    assert.equal(evaluate('Switch([f], "d", "true", "1", "", "0")'), '0');
    assert.equal(evaluate('Switch([f], "d", "true", "1", "", "0")', { f: '' }), '0');
    assert.equal(evaluate('Switch([f], "d", "true", "1", , "0")'), '0', 'a skipped key is ""');
  });
  it('compares non-text sources by their text', () => {
    assert.equal(evaluate('Switch([n], "other", "1", "one", "2", "two")', { n: 2 }), 'two');
    assert.equal(evaluate('Switch(IsPresent([x]), "?", "True", "yes", "False", "no")', { x: 'a' }), 'yes');
    assert.deepEqual(evaluate('Switch([p], "d", "a", "A")', { p: ['a', 'b'] }), { error: 'ERR_EXPR_EVALUATION' });
  });
  it('depends only on its own source: other attributes changing never blanks it (Entra defect fixed)', () => {
    const compiled = compileExpression('Switch([companyName], "External", "Company A", "A", "Company B", "B")');
    const before = compiled.evaluate(attributeSource({ companyName: 'Company B', displayName: 'Old' }));
    const after = compiled.evaluate(attributeSource({ companyName: 'Company B', displayName: 'New' }));
    assert.deepEqual(before, { kind: 'value', value: 'B' });
    assert.deepEqual(after, before);
  });
});
