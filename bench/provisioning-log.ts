/**
 * Provisioning log benchmark, on SQLite and PostgreSQL (started by the test harness unless
 * CLOUDSYNC_TEST_DATABASE_URL is set). Prints one JSON document.
 *
 *   npx node bench/provisioning-log.ts [--entries 100000] [--backends sqlite,postgres] [--queries 500]
 *
 * Measures: the sink's write rate (batches of 500 entries; each entry with 3 steps and 4 modified properties, 2%
 * failures; random entry and source ids, as the engine's default ids and objectGUIDs are) with the bytes each entry
 * takes in the database and, on SQLite, the bytes the process wrote per entry (WAL and checkpoints); a full read
 * through keyset pages of 999, the first page (100) of `provisioningStatusInfo/status eq 'failure'` and of a
 * one-hour `activityDateTime` window (p50/p99), and a retention pass deleting half the entries. The table is
 * analyzed after the load (as autovacuum would have while the log grew). Not a test: nothing is asserted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { parseFilter } from '../src/api/odata/filter-parser.ts';
import { createCloudDirectory } from '../src/directory/index.ts';
import type { ProvisioningLogEntry } from '../src/engine/index.ts';
import { SqlProvisioningLog } from '../src/provisioning-logs/index.ts';
import { openStore, type Store } from '../src/storage/index.ts';
import { CLOUD_SYNC_APPLICATION_TEMPLATE_ID, connectorSpaceIdOf, createSynchronizationStore } from '../src/synchronization/index.ts';
import { createTestDatabase, stopPostgres } from '../test/harness/postgres.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '100000' },
    backends: { type: 'string', default: 'sqlite,postgres' },
    queries: { type: 'string', default: '500' },
  },
});
const ENTRIES = Number(values.entries);
const QUERIES = Number(values.queries);
const BATCH = 500;
const START = Date.parse('2026-01-01T00:00:00Z');
/** Entries spread evenly over 30 days, as a month of retention holds them. */
const SPAN_MS = 30 * 24 * 3600 * 1000;

const round = (n: number, digits = 3) => Number(n.toFixed(digits));
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

function entry(i: number, configurationId: string): ProvisioningLogEntry {
  const failed = i % 50 === 0;
  return {
    id: randomUUID(),
    cycleId: `cycle-${Math.floor(i / 1000)}`,
    configurationId,
    activityDateTime: new Date(START + Math.floor((i / ENTRIES) * SPAN_MS)).toISOString(),
    action: i % 3 === 0 ? 'Create' : 'Update',
    status: failed ? 'Failure' : 'Success',
    steps: [
      { name: 'import', status: 'Success', description: `Received user CN=User ${i},OU=Staff,DC=corp,DC=example,DC=com` },
      { name: 'matching', status: 'Success', description: 'Matched by onPremisesImmutableId' },
      { name: 'export', status: failed ? 'Failure' : 'Success', description: failed ? 'another object already has this userPrincipalName' : 'Updated 4 properties' },
    ],
    modifiedProperties: ['displayName', 'department', 'jobTitle', 'mail'].map((name) => ({ displayName: name, oldValue: `old ${name} ${i}`, newValue: `new ${name} ${i}` })),
    sourceIdentity: { id: randomBytes(16).toString('hex'), type: 'user', displayName: `User ${i}`, dn: `CN=User ${i},OU=Staff,DC=corp,DC=example,DC=com` },
    targetIdentity: { id: randomUUID(), type: 'User' },
    errorCode: failed ? 'ERR_DIR_UPN_CONFLICT' : null,
    errorMessage: failed ? 'another object already has this userPrincipalName' : null,
  };
}

/** The log's size with its indexes: SQLite's whole file in pages (only the log grows meanwhile), PostgreSQL's relation. */
async function storedBytes(store: Store): Promise<number> {
  const { rows } = store.dialect === 'sqlite'
    ? await sql<{ bytes: number }>`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(store.db)
    : await sql<{ bytes: string }>`select pg_total_relation_size('provisioning_logs') as bytes`.execute(store.db);
  return Number(rows[0]!.bytes);
}

/** Bytes this process handed to write calls (Linux /proc/self/io `wchar`), or undefined elsewhere. */
function bytesWrittenByProcess(): number | undefined {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

async function run(name: 'sqlite' | 'postgres') {
  let dir: string | undefined;
  let store: Store;
  if (name === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'cloudsync-bench-log-'));
    store = await openStore({ dataDir: dir });
  } else store = await openStore({ databaseUrl: await createTestDatabase() });
  try {
    const directory = createCloudDirectory(store);
    const { tenantId } = await directory.createTenant({ name: `benchlog${process.pid}` });
    const synchronization = createSynchronizationStore(store, directory, { secretsKey: randomBytes(32) });
    const { servicePrincipal } = await synchronization.instantiate(tenantId, CLOUD_SYNC_APPLICATION_TEMPLATE_ID, 'corp.example.com');
    const job = await synchronization.createJob(tenantId, servicePrincipal.id, 'AD2AADProvisioning');
    const configurationId = connectorSpaceIdOf(tenantId, job.id);
    const log = new SqlProvisioningLog(store);

    const sizeBefore = await storedBytes(store);
    const writtenBefore = bytesWrittenByProcess();
    let begin = performance.now();
    for (let i = 0; i < ENTRIES; i += BATCH) {
      const batch: ProvisioningLogEntry[] = [];
      for (let j = i; j < Math.min(ENTRIES, i + BATCH); j++) batch.push(entry(j, configurationId));
      await log.write(batch);
    }
    const writeSeconds = (performance.now() - begin) / 1000;
    const bytesPerEntry = Math.round(((await storedBytes(store)) - sizeBefore) / ENTRIES);
    // SQLite writes from this process (WAL and checkpoints); PostgreSQL's server writes are not counted here.
    const writtenPerEntry = name === 'sqlite' && writtenBefore !== undefined ? Math.round((bytesWrittenByProcess()! - writtenBefore) / ENTRIES) : undefined;

    // A log grows entry by entry in service, and autovacuum keeps PostgreSQL's statistics current meanwhile; right
    // after a bulk load they are missing and the planner sorts whole pages (full read 5,000 instead of 30,000/s).
    await sql`analyze provisioning_logs`.execute(store.db);
    begin = performance.now();
    let read = 0;
    let skipToken: string | undefined;
    do {
      const page = await log.list(tenantId, { top: 999, ...(skipToken === undefined ? {} : { skipToken }) });
      read += page.items.length;
      skipToken = page.nextSkipToken;
    } while (skipToken !== undefined);
    const readSeconds = (performance.now() - begin) / 1000;

    const latency = async (filterOf: (i: number) => string) => {
      const times: number[] = [];
      for (let i = 0; i < QUERIES; i++) {
        const filter = parseFilter(filterOf(i));
        const t = performance.now();
        await log.list(tenantId, { top: 100, filter });
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)) };
    };
    const failures = await latency(() => "provisioningStatusInfo/status eq 'failure'");
    const window = await latency((i) => {
      const from = new Date(START + ((i * 7919) % 700) * 3600 * 1000);
      return `activityDateTime ge ${from.toISOString()} and activityDateTime lt ${new Date(from.getTime() + 3600 * 1000).toISOString()}`;
    });

    begin = performance.now();
    const pruned = await log.prune(new Date(START + SPAN_MS / 2));
    const pruneSeconds = (performance.now() - begin) / 1000;
    return {
      backend: name,
      entries: ENTRIES,
      write: { seconds: round(writeSeconds), entriesPerSecond: Math.round(ENTRIES / writeSeconds), storedBytesPerEntry: bytesPerEntry, ...(writtenPerEntry === undefined ? {} : { writtenBytesPerEntry: writtenPerEntry }) },
      fullRead: { entries: read, seconds: round(readSeconds), entriesPerSecond: Math.round(read / readSeconds) },
      firstPageFailures: failures,
      firstPageOneHourWindow: window,
      retention: { pruned, seconds: round(pruneSeconds) },
    };
  } finally {
    await store.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const backend of values.backends.split(',') as ('sqlite' | 'postgres')[]) results.push(await run(backend));
await stopPostgres();
process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, loadAverage: loadavg().map((l) => round(l, 2)), results }, null, 2)}\n`);
