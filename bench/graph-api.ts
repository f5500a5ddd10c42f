/**
 * Benchmark of the Graph API over real HTTP (issue 2 §8), on SQLite and on PostgreSQL:
 * - bulk load of N users through the directory (createMany), users/s;
 * - full listing of /v1.0/users through @odata.nextLink with $top=999, users/s;
 * - `$filter=userPrincipalName eq '…'` latency, p50/p99 in ms, over sequential keep-alive requests.
 *
 * Targets (2-core machine): listing ≥ 20,000 users/s, filter p99 ≤ 5 ms.
 *
 *   npx node bench/graph-api.ts [--users 100000] [--lookups 2000] [--backends sqlite,postgres]
 *
 * Prints one JSON document on stdout; progress goes to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import { pino } from 'pino';
import { buildApp } from '../src/api/app.ts';
import { createCloudDirectory } from '../src/directory/index.ts';
import { openStore, type Store } from '../src/storage/index.ts';
import { createTestDatabase, stopPostgres } from '../test/harness/postgres.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    lookups: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '5000' },
    backends: { type: 'string', default: 'sqlite,postgres' },
  },
});
const USERS = Number(values.users);
const LOOKUPS = Number(values.lookups);
const BATCH = Number(values.batch);
const BACKENDS = values.backends.split(',') as Array<'sqlite' | 'postgres'>;

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)]! * 1000) / 1000;
}

async function openBackend(backend: 'sqlite' | 'postgres'): Promise<{ store: Store; cleanup: () => void }> {
  if (backend === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudsync-bench-'));
    return { store: await openStore({ dataDir }), cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  return { store: await openStore({ databaseUrl: await createTestDatabase('cloudsync_bench') }), cleanup: () => {} };
}

async function run(backend: 'sqlite' | 'postgres') {
  const { store, cleanup } = await openBackend(backend);
  const directory = createCloudDirectory(store);
  const tenant = await directory.createTenant({ name: `bench${Date.now().toString(36)}` });
  const domain = (await directory.listDomains(tenant.tenantId)).find((d) => d.isDefault)!.id;

  log(`${backend}: loading ${USERS} users`);
  const loadStart = performance.now();
  for (let offset = 0; offset < USERS; offset += BATCH) {
    const items = [];
    for (let i = offset; i < Math.min(USERS, offset + BATCH); i += 1) {
      items.push({
        accountEnabled: true,
        displayName: `Bench User ${i}`,
        givenName: 'Bench',
        surname: `User${i}`,
        mailNickname: `user${i}`,
        userPrincipalName: `user${i}@${domain}`,
        mail: `user${i}@${domain}`,
        jobTitle: i % 3 === 0 ? 'Engineer' : 'Analyst',
        department: `Dept ${i % 50}`,
      });
    }
    await directory.createMany(tenant.tenantId, 'user', items);
  }
  const loadSeconds = (performance.now() - loadStart) / 1000;
  log(`${backend}: loaded in ${loadSeconds.toFixed(1)} s`);
  // As after any bulk load (PostgreSQL manual, "Populating a Database": "Run ANALYZE Afterwards"): refresh the
  // planner's statistics. Without it PostgreSQL still believes the table is empty and picks the wrong index for
  // UPN lookups (tens of ms each). VACUUM too, so autovacuum's post-insert pass does not run during the measurement.
  await sql.raw(backend === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE').execute(store.db);
  // And flush the load's WAL now rather than in a checkpoint during the lookups (the measurement is of a settled
  // server). CHECKPOINT needs the pg_checkpoint role or superuser, as the test harness's server has.
  if (backend === 'postgres') await sql`CHECKPOINT`.execute(store.db);

  const app = buildApp({ directory, signingKey: await directory.getOrCreateSigningKey(), logger: pino({ level: 'warn' }) });
  // Server-side time of each filter request (request received → response written), to tell the server's
  // share of the latency from the client's and the network's.
  const serverMs: number[] = [];
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.includes('$filter=')) serverMs.push(reply.elapsedTime);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const measured = await measure(backend, app, tenant, domain);
    const server = serverMs.slice(-LOOKUPS).sort((a, b) => a - b);
    return { ...measured, loadAverageAfter: loadavg().map((x) => Math.round(x * 100) / 100), filterByUpnServerSide: { p50Ms: percentile(server, 50), p99Ms: percentile(server, 99), maxMs: percentile(server, 100) }, insert: { seconds: Math.round(loadSeconds * 100) / 100, usersPerSecond: Math.round(USERS / loadSeconds), batch: BATCH } };
  } finally {
    await app.close();
    await store.close();
    cleanup();
  }
}

async function measure(backend: string, app: ReturnType<typeof buildApp>, tenant: { tenantId: string; clientId: string; clientSecret: string }, domain: string) {
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // The HTTP client runs in a worker thread: a separate event loop, as a real client would be, so its own
  // work and garbage collection do not stall the server's loop and inflate the server's latencies.
  const result = await new Promise<ClientResult>((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { base, tenant, domain, users: USERS, lookups: LOOKUPS, backend } satisfies ClientTask });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`client worker exited with ${code}`))));
  });
  const latencies = [...result.latencies].sort((a, b) => a - b);
  return {
    backend,
    users: USERS,
    listing: { pageSize: 999, pages: result.pages, seconds: Math.round(result.listSeconds * 100) / 100, usersPerSecond: Math.round(USERS / result.listSeconds), target: 20000 },
    filterByUpn: { requests: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: percentile(latencies, 100), targetP99Ms: 5 },
  };
}

interface ClientTask {
  readonly base: string;
  readonly tenant: { tenantId: string; clientId: string; clientSecret: string };
  readonly domain: string;
  readonly users: number;
  readonly lookups: number;
  readonly backend: string;
}

interface ClientResult {
  readonly pages: number;
  readonly listSeconds: number;
  readonly latencies: number[];
}

/** The load generator: token, full listing through nextLink, then sequential UPN lookups. */
async function runClient(task: ClientTask): Promise<ClientResult> {
  const { base, tenant, domain } = task;
  const tokenResponse = await fetch(`${base}/${tenant.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}` };

  // Warm-up: JIT and the database's caches, as a long-running server would have them.
  for (let i = 0; i < 20; i += 1) await (await fetch(`${base}/v1.0/users?$top=999`, { headers })).arrayBuffer();

  log(`${task.backend}: listing`);
  const listStart = performance.now();
  let url: string | undefined = `${base}/v1.0/users?$top=999`;
  let listed = 0;
  let pages = 0;
  while (url !== undefined) {
    const response = await fetch(url, { headers });
    if (response.status !== 200) throw new Error(`listing answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { value: unknown[]; '@odata.nextLink'?: string };
    listed += page.value.length;
    pages += 1;
    url = page['@odata.nextLink'];
  }
  const listSeconds = (performance.now() - listStart) / 1000;
  if (listed !== task.users) throw new Error(`listed ${listed} users, expected ${task.users}`);

  log(`${task.backend}: ${task.lookups} filter lookups`);
  const latencies: number[] = [];
  for (let i = 0; i < task.lookups + 200; i += 1) {
    const k = Math.floor(Math.random() * task.users);
    const filter = encodeURIComponent(`userPrincipalName eq 'user${k}@${domain}'`);
    const start = performance.now();
    const response = await fetch(`${base}/v1.0/users?$filter=${filter}`, { headers });
    const body = (await response.json()) as { value: Array<{ userPrincipalName: string }> };
    const elapsed = performance.now() - start;
    if (body.value?.length !== 1 || body.value[0]!.userPrincipalName !== `user${k}@${domain}`) {
      throw new Error(`lookup of user${k} failed: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    }
    if (i >= 200) latencies.push(elapsed); // the first 200 warm up
  }
  return { pages, listSeconds, latencies };
}

if (!isMainThread) {
  parentPort!.postMessage(await runClient(workerData as ClientTask));
} else {
  // Other work on the machine skews latency percentiles; the load averages put the numbers in context.
  const loadAverageBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  const results = [];
  try {
    for (const backend of BACKENDS) results.push(await run(backend));
  } finally {
    await stopPostgres();
  }
  process.stdout.write(`${JSON.stringify({ benchmark: 'graph-api', node: process.version, cpus: cpus().length, loadAverageBefore, results }, null, 2)}\n`);
}
