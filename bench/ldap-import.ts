/**
 * Full import of N users through our LDAP connectors vs a plain paged `ldapsearch` dump of the same entries and
 * attributes, on throwaway servers started by the test harnesses. Prints one JSON object.
 *
 *   npx node bench/ldap-import.ts [--users 20000] [--runs 3] [--only openldap|samba]
 *
 * Samba needs root (see test/harness/samba.ts); without it the Samba half is reported as skipped. Seeding time
 * is reported but not part of the comparison. Medians of `runs` alternating runs (connector, ldapsearch, …).
 */
import { parseArgs } from 'node:util';
import { ActiveDirectoryConnector } from '../src/connectors/ldap/active-directory-connector.ts';
import { GenericLdapConnector } from '../src/connectors/ldap/generic-ldap-connector.ts';
import type { SourceConnector } from '../src/connectors/source-connector.ts';
import { sambaUnavailableReason } from '../test/harness/samba.ts';
import { seededSambaDc } from './samba-bench-dc.ts';
import { ldapsearchDump } from './ldapsearch-dump.ts';
import { ldapAdd, genericUsersLdif, startOpenLdap } from '../test/harness/openldap.ts';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
  },
});
const USERS = Number(args.users);
const RUNS = Number(args.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const round = (ms: number) => Math.round(ms);

async function importAll(connector: SourceConnector): Promise<{ ms: number; firstBatchMs: number; objects: number; peakRssMb: number; peakHeapMb: number }> {
  const t0 = performance.now();
  let objects = 0;
  let firstBatchMs = NaN;
  let peak = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  for await (const batch of connector.fullImport({ batchSize: 1000 })) {
    // Time to first batch = connect + bind + rootDSE + schema + watermark + first page.
    if (Number.isNaN(firstBatchMs)) firstBatchMs = performance.now() - t0;
    objects += batch.objects.length;
    peak = Math.max(peak, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  return { ms: performance.now() - t0, firstBatchMs, objects, peakRssMb: Math.round(peak / 1048576), peakHeapMb: Math.round(peakHeap / 1048576) };
}

async function compare(make: () => SourceConnector, search: readonly string[]) {
  const ours: number[] = [];
  const theirs: number[] = [];
  let objects = 0;
  let entries = 0;
  let peakRssMb = 0;
  let peakHeapMb = 0;
  const firstBatch: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const connector = make();
    try {
      const r = await importAll(connector);
      ours.push(r.ms);
      objects = r.objects;
      peakRssMb = Math.max(peakRssMb, r.peakRssMb);
      peakHeapMb = Math.max(peakHeapMb, r.peakHeapMb);
      firstBatch.push(r.firstBatchMs);
    } finally {
      await connector.close();
    }
    const s = await ldapsearchDump(search);
    theirs.push(s.ms);
    entries = s.entries;
  }
  return {
    connectorMs: round(median(ours)),
    ldapsearchMs: round(median(theirs)),
    ratio: Number((median(ours) / median(theirs)).toFixed(2)),
    connectorObjects: objects,
    ldapsearchEntries: entries,
    connectorRuns: ours.map(round),
    ldapsearchRuns: theirs.map(round),
    connectorFirstBatchMs: round(median(firstBatch)),
    peakRssMb,
    peakHeapMb,
  };
}

const result: Record<string, unknown> = { users: USERS, runs: RUNS, node: process.version };

if (args.only !== 'samba') {
  const server = await startOpenLdap();
  try {
    const t0 = performance.now();
    for (let start = 1; start <= USERS; start += 5000) ldapAdd(server, genericUsersLdif(Math.min(5000, USERS - start + 1), { start }));
    const seedMs = performance.now() - t0;
    const attributes = ['*', 'entryUUID', 'entryCSN', 'modifyTimestamp', 'createTimestamp', 'objectClass'];
    const filter = '(|(objectClass=inetOrgPerson)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=organizationalUnit))';
    result['openldap'] = {
      seedMs: round(seedMs),
      ...await compare(
        () => new GenericLdapConnector({ urls: [server.url], bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn }),
        ['-x', '-H', server.url, '-D', server.adminDn, '-w', server.adminPassword, '-b', server.baseDn, filter, ...attributes],
      ),
    };
  } finally {
    await server.stop();
  }
}

if (args.only !== 'openldap') {
  const unavailable = sambaUnavailableReason();
  if (unavailable) {
    result['samba'] = { skipped: unavailable };
  } else {
    const { dc, container, seedMs, ldapsearchArgs } = await seededSambaDc(USERS);
    try {
      result['samba'] = {
        seedMs,
        ...await compare(
          () => new ActiveDirectoryConnector({ urls: [dc.url], bindDn: dc.adminDn, bindPassword: dc.adminPassword, containers: [container] }),
          ldapsearchArgs,
        ),
      };
    } finally {
      await dc.stop();
    }
  }
}

process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
