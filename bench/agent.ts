/**
 * The agent issue's benchmarks against a throwaway Samba AD DC, with the service and the agent as separate processes
 * (`cloudsync server`, `cloudsync agent`) on this machine:
 *
 *   1. change latency: an attribute changed in AD, until `/v1.0/users/{id}` shows it, over `--changes` changes one
 *      after the other (the job's interval is an hour: only the agent's change watch can bring them);
 *   2. throughput: the full synchronization of `--users` users through the agent, against the same full
 *      synchronization with the connector in the service process (`cloudsync server --embedded-agent`), each into a
 *      fresh SQLite store, measured from `POST …/start` to the job's recorded execution.
 *
 *   npx node bench/agent.ts [--changes 100] [--users 20000] [--skip-throughput]
 *
 * Prints one JSON document; nothing is asserted. Needs root (Samba).
 */
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Attribute, Change } from 'ldapts';
import { runCli } from '../test/cli/run-cli.ts';
import { addOu, sambaUnavailableReason, seedAdUsers, startSamba, type SambaDc } from '../test/harness/samba.ts';
import { cliEnvironment, createTenant, graph, listAll, startAgent, startService, type Execution, type RunningProcess } from '../test/agent/agent-processes.ts';

const { values: args } = parseArgs({ options: { changes: { type: 'string', default: '100' }, users: { type: 'string', default: '20000' }, 'skip-throughput': { type: 'boolean' } } });
const CHANGES = Number(args.changes);
const USERS = Number(args.users);
const DOMAIN = 'corp.example.com';

const unavailable = sambaUnavailableReason();
if (unavailable !== undefined) {
  process.stderr.write(`bench/agent.ts needs Samba: ${unavailable}\n`);
  process.exit(1);
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
  readonly service: RunningProcess & { url: string };
  readonly tenant: Tenant;
  readonly env: Record<string, string>;
  readonly agent?: RunningProcess;
}

/** A fresh store, a service, and (unless embedded) an agent; a configuration created but not started. */
async function setUp(dc: SambaDc, passwordFile: string, embedded: boolean): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-bench-agent-'));
  const data = join(dir, 'data');
  const tenant = await createTenant(data, 'bench');
  const source = ['--ldap-url', dc.url, '--bind-dn', dc.adminDn, '--bind-password-file', passwordFile];
  const service = await startService(['--port', '0', '--data', data, '--sync-interval', 'PT1H', ...(embedded ? ['--embedded-agent', '--domain', DOMAIN, ...source] : [])], { CLOUDSYNC_LOG_LEVEL: 'warn' });
  const env = cliEnvironment(service.url, tenant, join(dir, 'no-credentials.json'));
  const cli = async (command: readonly string[]): Promise<string> => {
    const run = await runCli(command, { env });
    if (run.code !== 0) throw new Error(`${command.join(' ')}: ${run.stderr}`);
    return run.stdout;
  };
  let agent: RunningProcess | undefined;
  if (!embedded) {
    const token = (JSON.parse(await cli(['agent', 'token', 'create', '--json'])) as { token: string }).token;
    agent = startAgent(['--service', service.url, '--state', join(dir, 'state'), '--domain', DOMAIN, ...source, '--registration-token', token], { CLOUDSYNC_LOG_LEVEL: 'info' });
    await agent.waitFor(/connected to the service/);
  }
  await cli(['config', 'create', '--domain', DOMAIN]);
  return { dir, service, tenant, env, ...(agent === undefined ? {} : { agent }) };
}

async function tearDown(setup: Setup): Promise<void> {
  await setup.agent?.stop();
  await setup.service.stop();
  rmSync(setup.dir, { recursive: true, force: true });
}

async function fullSync(setup: Setup): Promise<{ ms: number; execution: Execution }> {
  const began = new Date().toISOString();
  const start = performance.now();
  const run = await runCli(['config', 'start', DOMAIN], { env: setup.env });
  if (run.code !== 0) throw new Error(run.stderr);
  const execution = await waitForExecution(setup.service.url, setup.tenant, began, 60 * 60_000);
  return { ms: Math.round(performance.now() - start), execution };
}

const dc = await startSamba({ processModel: 'single' });
const work = mkdtempSync(join(tmpdir(), 'cloudsync-bench-agent-pw-'));
const passwordFile = join(work, 'bind-password');
writeFileSync(passwordFile, `${dc.adminPassword}\n`, { mode: 0o600 });
chmodSync(passwordFile, 0o600);
const result: Record<string, unknown> = { machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) } };
try {
  const admin = await dc.admin();
  const corp = `OU=Corp,${dc.baseDn}`;
  await addOu(admin, corp);
  const latencyUsers = await seedAdUsers(admin, corp, Math.min(CHANGES, 100), { prefix: 'lat' });

  // 1. change latency through the agent
  {
    const setup = await setUp(dc, passwordFile, false);
    try {
      await fullSync(setup);
      const users = await listAll<{ id: string; displayName: string }>(setup.service.url, setup.tenant, '/v1.0/users?$top=999&$select=id,displayName');
      const idOf = new Map(users.map((user) => [user.displayName, user.id]));
      const latencies: number[] = [];
      for (let i = 0; i < CHANGES; i++) {
        const dn = latencyUsers[i % latencyUsers.length]!;
        const name = /^CN=([^,]+)/.exec(dn)![1]!;
        const id = idOf.get(`Test ${name}`)!;
        const value = `Bench ${i}`;
        const changedAt = performance.now();
        await admin.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'department', values: [value] }) })]);
        for (;;) {
          const read = await graph<{ department: string }>(setup.service.url, setup.tenant, 'GET', `/v1.0/users/${id}?$select=department`);
          if (read.body.department === value) break;
          if (performance.now() - changedAt > 120_000) throw new Error(`change ${i} never arrived`);
          await sleep(100);
        }
        latencies.push(Math.round(performance.now() - changedAt));
      }
      result['changeLatency'] = {
        source: 'samba', changes: CHANGES, watchIntervalSeconds: 2,
        p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), maxMs: Math.max(...latencies), meanMs: Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length),
      };
    } finally {
      await tearDown(setup);
    }
  }

  // 2. full-sync throughput: through the agent vs in the service process
  if (args['skip-throughput'] !== true) {
    const seedStart = performance.now();
    await seedAdUsers(admin, `OU=Corp,${dc.baseDn}`, USERS - latencyUsers.length, { prefix: 'bulk', concurrency: 32 });
    result['seedSeconds'] = Math.round((performance.now() - seedStart) / 1000);
    const measured: Record<string, { ms: number; imported: number; exported: number; usersPerSecond: number; state: string }> = {};
    for (const [label, embedded] of [['inProcess', true], ['throughAgent', false]] as const) {
      const setup = await setUp(dc, passwordFile, embedded);
      try {
        const { ms, execution } = await fullSync(setup);
        measured[label] = { ms, imported: execution.countImported, exported: execution.countExported, usersPerSecond: Math.round((execution.countExported / ms) * 1000), state: execution.state };
      } finally {
        await tearDown(setup);
      }
    }
    result['fullSync'] = { source: 'samba', users: USERS, ...measured, ratio: Math.round((measured['throughAgent']!.ms / measured['inProcess']!.ms) * 100) / 100 };
  }
} finally {
  await dc.stop();
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
process.exit(0);
