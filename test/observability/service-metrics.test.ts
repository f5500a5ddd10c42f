/**
 * The metrics and probes in process, over real stores: scheduler cycles of an in-memory AD-like source drive the
 * counters, the change latency and the escrow gauge (read back as Prometheus text from /metrics); /metrics is open
 * when no token is configured; /readyz turns 503 when the store stops answering, without saying why; a metrics
 * token file must be private and long enough.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/api/app.ts';
import { isCloudsyncError } from '../../src/errors/index.ts';
import { agentCounter, createServiceMetrics, meteredProvisioningLog, readMetricsToken, type ServiceMetrics } from '../../src/observability/index.ts';
import { AgentHub } from '../../src/agents/agent-hub.ts';
import { AgentStore } from '../../src/agents/agent-store.ts';
import { SqlProvisioningLog } from '../../src/provisioning-logs/index.ts';
import { createJobScheduler, createSynchronizationStore, type JobScheduler } from '../../src/synchronization/index.ts';
import { defaultBackend, openDirectory, type DirectoryBackend } from '../api/api-harness.ts';
import { stopPostgres } from '../harness/postgres.ts';
import { MemorySource } from '../engine/memory-source.ts';
import { sample } from './prometheus-text.ts';

const TEMPLATE = '1a4721b3-e57f-4451-ae87-ef078703ec94';
const OU = 'OU=Staff,DC=corp,DC=example,DC=com';

after(() => stopPostgres());


describe('service metrics driven by scheduler cycles', () => {
  let opened: DirectoryBackend;
  let app: FastifyInstance;
  let scheduler: JobScheduler;
  let metrics: ServiceMetrics;
  let now = new Date('2026-07-01T10:00:00Z');
  const source = new MemorySource();
  let auth: { authorization: string };
  let tenantId: string;
  const hub = new AgentHub({ inactiveAfterMs: 30_000, pollWaitMs: 10 });

  before(async () => {
    opened = await openDirectory(defaultBackend(), () => now);
    const synchronization = createSynchronizationStore(opened.store, opened.directory, { secretsKey: randomBytes(32), clock: () => now });
    metrics = createServiceMetrics({ store: opened.store, processMetrics: false, countAgents: agentCounter(opened.store, (id) => hub.isActive(id), 0) });
    app = buildApp({
      directory: opened.directory,
      signingKey: await opened.directory.getOrCreateSigningKey(),
      synchronization,
      clock: () => now,
      logger: pino({ level: 'silent' }),
      observability: { metrics, ready: async () => void (await opened.store.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute()) },
    });
    await app.ready();
    scheduler = createJobScheduler({
      port: synchronization,
      directory: opened.directory,
      store: opened.store,
      log: meteredProvisioningLog(new SqlProvisioningLog(opened.store), metrics),
      connectors: { connectorFor: () => ({ source, netBiosName: 'CORP' }) },
      clock: () => now,
      onCycle: (outcome) => metrics.observeCycle(outcome),
      onError: (error) => assert.fail(error as Error),
    });
    const tenant = await opened.directory.createTenant({ name: `metrics${Math.floor(Math.random() * 1e9)}` });
    tenantId = tenant.tenantId;
    const response = await app.inject({
      method: 'POST',
      url: `/${tenant.tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, scope: 'https://graph.microsoft.com/.default' }).toString(),
    });
    auth = { authorization: `Bearer ${(response.json() as { access_token: string }).access_token}` };
  });
  after(async () => {
    await scheduler.stop();
    await app.close();
    await opened.close().catch(() => undefined);
  });

  async function call(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) {
    const response = await app.inject({ method, url, headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.body === '' ? undefined : (response.json() as any);
  }

  async function scrape(): Promise<string> {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200, 'open without a configured token');
    return response.body;
  }

  test('cycles, objects by action and status, change latency, escrows, jobs by status', async () => {
    const created = await call('POST', `/v1.0/applicationTemplates/${TEMPLATE}/instantiate`, { displayName: 'corp.example.com' });
    const base = `/v1.0/servicePrincipals/${created.servicePrincipal.id}/synchronization`;
    const job = await call('POST', `${base}/jobs`, { templateId: 'AD2AADProvisioning' });
    const fresh = await scrape();
    assert.equal(sample(fresh, 'cloudsync_synchronization_jobs{status="Paused"}'), 1, 'a new job is paused until started, as in Graph');
    assert.equal(sample(fresh, 'cloudsync_synchronization_jobs{status="Active"}'), 0);
    await call('PUT', `${base}/secrets`, { value: [{ key: 'Domain', value: JSON.stringify({ domain: 'corp.example.com' }) }] });
    await call('POST', `${base}/jobs/${job.id}/start`);
    for (const nick of ['ann', 'bob', 'cyd']) source.add('user', `CN=${nick},${OU}`, { cn: nick, displayName: nick, sAMAccountName: nick, userPrincipalName: `${nick}@corp.example.com` });
    source.add('user', `CN=bob2,${OU}`, { cn: 'bob2', displayName: 'bob2', sAMAccountName: 'bob2', userPrincipalName: 'bob@corp.example.com' });
    await scheduler.tick();
    let text = await scrape();
    assert.equal(sample(text, 'cloudsync_provisioning_objects_total{action="Create",status="Success"}'), 3);
    assert.equal(sample(text, 'cloudsync_provisioning_objects_total{action="Create",status="Failure"}'), 1);
    assert.equal(sample(text, 'cloudsync_escrowed_objects'), 1, "bob2's UPN conflict waits for a retry");
    assert.equal(sample(text, 'cloudsync_synchronization_cycle_duration_seconds_count{state="EntryLevelErrors",mode="full"}'), 1);
    assert.equal(sample(text, 'cloudsync_synchronization_jobs{status="Active"}'), 1);
    assert.equal(sample(text, 'cloudsync_quarantined_jobs'), 0);
    assert.equal(sample(text, 'cloudsync_change_latency_seconds_count{action="Create"}'), undefined, 'an initial load is not a change latency');

    // A change after the first cycle ended (10:00:00), exported by the next cycle at 10:02:30: 150 s at most.
    source.modify(`CN=ann,${OU}`, { displayName: 'Ann Arbor' });
    source.modify(`CN=bob2,${OU}`, { userPrincipalName: 'bob2@corp.example.com' });
    now = new Date('2026-07-01T10:02:30Z');
    await scheduler.tick();
    text = await scrape();
    assert.equal(sample(text, 'cloudsync_provisioning_objects_total{action="Update",status="Success"}'), 1);
    assert.equal(sample(text, 'cloudsync_provisioning_objects_total{action="Create",status="Success"}'), 4);
    assert.equal(sample(text, 'cloudsync_escrowed_objects'), 0);
    assert.equal(sample(text, 'cloudsync_change_latency_seconds_count{action="Update"}'), 1);
    assert.equal(sample(text, 'cloudsync_change_latency_seconds_sum{action="Update"}'), 150);
    assert.equal(sample(text, 'cloudsync_change_latency_seconds_bucket{le="120",action="Update"}'), 0);
    assert.equal(sample(text, 'cloudsync_change_latency_seconds_bucket{le="300",action="Update"}'), 1);
    assert.equal(sample(text, 'cloudsync_synchronization_cycle_duration_seconds_count{state="Succeeded",mode="delta"}'), 1);
    assert.equal(sample(text, 'cloudsync_process_resident_memory_bytes'), undefined, 'process metrics off when asked');
  });

  test('agents by state: registered agents heard from are active, the others inactive, revoked ones gone', async () => {
    assert.equal(sample(await scrape(), 'cloudsync_agents{state="active"}'), 0);
    const agents = new AgentStore(opened.store);
    const register = async (machineName: string) =>
      agents.register({ registrationToken: (await agents.createRegistrationToken(tenantId, 600)).token, publicKey: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }, machineName, version: '1.0.0', externalIp: null });
    const polling = await register('dc1-agent');
    const silent = await register('dc2-agent');
    await register('retired-agent').then((agent) => agents.revoke(tenantId, agent.id));
    await hub.poll(polling.id, tenantId, [], new AbortController().signal);
    let text = await scrape();
    assert.equal(sample(text, 'cloudsync_agents{state="active"}'), 1);
    assert.equal(sample(text, 'cloudsync_agents{state="inactive"}'), 1);
    await agents.setEnabled(tenantId, polling.id, false);
    text = await scrape();
    assert.equal(sample(text, 'cloudsync_agents{state="active"}'), 0, 'a disabled agent is not active, even while it polls');
    assert.equal(sample(text, 'cloudsync_agents{state="inactive"}'), 2);
    assert.ok(!text.includes(silent.id) && !text.includes('dc1-agent'), 'no agent id or machine name in the metrics');
  });

  test('/healthz stays up and /readyz turns 503 without details when the store is gone', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    await scheduler.stop();
    await opened.close();
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'unavailable' });
  });
});

test('a metrics token file must be private and a real token', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudsync-metrics-token-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'token');
  const refused = async (pattern: RegExp) =>
    assert.rejects(readMetricsToken(file), (error: unknown) => isCloudsyncError(error) && error.code === 'ERR_CONFIG_INVALID' && pattern.test(error.message));
  await refused(/cannot read it \(ENOENT\)/);
  await writeFile(file, 'a-long-enough-metrics-token\n');
  await chmod(file, 0o644);
  await refused(/readable by other users \(mode 644\); run: chmod 600/);
  await chmod(file, 0o600);
  assert.equal(await readMetricsToken(file), 'a-long-enough-metrics-token');
  await writeFile(file, 'short\n');
  await refused(/at least 16 characters/);
});
