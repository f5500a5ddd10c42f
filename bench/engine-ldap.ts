/**
 * The engine issue's end-to-end benchmarks: a full synchronization of N users from a real directory server into
 * a fresh SQLite store, against a plain paged `ldapsearch` dump of the same entries run back to back on the same
 * machine; then a delta cycle with nothing changed, and the peak RSS of the synchronizing process.
 *
 *   npx node bench/engine-ldap.ts [--source openldap|samba] [--users 200000] [--runs 1] [--deltas 5] [--batch N] [--log sql|none]
 *                                 [--managers N] [--imports thread|inProcess] [--remap] [--scope-out [--scope-in]] [--conflicts N]
 *                                 [--arrivals N] [--deletions N] [--listing] [--present] [--full-again]
 *
 * `--log sql` (default) stores the provisioning log as the service does (one entry per created object, with its
 * values); `--log none` measures the engine, directory and connector space alone. `--managers N` (Samba): every
 * user after the first N reports to one of them, so the sync also resolves a manager reference per user.
 * `--imports thread` reads the directory on an import thread (src/connectors/ldap/threaded-import.ts) instead of on
 * the synchronizing thread, as the service does, for comparison. `--remap` then changes one attribute mapping
 * (jobTitle ← `Append(…, " (remapped)")`) and times the next full cycle, in which every user is updated: what saving
 * a schema costs (issue 4: a saved schema triggers a full re-evaluation, as in Entra). `--scope-out` then (after
 * the remap, if any) saves a user scoping filter that no user passes (`cn IS NULL`) and times the full cycle that
 * deletes every synchronized user (to deleted items), with the deletions approved (allowDeletes, as an admin's
 * resetScope ForceDeletes): what a user who moves an OU out of scope, or deletes many objects, waits for.
 * `--scope-in` then saves the schema of before the scope-out again and times the full cycle that brings every user
 * back: each one restored from deleted items (the same cloud object), as after an OU put back into scope.
 * `--conflicts N` (OpenLDAP): before the full sync, an admin creates N cloud-only users holding the UPNs that N
 * evenly spread source users will get (one per batch of 1,000 at 1,000 conflicts per million users), so those N fail
 * with ERR_DIR_UPN_CONFLICT (`conflictsFailed`) and everyone else is created: what a directory with a few duplicate
 * or cloud-held UPNs costs the sync.
 * `--arrivals N` (Samba): after the unchanged deltas, N new users are added to AD and the delta cycle that creates
 * them is timed; then N more, created by a delta whose source claims no back links (`capabilities.backLinks`): the
 * difference is what reading each newcomer's memberOf and directReports costs (docs/engine.md, "Arrivals under
 * another RDN").
 * `--deletions N` (OpenLDAP): at the end, the first N users are deleted from slapd and the delta cycle that deletes
 * them from the cloud is timed (approved, as with `--scope-out`): the deletions reach it by RFC 4533 content
 * synchronization in the delta itself (docs/connectors.md), not by an anchor listing. They are added back
 * afterwards (with new entryUUIDs), so the dump after the child and the next run read as many entries.
 * `--listing`: after the unchanged deltas, one more with the anchor listing due (the reconciliation interval at 0):
 * what a listing by listAnchors() costs. `--present` (OpenLDAP): then one more whose watermark holds a cookie older
 * than slapd's session log, so that its refresh is a present phase, which the engine reconciles against: what every
 * delta after a change costs on a server without a session log (docs/connectors.md).
 * `--full-again`: after the unchanged deltas, one full cycle with nothing changed: what a full re-evaluation costs
 * when nothing moved, which on generic LDAP follows every delta that reports a change of a scoping group
 * (docs/engine.md, "Group scope on generic LDAP").
 *
 * The synchronization runs in a child process that holds what the service holds (engine, connector, SQLite store,
 * cloud directory) and runs with the service's Node flags (bin/cloudsync.js), so that its peak RSS (getrusage
 * maxrss) is the service's and not the seeding's. OpenLDAP is
 * loaded offline (slapadd); Samba through LDAP adds (slow: ~1,000 users/s), so its default is 20,000 users.
 * Prints one JSON document; nothing is asserted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from 'ldapts';
import { performance } from 'node:perf_hooks';
import { IMPORT_LOCATIONS, ldapSourceConnector, type ImportLocation } from '../src/connectors/ldap/threaded-import.ts';
import type { SourceConnector } from '../src/connectors/source-connector.ts';
import { createCloudDirectory } from '../src/directory/index.ts';
import { cloudDirectoryTarget, runSynchronizationCycle, SqlConnectorSpace, type CycleMode, type EngineSource, type ProvisioningLogSink, type SynchronizationConfiguration } from '../src/engine/index.ts';
import { compileSynchronizationSchema, expressionOfSource, getTemplate, sourceFromExpression, type SynchronizationSchema } from '../src/schema/index.ts';
import { SqlProvisioningLog } from '../src/provisioning-logs/index.ts';
import { openStore } from '../src/storage/index.ts';
import { genericUsersLdif, startOpenLdap } from '../test/harness/openldap.ts';
import { ldapsearchDump } from './ldapsearch-dump.ts';
import { SAMBA_REALM, sambaUnavailableReason, seedAdUsers } from '../test/harness/samba.ts';
import { seededSambaDc } from './samba-bench-dc.ts';

const { values: args } = parseArgs({
  options: {
    source: { type: 'string', default: 'openldap' },
    users: { type: 'string' },
    runs: { type: 'string', default: '1' },
    /** delta cycles with nothing changed after the full sync */
    deltas: { type: 'string', default: '5' },
    /** engine batch size (default: the engine's) */
    batch: { type: 'string' },
    /** the provisioning log: `sql` stores every entry as the service does (default); `none` discards them */
    log: { type: 'string', default: 'sql' },
    /** Samba: each user after the first N gets one of them as manager */
    managers: { type: 'string' },
    /** where the LDAP imports run: `inProcess` (default, as the service does) or `thread` */
    imports: { type: 'string', default: 'inProcess' },
    /** after the unchanged deltas, remap jobTitle and time the full cycle that updates every user */
    remap: { type: 'boolean', default: false },
    /** after the deltas (and the remap), take every user out of scope and time the full cycle that deletes them */
    'scope-out': { type: 'boolean', default: false },
    /** after the scope-out, put every user back in scope and time the full cycle that restores them */
    'scope-in': { type: 'boolean', default: false },
    /** OpenLDAP: cloud-only users holding the UPNs of N evenly spread source users, created before the full sync */
    conflicts: { type: 'string' },
    /** Samba: N users added after the deltas, then N more; the delta creating each set timed, with and without back links */
    arrivals: { type: 'string' },
    deletions: { type: 'string' },
    /** after the unchanged deltas, a delta whose anchor listing is due (deletions reconciled) timed */
    listing: { type: 'boolean', default: false },
    /** OpenLDAP: after the unchanged deltas, a delta whose refresh is an RFC 4533 present phase timed */
    present: { type: 'boolean', default: false },
    /** after the unchanged deltas, a full cycle with nothing changed timed */
    'full-again': { type: 'boolean', default: false },
    // internal: the synchronizing child
    child: { type: 'string' },
  },
});

interface ChildSpec {
  readonly kind: 'openldap' | 'samba';
  readonly url: string;
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly baseDn: string;
  readonly domain: string;
  readonly deltas: number;
  readonly batchSize?: number;
  readonly log: 'sql' | 'none';
  /** where the connector's imports run (default: in process, as in the service) */
  readonly imports?: ImportLocation;
  /** remap jobTitle after the deltas and time the full cycle that follows */
  readonly remap?: boolean;
  /** take every user out of scope after the deltas (and the remap) and time the full cycle that deletes them */
  readonly scopeOut?: boolean;
  /** with `scopeOut`: the schema of before again after it, and the full cycle that restores every user timed */
  readonly scopeIn?: boolean;
  /** OpenLDAP: cloud-only users holding the UPNs of this many evenly spread source users (see conflictingUpns) */
  readonly conflicts?: number;
  /** the source users (uid=user000001…); counted on the server when absent and `conflicts` is set */
  readonly users?: number;
  /** Samba: users added after the deltas, twice (see `--arrivals`) */
  readonly arrivals?: number;
  /** OpenLDAP: users deleted at the end (see `--deletions`) */
  readonly deletions?: number;
  /** time a delta that reconciles deletions by listing every anchor (see `--listing`) */
  readonly listing?: boolean;
  /** OpenLDAP: time a delta whose content-synchronization refresh is a present phase (see `--present`) */
  readonly present?: boolean;
  /** time a full cycle with nothing changed (see `--full-again`) */
  readonly fullAgain?: boolean;
}

interface ChildResult {
  readonly objects: number;
  /** links made by the full sync (managers, members) */
  readonly referencesAdded: number;
  readonly fullSyncMs: number;
  readonly unchangedDeltaMs: number[];
  readonly failed: number;
  /** with `conflicts`: the full sync's failures with ERR_DIR_UPN_CONFLICT */
  readonly conflictsFailed?: number;
  readonly peakRssMb: number;
  /** with `remap`: the full cycle after jobTitle was remapped, and how many objects it updated and failed */
  readonly remapFullMs?: number;
  readonly remapUpdated?: number;
  readonly remapFailed?: number;
  /** with `scopeOut`: the full cycle after every user left the scope, and how many objects it deleted and failed */
  readonly scopeOutMs?: number;
  readonly scopeOutDeleted?: number;
  readonly scopeOutFailed?: number;
  /** with `scopeIn`: the full cycle after every user came back into scope, and how many it restored and failed */
  readonly scopeInMs?: number;
  readonly scopeInRestored?: number;
  readonly scopeInFailed?: number;
  /** with `arrivals`: the delta that created that many new users, and the one that created as many more without back links */
  readonly arrivalsDeltaMs?: number;
  readonly arrivalsCreated?: number;
  readonly arrivalsWithoutBackLinksDeltaMs?: number;
  readonly arrivalsWithoutBackLinksCreated?: number;
  /** with `deletions`: the delta that deleted them, and how many it deleted */
  readonly deletionsDeltaMs?: number;
  readonly deletionsDeleted?: number;
  /** with `listing`: the unchanged delta that listed every anchor to reconcile deletions */
  readonly listingDeltaMs?: number;
  /** with `present`: the unchanged delta whose refresh was a present phase, and what it deleted (nothing) */
  readonly presentDeltaMs?: number;
  readonly presentDeleted?: number;
  /** with `fullAgain`: the full cycle with nothing changed, and what it changed (nothing) */
  readonly fullAgainMs?: number;
  readonly fullAgainChanged?: number;
}

/**
 * The template with jobTitle remapped so that every user's value changes: `Append(<the template's source>,
 * " (remapped)")`, the kind of edit an administrator saves.
 */
function remappedSchema(templateId: string): SynchronizationSchema {
  const template = JSON.parse(JSON.stringify(getTemplate(templateId))) as SynchronizationSchema;
  const users = template.synchronizationRules![0]!.objectMappings!.find((m) => m.targetObjectName === 'User')!;
  const jobTitle = users.attributeMappings!.find((m) => m.targetAttributeName === 'jobTitle')!;
  (jobTitle as { source: unknown }).source = sourceFromExpression(`Append(${expressionOfSource(jobTitle.source!)}, " (remapped)")`);
  return template;
}

/**
 * The schema with a user scoping filter no user passes (`cn IS NULL`: every user has a cn), so that every
 * synchronized user leaves the scope and is deprovisioned, as when its OU is taken out of scope.
 */
function scopedOutSchema(schema: SynchronizationSchema) {
  const template = JSON.parse(JSON.stringify(schema)) as SynchronizationSchema;
  const users = template.synchronizationRules![0]!.objectMappings!.find((m) => m.targetObjectName === 'User')!;
  (users as { scope: unknown }).scope = { groups: [{ name: 'nobody', clauses: [{ sourceOperandName: 'cn', operatorName: 'IS NULL', targetOperand: { values: [] } }] }], inputFilterGroups: users.scope?.inputFilterGroups ?? [] };
  return compileSynchronizationSchema(template);
}

/** The LDAP connector of the spec, with its imports in process unless `imports: 'thread'` (for comparison). */
function connectorOf(spec: ChildSpec): SourceConnector {
  const connection = { urls: [spec.url], bindDn: spec.bindDn, bindPassword: spec.bindPassword };
  return ldapSourceConnector(spec.kind === 'openldap'
    ? { kind: 'genericLdap', options: { ...connection, baseDn: spec.baseDn } }
    : { kind: 'activeDirectory', options: { ...connection, containers: [spec.baseDn] } }, { imports: spec.imports ?? 'inProcess' });
}

/** How many users the generic-LDAP seeding (genericUsersLdif) put on the server: a paged search reading no attribute. */
async function countSourceUsers(spec: ChildSpec): Promise<number> {
  const client = new Client({ url: spec.url });
  try {
    await client.bind(spec.bindDn, spec.bindPassword);
    let count = 0;
    for await (const page of client.searchPaginated(spec.baseDn, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['1.1'], paged: { pageSize: 1000 } })) {
      count += page.searchEntries.length;
    }
    return count;
  } finally {
    await client.unbind();
  }
}

/**
 * The UPNs `count` evenly spread source users get (the middle one of each of `count` equal runs of uid=userNNNNNN):
 * LDAP2AADProvisioning takes the user's mail (userNNNNNN@example.org), whose domain the tenant has not verified, so
 * the engine puts the user under the tenant's initial domain (see the UPN's suffix in synchronization-cycle.ts).
 */
function conflictingUpns(users: number, count: number, initialDomain: string): string[] {
  const upns: string[] = [];
  for (let i = 0; i < count; i++) upns.push(`user${String(Math.floor(((i + 0.5) * users) / count) + 1).padStart(6, '0')}@${initialDomain}`);
  return upns;
}

async function child(spec: ChildSpec): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-bench-sync-'));
  const store = await openStore({ dataDir: dir });
  const source = connectorOf(spec);
  try {
    const directory = createCloudDirectory(store);
    const { tenantId } = await directory.createTenant({ name: `bench${process.pid}` });
    const conflicts = spec.conflicts ?? 0;
    if (conflicts > 0) {
      if (spec.kind !== 'openldap') throw new TypeError('conflicts: only the OpenLDAP bench knows its users\' UPNs');
      const initial = (await directory.listDomains(tenantId)).find((d) => d.isInitial)!.id;
      const upns = conflictingUpns(spec.users ?? (await countSourceUsers(spec)), conflicts, initial);
      // as an admin would make them (the API's actor): cloud-only, not synchronized
      await directory.createMany(tenantId, 'user', upns.map((upn) => ({
        accountEnabled: true,
        displayName: `Cloud ${upn.slice(0, upn.indexOf('@'))}`,
        mailNickname: `cloud-${upn.slice(0, upn.indexOf('@'))}`,
        userPrincipalName: upn,
      })));
    }
    const templateId = spec.kind === 'openldap' ? 'LDAP2AADProvisioning' : 'AD2AADProvisioning';
    const schema = compileSynchronizationSchema(getTemplate(templateId));
    // the scheduler's naming ({tenantId}/{jobId}), which the SQL provisioning log reads the tenant from
    const configurationId = `${tenantId}/bench`;
    const sink: ProvisioningLogSink = spec.log === 'sql' ? new SqlProvisioningLog(store) : { write: async () => {} };
    let conflictsFailed = 0;
    const log: ProvisioningLogSink = conflicts === 0 ? sink : {
      // not async: the engine keeps log writes in flight, and an async frame would hold the entries until the commit
      write(entries) {
        for (const entry of entries) if (entry.status === 'Failure' && entry.errorCode === 'ERR_DIR_UPN_CONFLICT') conflictsFailed++;
        return sink.write(entries);
      },
    };
    const deps = { source, target: cloudDirectoryTarget(directory, tenantId), connectorSpace: new SqlConnectorSpace(store, configurationId), log };
    let config: SynchronizationConfiguration = { id: configurationId, schema, domain: { dnsDomainName: spec.domain, netBiosName: 'BENCH' }, ...(spec.batchSize === undefined ? {} : { batchSize: spec.batchSize }) };
    const time = async (mode: CycleMode) => {
      const t0 = performance.now();
      const report = await runSynchronizationCycle(deps, config, { mode });
      return { ms: performance.now() - t0, report };
    };
    const full = await time('full');
    const failedWithConflict = conflictsFailed;
    const deltas: number[] = [];
    for (let i = 0; i < spec.deltas; i++) deltas.push((await time('delta')).ms);
    let listing: Pick<ChildResult, 'listingDeltaMs'> = {};
    if (spec.listing === true) {
      // due at once, as at the reconciliation interval or after a delta whose cookie the server refused
      const scheduled = config;
      config = { ...config, reconciliationIntervalMs: 0 };
      listing = { listingDeltaMs: Math.round((await time('delta')).ms) };
      config = scheduled;
    }
    let fullAgain: Pick<ChildResult, 'fullAgainMs' | 'fullAgainChanged'> = {};
    if (spec.fullAgain === true) {
      const { ms, report } = await time('full');
      fullAgain = { fullAgainMs: Math.round(ms), fullAgainChanged: report.created + report.updated + report.deleted + report.restored + report.failed };
    }
    let present: Pick<ChildResult, 'presentDeltaMs' | 'presentDeleted'> = {};
    if (spec.present === true) {
      if (spec.kind !== 'openldap') throw new TypeError('present: the OpenLDAP bench only');
      // A cookie older than slapd's session log reaches: slapd answers with a present phase, as a server without a
      // session log does to every delta after a change (docs/connectors.md).
      const watermark = JSON.parse((await deps.connectorSpace.getWatermark())!) as Record<string, unknown>;
      await deps.connectorSpace.setWatermark(JSON.stringify({ ...watermark, syncCookie: Buffer.from('rid=000,csn=20200101000000.000000Z#000000#000#000000').toString('base64') }));
      const cycle = await time('delta');
      present = { presentDeltaMs: Math.round(cycle.ms), presentDeleted: cycle.report.deleted };
    }
    let remap: Pick<ChildResult, 'remapFullMs' | 'remapUpdated' | 'remapFailed'> = {};
    if (spec.remap === true) {
      config = { ...config, schema: compileSynchronizationSchema(remappedSchema(templateId)) };
      const cycle = await time('full');
      remap = { remapFullMs: Math.round(cycle.ms), remapUpdated: cycle.report.updated, remapFailed: cycle.report.failed };
    }
    let scopeOut: Pick<ChildResult, 'scopeOutMs' | 'scopeOutDeleted' | 'scopeOutFailed'> = {};
    let scopeIn: Pick<ChildResult, 'scopeInMs' | 'scopeInRestored' | 'scopeInFailed'> = {};
    if (spec.scopeOut === true) {
      // approved, as an admin lets a held mass deletion through (resetScope ForceDeletes): otherwise the threshold
      // (500) holds every deletion back
      const inScope = config.schema;
      config = { ...config, schema: scopedOutSchema(spec.remap === true ? remappedSchema(templateId) : getTemplate(templateId)), allowDeletes: true };
      const cycle = await time('full');
      scopeOut = { scopeOutMs: Math.round(cycle.ms), scopeOutDeleted: cycle.report.deleted, scopeOutFailed: cycle.report.failed };
      if (spec.scopeIn === true) {
        config = { ...config, schema: inScope, allowDeletes: false };
        const back = await time('full');
        scopeIn = { scopeInMs: Math.round(back.ms), scopeInRestored: back.report.restored, scopeInFailed: back.report.failed };
      }
    }
    let arrivals: Pick<ChildResult, 'arrivalsDeltaMs' | 'arrivalsCreated' | 'arrivalsWithoutBackLinksDeltaMs' | 'arrivalsWithoutBackLinksCreated'> = {};
    if (spec.arrivals !== undefined && spec.arrivals > 0) {
      if (spec.kind !== 'samba') throw new TypeError('arrivals: only the Samba bench reads back links');
      const admin = new Client({ url: spec.url });
      await admin.bind(spec.bindDn, spec.bindPassword);
      const added: string[] = [];
      try {
        added.push(...await seedAdUsers(admin, spec.baseDn, spec.arrivals, { prefix: `new${process.pid}a`, concurrency: 16 }));
        const withLinks = await time('delta');
        added.push(...await seedAdUsers(admin, spec.baseDn, spec.arrivals, { prefix: `new${process.pid}b`, concurrency: 16 }));
        const { backLinks: _backLinks, ...capabilities } = source.capabilities;
        const without: EngineSource = {
          capabilities,
          fullImport: (options) => source.fullImport(options),
          deltaImport: (watermark, options) => source.deltaImport(watermark, options),
          readObject: (dn) => source.readObject(dn),
          readValues: (dn, attribute, options) => source.readValues(dn, attribute, options),
          listAnchors: (options) => source.listAnchors(options),
        };
        const t0 = performance.now();
        const report = await runSynchronizationCycle({ ...deps, source: without }, config, { mode: 'delta' });
        arrivals = {
          arrivalsDeltaMs: Math.round(withLinks.ms), arrivalsCreated: withLinks.report.created,
          arrivalsWithoutBackLinksDeltaMs: Math.round(performance.now() - t0), arrivalsWithoutBackLinksCreated: report.created,
        };
      } finally {
        // the DC as it was: the dump after this child, and the next run, read the same entries as before
        for (let i = 0; i < added.length; i += 16) await Promise.all(added.slice(i, i + 16).map((dn) => admin.del(dn)));
        await admin.unbind();
      }
    }
    let deletions: Pick<ChildResult, 'deletionsDeltaMs' | 'deletionsDeleted'> = {};
    if (spec.deletions !== undefined && spec.deletions > 0) {
      if (spec.kind !== 'openldap') throw new TypeError('deletions: the OpenLDAP bench only');
      const admin = new Client({ url: spec.url });
      await admin.bind(spec.bindDn, spec.bindPassword);
      const doomed = [...genericUsersLdif(spec.deletions, { baseDn: spec.baseDn }).matchAll(/^dn: (.*)$/gm)].map((m) => m[1]!);
      try {
        for (let i = 0; i < doomed.length; i += 16) await Promise.all(doomed.slice(i, i + 16).map((dn) => admin.del(dn)));
        config = { ...config, allowDeletes: true };
        const cycle = await time('delta');
        deletions = { deletionsDeltaMs: Math.round(cycle.ms), deletionsDeleted: cycle.report.deleted };
      } finally {
        // the server as it was (new entryUUIDs): the dump after this child, and the next run, read as many entries
        const file = join(dir, 'readd.ldif');
        writeFileSync(file, genericUsersLdif(spec.deletions, { baseDn: spec.baseDn }));
        execFileSync('ldapadd', ['-x', '-H', spec.url, '-D', spec.bindDn, '-w', spec.bindPassword, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
        await admin.unbind();
      }
    }
    return {
      objects: full.report.created,
      referencesAdded: full.report.referencesAdded,
      fullSyncMs: Math.round(full.ms),
      unchangedDeltaMs: deltas.map(Math.round),
      failed: full.report.failed,
      ...(conflicts === 0 ? {} : { conflictsFailed: failedWithConflict }),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      ...remap,
      ...scopeOut,
      ...scopeIn,
      ...arrivals,
      ...deletions,
      ...listing,
      ...present,
      ...fullAgain,
    };
  } finally {
    await source.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.child !== undefined) {
  const result = await child(JSON.parse(args.child) as ChildSpec);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

/** The Node flags the service runs with: those of bin/cloudsync.js's `#!/usr/bin/env -S node …` line. */
function serviceNodeFlags(): string[] {
  const shebang = readFileSync(fileURLToPath(new URL('../bin/cloudsync.js', import.meta.url)), 'utf8').split('\n')[0]!;
  return shebang.replace(/^#!\/usr\/bin\/env -S node\s*/, '').split(/\s+/).filter((f) => f.startsWith('--'));
}

async function runChild(spec: ChildSpec): Promise<ChildResult> {
  const proc = spawn(process.execPath, [...serviceNodeFlags(), fileURLToPath(import.meta.url), '--child', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  if (code !== 0) throw new Error(`the synchronizing child exited with ${code}`);
  return JSON.parse(out) as ChildResult;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kind = args.source === 'samba' ? 'samba' : 'openldap';
const users = Number(args.users ?? (kind === 'samba' ? 20_000 : 200_000));
const runs = Number(args.runs);
/** A bad option: said on stderr, no stack trace, exit status 2. */
function usage(message: string): never {
  process.stderr.write(`engine-ldap: ${message}\n`);
  process.exit(2);
}
if (!(IMPORT_LOCATIONS as readonly string[]).includes(args.imports!)) usage(`--imports must be one of ${IMPORT_LOCATIONS.join(', ')}, not '${args.imports}'`);
if (args.conflicts !== undefined) {
  const conflicts = Number(args.conflicts);
  if (!Number.isInteger(conflicts) || conflicts < 0 || conflicts > users) usage(`--conflicts must be a whole number from 0 to --users (${users}), not '${args.conflicts}'`);
  if (kind !== 'openldap') usage('--conflicts works with --source openldap only (the bench knows those users\' UPNs)');
}
if (args.arrivals !== undefined) {
  const arrivals = Number(args.arrivals);
  if (!Number.isInteger(arrivals) || arrivals < 1 || arrivals > 100_000) usage(`--arrivals must be a whole number from 1 to 100000, not '${args.arrivals}'`);
  if (kind !== 'samba') usage('--arrivals works with --source samba only (back links are AD\'s)');
}
if (args.deletions !== undefined) {
  const deletions = Number(args.deletions);
  if (!Number.isInteger(deletions) || deletions < 1 || deletions > users) usage(`--deletions must be a whole number from 1 to --users (${users}), not '${args.deletions}'`);
  if (kind !== 'openldap') usage('--deletions works with --source openldap only (content synchronization is syncprov\'s)');
}
if (args.present === true && kind !== 'openldap') usage('--present works with --source openldap only (content synchronization is syncprov\'s)');
if (args['scope-in'] === true && args['scope-out'] !== true) usage('--scope-in times bringing users back after --scope-out: give both');
const tuning = {
  deltas: Number(args.deltas),
  log: args.log === 'none' ? 'none' as const : 'sql' as const,
  imports: args.imports as ImportLocation,
  remap: args.remap === true,
  scopeOut: args['scope-out'] === true,
  scopeIn: args['scope-in'] === true,
  ...(args.conflicts === undefined ? {} : { conflicts: Number(args.conflicts), users }),
  ...(args.batch === undefined ? {} : { batchSize: Number(args.batch) }),
  ...(args.arrivals === undefined ? {} : { arrivals: Number(args.arrivals) }),
  ...(args.deletions === undefined ? {} : { deletions: Number(args.deletions) }),
  ...(args.listing === true ? { listing: true } : {}),
  ...(args.present === true ? { present: true } : {}),
  ...(args['full-again'] === true ? { fullAgain: true } : {}),
};
const result: Record<string, unknown> = { benchmark: 'engine-ldap', source: kind, users, runs, provisioningLog: tuning.log, serviceNodeFlags: serviceNodeFlags(), cpus: cpus().length, node: process.version, loadavgBefore: loadavg().map((l) => Number(l.toFixed(2))) };

async function measure(spec: ChildSpec, search: readonly string[]) {
  const dumps: number[] = [];
  const syncs: ChildResult[] = [];
  let entries = 0;
  for (let run = 0; run < runs; run++) {
    const before = await ldapsearchDump(search);
    syncs.push(await runChild(spec));
    const after = await ldapsearchDump(search);
    dumps.push(before.ms, after.ms);
    entries = after.entries;
  }
  const fullMs = median(syncs.map((s) => s.fullSyncMs));
  const dumpMs = median(dumps);
  return {
    ldapsearchEntries: entries,
    ldapsearchMs: Math.round(dumpMs),
    fullSyncMs: fullMs,
    ratio: Number((fullMs / dumpMs).toFixed(2)),
    unchangedDeltaMs: median(syncs.flatMap((s) => s.unchangedDeltaMs)),
    peakRssMb: Math.max(...syncs.map((s) => s.peakRssMb)),
    objectsCreated: syncs[0]!.objects,
    referencesAdded: syncs[0]!.referencesAdded,
    failed: syncs[0]!.failed,
    ...(spec.conflicts === undefined ? {} : { conflictsFailed: syncs[0]!.conflictsFailed }),
    ...(spec.remap === true ? { remapFullMs: median(syncs.map((s) => s.remapFullMs!)), remapUpdated: syncs[0]!.remapUpdated } : {}),
    ...(spec.scopeOut === true ? { scopeOutMs: median(syncs.map((s) => s.scopeOutMs!)), scopeOutDeleted: syncs[0]!.scopeOutDeleted } : {}),
    ...(spec.arrivals === undefined ? {} : {
      arrivalsDeltaMs: median(syncs.map((s) => s.arrivalsDeltaMs!)), arrivalsWithoutBackLinksDeltaMs: median(syncs.map((s) => s.arrivalsWithoutBackLinksDeltaMs!)),
      arrivalsCreated: syncs[0]!.arrivalsCreated, arrivalsWithoutBackLinksCreated: syncs[0]!.arrivalsWithoutBackLinksCreated,
    }),
    ...(spec.deletions === undefined ? {} : { deletionsDeltaMs: median(syncs.map((s) => s.deletionsDeltaMs!)), deletionsDeleted: syncs[0]!.deletionsDeleted }),
    ...(spec.listing === true ? { listingDeltaMs: median(syncs.map((s) => s.listingDeltaMs!)) } : {}),
    ...(spec.fullAgain === true ? { fullAgainMs: median(syncs.map((s) => s.fullAgainMs!)), fullAgainChanged: syncs[0]!.fullAgainChanged } : {}),
    ...(spec.present === true ? { presentDeltaMs: median(syncs.map((s) => s.presentDeltaMs!)), presentDeleted: syncs[0]!.presentDeleted } : {}),
    ...(spec.scopeIn === true ? { scopeInMs: median(syncs.map((s) => s.scopeInMs!)), scopeInRestored: syncs[0]!.scopeInRestored, scopeInFailed: syncs[0]!.scopeInFailed } : {}),
    runDetails: { ldapsearchMs: dumps.map(Math.round), sync: syncs },
  };
}

if (kind === 'openldap') {
  const t0 = performance.now();
  const server = await startOpenLdap({
    initialEntries(write) {
      for (let start = 1; start <= users; start += 10_000) write(genericUsersLdif(Math.min(10_000, users - start + 1), { start }));
    },
    startTimeoutMs: 120_000,
  });
  result['seedMs'] = Math.round(performance.now() - t0);
  try {
    const filter = '(|(objectClass=inetOrgPerson)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=organizationalUnit))';
    const attributes = ['*', 'entryUUID', 'entryCSN', 'modifyTimestamp', 'createTimestamp', 'objectClass'];
    Object.assign(result, await measure(
      { kind, url: server.url, bindDn: server.adminDn, bindPassword: server.adminPassword, baseDn: server.baseDn, domain: 'example.org', ...tuning },
      ['-x', '-H', server.url, '-D', server.adminDn, '-w', server.adminPassword, '-b', server.baseDn, filter, ...attributes],
    ));
  } finally {
    await server.stop();
  }
} else {
  const unavailable = sambaUnavailableReason();
  if (unavailable !== undefined) {
    result['skipped'] = unavailable;
  } else {
    const managers = args.managers === undefined ? undefined : Number(args.managers);
    if (managers !== undefined) result['managers'] = managers;
    const { dc, container, seedMs, ldapsearchArgs } = await seededSambaDc(users, managers === undefined ? {} : { managers });
    try {
      result['seedMs'] = seedMs;
      Object.assign(result, await measure(
        { kind, url: dc.url, bindDn: dc.adminDn, bindPassword: dc.adminPassword, baseDn: container, domain: SAMBA_REALM.toLowerCase(), ...tuning },
        ldapsearchArgs,
      ));
    } finally {
      await dc.stop();
    }
  }
}
result['loadavgAfter'] = loadavg().map((l) => Number(l.toFixed(2)));
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
