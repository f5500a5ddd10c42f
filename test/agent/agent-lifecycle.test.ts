/**
 * An agent's life, with the service and the agents as separate processes: no agent → the job says
 * HybridIdentityServiceNoActiveAgents; a registration token → the agent registers (key in its 0600 state file) and
 * the scheduler's cycle runs through it into the cloud directory; the token cannot be used twice; the agent is
 * listed active, then inactive once silent; disabled → refused until enabled; revoked → refused and the agent stops; registered again with a new
 * token → it serves again. The agent serves the bundled sample AD export (LDIF) here; the LDAP flows are in
 * agent-samba.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../cli/run-cli.ts';
import { adminCli, cliEnvironment, createTenant, graph, listAll, startAgent, startService, testWorkspace, until } from './agent-processes.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const DOMAIN = 'corp.example.com';
const workspace = testWorkspace('cloudsync-agent-life-');
const processes = workspace.processes;

type Agent = { id: string; machineName: string; externalIp: string; status: string; domains: string[]; version: string; lastSeenDateTime: string; isEnabled: boolean; revokedDateTime: string | null };

test('register, sync, token reuse refused, inactive when silent, revoke, register again', async () => {
  const dir = workspace.dir();
  const data = join(dir, 'data');
  const tenant = await createTenant(data, 'agentlife');
  const service = await startService(['--port', '0', '--data', data, '--sync-interval', 'PT10S'], { CLOUDSYNC_AGENT_INACTIVE_AFTER: '4' });
  processes.push(service);
  const env = cliEnvironment(service.url, tenant, join(dir, 'no-credentials.json'));
  const { cli, lastExecution, registrationToken } = adminCli(env, DOMAIN);
  const agents = async (): Promise<Agent[]> => JSON.parse(await cli(['agent', 'list', '--json'])) as Agent[];

  await cli(['config', 'create', '--domain', DOMAIN]);
  await cli(['config', 'start', DOMAIN]);
  // No agent yet: the job says so plainly, once the start-up grace for reconnecting agents is over.
  const noAgent = await until('a cycle without agent', async () => (await lastExecution()) ?? undefined);
  assert.equal(noAgent.state, 'Failed');
  assert.equal(noAgent.error?.code, 'HybridIdentityServiceNoActiveAgents');
  assert.match(noAgent.error!.message, /cloudsync agent --domain corp\.example\.com/);

  const token = JSON.parse(await cli(['agent', 'token', 'create', '--json'])) as { token: string; expiresDateTime: string };
  assert.ok(Date.parse(token.expiresDateTime) > Date.now());
  const state = join(dir, 'state');
  const agentArgs = ['--service', service.url, '--state', state, '--domain', DOMAIN, '--ldif', SAMPLE, '--machine-name', 'dc-side-1'];
  const agent = startAgent([...agentArgs, '--registration-token', token.token]);
  processes.push(agent);
  const [, agentId] = await agent.waitFor(/cloudsync agent (\S+) serving corp\.example\.com/);
  assert.equal((await stat(state)).mode & 0o777, 0o700);
  assert.equal((await stat(join(state, 'agent.json'))).mode & 0o777, 0o600);
  const saved = JSON.parse(await readFile(join(state, 'agent.json'), 'utf8')) as { agentId: string; privateKey: { d?: string }; registrationTokenHash: string };
  assert.equal(saved.agentId, agentId);
  assert.ok(typeof saved.privateKey.d === 'string', 'the private key stays with the agent');
  assert.ok(!JSON.stringify(saved).includes(token.token), 'the token itself is not kept');

  // The scheduler's next cycle runs through the agent; the cloud directory has the sample's users and groups.
  const synced = await until('a cycle through the agent', async () => {
    const execution = await lastExecution();
    return execution?.state === 'Succeeded' ? execution : undefined;
  });
  assert.equal(synced.countImported, 1064);
  assert.equal(synced.countExported, 1053);
  const users = await listAll<{ userPrincipalName: string; onPremisesSyncEnabled: boolean }>(service.url, tenant, '/v1.0/users?$top=999');
  assert.equal(users.filter((user) => user.onPremisesSyncEnabled).length, 1000);
  const groups = await listAll<{ displayName: string }>(service.url, tenant, '/v1.0/groups?$top=999');
  assert.equal(groups.length, 13);

  // On-demand provisioning reads one object through the agent (a readObject operation).
  const onDemand = JSON.parse(await cli(['provision', '--config', DOMAIN, '--dn', 'CN=Mei Martinez,OU=Sales,OU=Users,OU=Corp,DC=corp,DC=example,DC=com', '--dry-run', '--json'])) as {
    statusInfo: { status: string }; provisioningSteps: { type: string; status: string }[];
  };
  assert.equal(onDemand.provisioningSteps[0]?.status, 'Success', JSON.stringify(onDemand));
  assert.notEqual(onDemand.statusInfo.status, 'Failure', JSON.stringify(onDemand));

  const listed = (await agents())[0]!;
  assert.equal(listed.id, agentId);
  assert.equal(listed.status, 'active');
  assert.equal(listed.machineName, 'dc-side-1');
  assert.deepEqual(listed.domains, [DOMAIN]);
  assert.equal(listed.externalIp, '127.0.0.1');
  assert.match(listed.version, /^\d+\.\d+\.\d+/);
  const shown = await graph<Agent & { supportedPublishingTypes: string[] }>(service.url, tenant, 'GET', `/v1.0/onPremisesPublishingProfiles/provisioning/agents/${agentId}`);
  assert.deepEqual(shown.body.supportedPublishingTypes, ['provisioning']);

  // The token registered one agent; a second machine with it is refused.
  const reuse = await runCli(['agent', ...agentArgs.slice(0, 2), '--state', join(dir, 'state-2'), '--domain', DOMAIN, '--ldif', SAMPLE, '--registration-token', token.token]);
  assert.equal(reuse.code, 1);
  assert.match(reuse.stderr, /ERR_AGENT_REGISTRATION_TOKEN_INVALID: .*unknown, expired or already used/);

  // Stopped (SIGTERM): listed inactive once the silence window (4 s here) passed.
  await agent.stop();
  await until('the agent inactive', async () => ((await agents())[0]?.status === 'inactive' ? true : undefined), 20_000);

  // Restarted without a token: the same identity; active again.
  const again = startAgent(agentArgs);
  processes.push(again);
  await again.waitFor(new RegExp(`cloudsync agent ${agentId} serving`));
  await until('the agent active again', async () => ((await agents())[0]?.status === 'active' ? true : undefined), 20_000);

  // Disabled: refused (the agent waits, it does not exit) and listed so; enabled: active again.
  assert.match(await cli(['agent', 'disable', agentId!]), /dc-side-1\s+disabled/);
  await again.waitFor(/"code":"AgentDisabled".*the service refused this agent/, 20_000);
  assert.equal((await agents())[0]!.isEnabled, false);
  await cli(['agent', 'enable', agentId!]);
  await until('the agent active after enable', async () => ((await agents())[0]?.status === 'active' ? true : undefined), 30_000);
  assert.equal(again.child.exitCode, null);

  // Revoked: refused from then on; the running agent stops with a line saying what to do.
  await cli(['agent', 'revoke', agentId!]);
  assert.equal(await again.exited(), 1);
  assert.match(again.output(), /ERR_AGENT_REVOKED: agent .* was revoked/);
  const revoked = (await agents())[0]!;
  assert.equal(revoked.status, 'inactive');
  assert.ok(revoked.revokedDateTime !== null);
  const refused = await runCli(['agent', ...agentArgs]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /ERR_AGENT_REVOKED/);
  assert.match(service.output(), /"code":"ERR_AGENT_REVOKED".*agent channel: request refused/);

  // Registered again with a new token: a new agent (new key), and cycles run through it.
  const fresh = await registrationToken();
  const reborn = startAgent([...agentArgs, '--registration-token', fresh]);
  processes.push(reborn);
  const [, newId] = await reborn.waitFor(/cloudsync agent (\S+) serving corp\.example\.com/);
  assert.notEqual(newId, agentId);
  const before = synced.timeEnded;
  const next = await until('a cycle through the new agent', async () => {
    const execution = await lastExecution();
    return execution !== null && execution.timeEnded > before && execution.state === 'Succeeded' ? execution : undefined;
  }, 60_000);
  assert.equal(next.error, null);
  const all = await agents();
  assert.deepEqual(all.map((a) => [a.id, a.status]).sort(), [[agentId, 'inactive'], [newId, 'active']].sort());
  await reborn.stop();
  await service.stop();
});
