/**
 * The agent issue's benchmarks against a throwaway Samba AD DC (`--source samba`, the default) or OpenLDAP
 * (`--source openldap`: the generic LDAP connector, `cloudsync agent --source-type ldap`, an LDAP2AADProvisioning
 * job), with the service and the agent as separate processes (`cloudsync server`, `cloudsync agent`) on this machine:
 *
 *   1. change latency: an attribute changed in the directory, until `/v1.0/users/{id}` shows it, over `--changes`
 *      changes one after the other (the job's interval is an hour: only the agent's change watch can bring them;
 *      `--watch-interval` is handed to the agent, the agent's default otherwise);
 *   2. throughput: the full synchronization of `--users` users through the agent, against the same full
 *      synchronization with the connector in the service process (`cloudsync server --embedded-agent`), each into a
 *      fresh SQLite store, measured from `POST …/start` to the job's recorded execution.
 *
 *   npx node bench/agent.ts [--source samba|openldap] [--changes 100] [--watch-interval S] [--spacing MS] [--users 20000] [--skip-throughput]
 *
 * `--spacing MS` waits that long after each change is visible before making the next: the service takes one change
 * hint a second per domain (src/agents/change-trigger.ts), so changes made back to back measure that window as much as
 * the agent; spaced by more than a second, each hint is taken as it comes.
 *
 * The throughput comparison is Samba's (the 20,000-user figure); with `--source openldap` only the change
 * latency is measured. Prints one JSON document; nothing is asserted. Needs root (Samba).
 */
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Attribute, Change, type Client } from 'ldapts';
import { DEFAULTS } from '../src/server/defaults.ts';
import { runCli } from '../test/cli/run-cli.ts';
import { openLdapUnavailableReason, seedGenericUsers, startOpenLdap } from '../test/harness/openldap.ts';
import { addOu, sambaUnavailableReason, seedAdUsers, startSamba } from '../test/harness/samba.ts';
import { cliEnvironment, createTenant, graph, listAll, startAgent, startService, type Execution, type RunningProcess } from '../test/agent/agent-processes.ts';

const SOURCES = ['samba', 'openldap'] as const;
type SourceKind = (typeof SOURCES)[number];
const { values: args } = parseArgs({ options: {
  source: { type: 'string', default: 'samba' }, changes: { type: 'string', default: '100' }, users: { type: 'string', default: '20000' },
  'watch-interval': { type: 'string' }, spacing: { type: 'string', default: '0' }, 'skip-throughput': { type: 'boolean' },
} });
if (!(SOURCES as readonly string[]).includes(args.source)) {
  process.stderr.write(`--source ${args.source}: expected ${SOURCES.join(' or ')}\n`);
  process.exit(2);
}
const SOURCE = args.source as SourceKind;
const CHANGES = Number(args.changes);
const USERS = Number(args.users);
const WATCH_INTERVAL = args['watch-interval'];
const SPACING_MS = Number(args.spacing);
if (!Number.isInteger(SPACING_MS) || SPACING_MS < 0 || SPACING_MS > 60_000) {
  process.stderr.write(`--spacing ${args.spacing}: expected milliseconds from 0 to 60000\n`);
  process.exit(2);
}
if (SOURCE === 'openldap' && args['skip-throughput'] !== true) {
  process.stderr.write('--source openldap measures the change latency only: add --skip-throughput\n');
  process.exit(2);
}

const unavailable = SOURCE === 'samba' ? sambaUnavailableReason() : openLdapUnavailableReason();
if (unavailable !== undefined) {
  process.stderr.write(`bench/agent.ts --source ${SOURCE}: ${unavailable}\n`);
  process.exit(1);
}

/** What the benchmark needs of a directory: how the service and agent reach it, and how to change one user. */
interface Directory {
  readonly domain: string;
  /** `cloudsync agent`'s source flags (the password comes from a file). */
  readonly sourceArgs: readonly string[];
  readonly adminPassword: string;
  readonly template: string;
  /** Whether the users' userPrincipalName suffix must be a verified domain of the tenant (generic LDAP: their mail). */
  readonly verifyDomain: boolean;
  /** The users whose attribute the latency part changes, and their displayName in the cloud. */
  readonly latencyUsers: readonly { dn: string; displayName: string }[];
  readonly admin: Client;
  /** The attribute changed, in the directory and as the Graph property it maps to. */
  readonly attribute: { readonly ldap: string; readonly graph: 'department' | 'jobTitle' };
  readonly stop: () => Promise<void>;
}

async function sambaDirectory(latencyCount: number): Promise<Directory & { seedMore(count: number): Promise<unknown> }> {
  const dc = await startSamba({ processModel: 'single' });
  const admin = await dc.admin();
  const corp = `OU=Corp,${dc.baseDn}`;
  await addOu(admin, corp);
  const dns = await seedAdUsers(admin, corp, latencyCount, { prefix: 'lat' });
  return {
    domain: 'corp.example.com',
    sourceArgs: ['--ldap-url', dc.url, '--bind-dn', dc.adminDn],
    adminPassword: dc.adminPassword,
    template: 'AD2AADProvisioning',
    verifyDomain: false,
    latencyUsers: dns.map((dn) => ({ dn, displayName: `Test ${/^CN=([^,]+)/.exec(dn)![1]!}` })),
    admin,
    attribute: { ldap: 'department', graph: 'department' },
    stop: () => dc.stop(),
    seedMore: (count) => seedAdUsers(admin, corp, count, { prefix: 'bulk', concurrency: 32 }),
  };
}

async function openLdapDirectory(latencyCount: number): Promise<Directory> {
  const server = await startOpenLdap();
  const admin = await server.admin();
  const dns = await seedGenericUsers(server, latencyCount);
  return {
    domain: 'example.org',
    sourceArgs: ['--source-type', 'ldap', '--base-dn', server.baseDn, '--ldap-url', server.url, '--bind-dn', server.adminDn],
    adminPassword: server.adminPassword,
    template: 'LDAP2AADProvisioning',
    verifyDomain: true,
    // genericUsersLdif: uid=user000001 is "Test User 1".
    latencyUsers: dns.map((dn, i) => ({ dn, displayName: `Test User ${i + 1}` })),
    admin,
    attribute: { ldap: 'title', graph: 'jobTitle' },
    stop: () => server.stop(),
  };
}

const percentile = (xs: readonly number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Tenant = Awaited<ReturnType<typeof createTenant>>;

async function jobExecution(url: string, tenant: Tenant): Promise<Execution | null> {
  const principals = await graph<{ value: { id: string }[] }>(url, tenant, 'GET', '/v1.0/servicePrincipals');
  const principal = principals.body.value[0];
  if (principal === undefined) return null;
  const jobs = await graph<{ value: { status: { lastExecution: Execution | null } }[] }>(url, tenant, 'GET', `/v1.0/servicePrincipals/${principal.id}/synchronization/jobs`);
  return jobs.body.value[0]?.status.lastExecution ?? null;
}

async function waitForExecution(url: string, tenant: Tenant, after: string, timeoutMs: number): Promise<Execution> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const execution = await jobExecution(url, tenant);
    if (execution !== null && execution.timeEnded > after) return execution;
    await sleep(250);
  }
  throw new Error('no execution in time');
}

interface Setup {
  readonly dir: string;
  readonly domain: string;
  readonly service: RunningProcess & { url: string };
  readonly tenant: Tenant;
  readonly env: Record<string, string>;
  readonly agent?: RunningProcess;
}

/** A fresh store, a service, and (unless embedded) an agent; a configuration created but not started. */
async function setUp(directory: Directory, passwordFile: string, embedded: boolean): Promise<Setup> {
  const { domain } = directory;
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-bench-agent-'));
  const data = join(dir, 'data');
  const tenant = await createTenant(data, 'bench');
  if (directory.verifyDomain) {
    const verified = await runCli(['domain', 'verify', '--data', data, '--tenant-id', tenant.tenantId, '--name', domain]);
    if (verified.code !== 0) throw new Error(`domain verify: ${verified.stderr}`);
  }
  const source = [...directory.sourceArgs, '--bind-password-file', passwordFile];
  const service = await startService(['--port', '0', '--data', data, '--sync-interval', 'PT1H', ...(embedded ? ['--embedded-agent', '--domain', domain, ...source] : [])], { CLOUDSYNC_LOG_LEVEL: 'warn' });
  const env = cliEnvironment(service.url, tenant, join(dir, 'no-credentials.json'));
  const cli = async (command: readonly string[]): Promise<string> => {
    const run = await runCli(command, { env });
    if (run.code !== 0) throw new Error(`${command.join(' ')}: ${run.stderr}`);
    return run.stdout;
  };
  let agent: RunningProcess | undefined;
  if (!embedded) {
    const token = (JSON.parse(await cli(['agent', 'token', 'create', '--json'])) as { token: string }).token;
    const watch = WATCH_INTERVAL === undefined ? [] : ['--watch-interval', WATCH_INTERVAL];
    agent = startAgent(['--service', service.url, '--state', join(dir, 'state'), '--domain', domain, ...source, ...watch, '--registration-token', token], { CLOUDSYNC_LOG_LEVEL: 'info' });
    await agent.waitFor(/connected to the service/);
  }
  await cli(['config', 'create', '--domain', domain, '--template', directory.template]);
  return { dir, domain, service, tenant, env, ...(agent === undefined ? {} : { agent }) };
}

async function tearDown(setup: Setup): Promise<void> {
  await setup.agent?.stop();
  await setup.service.stop();
  rmSync(setup.dir, { recursive: true, force: true });
}

async function fullSync(setup: Setup): Promise<{ ms: number; execution: Execution }> {
  const began = new Date().toISOString();
  const start = performance.now();
  const run = await runCli(['config', 'start', setup.domain], { env: setup.env });
  if (run.code !== 0) throw new Error(run.stderr);
  const execution = await waitForExecution(setup.service.url, setup.tenant, began, 60 * 60_000);
  return { ms: Math.round(performance.now() - start), execution };
}

const latencyCount = Math.min(CHANGES, 100);
const samba = SOURCE === 'samba' ? await sambaDirectory(latencyCount) : undefined;
const directory: Directory = samba ?? await openLdapDirectory(latencyCount);
const work = mkdtempSync(join(tmpdir(), 'cloudsync-bench-agent-pw-'));
const passwordFile = join(work, 'bind-password');
writeFileSync(passwordFile, `${directory.adminPassword}\n`, { mode: 0o600 });
chmodSync(passwordFile, 0o600);
const result: Record<string, unknown> = { machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) } };
try {
  const { admin, attribute, latencyUsers } = directory;

  // 1. change latency through the agent
  {
    const setup = await setUp(directory, passwordFile, false);
    try {
      await fullSync(setup);
      const users = await listAll<{ id: string; displayName: string }>(setup.service.url, setup.tenant, '/v1.0/users?$top=999&$select=id,displayName');
      const idOf = new Map(users.map((user) => [user.displayName, user.id]));
      const latencies: number[] = [];
      for (let i = 0; i < CHANGES; i++) {
        const user = latencyUsers[i % latencyUsers.length]!;
        const id = idOf.get(user.displayName)!;
        const value = `Bench ${i}`;
        const changedAt = performance.now();
        await admin.modify(user.dn, [new Change({ operation: 'replace', modification: new Attribute({ type: attribute.ldap, values: [value] }) })]);
        for (;;) {
          const read = await graph<Record<string, string>>(setup.service.url, setup.tenant, 'GET', `/v1.0/users/${id}?$select=${attribute.graph}`);
          if (read.body[attribute.graph] === value) break;
          if (performance.now() - changedAt > 120_000) throw new Error(`change ${i} never arrived`);
          await sleep(100);
        }
        latencies.push(Math.round(performance.now() - changedAt));
        if (SPACING_MS > 0) await sleep(SPACING_MS);
      }
      result['changeLatency'] = {
        source: SOURCE, changes: CHANGES, spacingMs: SPACING_MS, watchIntervalSeconds: Number(WATCH_INTERVAL ?? (SOURCE === 'openldap' ? DEFAULTS.agentWatchIntervalGenericLdap : DEFAULTS.agentWatchInterval).value),
        p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), maxMs: Math.max(...latencies), meanMs: Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
      };
    } finally {
      await tearDown(setup);
    }
  }

  // 2. full-sync throughput: through the agent vs in the service process (Samba only: checked above)
  if (args['skip-throughput'] !== true && samba !== undefined) {
    const seedStart = performance.now();
    await samba.seedMore(USERS - latencyUsers.length);
    result['seedSeconds'] = Math.round((performance.now() - seedStart) / 1000);
    const measured: Record<string, { ms: number; imported: number; exported: number; usersPerSecond: number; state: string }> = {};
    for (const [label, embedded] of [['inProcess', true], ['throughAgent', false]] as const) {
      const setup = await setUp(directory, passwordFile, embedded);
      try {
        const { ms, execution } = await fullSync(setup);
        measured[label] = { ms, imported: execution.countImported, exported: execution.countExported, usersPerSecond: Math.round((execution.countExported / ms) * 1000), state: execution.state };
      } finally {
        await tearDown(setup);
      }
    }
    result['fullSync'] = { source: 'samba', users: USERS, ...measured, ratio: Math.round((measured['throughAgent']!.ms / measured['inProcess']!.ms) * 100) / 100 };
  }
  result['loadavgAfter'] = loadavg().map((x) => Math.round(x * 100) / 100);
} finally {
  await directory.stop();
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
process.exit(0);
