/**
 * Directory-level benchmark (issue 2 §8), on SQLite and PostgreSQL (started by the test harness unless
 * CLOUDSYNC_TEST_DATABASE_URL is set). Prints one JSON document.
 *
 *   npx node bench/store.ts [--users 100000] [--backends sqlite,postgres] [--lookups 2000]
 *
 * Measures: insert rate through the directory (createMany in batches of 1,000, plus single `create` calls for
 * a sample), full listing by keyset pages of 999 (default order and by displayName) including JSON parsing of
 * every row (and by id through listJson, which skips parsing), one delta round over the whole load (pages of
 * 999), and `userPrincipalName eq '…'` latency through `list` (p50/p99). Not a test: nothing is asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCloudDirectory, type CloudDirectory, type ListQuery } from '../src/directory/index.ts';
import { openStore, type Store } from '../src/storage/index.ts';
import { createTestDatabase, stopPostgres } from '../test/harness/postgres.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    lookups: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '1000' },
  },
});
const USERS = Number(values.users);
const LOOKUPS = Number(values.lookups);
const BATCH = Number(values.batch);
const SINGLE_CREATES = 2000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits));

async function listAll(directory: CloudDirectory, tenantId: string, orderBy?: ListQuery['orderBy'], json = false) {
  const start = performance.now();
  let rows = 0;
  let pages = 0;
  let skipToken: string | undefined;
  do {
    const query: ListQuery = { top: 999, ...(orderBy ? { orderBy } : {}), ...(skipToken ? { skipToken } : {}) };
    const page = json ? await directory.listJson(tenantId, 'user', query) : await directory.list(tenantId, 'user', query);
    rows += page.items.length;
    pages++;
    skipToken = page.nextSkipToken;
  } while (skipToken !== undefined);
  const seconds = (performance.now() - start) / 1000;
  return { rows, pages, seconds: round(seconds), usersPerSecond: Math.round(rows / seconds) };
}

function userProperties(i: number, domain: string) {
  return {
    userPrincipalName: `user${i}@${domain}`,
    displayName: `User ${String(i).padStart(6, '0')}`,
    givenName: 'Given',
    surname: `Surname${i}`,
    mail: `user${i}@${domain}`,
    proxyAddresses: [`SMTP:user${i}@${domain}`],
    jobTitle: 'Engineer',
    department: `Dept ${i % 50}`,
    employeeId: String(i),
    onPremisesImmutableId: Buffer.from(`guid-${i}`).toString('base64'),
    onPremisesSyncEnabled: true,
    onPremisesSamAccountName: `user${i}`,
    onPremisesExtensionAttributes: { extensionAttribute1: `ea${i % 7}` },
  };
}

async function benchBackend(name: 'sqlite' | 'postgres') {
  let store: Store;
  let cleanup = () => {};
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cloudsync-bench-'));
    store = await openStore({ dataDir: dir });
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  } else {
    store = await openStore({ databaseUrl: await createTestDatabase('cloudsync_bench') });
  }
  const directory = createCloudDirectory(store);
  const { tenantId } = await directory.createTenant({ name: `bench${name}` });
  const domain = `bench${name}.onmicrosoft.example`;

  const beforeLoad = (await directory.delta(tenantId, 'user')).deltaToken!;
  let start = performance.now();
  for (let i = 0; i < USERS; i += BATCH) {
    const items = Array.from({ length: Math.min(BATCH, USERS - i) }, (_, k) => userProperties(i + k, domain));
    await directory.createMany(tenantId, 'user', items, { actor: 'provisioning' });
  }
  const insertSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  for (let i = 0; i < SINGLE_CREATES; i++) await directory.create(tenantId, 'user', userProperties(USERS + i, domain), { actor: 'provisioning' });
  const singleSeconds = (performance.now() - start) / 1000;
  const total = USERS + SINGLE_CREATES;

  const byId = await listAll(directory, tenantId);
  const byDisplayName = await listAll(directory, tenantId, { property: 'displayName', direction: 'asc' });
  const byIdAsJsonText = await listAll(directory, tenantId, undefined, true);

  start = performance.now();
  let deltaEntries = 0;
  let deltaPages = 0;
  let token: string | undefined = beforeLoad;
  for (;;) {
    const page = await directory.delta(tenantId, 'user', { token, top: 999 });
    deltaEntries += page.items.length;
    deltaPages++;
    if (page.deltaToken !== undefined) break;
    token = page.nextToken;
  }
  const deltaSeconds = (performance.now() - start) / 1000;

  const latencies: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const n = Math.floor(Math.random() * total);
    const t = performance.now();
    const page = await directory.list(tenantId, 'user', {
      top: 1,
      filter: { kind: 'comparison', operator: 'eq', property: 'userPrincipalName', value: `USER${n}@${domain}` },
    });
    latencies.push(performance.now() - t);
    if (page.items.length !== 1) throw new Error(`lookup of user${n} found ${page.items.length}`);
  }
  latencies.sort((a, b) => a - b);

  await store.close();
  cleanup();
  return {
    users: total,
    insert: {
      batched: { users: USERS, batchSize: BATCH, seconds: round(insertSeconds), usersPerSecond: Math.round(USERS / insertSeconds) },
      single: { users: SINGLE_CREATES, seconds: round(singleSeconds), usersPerSecond: Math.round(SINGLE_CREATES / singleSeconds) },
    },
    list: { pageSize: 999, byId, byDisplayName, byIdAsJsonText },
    deltaAfterLoad: { entries: deltaEntries, pages: deltaPages, seconds: round(deltaSeconds), entriesPerSecond: Math.round(deltaEntries / deltaSeconds) },
    upnEq: { lookups: LOOKUPS, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(latencies[latencies.length - 1] ?? NaN) },
  };
}

const results: Record<string, unknown> = {};
try {
  for (const backend of values.backends.split(',').map((s) => s.trim())) {
    if (backend !== 'sqlite' && backend !== 'postgres') throw new TypeError(`unknown backend ${backend}`);
    results[backend] = await benchBackend(backend);
  }
} finally {
  await stopPostgres();
}
console.log(
  JSON.stringify(
    { benchmark: 'directory store', level: 'directory (no HTTP)', node: process.version, cpus: cpus().length, date: new Date().toISOString(), results },
    null,
    2,
  ),
);
