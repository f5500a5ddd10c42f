/**
 * Issue 2 §7: every kind of bad input gets Graph's error and status, nothing is half-written, and no stack
 * trace or internal detail leaves the server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { defaultBackend, startApi, type ApiFixture } from '../api-harness.ts';

let api: ApiFixture;
let domain: string;

before(async () => {
  api = await startApi(defaultBackend());
  domain = (await api.directory.listDomains(api.tenant.tenantId)).find((d) => d.isDefault)!.id;
});
after(async () => {
  await api.close();
});

interface GraphError {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string } };
}

/** Asserts Graph's error shape and that nothing internal leaks. */
function assertGraphError(response: LightMyRequestResponse, status: number, code: string, message?: RegExp): GraphError {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json() as GraphError;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code, response.body);
  assert.equal(typeof body.error.message, 'string');
  if (message) assert.match(body.error.message, message);
  assert.match(body.error.innerError.date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  assert.equal(body.error.innerError['request-id'], response.headers['request-id']);
  assertNoInternals(response.body);
  return body;
}

function assertNoInternals(text: string): void {
  assert.doesNotMatch(text, /\n\s+at |\.ts:\d+|node_modules|\/work\/|SQLITE|sqlite|kysely|stack/i, `leaks internals: ${text}`);
}

function send(method: 'POST' | 'PATCH' | 'GET' | 'DELETE', url: string, payload?: string, headers: Record<string, string> = {}) {
  return api.app.inject({
    method,
    url,
    headers: { ...api.auth, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(payload === undefined ? {} : { payload }),
  });
}

async function userCount(): Promise<number> {
  const page = await api.directory.list(api.tenant.tenantId, 'user', { top: 999 });
  return page.items.length;
}

function newUser(name: string): Record<string, unknown> {
  return { accountEnabled: true, displayName: name, mailNickname: name, userPrincipalName: `${name}@${domain}`, passwordProfile: { password: 'Secret-123456!' } };
}

test('malformed JSON names the position; nothing is created', async () => {
  const before = await userCount();
  const body = assertGraphError(await send('POST', '/v1.0/users', '{"displayName": "x",}'), 400, 'Request_BadRequest', /position 20/);
  assert.match(body.error.message, /JSON/);
  assertGraphError(await send('POST', '/v1.0/users', '[1, 2]'), 400, 'Request_BadRequest', /JSON object/);
  assertGraphError(await send('POST', '/v1.0/users', 'null'), 400, 'Request_BadRequest', /JSON object/);
  assertGraphError(await send('POST', '/v1.0/users', '{"__proto__": {"admin": true}}'), 400, 'Request_BadRequest', /__proto__/);
  assert.equal(await userCount(), before);
});

test('unknown, read-only and wrongly typed properties; nothing is created', async () => {
  const before = await userCount();
  assertGraphError(await send('POST', '/v1.0/users', JSON.stringify({ ...newUser('u1'), favouriteColour: 'blue' })), 400, 'Request_BadRequest', /favouriteColour/);
  assertGraphError(await send('POST', '/v1.0/users', JSON.stringify({ ...newUser('u2'), id: '11111111-1111-1111-1111-111111111111' })), 400, 'Request_BadRequest', /\bid\b/);
  assertGraphError(await send('POST', '/v1.0/users', JSON.stringify({ ...newUser('u3'), createdDateTime: '2020-01-01T00:00:00Z' })), 400, 'Request_BadRequest', /createdDateTime/);
  assertGraphError(await send('POST', '/v1.0/users', JSON.stringify({ ...newUser('u4'), accountEnabled: 'yes' })), 400, 'Request_BadRequest', /accountEnabled/);
  assertGraphError(await send('POST', '/v1.0/users', JSON.stringify({ ...newUser('u5'), '@odata.type': '#microsoft.graph.group' })), 400, 'Request_BadRequest', /odata\.type/);
  assertGraphError(await send('POST', '/v1.0/groups', JSON.stringify({ displayName: 'G', mailEnabled: false, securityEnabled: true, mailNickname: 'g', 'members@odata.bind': [] })), 400, 'Request_BadRequest', /members@odata\.bind/);
  assert.equal(await userCount(), before);
});

test('a PATCH with one bad property changes nothing', async () => {
  const created = (await send('POST', '/v1.0/users', JSON.stringify(newUser('patchme')))).json() as { id: string };
  assertGraphError(await send('PATCH', `/v1.0/users/${created.id}`, JSON.stringify({ displayName: 'Changed', jobTitle: 'Boss', accountEnabled: 'no' })), 400, 'Request_BadRequest');
  const after = await api.directory.get(api.tenant.tenantId, 'user', created.id);
  assert.equal(after.displayName, 'patchme');
  assert.equal(after.jobTitle, null);
});

test('a unique-property conflict is a 400 naming the property, and leaves both objects as they were', async () => {
  const a = (await send('POST', '/v1.0/users', JSON.stringify(newUser('conflict-a')))).json() as { id: string };
  const b = (await send('POST', '/v1.0/users', JSON.stringify(newUser('conflict-b')))).json() as { id: string };
  const before = await userCount();
  assertGraphError(await send('POST', '/v1.0/users', JSON.stringify(newUser('conflict-a'))), 400, 'Request_BadRequest', /userPrincipalName/i);
  assertGraphError(await send('PATCH', `/v1.0/users/${b.id}`, JSON.stringify({ userPrincipalName: `conflict-a@${domain}`, displayName: 'B2' })), 400, 'Request_BadRequest', /userPrincipalName/i);
  assert.equal(await userCount(), before);
  assert.equal((await api.directory.get(api.tenant.tenantId, 'user', b.id)).displayName, 'conflict-b');
  assert.equal((await api.directory.get(api.tenant.tenantId, 'user', a.id)).userPrincipalName, `conflict-a@${domain}`);
});

test('oversized bodies are 413 and other content types 415', async () => {
  const huge = JSON.stringify({ ...newUser('huge'), jobTitle: 'x'.repeat(2 * 1024 * 1024) });
  assertGraphError(await send('POST', '/v1.0/users', huge), 413, 'Request_EntityTooLarge');
  assertGraphError(await send('POST', '/v1.0/users', 'displayName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'Request_BadRequest', /application\/json/);
  assertGraphError(await send('POST', '/v1.0/users', '<user/>', { 'content-type': 'application/xml' }), 415, 'Request_BadRequest');
});

test('bad $filter says where; unsupported properties are Request_UnsupportedQuery', async () => {
  const syntax = assertGraphError(await send('GET', `/v1.0/users?$filter=${encodeURIComponent("displayName eq 'a' and")}`), 400, 'BadRequest', /position 22/);
  assert.match(syntax.error.message, /Invalid filter clause/);
  assertGraphError(await send('GET', `/v1.0/users?$filter=${encodeURIComponent("startswith(displayName, 'a'")}`), 400, 'BadRequest', /'\)'/);
  assertGraphError(await send('GET', `/v1.0/users?$filter=${encodeURIComponent("passwordProfile eq 'x'")}`), 400, 'Request_UnsupportedQuery', /passwordProfile/);
  assertGraphError(await send('GET', `/v1.0/users?$filter=${encodeURIComponent("nonsense eq 'x'")}`), 400, 'Request_UnsupportedQuery', /nonsense/);
});

test('bad $select, $top, $orderby, $count, $skiptoken and unknown options', async () => {
  assertGraphError(await send('GET', '/v1.0/users?$select=displayName,shoeSize'), 400, 'BadRequest', /shoeSize.*microsoft\.graph\.user/);
  assertGraphError(await send('GET', '/v1.0/users?$select=passwordProfile'), 400, 'BadRequest', /passwordProfile/);
  assertGraphError(await send('GET', '/v1.0/users?$top=1000'), 400, 'Request_BadRequest', /between 1 and 999/);
  assertGraphError(await send('GET', '/v1.0/users?$top=abc'), 400, 'Request_BadRequest');
  assertGraphError(await send('GET', '/v1.0/users?$orderby=jobTitle'), 400, 'Request_UnsupportedQuery', /jobTitle/);
  assertGraphError(await send('GET', '/v1.0/users?$count=true'), 400, 'Request_BadRequest', /ConsistencyLevel/);
  assertGraphError(await send('GET', '/v1.0/users?$skiptoken=not-a-token'), 400, 'Request_BadRequest');
  assertGraphError(await send('GET', '/v1.0/users?$expand=manager'), 400, 'Request_UnsupportedQuery', /\$expand/);
  assertGraphError(await send('GET', '/v1.0/users?$top=1&$top=2'), 400, 'Request_BadRequest', /more than once/);
  assertGraphError(await send('GET', '/v1.0/nothing-here'), 400, 'BadRequest', /nothing-here/);
  const wrongMethod = await send('POST', '/v1.0/users/some-id', '{}');
  assertGraphError(wrongMethod, 405, 'Request_BadRequest', /POST is not allowed/);
  assert.equal(wrongMethod.headers['allow'], 'GET, PATCH, DELETE');
  // Errors the router raises before any route runs come out in the same shape.
  assertGraphError(await send('GET', '/v1.0/users/%E0%A4%A'), 400, 'Request_BadRequest', /URL/);
  assertGraphError(await send('GET', `/v1.0/users/${'a'.repeat(5000)}`), 400, 'Request_BadRequest', /too long/);
});

test('cross-tenant ids answer exactly like missing ones', async () => {
  const other = await api.directory.createTenant({ name: `fabrikam${Math.floor(Math.random() * 1e9)}` });
  const otherDomain = (await api.directory.listDomains(other.tenantId)).find((d) => d.isDefault)!.id;
  const foreignUser = await api.directory.create(other.tenantId, 'user', { displayName: 'F', mailNickname: 'f', userPrincipalName: `f@${otherDomain}`, accountEnabled: true });
  const foreignGroup = await api.directory.create(other.tenantId, 'group', { displayName: 'FG', mailNickname: 'fg', mailEnabled: false, securityEnabled: true });
  const missing = '9f3c1a52-0000-4000-8000-000000000000';
  const localGroup = (await send('POST', '/v1.0/groups', JSON.stringify({ displayName: 'LG', mailNickname: 'lg', mailEnabled: false, securityEnabled: true }))).json() as { id: string };

  const pairs: Array<[string, (id: string) => Promise<LightMyRequestResponse>]> = [
    ['get user', (id) => send('GET', `/v1.0/users/${id}`)],
    ['patch user', (id) => send('PATCH', `/v1.0/users/${id}`, JSON.stringify({ displayName: 'pwned' }))],
    ['delete user', (id) => send('DELETE', `/v1.0/users/${id}`)],
    ['memberOf', (id) => send('GET', `/v1.0/users/${id}/memberOf`)],
    ['add foreign member', (id) => send('POST', `/v1.0/groups/${localGroup.id}/members/$ref`, JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` }))],
    ['directoryObjects', (id) => send('GET', `/v1.0/directoryObjects/${id}`)],
  ];
  for (const [name, call] of pairs) {
    const foreign = assertGraphError(await call(foreignUser.id), 404, 'Request_ResourceNotFound');
    const absent = assertGraphError(await call(missing), 404, 'Request_ResourceNotFound');
    assert.equal(foreign.error.message.replace(foreignUser.id, '<id>'), absent.error.message.replace(missing, '<id>'), name);
  }
  for (const call of [
    (id: string) => send('GET', `/v1.0/groups/${id}/members`),
    (id: string) => send('DELETE', `/v1.0/groups/${id}`),
    (id: string) => send('POST', `/v1.0/groups/${id}/members/$ref`, JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${localGroup.id}` })),
  ]) {
    const foreign = assertGraphError(await call(foreignGroup.id), 404, 'Request_ResourceNotFound');
    const absent = assertGraphError(await call(missing), 404, 'Request_ResourceNotFound');
    assert.equal(foreign.error.message.replace(foreignGroup.id, '<id>'), absent.error.message.replace(missing, '<id>'));
  }
  // The foreign objects are untouched.
  assert.equal((await api.directory.get(other.tenantId, 'user', foreignUser.id)).displayName, 'F');
  assert.equal((await api.directory.listMembers(other.tenantId, foreignGroup.id)).items.length, 0);
});

test('a failure of ours is a generic 500 without internals', async () => {
  const broken = await startApi(defaultBackend(), { logger: (await import('pino')).pino({ level: 'silent' }) });
  await broken.store.close();
  const response = await broken.app.inject({ method: 'GET', url: '/v1.0/users', headers: broken.auth });
  assert.ok(response.statusCode >= 500, response.body);
  const body = response.json() as GraphError;
  assert.match(body.error.message, /internal server error|unavailable/i);
  assertNoInternals(response.body);
  await broken.app.close();
});
