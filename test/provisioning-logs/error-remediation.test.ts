/**
 * Every error code an entry can carry has a remediation hint. The areas whose errors the engine records per object
 * (mapping expressions, the cloud directory's constraints, LDAP/LDIF reads) are taken from the closed code list,
 * so a code added there later without a hint fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES } from '../../src/errors/index.ts';
import { PER_OBJECT_ERROR_CODES, REMEDIATIONS, remediationOf } from '../../src/provisioning-logs/index.ts';

const PER_OBJECT_AREAS = /^ERR_(EXPR|DIR|LDAP|LDIF)_/;

test('every code of the per-object areas, and every engine code, has a specific hint', () => {
  const expected = ERROR_CODES.filter((code) => PER_OBJECT_AREAS.test(code));
  for (const code of expected) assert.ok((PER_OBJECT_ERROR_CODES as readonly string[]).includes(code), `${code} has no remediation`);
  for (const code of ['ERR_SYNC_REFERENCE_UNRESOLVED', 'ERR_SYNC_MATCH_CONFLICT', 'ERR_SYNC_DELETE_THRESHOLD', 'ERR_SCHEMA_VALUE_TYPE']) {
    assert.ok((PER_OBJECT_ERROR_CODES as readonly string[]).includes(code), code);
  }
  for (const code of PER_OBJECT_ERROR_CODES) {
    const hint = REMEDIATIONS[code];
    assert.ok(hint !== undefined, `${code} has no remediation`);
    assert.ok(hint.recommendedAction.length > 30, `${code}: a hint that says what to do`);
    assert.ok(['failure', 'nonServiceFailure'].includes(hint.errorCategory));
  }
});

test('data problems are nonServiceFailure, passing trouble is failure; unknown codes get a generic hint', () => {
  assert.equal(remediationOf('ERR_DIR_UPN_CONFLICT').errorCategory, 'nonServiceFailure');
  assert.match(remediationOf('ERR_DIR_UNVERIFIED_DOMAIN').recommendedAction, /verify/);
  assert.equal(remediationOf('ERR_LDAP_BUSY').errorCategory, 'failure');
  assert.match(remediationOf('SomethingNew').recommendedAction, /retried/);
  // Not an inherited member of the table.
  assert.match(remediationOf('toString').recommendedAction, /retried/);
});
