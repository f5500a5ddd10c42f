import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifiedTokenCache } from '../../../src/api/auth/verified-token-cache.ts';
import { CloudsyncError } from '../../../src/errors/index.ts';

const principal = Object.freeze({ tenantId: 't', clientId: 'c', roles: [], tokenId: 'j', notBefore: 1000, expires: 4600 });

test('a hit re-checks the lifetime against the clock', () => {
  const cache = new VerifiedTokenCache();
  cache.set('k', principal, 1000, 4600);
  assert.equal(cache.get('k', new Date(2000_000)), principal);
  assert.equal(cache.get('other', new Date(2000_000)), undefined);
  assert.throws(() => cache.get('k', new Date(900_000)), (error: unknown) => error instanceof CloudsyncError && error.code === 'ERR_AUTH_TOKEN_INVALID');
  assert.throws(() => cache.get('k', new Date((4600 + 61) * 1000)), (error: unknown) => error instanceof CloudsyncError && error.code === 'ERR_AUTH_TOKEN_EXPIRED');
  // Expired entries are dropped, not kept around.
  assert.equal(cache.get('k', new Date(2000_000)), undefined);
});

test('bounded: the oldest entry goes first', () => {
  const cache = new VerifiedTokenCache(2);
  cache.set('a', principal, 1000, 4600);
  cache.set('b', principal, 1000, 4600);
  cache.set('c', principal, 1000, 4600);
  const now = new Date(2000_000);
  assert.equal(cache.get('a', now), undefined);
  assert.equal(cache.get('b', now), principal);
  assert.equal(cache.get('c', now), principal);
});
