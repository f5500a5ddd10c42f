/**
 * The record derivation and the DNS lookup of src/server/dns-domain-proof.ts, against dnsmasq.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSecretsKey } from '../../src/synchronization/index.ts';
import { createDnsDomainProof, deriveDomainProofKey, expectedDomainRecord, parseDnsServer } from '../../src/server/dns-domain-proof.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';
import { startDnsmasq, type DnsmasqServer } from '../harness/dnsmasq.ts';

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';

let dns: DnsmasqServer;
before(async () => {
  dns = await startDnsmasq();
});
after(async () => {
  await dns?.stop();
});

test('records are deterministic per (key, tenant, domain) and differ across each', () => {
  const key = deriveDomainProofKey('deployment-secret');
  assert.deepEqual(deriveDomainProofKey('deployment-secret'), key);
  // Its own HKDF info: knowing one derived key tells nothing about the other.
  assert.notDeepEqual(key, deriveSecretsKey('deployment-secret'));
  const a = expectedDomainRecord(key, TENANT_A, 'Contoso.Example');
  assert.deepEqual(a, expectedDomainRecord(key, TENANT_A, 'contoso.example'));
  assert.equal(a.label, 'contoso.example');
  assert.match(a.text, /^cloudsync-verification=[a-z2-7]{32}$/);
  assert.notEqual(expectedDomainRecord(key, TENANT_B, 'contoso.example').text, a.text);
  assert.notEqual(expectedDomainRecord(key, TENANT_A, 'fabrikam.example').text, a.text);
  assert.notEqual(expectedDomainRecord(deriveDomainProofKey('other deployment'), TENANT_A, 'contoso.example').text, a.text);
  assert.throws(() => expectedDomainRecord(new Uint8Array(16), TENANT_A, 'contoso.example'), TypeError);
});

test('isPublished: absent name, other records, the record among others', async () => {
  const key = deriveDomainProofKey('k');
  const proof = createDnsDomainProof({ key, servers: [dns.server], timeoutMs: 2000 });
  const mine = expectedDomainRecord(key, TENANT_A, 'contoso.example');
  assert.equal(await proof.isPublished(TENANT_A, 'contoso.example'), false);
  await dns.setRecords([{ label: 'contoso.example', text: expectedDomainRecord(key, TENANT_B, 'contoso.example').text }]);
  assert.equal(await proof.isPublished(TENANT_A, 'contoso.example'), false);
  assert.equal(await proof.isPublished(TENANT_B, 'contoso.example'), true);
  await dns.setRecords([
    { label: 'contoso.example', text: 'v=spf1-all' },
    { label: 'contoso.example', text: mine.text },
  ]);
  assert.equal(await proof.isPublished(TENANT_A, 'CONTOSO.example'), true);
  // A name outside the DNS server's zones is refused by it: that is "could not ask", not "not published".
  await assert.rejects(proof.isPublished(TENANT_A, 'contoso.test'), (error) => isCloudsyncError(error) && error.code === 'ERR_DNS_UNAVAILABLE' && /refused the query/.test(error.message));
});

test('--dns-server takes IP or IP:PORT and names the flag otherwise', () => {
  for (const ok of ['192.0.2.53', '127.0.0.1:5353', '::1', '[2001:db8::1]:53', '[::1]']) assert.equal(parseDnsServer(ok), ok);
  for (const bad of ['dns.example', '127.0.0.1:', '127.0.0.1:99999', '1.2.3.4:0', '[::1]:x', '']) {
    assert.throws(() => parseDnsServer(bad), (error) => isCloudsyncError(error) && error.code === 'ERR_CLI_USAGE' && error.path === '--dns-server');
  }
});
