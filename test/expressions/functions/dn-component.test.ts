import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../helpers.ts';

describe('DNComponent', () => {
  it('undoes RFC 4514 escapes and trims unescaped spaces', () => {
    assert.equal(evaluate('DNComponent([d], 1)', { d: 'CN=Smith\\, John,OU=X' }), 'Smith, John');
    assert.equal(evaluate('DNComponent([d], 1)', { d: 'CN=caf\\C3\\A9 \\+ co,OU=X' }), 'café + co');
    assert.equal(evaluate('DNComponent([d], 2)', { d: 'CN=a, OU = Sales ,DC=x' }), 'Sales');
    assert.equal(evaluate('DNComponent([d], 1)', { d: 'CN=\\ lead\\ ,DC=x' }), ' lead ');
    assert.equal(evaluate('DNComponent([d], 1)', { d: 'CN=a+UID=b,DC=x' }), 'a');
    assert.equal(evaluate('DNComponent([d], 2)', { d: 'CN=a;OU=legacy' }), 'legacy');
    assert.equal(evaluate('DNComponent([d], 1)', { d: 'CN=Zoë 😀,DC=x' }), 'Zoë 😀');
  });
  it('returns NULL beyond the end and for a NULL dn; refuses componentNumber < 1 and non-DNs', () => {
    assert.equal(evaluate('DNComponent([d], 3)', { d: 'CN=a,DC=x' }), null);
    assert.equal(evaluate('DNComponent([d], 1)'), null);
    assert.deepEqual(evaluate('DNComponent([d], 0)', { d: 'CN=a' }), { error: 'ERR_EXPR_EVALUATION' });
    assert.deepEqual(evaluate('DNComponent([d], 1)', { d: 'not a dn' }), { error: 'ERR_EXPR_EVALUATION' });
  });
});
