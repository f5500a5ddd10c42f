/**
 * The operator's side of domain verification, through the real CLI: `cloudsync domain verify` on a store, and
 * `cloudsync server` proving domains against a DNS server given with --dns-server, or trusting every claim with
 * --trust-domain-claims.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startDnsmasq, type DnsmasqServer } from '../harness/dnsmasq.ts';
import { CLI_MAIN as MAIN, runCli } from './run-cli.ts';


const cli = (args: readonly string[]) => runCli(args);

interface Tenant {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

async function createTenant(data: string, name: string): Promise<Tenant> {
  const created = await cli(['tenant', 'create', '--data', data, '--name', name, '--json']);
  assert.equal(created.code, 0, created.stderr);
  return JSON.parse(created.stdout) as Tenant;
}

async function startService(args: readonly string[]): Promise<{ url: string; process: ChildProcess }> {
  const server = spawn(process.execPath, [MAIN, 'server', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLOUDSYNC_LOG_LEVEL: 'error' } });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    server.stderr.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
  return { url, process: server };
}

async function stopService(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = once(server, 'exit');
  server.kill('SIGTERM');
  await exited;
}

async function graph(url: string, tenant: Tenant): Promise<(method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>> {
  const token = await fetch(`${url}/${tenant.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: tenant.clientId,
      client_secret: tenant.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  assert.equal(token.status, 200);
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  return async (method, path, body) => {
    const response = await fetch(`${url}/v1.0${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
  };
}

let dir: string;
let dns: DnsmasqServer;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudsync-cli-domain-'));
  dns = await startDnsmasq();
});
after(async () => {
  await dns?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('cloudsync domain verify works on the store without proof, and keeps a domain in one tenant', async () => {
  const data = join(dir, 'operator');
  const tenant = await createTenant(data, 'northwind');
  const verified = await cli(['domain', 'verify', '--data', data, '--tenant-id', tenant.tenantId, '--name', 'Corp.Example.com', '--json']);
  assert.equal(verified.code, 0, verified.stderr);
  const shown = JSON.parse(verified.stdout);
  assert.deepEqual([shown.id, shown.isVerified, shown.isDefault, shown.isInitial], ['corp.example.com', true, false, false]);
  // Again: nothing to do, still fine (the domain now exists and is verified).
  const again = await cli(['domain', 'verify', '--data', data, '--tenant-id', tenant.tenantId, '--name', 'corp.example.com']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^domain corp\.example\.com is verified in tenant /);

  const other = await createTenant(data, 'woodgrove');
  const taken = await cli(['domain', 'verify', '--data', data, '--tenant-id', other.tenantId, '--name', 'corp.example.com']);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /^error ERR_DIR_DOMAIN_CONFLICT: domain corp\.example\.com is already verified by another tenant/);

  // An existing unverified domain (added through the API) is verified in place.
  const { url, process: server } = await startService(['--data', data, '--trust-domain-claims']);
  try {
    const call = await graph(url, other);
    assert.equal((await call('POST', '/domains', { id: 'branch.example.com' })).status, 201);
  } finally {
    await stopService(server);
  }
  const inPlace = await cli(['domain', 'verify', '--data', data, '--tenant-id', other.tenantId, '--name', 'branch.example.com', '--json']);
  assert.equal(inPlace.code, 0, inPlace.stderr);
  assert.equal(JSON.parse(inPlace.stdout).isVerified, true);
});

test('cloudsync server --dns-server: verify succeeds once the record is served', async () => {
  const data = join(dir, 'dns');
  const tenant = await createTenant(data, 'adatum');
  let published = '';
  const { url, process: server } = await startService(['--data', data, '--dns-server', dns.server]);
  try {
    const call = await graph(url, tenant);
    assert.equal((await call('POST', '/domains', { id: 'adatum.example' })).status, 201);
    const record = (await call('GET', '/domains/adatum.example/verificationDnsRecords')).body.value[0];
    assert.equal(record.label, 'adatum.example');
    const refused = await call('POST', '/domains/adatum.example/verify');
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, new RegExp(`The TXT record "${record.text}" was not found at adatum\\.example`));
    published = record.text;
    await dns.setRecords([{ label: record.label, text: record.text }]);
    const verified = await call('POST', '/domains/adatum.example/verify');
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body.isVerified, true);
  } finally {
    await stopService(server);
  }
  // The record is derived from the deployment's signing key: a restarted service names the same one.
  const restarted = await startService(['--data', data, '--dns-server', dns.server]);
  try {
    const call = await graph(restarted.url, tenant);
    assert.equal((await call('GET', '/domains/adatum.example/verificationDnsRecords')).body.value[0].text, published);
  } finally {
    await stopService(restarted.process);
  }
});

test('cloudsync server --trust-domain-claims verifies without DNS; with --dns-server it is a usage error', async () => {
  const data = join(dir, 'trusting');
  const tenant = await createTenant(data, 'litware');
  const { url, process: server } = await startService(['--data', data, '--trust-domain-claims']);
  try {
    const call = await graph(url, tenant);
    assert.equal((await call('POST', '/domains', { id: 'litware.example', isVerified: true })).status, 400);
    assert.equal((await call('POST', '/domains', { id: 'litware.example' })).status, 201);
    const verified = await call('POST', '/domains/litware.example/verify');
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal(verified.body.isVerified, true);
  } finally {
    await stopService(server);
  }
  const both = await cli(['server', '--data', data, '--port', '0', '--trust-domain-claims', '--dns-server', dns.server]);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /^error ERR_CLI_USAGE: --dns-server has no use with --trust-domain-claims/);
  const bad = await cli(['server', '--data', data, '--port', '0', '--dns-server', 'dns.example']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--dns-server dns\.example is not a DNS server address/);
});
