import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudsyncError, ERROR_CODES, isErrorCode } from '../../src/errors/index.ts';

test('codes are unique and follow ERR_<AREA>_<PROBLEM>', () => {
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  for (const code of ERROR_CODES) assert.match(code, /^ERR_[A-Z]+(_[A-Z0-9]+)+$/);
});

test('an error carries its code, location and details into JSON', () => {
  const error = new CloudsyncError('ERR_EXPR_SYNTAX', 'expected ")" at position 14', {
    path: 'mappings[3].expression',
    position: 14,
  });
  assert.deepEqual(error.toJSON(), {
    code: 'ERR_EXPR_SYNTAX',
    message: 'expected ")" at position 14',
    path: 'mappings[3].expression',
    position: 14,
  });
});

test('an unknown code is a bug of ours, reported as TypeError', () => {
  assert.equal(isErrorCode('ERR_NOPE'), false);
  assert.throws(() => new CloudsyncError('ERR_NOPE' as never, 'x'), TypeError);
});
