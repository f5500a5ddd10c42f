import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from '../../src/directory/client-secret.ts';

it('stores a salted scrypt hash that verifies only the right secret', async () => {
  const secret = generateClientSecret();
  assert.ok(secret.length >= 43);
  const a = await hashClientSecret(secret);
  const b = await hashClientSecret(secret);
  assert.notEqual(a.hash, b.hash, 'per-secret salt');
  assert.equal(a.hash.includes(secret) || a.salt.includes(secret), false);
  assert.equal(await verifyClientSecret(secret, a), true);
  assert.equal(await verifyClientSecret(secret + 'x', a), false);
});
