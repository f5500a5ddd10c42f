/**
 * Domain verification through the API demands DNS proof, checked against a real DNS server (dnsmasq): a tenant
 * verifies a domain only once the TXT record it was given is published there. Another tenant's record, a claim
 * on POST, an API without a proof and an unreachable resolver all leave the domain unverified.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { defaultBackend, startApi, type ApiFixture } from '../api-harness.ts';
import { startDnsmasq, type DnsmasqServer } from '../../harness/dnsmasq.ts';
import { freePort } from '../../harness/server-process.ts';
import { createDnsDomainProof, createTrustingDomainProof, expectedDomainRecord } from '../../../src/server/dns-domain-proof.ts';

type Json = Record<string, any>;

async function call(api: ApiFixture, method: 'GET' | 'POST', url: string, body?: unknown, auth = api.auth): Promise<{ status: number; body: Json }> {
  const response = await api.app.inject({
    method,
    url,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, body: response.body === '' ? {} : (response.json() as Json) };
}

describe('domain verification against a real DNS server', () => {
  const key = new Uint8Array(randomBytes(32));
  let dns: DnsmasqServer;
  let api: ApiFixture;
  before(async () => {
    dns = await startDnsmasq();
    api = await startApi(defaultBackend(), { domainProof: createDnsDomainProof({ key, servers: [dns.server], timeoutMs: 3000 }) });
  });
  after(async () => {
    await api?.close();
    await dns?.stop();
  });

  test('isVerified on POST is refused; the domain is not even added', async () => {
    const refused = await call(api, 'POST', '/v1.0/domains', { id: 'claimed.example', isVerified: true });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body['error']['code'], 'Request_BadRequest');
    assert.match(refused.body['error']['message'], /publish the TXT record that GET \/v1\.0\/domains\/claimed\.example\/verificationDnsRecords lists, then POST \/v1\.0\/domains\/claimed\.example\/verify/);
    assert.equal((await call(api, 'GET', '/v1.0/domains/claimed.example')).status, 404);
    // isVerified: false says nothing that needs proof.
    assert.equal((await call(api, 'POST', '/v1.0/domains', { id: 'unclaimed.example', isVerified: false })).status, 201);
  });

  test('verify fails until the record is published, another tenant\'s record does not count, then it succeeds', async () => {
    const name = 'contoso.example';
    assert.equal((await call(api, 'POST', '/v1.0/domains', { id: name })).status, 201);

    const records = await call(api, 'GET', `/v1.0/domains/${name}/verificationDnsRecords`);
    assert.equal(records.status, 200, JSON.stringify(records.body));
    const expected = expectedDomainRecord(key, api.tenant.tenantId, name);
    assert.equal(records.body['@odata.context'], `http://localhost:80/v1.0/$metadata#domains('${name}')/verificationDnsRecords`);
    assert.equal(records.body['value'].length, 1);
    const { id, ...record } = records.body['value'][0];
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(record, {
      '@odata.type': '#microsoft.graph.domainDnsTxtRecord',
      isOptional: false,
      label: name,
      recordType: 'Txt',
      supportedService: 'Email',
      ttl: 3600,
      text: expected.text,
    });
    assert.match(expected.text, /^cloudsync-verification=[a-z2-7]{32}$/);
    // Asked again, the same record: it is derived, not random.
    assert.deepEqual((await call(api, 'GET', `/v1.0/domains/${name.toUpperCase()}/verificationDnsRecords`)).body['value'], records.body['value']);

    // Nothing published yet (the name does not exist in DNS).
    const before = await call(api, 'POST', `/v1.0/domains/${name}/verify`);
    assert.equal(before.status, 400, JSON.stringify(before.body));
    assert.equal(before.body['error']['code'], 'Request_BadRequest');
    assert.equal(
      before.body['error']['message'],
      `The TXT record "${expected.text}" was not found at ${name}; publish it (GET /v1.0/domains/${name}/verificationDnsRecords lists it) and try again.`,
    );
    const user = { accountEnabled: true, displayName: 'Adele', mailNickname: 'adele', userPrincipalName: `adele@${name}` };
    assert.equal((await call(api, 'POST', '/v1.0/users', user)).status, 400, 'an unverified domain cannot carry users');

    // The right domain with another tenant's record (and unrelated TXT records): still not proof for this tenant.
    const other = await api.directory.createTenant({ name: `fabrikam${Math.floor(Math.random() * 1e9)}` });
    const otherAuth = { authorization: `Bearer ${await api.tokenFor(other.clientId, other.clientSecret, other.tenantId)}` };
    assert.equal((await call(api, 'POST', '/v1.0/domains', { id: name }, otherAuth)).status, 201);
    const otherRecord = (await call(api, 'GET', `/v1.0/domains/${name}/verificationDnsRecords`, undefined, otherAuth)).body['value'][0];
    assert.notEqual(otherRecord['text'], expected.text);
    await dns.setRecords([
      { label: name, text: otherRecord['text'] },
      { label: name, text: 'v=spf1-include:spf.example' },
    ]);
    const wrongText = await call(api, 'POST', `/v1.0/domains/${name}/verify`);
    assert.equal(wrongText.status, 400, JSON.stringify(wrongText.body));
    assert.match(wrongText.body['error']['message'], new RegExp(`The TXT record "${expected.text}" was not found at ${name.replace('.', '\\.')}`));
    assert.equal((await call(api, 'GET', `/v1.0/domains/${name}`)).body['isVerified'], false);

    // Published: verified, and usable in userPrincipalNames.
    await dns.setRecords([
      { label: name, text: otherRecord['text'] },
      { label: name, text: expected.text },
    ]);
    const verified = await call(api, 'POST', `/v1.0/domains/${name}/verify`);
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body['isVerified'], true);
    assert.equal(verified.body['@odata.context'], 'http://localhost:80/v1.0/$metadata#domains/$entity');
    assert.equal((await call(api, 'POST', '/v1.0/users', user)).status, 201);
    // Verifying again is harmless.
    assert.equal((await call(api, 'POST', `/v1.0/domains/${name}/verify`)).status, 200);

    // The other tenant's record is published too, but the domain is verified here: one tenant only.
    const taken = await call(api, 'POST', `/v1.0/domains/${name}/verify`, undefined, otherAuth);
    assert.equal(taken.status, 400, JSON.stringify(taken.body));
    assert.match(taken.body['error']['message'], /already verified by another tenant/);
  });

  test('a subdomain needs its own record: the parent\'s record is at another name', async () => {
    const parent = expectedDomainRecord(key, api.tenant.tenantId, 'contoso.example');
    assert.equal((await call(api, 'POST', '/v1.0/domains', { id: 'sub.contoso.example' })).status, 201);
    await dns.setRecords([{ label: 'contoso.example', text: parent.text }]);
    assert.equal((await call(api, 'POST', '/v1.0/domains/sub.contoso.example/verify')).status, 400);
  });

  test('unknown domains are 404 on both routes, before any DNS lookup', async () => {
    assert.equal((await call(api, 'GET', '/v1.0/domains/nowhere.example/verificationDnsRecords')).status, 404);
    assert.equal((await call(api, 'POST', '/v1.0/domains/nowhere.example/verify')).status, 404);
  });
});

describe('domain verification when DNS cannot be asked', () => {
  let api: ApiFixture;
  let mute: ApiFixture;
  let blackHole: Socket;
  before(async () => {
    // Nothing listens on this port: the resolver's queries are refused.
    const closed = `127.0.0.1:${await freePort()}`;
    // The 503s are logged as warnings; they are the point here, not noise for the test output.
    const logger = pino({ level: 'silent' });
    api = await startApi(defaultBackend(), { logger, domainProof: createDnsDomainProof({ key: new Uint8Array(32).fill(7), servers: [closed], timeoutMs: 2000 }) });
    // A socket that takes the queries and never answers, like a firewalled resolver.
    blackHole = createSocket('udp4');
    await new Promise<void>((resolve) => blackHole.bind(0, '127.0.0.1', resolve));
    const silent = `127.0.0.1:${blackHole.address().port}`;
    mute = await startApi(defaultBackend(), { logger, domainProof: createDnsDomainProof({ key: new Uint8Array(32).fill(7), servers: [silent], timeoutMs: 600 }) });
  });
  after(async () => {
    await api?.close();
    await mute?.close();
    blackHole?.close();
  });

  test('a resolver that never answers: 503 after the timeout, not a hung request', async () => {
    assert.equal((await call(mute, 'POST', '/v1.0/domains', { id: 'contoso.example' })).status, 201);
    const started = Date.now();
    const answer = await call(mute, 'POST', '/v1.0/domains/contoso.example/verify');
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.match(answer.body['error']['message'], /^DNS could not be asked for the TXT records of contoso\.example: no DNS server answered in time\./);
    assert.ok(Date.now() - started < 5000, 'bounded by the timeout');
    assert.equal((await call(mute, 'GET', '/v1.0/domains/contoso.example')).body['isVerified'], false);
  });

  test('503 serviceNotAvailable saying DNS could not be asked; the domain stays unverified', async () => {
    assert.equal((await call(api, 'POST', '/v1.0/domains', { id: 'contoso.example' })).status, 201);
    const answer = await call(api, 'POST', '/v1.0/domains/contoso.example/verify');
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(answer.body['error']['code'], 'serviceNotAvailable');
    assert.match(answer.body['error']['message'], /^DNS could not be asked for the TXT records of contoso\.example: /);
    assert.doesNotMatch(answer.body['error']['message'], /127\.0\.0\.1/, 'resolver addresses are the operator\'s business');
    assert.equal((await call(api, 'GET', '/v1.0/domains/contoso.example')).body['isVerified'], false);
  });
});

describe('domain verification without a DNS proof', () => {
  test('an API built without domainProof refuses to verify rather than trusting the claim', async () => {
    const api = await startApi(defaultBackend());
    try {
      assert.equal((await call(api, 'POST', '/v1.0/domains', { id: 'contoso.example' })).status, 201);
      const refused = await call(api, 'POST', '/v1.0/domains/contoso.example/verify');
      assert.equal(refused.status, 400);
      assert.match(refused.body['error']['message'], /cannot check domain ownership.*cloudsync domain verify --tenant-id <tenant> --name contoso\.example/);
      assert.equal((await call(api, 'GET', '/v1.0/domains/contoso.example/verificationDnsRecords')).status, 400);
      assert.equal((await call(api, 'GET', '/v1.0/domains/contoso.example')).body['isVerified'], false);
    } finally {
      await api.close();
    }
  });

  test('with the trusting proof (--trust-domain-claims) verify accepts the claim; POST isVerified is still refused', async () => {
    const key = new Uint8Array(32).fill(3);
    const api = await startApi(defaultBackend(), { domainProof: createTrustingDomainProof(key) });
    try {
      assert.equal((await call(api, 'POST', '/v1.0/domains', { id: 'corp.example', isVerified: true })).status, 400);
      assert.equal((await call(api, 'POST', '/v1.0/domains', { id: 'corp.example' })).status, 201);
      const records = await call(api, 'GET', '/v1.0/domains/corp.example/verificationDnsRecords');
      assert.equal(records.body['value'][0]['text'], expectedDomainRecord(key, api.tenant.tenantId, 'corp.example').text);
      const verified = await call(api, 'POST', '/v1.0/domains/corp.example/verify');
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body['isVerified'], true);
    } finally {
      await api.close();
    }
  });
});
