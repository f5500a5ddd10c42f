import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../helpers.ts';

describe('IIF', () => {
  it('works on NULL and empty values (Entra defect fixed)', () => {
    assert.equal(evaluate('IIF([country]="","Other",[country])'), 'Other');
    assert.equal(evaluate('IIF([country]="","Other",[country])', { country: '' }), 'Other');
    assert.equal(evaluate('IIF([country]="","Other",[country])', { country: 'NZ' }), 'NZ');
    assert.equal(evaluate('IIF(IsNullOrEmpty([country]),"Other",[country])'), 'Other');
    assert.equal(evaluate('IIF(IsPresent([country]),[country],"Other")', { country: 'NZ' }), 'NZ');
    assert.equal(evaluate('IIF([flag], "on", "off")'), 'off', 'a NULL condition is False');
  });
  it('nests for AND and OR', () => {
    const and = 'IIF([country]="USA",IIF([state]="CA","True","False"),"False")';
    const or = 'IIF([country]="USA","True",IIF([state]="CA","True","False"))';
    assert.equal(evaluate(and, { country: 'USA', state: 'NY' }), 'False');
    assert.equal(evaluate(or, { country: 'FR', state: 'CA' }), 'True');
  });
  it('accepts truthy text and numbers, refuses other text', () => {
    assert.equal(evaluate('IIF("TRUE", 1, 2)'), 1);
    assert.equal(evaluate('IIF(0, 1, 2)'), 2);
    assert.equal(evaluate('IIF(DateDiff("d", Now(), CDate("2024-01-10")) > 5, "later", "soon")'), 'later');
    assert.deepEqual(evaluate('IIF("perhaps", 1, 2)'), { error: 'ERR_EXPR_EVALUATION' });
  });
});
