/** AppRoleAssignmentsComplex and SingleAppRoleAssignment on the [appRoleAssignments] shape. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, evaluationError } from '../helpers.ts';

const role = (id: string, displayName: string, value: string | null = displayName): string => JSON.stringify({ id, displayName, value });
const ADMIN = role('06b07648-ecfe-589f-9d2f-6325724a46ee', 'Admin');
const ADMIN_UPPER_ID = role('06B07648-ECFE-589F-9D2F-6325724A46EE', 'Admin');
const READER = role('7f1f5f4e-1111-4222-8333-944455556666', 'Reader (東京)', null);

describe('SingleAppRoleAssignment', () => {
  it('returns the one role\'s name, counting a role held twice once', () => {
    assert.equal(evaluate('SingleAppRoleAssignment([r])', { r: ADMIN }), 'Admin', 'a single value');
    assert.equal(evaluate('SingleAppRoleAssignment([r])', { r: [ADMIN, ADMIN_UPPER_ID] }), 'Admin', 'GUIDs compare without case');
    assert.equal(evaluate('SingleAppRoleAssignment([r])', { r: [READER] }), 'Reader (東京)');
  });
  it('refuses several roles, naming them', () => {
    const error = evaluationError('SingleAppRoleAssignment([r])', { r: [ADMIN, READER] });
    assert.equal(error.code, 'ERR_EXPR_EVALUATION');
    assert.match(error.message, /2 app roles \(Admin, Reader \(東京\)\).*AppRoleAssignmentsComplex/);
  });
  it('is not applicable to anything but app role assignments', () => {
    for (const value of ['Admin', '{"displayName":"Admin"}', '{"id":"not-a-guid","displayName":"x"}', '[1]', 'base64:AQI=', 12, true]) {
      const error = evaluationError('SingleAppRoleAssignment([r])', { r: value });
      assert.equal(error.code, 'ERR_EXPR_NOT_APPLICABLE', String(value));
      assert.match(error.message, /only applies to \[appRoleAssignments\]/);
    }
    assert.equal(evaluationError('SingleAppRoleAssignment([r])', { r: [ADMIN, 'Admin'] }).code, 'ERR_EXPR_NOT_APPLICABLE', 'one bad value spoils the lot');
    assert.equal(evaluationError('SingleAppRoleAssignment([r])', { r: JSON.stringify({ id: '06b07648-ecfe-589f-9d2f-6325724a46ee', displayName: 'A', value: 3 }) }).code, 'ERR_EXPR_NOT_APPLICABLE');
  });
});

describe('AppRoleAssignmentsComplex', () => {
  it('emits one RFC 7643 role per distinct role, in order, value falling back to the name', () => {
    assert.deepEqual(evaluate('AppRoleAssignmentsComplex([r])', { r: [READER, ADMIN, ADMIN_UPPER_ID] }), [
      '{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Reader (東京)","value":"Reader (東京)"}',
      '{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"}',
    ]);
  });
  it('escapes names safely and copes with many assignments', () => {
    const tricky = role('11111111-2222-4333-8444-555555555555', 'Say "hi"\\', 'v');
    const [out] = evaluate('AppRoleAssignmentsComplex([r])', { r: [tricky] }) as string[];
    assert.equal(JSON.parse(out!).display, 'Say "hi"\\');
    const many = Array.from({ length: 1000 }, (_, i) => role(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, `R${i}`));
    assert.equal((evaluate('AppRoleAssignmentsComplex([r])', { r: many }) as string[]).length, 1000);
  });
  it('gives nothing for no assignments and refuses other shapes', () => {
    assert.equal(evaluate('AppRoleAssignmentsComplex([r])'), null);
    assert.equal(evaluationError('AppRoleAssignmentsComplex([r])', { r: 'CN=Sales,DC=contoso,DC=com' }).code, 'ERR_EXPR_NOT_APPLICABLE');
  });
});
