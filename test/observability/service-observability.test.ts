/**
 * `cloudsync server` as a process, with the embedded agent reading the bundled sample AD export and the most
 * verbose log level: a configuration made through the API (its secrets include a password) is synchronized, and
 *   - /healthz and /readyz answer without a token; /metrics asks for the --metrics-token-file token and then shows
 *     the cycle, the 1,053 objects created, the agent and the job, with no tenant, job, DN or domain in it;
 *   - the provisioning log served by the process holds one Create entry per object; the audit log the changes;
 *   - every log line is JSON, and none of them holds the client secret, an access token, the secret password or
 *     the metrics token.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_MAIN, runCli } from '../cli/run-cli.ts';
import { sample } from './prometheus-text.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const TEMPLATE = '1a4721b3-e57f-4451-ae87-ef078703ec94';
const PASSWORD = 'Pw-never-logged-9c41e7b2';
const METRICS_TOKEN = 'metrics-token-5f1b0c7a9e2d4b68';

let dir: string;
let child: ChildProcess;
let url: string;
let output = '';
let credentials: { tenantId: string; clientId: string; clientSecret: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudsync-observability-'));
  const data = join(dir, 'data');
  const tenant = await runCli(['tenant', 'create', '--name', 'observed', '--data', data, '--json']);
  assert.equal(tenant.code, 0, tenant.stderr);
  credentials = JSON.parse(tenant.stdout);
  const tokenFile = join(dir, 'metrics-token');
  await writeFile(tokenFile, `${METRICS_TOKEN}\n`, { mode: 0o600 });
  child = spawn(
    process.execPath,
    [CLI_MAIN, 'server', '--port', '0', '--data', data, '--embedded-agent', '--domain', 'corp.example.com', '--ldif', SAMPLE, '--metrics-token-file', tokenFile],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLOUDSYNC_LOG_LEVEL: 'trace' } },
  );
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+) \(/.exec(output);
      if (match && output.includes('embedded agent for')) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
});

after(async () => {
  if (child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

let token: string;

async function graph(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

async function metrics(authorization?: string): Promise<Response> {
  return fetch(`${url}/metrics`, authorization === undefined ? {} : { headers: { authorization } });
}

/** The value of one series in Prometheus text, or undefined. */

test('a synchronized configuration: probes, metrics, logs; nothing secret in the service log', async () => {
  const tokenResponse = await fetch(`${url}/${credentials.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  assert.equal(tokenResponse.status, 200);
  token = ((await tokenResponse.json()) as { access_token: string }).access_token;

  const created = await graph('POST', `/v1.0/applicationTemplates/${TEMPLATE}/instantiate`, { displayName: 'corp.example.com' });
  const sp = created.servicePrincipal.id as string;
  const base = `/v1.0/servicePrincipals/${sp}/synchronization`;
  const job = await graph('POST', `${base}/jobs`, { templateId: 'AD2AADProvisioning' });
  await graph('PUT', `${base}/secrets`, { value: [{ key: 'Domain', value: JSON.stringify({ domain: 'corp.example.com' }) }, { key: 'Password', value: PASSWORD }] });
  await graph('POST', `${base}/jobs/${job.id}/start`);

  // Probes: no token, no tenant data.
  const health = await fetch(`${url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });

  // /metrics needs the configured token.
  assert.equal((await metrics()).status, 401);
  assert.equal((await metrics('Bearer not-the-metrics-token-at-all')).status, 401);
  assert.equal((await metrics(`Bearer ${token}`)).status, 401, 'an API access token is not the metrics token');
  let text = '';
  for (let attempt = 0; attempt < 120; attempt++) {
    const response = await metrics(`Bearer ${METRICS_TOKEN}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    text = await response.text();
    if ((sample(text, 'cloudsync_synchronization_cycle_duration_seconds_count{state="Succeeded",mode="full"}') ?? 0) >= 1) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.equal(sample(text, 'cloudsync_synchronization_cycle_duration_seconds_count{state="Succeeded",mode="full"}'), 1, `${text}\n${output}`);
  assert.equal(sample(text, 'cloudsync_provisioning_objects_total{action="Create",status="Success"}'), 1053);
  assert.equal(sample(text, 'cloudsync_provisioning_objects_total{action="Create",status="Failure"}'), 0);
  assert.equal(sample(text, 'cloudsync_agents{state="active"}'), 1);
  assert.equal(sample(text, 'cloudsync_synchronization_jobs{status="Active"}'), 1);
  assert.equal(sample(text, 'cloudsync_quarantined_jobs'), 0);
  assert.equal(sample(text, 'cloudsync_escrowed_objects'), 0);
  assert.ok(sample(text, 'cloudsync_process_resident_memory_bytes')! > 0);
  for (const tenantData of [credentials.tenantId, sp, job.id, 'corp.example.com', 'DC=corp', 'OU=']) assert.ok(!text.includes(tenantData), `metrics must not show ${tenantData}`);

  // The provisioning log of the cycle, as the process serves it.
  let next: string | undefined = `/v1.0/auditLogs/provisioning?$top=999&$filter=${encodeURIComponent(`jobId eq '${job.id}' and provisioningAction eq 'create'`)}`;
  const creates: any[] = [];
  while (next !== undefined) {
    const page: any = await graph('GET', next);
    creates.push(...page.value);
    next = page['@odata.nextLink'] === undefined ? undefined : new URL(page['@odata.nextLink']).pathname + new URL(page['@odata.nextLink']).search;
  }
  assert.equal(creates.length, 1053);
  assert.ok(creates.every((entry) => entry.provisioningStatusInfo.status === 'success' && entry.servicePrincipal.id === sp));
  assert.equal(new Set(creates.map((entry) => entry.sourceIdentity.id)).size, 1053, 'one entry per object');
  const audits = await graph('GET', '/v1.0/auditLogs/directoryAudits');
  assert.deepEqual(audits.value.map((a: any) => a.activityDisplayName).reverse(), [
    'Add service principal', 'Add provisioning configuration', 'Update provisioning setting or credentials', 'Start provisioning',
  ]);

  // The service log: structured JSON, nothing secret.
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const json = lines.filter((line) => line.startsWith('{'));
  assert.ok(json.length > 5, output);
  for (const line of json) {
    const record = JSON.parse(line) as { level: number; time: number; msg?: string };
    assert.equal(typeof record.level, 'number');
    assert.equal(typeof record.time, 'number');
  }
  assert.deepEqual(lines.filter((line) => !line.startsWith('{')).map((line) => line.replace(/ on .*/, '').replace(/:.*/, '')), ['cloudsync service listening', 'embedded agent for corp.example.com']);
  assert.ok(output.includes('"msg":"synchronization cycle done"'));
  assert.ok(output.includes('/secrets'), 'the secrets PUT is in the log (trace level logs every request)');
  for (const secret of [credentials.clientSecret, token, PASSWORD, METRICS_TOKEN]) assert.ok(!output.includes(secret), 'a secret reached the service log');
  // The bearer token's signature alone must not be there either (a partly logged header).
  assert.ok(!output.includes(token.split('.')[2]!));
});
