/**
 * Failures in the middle of a cycle, with the service and the agents as separate processes:
 *   - the service is SIGKILLed and restarted while its agent is connected: the agent reconnects by itself and the
 *     cycle the service owed completes;
 *   - two agents serve one domain and the one holding the run is SIGKILLed: the run moves to the other once the
 *     first has been silent for the silence window (4 s here), and finishes there.
 * After each, the cloud directory holds every user exactly once (nothing lost, nothing duplicated).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freePort } from '../harness/server-process.ts';
import { adminCli, cliEnvironment, createTenant, listAll, startAgent, startService, testWorkspace, until, type RunningProcess } from './agent-processes.ts';
import { writeGeneratedLdif } from './generated-ldif.ts';

const DOMAIN = 'corp.example.com';
const USERS = 20_000;
/** Short, so that the run moves quickly when an agent dies. */
const SILENCE = { CLOUDSYNC_AGENT_INACTIVE_AFTER: '4' };
/** Longer than the agent's longest reconnect backoff (10 s): after a restart the service waits that long for it. */
const RESTART_SILENCE = { CLOUDSYNC_AGENT_INACTIVE_AFTER: '15' };
const workspace = testWorkspace('cloudsync-agent-failover-');
const processes = workspace.processes;
let dir: string;
let ldif: string;

before(async () => {
  dir = workspace.dir();
  ldif = join(dir, 'staff.ldif');
  await writeGeneratedLdif(ldif, USERS);
});

type Tenant = Awaited<ReturnType<typeof createTenant>>;

async function setUp(name: string, port: number, silence: Record<string, string>): Promise<{ data: string; tenant: Tenant; service: RunningProcess & { url: string }; env: Record<string, string> }> {
  const data = join(dir, name);
  const tenant = await createTenant(data, name);
  const service = await startService(['--port', String(port), '--data', data, '--sync-interval', 'PT1H'], silence);
  processes.push(service);
  return { data, tenant, service, env: cliEnvironment(service.url, tenant, join(dir, 'no-credentials.json')) };
}

const cli = (env: Record<string, string>, args: readonly string[]): Promise<string> => adminCli(env, DOMAIN).cli(args);
const lastExecution = (env: Record<string, string>) => adminCli(env, DOMAIN).lastExecution();

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
  const { data, tenant, service, env } = await setUp('restart', port, RESTART_SILENCE);
  const token = await adminCli(env, DOMAIN).registrationToken();
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

  const restarted = await startService(['--port', String(port), '--data', data, '--sync-interval', 'PT1H'], RESTART_SILENCE);
  processes.push(restarted);
  await until('the agent reconnected', async () => ((agent.output().match(/connected to the service/g) ?? []).length >= 2 ? true : undefined), 30_000);
  const done = await until('the owed cycle', async () => {
    const execution = await lastExecution(env);
    return execution?.state === 'Succeeded' ? execution : undefined;
  }, 300_000).catch(async (error: Error) => {
    throw new Error(`${error.message}; last execution ${JSON.stringify(await lastExecution(env))}\nservice:\n${restarted.output().slice(-3000)}\nagent:\n${agent.output().slice(-3000)}`);
  });
  assert.equal(done.error, null);
  await assertEveryUserOnce(restarted.url, tenant);
  assert.equal(agent.child.exitCode, null, 'the agent kept running through the outage');
  await agent.stop();
  await restarted.stop();

});

test('two agents for one domain, the one holding the run SIGKILLed: the other finishes it', async () => {
  const { tenant, service, env } = await setUp('ha', 0, SILENCE);
  const agents: RunningProcess[] = [];
  for (const machine of ['dc-side-a', 'dc-side-b']) {
    const token = await adminCli(env, DOMAIN).registrationToken();
    const agent = startAgent(agentArgs(service.url, join(dir, `ha-${machine}`), machine, token));
    processes.push(agent);
    agents.push(agent);
    await agent.waitFor(/connected to the service/);
  }
  await cli(env, ['config', 'create', '--domain', DOMAIN]);
  await cli(env, ['config', 'start', DOMAIN]);
  const holder = await Promise.any(agents.map(async (agent) => (await agent.waitFor(/"kind":"fullImport".*operation started/), agent)));
  const other = agents.find((agent) => agent !== holder)!;
  // At once: the import through one agent takes only seconds.
  await holder.kill();

  const done = await until('the run finished by the other agent', async () => {
    const execution = await lastExecution(env);
    return execution?.state === 'Succeeded' ? execution : undefined;
  }, 300_000);
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
