/**
 * Failures in the middle of a cycle, with the service and the agents as separate processes:
 *   - the service is SIGKILLed and restarted while its agent is connected: the agent reconnects by itself and the
 *     cycle the service owed completes;
 *   - two agents serve one domain and the one holding the run is SIGKILLed: the run moves to the other once the
 *     first has been silent for the silence window (4 s here), and finishes there.
 * After each, the cloud directory holds every user exactly once (nothing lost, nothing duplicated).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.ts';
import { freePort } from '../harness/server-process.ts';
import { cliEnvironment, createTenant, listAll, startAgent, startService, until, type RunningProcess } from './agent-processes.ts';
import { writeGeneratedLdif } from './generated-ldif.ts';

const DOMAIN = 'corp.example.com';
const USERS = 8000;
const SILENCE = { CLOUDSYNC_AGENT_INACTIVE_AFTER: '4' };
let dir: string;
let ldif: string;
const processes: RunningProcess[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudsync-agent-failover-'));
  ldif = join(dir, 'staff.ldif');
  await writeGeneratedLdif(ldif, USERS);
});
after(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await rm(dir, { recursive: true, force: true });
});

type Execution = { state: string; countImported: number; timeEnded: string; error: { code: string; message: string } | null };
type Tenant = Awaited<ReturnType<typeof createTenant>>;

async function setUp(name: string, port: number): Promise<{ data: string; tenant: Tenant; service: RunningProcess & { url: string }; env: Record<string, string> }> {
  const data = join(dir, name);
  const tenant = await createTenant(data, name);
  const service = await startService(['--port', String(port), '--data', data, '--sync-interval', 'PT1H'], SILENCE);
  processes.push(service);
  return { data, tenant, service, env: cliEnvironment(service.url, tenant, join(dir, 'no-credentials.json')) };
}

async function cli(env: Record<string, string>, args: readonly string[]): Promise<string> {
  const run = await runCli(args, { env });
  assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

async function lastExecution(env: Record<string, string>): Promise<Execution | null> {
  return (JSON.parse(await cli(env, ['config', 'show', DOMAIN, '--json'])) as { jobs: { status: { lastExecution: Execution | null } }[] }).jobs[0]!.status.lastExecution;
}

async function assertEveryUserOnce(serviceUrl: string, tenant: Tenant): Promise<void> {
  const users = await listAll<{ userPrincipalName: string }>(serviceUrl, tenant, '/v1.0/users?$top=999&$select=userPrincipalName');
  assert.equal(users.length, USERS);
  assert.equal(new Set(users.map((user) => user.userPrincipalName)).size, USERS);
}

function agentArgs(serviceUrl: string, state: string, machine: string, token?: string): string[] {
  return ['--service', serviceUrl, '--state', state, '--domain', DOMAIN, '--ldif', ldif, '--machine-name', machine, ...(token === undefined ? [] : ['--registration-token', token])];
}

test('the service SIGKILLed mid-cycle and restarted: the agent reconnects and the cycle completes', async () => {
  const port = await freePort();
  const { data, tenant, service, env } = await setUp('restart', port);
  const token = (JSON.parse(await cli(env, ['agent', 'token', 'create', '--json'])) as { token: string }).token;
  const agent = startAgent(agentArgs(service.url, join(dir, 'restart-state'), 'dc-side-1', token));
  processes.push(agent);
  await agent.waitFor(/connected to the service/);
  await cli(env, ['config', 'create', '--domain', DOMAIN]);
  await cli(env, ['config', 'start', DOMAIN]);
  await agent.waitFor(/"kind":"fullImport".*operation started/);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await service.kill();
  assert.doesNotMatch(service.output(), /synchronization cycle/, 'the service died in the middle of the cycle');
  await agent.waitFor(/service unreachable; reconnecting/);

  const restarted = await startService(['--port', String(port), '--data', data, '--sync-interval', 'PT1H'], SILENCE);
  processes.push(restarted);
  await until('the agent reconnected', async () => ((agent.output().match(/connected to the service/g) ?? []).length >= 2 ? true : undefined), 30_000);
  const done = await until('the owed cycle', async () => {
    const execution = await lastExecution(env);
    return execution?.state === 'Succeeded' ? execution : undefined;
  }, 180_000);
  assert.equal(done.error, null);
  await assertEveryUserOnce(restarted.url, tenant);
  assert.equal(agent.child.exitCode, null, 'the agent kept running through the outage');
  await agent.stop();
  await restarted.stop();

});

test('two agents for one domain, the one holding the run SIGKILLed: the other finishes it', async () => {
  const { tenant, service, env } = await setUp('ha', 0);
  const agents: RunningProcess[] = [];
  for (const machine of ['dc-side-a', 'dc-side-b']) {
    const token = (JSON.parse(await cli(env, ['agent', 'token', 'create', '--json'])) as { token: string }).token;
    const agent = startAgent(agentArgs(service.url, join(dir, `ha-${machine}`), machine, token));
    processes.push(agent);
    agents.push(agent);
    await agent.waitFor(/connected to the service/);
  }
  await cli(env, ['config', 'create', '--domain', DOMAIN]);
  await cli(env, ['config', 'start', DOMAIN]);
  const holder = await Promise.any(agents.map(async (agent) => (await agent.waitFor(/"kind":"fullImport".*operation started/), agent)));
  const other = agents.find((agent) => agent !== holder)!;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await holder.kill();

  const done = await until('the run finished by the other agent', async () => {
    const execution = await lastExecution(env);
    return execution?.state === 'Succeeded' ? execution : undefined;
  }, 180_000);
  assert.equal(done.error, null);
  assert.match(other.output(), /"kind":"fullImport".*operation started/);
  assert.match(service.output(), /the run moves to another agent of the domain/);
  await assertEveryUserOnce(service.url, tenant);
  const listed = JSON.parse(await cli(env, ['agent', 'list', '--json'])) as { machineName: string; status: string }[];
  assert.deepEqual(listed.map((agent) => [agent.machineName, agent.status]).sort(), [
    [holder === agents[0] ? 'dc-side-a' : 'dc-side-b', 'inactive'],
    [holder === agents[0] ? 'dc-side-b' : 'dc-side-a', 'active'],
  ].sort());
  await other.stop();
  await service.stop();
});
