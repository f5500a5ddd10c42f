/**
 * Engine benchmark: the bundled 1,000-user sample AD export (LDIF connector) into a fresh cloud directory on
 * SQLite — a full first cycle, a second full cycle with nothing changed, and a delta cycle with nothing changed.
 * Prints one JSON document. Not a test: nothing is asserted.
 *
 *   npx node bench/engine.ts [--runs 3] [--synthetic 20000]
 *
 * `--synthetic N` replaces the LDIF file with N generated users in one OU plus one group holding all of them, served
 * by the in-memory source of the tests (AD-like deltas): the delta measured after it changes one user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { LdifConnector } from '../src/connectors/ldif/ldif-connector.ts';
import { createCloudDirectory } from '../src/directory/index.ts';
import { cloudDirectoryTarget, runSynchronizationCycle, SqlConnectorSpace, type CycleMode } from '../src/engine/index.ts';
import { compileSynchronizationSchema, getTemplate } from '../src/schema/index.ts';
import { openStore } from '../src/storage/index.ts';
import { MemorySource } from '../test/engine/memory-source.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, synthetic: { type: 'string' } } });
const runs = Number(values.runs);
const synthetic = values.synthetic === undefined ? undefined : Number(values.synthetic);

function syntheticSource(n: number): MemorySource {
  const source = new MemorySource();
  source.add('organizationalUnit', 'OU=Users,DC=corp,DC=example,DC=com', { ou: 'Users' });
  const dns: string[] = [];
  for (let i = 0; i < n; i++) {
    const dn = `CN=user${i},OU=Users,DC=corp,DC=example,DC=com`;
    dns.push(dn);
    source.add('user', dn, { cn: `user${i}`, displayName: `User ${i}`, sAMAccountName: `user${i}`, userPrincipalName: `user${i}@corp.example.com`, title: 'Engineer', department: `Dept ${i % 7}` });
  }
  source.add('group', 'CN=Everyone,OU=Users,DC=corp,DC=example,DC=com', { cn: 'Everyone', sAMAccountName: 'Everyone', groupType: 8, member: dns });
  return source;
}
const SAMPLE = fileURLToPath(new URL('../src/demo/sample-ad.ldif', import.meta.url));
const schema = compileSynchronizationSchema(getTemplate('AD2AADProvisioning'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, number[]> = { fullSyncMs: [], unchangedFullMs: [], unchangedDeltaMs: [], ...(synthetic === undefined ? {} : { oneChangeDeltaMs: [] }), peakRssMb: [] };
let objects = 0;
for (let run = 0; run < runs; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-bench-engine-'));
  const store = await openStore({ dataDir: dir });
  try {
    const directory = createCloudDirectory(store);
    const { tenantId } = await directory.createTenant({ name: `bench${process.pid}x${run}` });
    const deps = {
      source: synthetic === undefined ? new LdifConnector({ file: SAMPLE }) : syntheticSource(synthetic),
      target: cloudDirectoryTarget(directory, tenantId),
      connectorSpace: new SqlConnectorSpace(store, 'bench'),
      // a sink that keeps nothing: memory is the engine's, not the log's
      log: { write: async () => {} },
    };
    const config = { id: 'bench', schema, domain: { dnsDomainName: 'corp.example.com', netBiosName: 'CORP' } };
    const time = async (mode: CycleMode) => {
      const start = performance.now();
      const report = await runSynchronizationCycle(deps, config, { mode });
      return { ms: performance.now() - start, report };
    };
    const first = await time('full');
    objects = first.report.created;
    results['fullSyncMs']!.push(first.ms);
    results['unchangedFullMs']!.push((await time('full')).ms);
    results['unchangedDeltaMs']!.push((await time('delta')).ms);
    if (deps.source instanceof MemorySource) {
      deps.source.modify('CN=user1,OU=Users,DC=corp,DC=example,DC=com', { title: 'Director' });
      results['oneChangeDeltaMs']!.push((await time('delta')).ms);
    }
    results['peakRssMb']!.push(process.resourceUsage().maxRSS / 1024);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({
  benchmark: 'engine',
  source: synthetic === undefined ? 'src/demo/sample-ad.ldif (LDIF connector)' : `${synthetic} synthetic users + one group of all (in-memory source)`,
  store: 'sqlite',
  objects,
  runs,
  cpus: cpus().length,
  medians: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(median(v))])),
  all: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map(Math.round)])),
}, null, 2));
