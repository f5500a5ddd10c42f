import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { defaultBackend, startApi, type ApiFixture } from '../api-harness.ts';

let api: ApiFixture;
before(async () => {
  api = await startApi(defaultBackend());
});
after(async () => {
  await api.close();
});

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

function tokenRequest(form: Record<string, string>, tenantId = api.tenant.tenantId, headers: Record<string, string> = {}) {
  return api.app.inject({
    method: 'POST',
    url: `/${tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}

test('client credentials → a signed JWT with the claims Graph clients expect', async () => {
  const response = await tokenRequest({
    grant_type: 'client_credentials',
    client_id: api.tenant.clientId,
    client_secret: api.tenant.clientSecret,
    scope: GRAPH_SCOPE,
  });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['cache-control'], 'no-store');
  const body = response.json() as Record<string, unknown>;
  assert.equal(body['token_type'], 'Bearer');
  assert.equal(body['expires_in'], 3600);
  const token = body['access_token'] as string;
  assert.equal(decodeProtectedHeader(token).alg, 'ES256');
  const claims = decodeJwt(token);
  assert.equal(claims['tid'], api.tenant.tenantId);
  assert.equal(claims['appid'], api.tenant.clientId);
  assert.equal(claims['azp'], api.tenant.clientId);
  assert.equal(claims.aud, 'https://graph.microsoft.com');
  assert.equal(claims.iss, `http://localhost:80/${api.tenant.tenantId}/v2.0`);
  assert.equal(claims.exp! - claims.iat!, 3600);
  assert.equal(claims.nbf, claims.iat);
  assert.equal(typeof claims.jti, 'string');
  assert.ok((claims['roles'] as string[]).includes('Directory.ReadWrite.All'));
  assert.ok(!token.includes(api.tenant.clientSecret));
});

test('HTTP Basic client authentication (RFC 6749 §2.3.1) and our own URL as resource', async () => {
  const basic = Buffer.from(`${encodeURIComponent(api.tenant.clientId)}:${encodeURIComponent(api.tenant.clientSecret)}`).toString('base64');
  const response = await tokenRequest({ grant_type: 'client_credentials', scope: 'http://localhost:80/.default' }, undefined, { authorization: `Basic ${basic}` });
  assert.equal(response.statusCode, 200, response.body);
  assert.equal(decodeJwt((response.json() as { access_token: string }).access_token).aud, 'http://localhost:80');
});

test('RFC 6749 §5.2 errors', async () => {
  const good = { grant_type: 'client_credentials', client_id: api.tenant.clientId, client_secret: api.tenant.clientSecret, scope: GRAPH_SCOPE };
  const cases: Array<[string, Awaited<ReturnType<typeof tokenRequest>>, number, string]> = [
    ['wrong secret', await tokenRequest({ ...good, client_secret: 'wrong' }), 401, 'invalid_client'],
    ['unknown client', await tokenRequest({ ...good, client_id: '00000000-0000-0000-0000-000000000001' }), 401, 'invalid_client'],
    ['unknown tenant', await tokenRequest(good, '00000000-0000-0000-0000-000000000002'), 401, 'invalid_client'],
    ['no secret', await tokenRequest({ ...good, client_secret: '' }), 401, 'invalid_client'],
    ['password grant', await tokenRequest({ ...good, grant_type: 'password' }), 400, 'unsupported_grant_type'],
    ['no grant type', await tokenRequest({ client_id: good.client_id, client_secret: good.client_secret, scope: GRAPH_SCOPE }), 400, 'invalid_request'],
    ['no scope', await tokenRequest({ grant_type: 'client_credentials', client_id: good.client_id, client_secret: good.client_secret }), 400, 'invalid_scope'],
    ['foreign scope', await tokenRequest({ ...good, scope: 'https://management.azure.com/.default' }), 400, 'invalid_scope'],
    ['delegated scope', await tokenRequest({ ...good, scope: 'User.Read' }), 400, 'invalid_scope'],
  ];
  for (const [name, response, status, error] of cases) {
    assert.equal(response.statusCode, status, `${name}: ${response.body}`);
    const body = response.json() as Record<string, unknown>;
    assert.equal(body['error'], error, name);
    assert.equal(typeof body['error_description'], 'string', name);
    assert.ok(!response.body.includes(api.tenant.clientSecret), name);
  }
  // Unknown tenant, unknown client and wrong secret are indistinguishable.
  const descriptions = cases.slice(0, 3).map(([, response]) => (response.json() as { error_description: string }).error_description);
  assert.equal(new Set(descriptions).size, 1);
});

test('refuses repeated parameters, JSON bodies and mixed client authentication', async () => {
  const repeated = await api.app.inject({
    method: 'POST',
    url: `/${api.tenant.tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `grant_type=client_credentials&grant_type=client_credentials&client_id=${api.tenant.clientId}&client_secret=x&scope=${encodeURIComponent(GRAPH_SCOPE)}`,
  });
  assert.equal(repeated.statusCode, 400);
  assert.equal((repeated.json() as { error: string }).error, 'invalid_request');

  const json = await api.app.inject({
    method: 'POST',
    url: `/${api.tenant.tenantId}/oauth2/v2.0/token`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ grant_type: 'client_credentials' }),
  });
  assert.equal(json.statusCode, 400);
  assert.equal((json.json() as { error: string }).error, 'invalid_request');

  const basic = Buffer.from(`${api.tenant.clientId}:${api.tenant.clientSecret}`).toString('base64');
  const mixed = await tokenRequest(
    { grant_type: 'client_credentials', client_id: api.tenant.clientId, client_secret: api.tenant.clientSecret, scope: GRAPH_SCOPE },
    undefined,
    { authorization: `Basic ${basic}` },
  );
  assert.equal(mixed.statusCode, 400);
});

test('the token endpoint takes small forms only, and does not remember over-long client ids', async () => {
  // Its own app, so that its failures count against fresh limiters.
  const own = await startApi(defaultBackend());
  try {
    const request = (clientId: string) =>
      own.app.inject({
        method: 'POST',
        url: `/${own.tenant.tenantId}/oauth2/v2.0/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'x', scope: GRAPH_SCOPE }).toString(),
      });
    // A megabyte of client id used to be read and kept as a limiter key for a minute, ~60 MB a minute per address.
    const huge = await request('a'.repeat(1024 * 1024));
    assert.equal(huge.statusCode, 413);
    assert.equal((huge.json() as { error: string }).error, 'invalid_request');
    // An id longer than any client's is counted for its address only: past the per-client limit it still gets 401.
    const overLong = 'b'.repeat(200);
    for (let i = 0; i < 25; i++) assert.equal((await request(overLong)).statusCode, 401, `attempt ${i + 1}`);
  } finally {
    await own.close();
  }
});

// Last in this file: it blocks the fixture's client for a minute.
test('repeated wrong secrets are refused with 429 and Retry-After before any hashing, even for the right secret', async () => {
  const attempt = (secret: string) =>
    tokenRequest({ grant_type: 'client_credentials', client_id: api.tenant.clientId, client_secret: secret, scope: GRAPH_SCOPE });
  let failures = 0;
  for (;;) {
    const response = await attempt('wrong-secret');
    if (response.statusCode === 429) break;
    assert.equal(response.statusCode, 401);
    failures += 1;
    assert.ok(failures <= 20, 'the limit is 20 failures per client and minute');
  }
  assert.ok(failures >= 1);
  const blocked = await attempt(api.tenant.clientSecret);
  assert.equal(blocked.statusCode, 429);
  assert.ok(Number(blocked.headers['retry-after']) > 0);
  const body = blocked.json() as { error: string; error_description: string };
  assert.equal(body.error, 'invalid_client');
  assert.match(body.error_description, /retry after \d+ seconds/);
});
