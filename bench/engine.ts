/**
 * Engine benchmark: the bundled 1,000-user sample AD export (LDIF connector) into a fresh cloud directory on
 * SQLite — a full first cycle, a second full cycle with nothing changed, and a delta cycle with nothing changed.
 * Prints one JSON document. Not a test: nothing is asserted.
 *
 *   npx node bench/engine.ts [--runs 3] [--cpu-profile]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { LdifConnector } from '../src/connectors/ldif/ldif-connector.ts';
import { createCloudDirectory } from '../src/directory/index.ts';
import { cloudDirectoryTarget, MemoryProvisioningLog, runSynchronizationCycle, SqlConnectorSpace, type CycleMode } from '../src/engine/index.ts';
import { compileSynchronizationSchema, getTemplate } from '../src/schema/index.ts';
import { openStore } from '../src/storage/index.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const SAMPLE = fileURLToPath(new URL('../src/demo/sample-ad.ldif', import.meta.url));
const schema = compileSynchronizationSchema(getTemplate('AD2AADProvisioning'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, number[]> = { fullSyncMs: [], unchangedFullMs: [], unchangedDeltaMs: [] };
let objects = 0;
for (let run = 0; run < runs; run++) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-bench-engine-'));
  const store = await openStore({ dataDir: dir });
  try {
    const directory = createCloudDirectory(store);
    const { tenantId } = await directory.createTenant({ name: `bench${process.pid}x${run}` });
    const deps = {
      source: new LdifConnector({ file: SAMPLE }),
      target: cloudDirectoryTarget(directory, tenantId),
      connectorSpace: new SqlConnectorSpace(store, 'bench'),
      log: new MemoryProvisioningLog(),
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
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({
  benchmark: 'engine',
  source: 'src/demo/sample-ad.ldif (LDIF connector)',
  store: 'sqlite',
  objects,
  runs,
  cpus: cpus().length,
  medians: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Math.round(median(v))])),
  all: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map(Math.round)])),
}, null, 2));
