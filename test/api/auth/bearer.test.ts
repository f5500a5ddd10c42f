import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { defaultBackend, startApi, type ApiFixture } from '../api-harness.ts';

let now = new Date();
let api: ApiFixture;
let claims: Record<string, unknown>;

before(async () => {
  api = await startApi(defaultBackend(), { clock: () => now });
  claims = decodeJwt(api.token);
});
after(async () => {
  await api.close();
});

async function signWithServiceKey(payload: Record<string, unknown>): Promise<string> {
  const key = await api.directory.getOrCreateSigningKey();
  const privateKey = await importJWK(key.privateJwk as JWK, 'ES256');
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(privateKey);
}

async function getUsers(authorization: string | undefined) {
  return api.app.inject({ method: 'GET', url: '/v1.0/users', headers: authorization === undefined ? {} : { authorization } });
}

function assertInvalidToken(response: Awaited<ReturnType<typeof getUsers>>, message: RegExp): void {
  assert.equal(response.statusCode, 401, response.body);
  const body = response.json() as { error: { code: string; message: string; innerError: Record<string, string> } };
  assert.equal(body.error.code, 'InvalidAuthenticationToken');
  assert.match(body.error.message, message);
  assert.equal(typeof body.error.innerError['request-id'], 'string');
  assert.match(String(response.headers['www-authenticate']), /^Bearer/);
}

test('a valid token reads', async () => {
  assert.equal((await getUsers(`Bearer ${api.token}`)).statusCode, 200);
});

test('missing, malformed and tampered tokens', async () => {
  assertInvalidToken(await getUsers(undefined), /empty/);
  assertInvalidToken(await getUsers('Basic abc'), /Bearer/);
  assertInvalidToken(await getUsers('Bearer not-a-jwt'), /not well formed/);
  const [header, payload] = api.token.split('.');
  const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['Directory.ReadWrite.All', 'AuditLog.Read.All'] })).toString('base64url');
  assertInvalidToken(await getUsers(`Bearer ${header}.${forged}.${api.token.split('.')[2]}`), /signature/);
  assertInvalidToken(await getUsers(`Bearer ${header}.${payload}.AAAA`), /signature|well formed/);
});

test('wrong algorithm, alg none and a foreign key are refused', async () => {
  const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
  assertInvalidToken(await getUsers(`Bearer ${hs}`), /algorithm/);
  const none = new UnsecuredJWT(claims).encode();
  assertInvalidToken(await getUsers(`Bearer ${none}`), /algorithm|well formed/);
  const { privateKey } = await generateKeyPair('ES256');
  const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
  assertInvalidToken(await getUsers(`Bearer ${foreign}`), /signature/);
});

test('wrong audience and wrong issuer, even when signed by us', async () => {
  assertInvalidToken(await getUsers(`Bearer ${await signWithServiceKey({ ...claims, aud: 'https://management.azure.com' })}`), /audience/);
  assertInvalidToken(await getUsers(`Bearer ${await signWithServiceKey({ ...claims, iss: 'https://login.example/evil/v2.0' })}`), /issuer/);
  const { roles: _roles, ...withoutRoles } = claims;
  assertInvalidToken(await getUsers(`Bearer ${await signWithServiceKey(withoutRoles)}`), /roles/);
});

test('expired and not-yet-valid tokens', async () => {
  const issuedAt = now;
  try {
    now = new Date(issuedAt.getTime() + 3600_000 + 61_000);
    assertInvalidToken(await getUsers(`Bearer ${api.token}`), /expired/);
    now = new Date(issuedAt.getTime() - 120_000);
    assertInvalidToken(await getUsers(`Bearer ${api.token}`), /not yet valid/);
  } finally {
    now = issuedAt;
  }
});

test('roles: Directory.Read.All reads but cannot write; writes need Directory.ReadWrite.All', async () => {
  const reader = await api.clientWithRoles(['Directory.Read.All']);
  const token = await api.tokenFor(reader.clientId, reader.clientSecret);
  const headers = { authorization: `Bearer ${token}` };
  assert.equal((await api.app.inject({ method: 'GET', url: '/v1.0/groups', headers })).statusCode, 200);
  const denied = await api.app.inject({
    method: 'POST',
    url: '/v1.0/groups',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify({ displayName: 'Denied', mailEnabled: false, securityEnabled: true, mailNickname: 'denied' }),
  });
  assert.equal(denied.statusCode, 403);
  assert.equal((denied.json() as { error: { code: string } }).error.code, 'Authorization_RequestDenied');
  const groups = await api.directory.list(api.tenant.tenantId, 'group', { top: 10, filter: { kind: 'comparison', operator: 'eq', property: 'displayName', value: 'Denied' } });
  assert.equal(groups.items.length, 0);

  const syncOnly = await api.clientWithRoles(['Synchronization.ReadWrite.All']);
  const syncToken = await api.tokenFor(syncOnly.clientId, syncOnly.clientSecret);
  assert.equal((await getUsers(`Bearer ${syncToken}`)).statusCode, 403);
});
