import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CloudsyncError } from '../../src/errors/index.ts';
import { decodeDeltaPosition, decodeListPosition, encodeDeltaPosition, encodeListPosition } from '../../src/directory/skip-token.ts';

it('round-trips list positions and refuses them for another order', () => {
  const token = encodeListPosition({ order: 'displayName asc', key: 'Zoë', id: 'abc' });
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeListPosition(token, 'displayName asc'), { order: 'displayName asc', key: 'Zoë', id: 'abc' });
  assert.throws(() => decodeListPosition(token, 'id'), (e: unknown) => e instanceof CloudsyncError && e.code === 'ERR_ODATA_SKIPTOKEN');
  assert.throws(() => decodeListPosition('!!', 'id'), CloudsyncError);
  assert.throws(() => decodeListPosition(Buffer.from('{"o":"id","i":5}').toString('base64url'), 'id'), CloudsyncError);
});

it('round-trips delta positions bound to tenant and type', () => {
  const token = encodeDeltaPosition({ tenantId: 't', type: 'user', from: 5, high: 9, after: 'x', initial: true });
  assert.deepEqual(decodeDeltaPosition(token, 't', 'user'), { tenantId: 't', type: 'user', from: 5, high: 9, after: 'x', initial: true });
  assert.throws(() => decodeDeltaPosition(token, 'u', 'user'), CloudsyncError);
  assert.throws(() => decodeDeltaPosition(token, 't', 'group'), CloudsyncError);
  assert.throws(() => decodeDeltaPosition(encodeDeltaPosition({ tenantId: 't', type: 'user', from: -1 }), 't', 'user'), CloudsyncError);
});
