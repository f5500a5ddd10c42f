/**
 * Requests an attacker holding a valid token would send, on both backends: each was a real failure before its fix
 * (a 500 or a tenant-wide outage, a filter that pinned the event loop, a domain that blocked another tenant).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectedBackends, startApi, type ApiFixture } from '../api-harness.ts';

type Json = Record<string, any>;

for (const backend of selectedBackends()) {
  describe(`hostile input on ${backend}`, () => {
    let api: ApiFixture;
    let domain: string;
    before(async () => {
      api = await startApi(backend);
      domain = (await api.directory.listDomains(api.tenant.tenantId)).find((d) => d.isDefault)!.id;
    });
    after(async () => {
      await api.close();
    });

    async function call(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<{ status: number; body: Json }> {
      const response = await api.app.inject({
        method,
        url,
        headers: { ...api.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return { status: response.statusCode, body: response.body === '' ? {} : (response.json() as Json) };
    }
    const filter = (text: string) => call('GET', `/v1.0/users?$filter=${encodeURIComponent(text)}`);

    test('U+0000 and unpaired surrogates are refused as input, and cannot break filtering for the tenant', async () => {
      await call('POST', '/v1.0/users', { accountEnabled: true, displayName: 'Fine', mailNickname: 'fine', userPrincipalName: `fine@${domain}`, jobTitle: 'x' });
      const bad = [
        { jobTitle: 'a\u0000b' },
        { displayName: 'lone \ud800 surrogate' },
        { proxyAddresses: ['smtp:a\u0000@x.example'] },
        { onPremisesExtensionAttributes: { extensionAttribute1: '\udc00' } },
      ];
      for (const [i, extra] of bad.entries()) {
        const created = await call('POST', '/v1.0/users', { accountEnabled: true, displayName: `bad${i}`, mailNickname: `bad${i}`, userPrincipalName: `bad${i}@${domain}`, ...extra });
        assert.equal(created.status, 400, JSON.stringify(created.body));
        assert.equal(created.body['error']['code'], 'Request_BadRequest');
        assert.match(created.body['error']['message'], /U\+0000 or an unpaired surrogate/);
      }
      // On PostgreSQL one stored `\u0000` or lone surrogate made every JSON-reading $filter of the tenant a 500.
      for (const text of ["jobTitle eq 'x'", "proxyAddresses/any(p: p eq 'x')", "startswith(jobTitle, 'x')"]) {
        const listed = await filter(text);
        assert.equal(listed.status, 200, `${text}: ${JSON.stringify(listed.body)}`);
      }
      // Looking up with U+0000 (PostgreSQL refuses it as a parameter, SQLite finds nothing) is never a 500.
      for (const url of ['/v1.0/users/a%00b', '/v1.0/directoryObjects/a%00b', `/v1.0/users?$filter=${encodeURIComponent("jobTitle eq 'a\u0000'")}`]) {
        const response = await call('GET', url);
        assert.ok([200, 400, 404].includes(response.status), `${url}: ${response.status} ${JSON.stringify(response.body)}`);
      }
    });

    test('a filter with more comparisons than the limit is refused before it reaches the database', async () => {
      const terms = (n: number) => Array.from({ length: n }, (_, i) => `jobTitle eq 'x${i}'`).join(' or ');
      assert.equal((await filter(terms(20))).status, 200);
      // 680 of these fit in 8192 characters; inside any() over 20,000 users they pinned the event loop for 19 s.
      const refused = await filter(`proxyAddresses/any(p: ${Array.from({ length: 300 }, (_, i) => `p eq 'x${i}'`).join(' or ')})`);
      assert.equal(refused.status, 400);
      assert.equal(refused.body['error']['code'], 'BadRequest');
      assert.match(refused.body['error']['message'], /more than 20 comparisons/);
      assert.equal((await filter(terms(21))).status, 400);
    });

    test('domains under onmicrosoft.example are the initial domains of tenants, and cannot be added', async () => {
      const squatted = `victim${Math.floor(Math.random() * 1e9)}`;
      const added = await call('POST', '/v1.0/domains', { id: `${squatted}.onmicrosoft.example` });
      assert.equal(added.status, 400, JSON.stringify(added.body));
      assert.match(added.body['error']['message'], /reserved/);
      // Claiming it verified is refused as well (no claim is verified without DNS proof; domains.test.ts).
      assert.equal((await call('POST', '/v1.0/domains', { id: `${squatted}.onmicrosoft.example`, isVerified: true })).status, 400);
      // The tenant of that name can still be created.
      const created = await api.directory.createTenant({ name: squatted });
      // And another tenant's initial domain answers the same as a free one: nothing tells that the tenant exists.
      const existing = await call('POST', '/v1.0/domains', { id: `${squatted}.onmicrosoft.example` });
      const free = await call('POST', '/v1.0/domains', { id: `free${Math.floor(Math.random() * 1e9)}.onmicrosoft.example` });
      assert.equal(existing.status, free.status);
      assert.equal(existing.body['error']['message'].replace(squatted, 'X').replace(/free\d+/, 'X'), free.body['error']['message'].replace(/free\d+/, 'X'));
      assert.ok(created.tenantId);
    });
  });
}
