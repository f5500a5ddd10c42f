/**
 * The agent against a real Samba AD DC, with the service and the agent as separate processes and the channel over
 * HTTPS (a self-signed certificate the agent must be told to trust):
 *   - an agent that does not trust the service's certificate refuses to talk to it;
 *   - the main flow: register, the scheduler's full cycle through the agent, users and a group with its members in
 *     the cloud directory;
 *   - DC failover: the agent's first domain controller stops answering (a TCP relay in front of the DC, closed);
 *     the next cycle runs on the second one and a change made in AD arrives;
 *   - near real time: a change made in AD arrives within seconds although the job's interval is an hour;
 *   - a pre-staged account renamed and moved into the scope at once joins its group (back links through the agent);
 *   - group scope through the agent: the scoping group's members only, and a member added to it and one removed
 *     arrive and leave with the next change the agent reports.
 * The bind password is in neither process's output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { loopbackCertificate } from '../api/tls-certificate.ts';
import { freePort } from '../harness/server-process.ts';
import { addAdGroup, addOu, sambaUnavailableReason, seedAdUsers, startSamba, type SambaDc } from '../harness/samba.ts';
import { formatGuid } from '../../src/connectors/guid.ts';
import { adminCli, cliEnvironment, createTenant, graph, listAll, startAgent, startService, until, type RunningProcess } from './agent-processes.ts';

const skip = sambaUnavailableReason();
const DOMAIN = 'corp.example.com';

/** A TCP relay to the DC: "the first domain controller" of the agent's list, which the test can switch off. */
async function relayTo(host: string, port: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(port, host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  const listenPort = await freePort();
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  server.unref();
  return {
    port: listenPort,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}

describe('cloudsync agent ← Samba AD, service over HTTPS', { skip }, () => {
  let dc: SambaDc;
  let admin: Client;
  let dir: string;
  const processes: RunningProcess[] = [];
  let closeRelay: (() => Promise<void>) | undefined;

  before(async () => {
    dc = await startSamba();
    admin = await dc.admin();
    await addOu(admin, `OU=Corp,${dc.baseDn}`);
    const users = await seedAdUsers(admin, `OU=Corp,${dc.baseDn}`, 30, { prefix: 'agent' });
    await addAdGroup(admin, `CN=Agent Team,OU=Corp,${dc.baseDn}`, users.slice(0, 5));
    dir = await mkdtemp(join(tmpdir(), 'cloudsync-agent-samba-'));
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await closeRelay?.();
    await dc?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('TLS verified, main flow, and failover to the second DC', async () => {
    const certificate = loopbackCertificate();
    const certFile = join(dir, 'service-cert.pem');
    const keyFile = join(dir, 'service-key.pem');
    await writeFile(certFile, certificate.cert);
    await writeFile(keyFile, certificate.key, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    const passwordFile = join(dir, 'bind-password');
    await writeFile(passwordFile, `${dc.adminPassword}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);

    const data = join(dir, 'data');
    const tenant = await createTenant(data, 'agentsamba');
    const service = await startService(['--port', '0', '--data', data, '--sync-interval', 'PT1H', '--tls-cert', certFile, '--tls-key', keyFile], { CLOUDSYNC_AGENT_INACTIVE_AFTER: '6' });
    processes.push(service);
    assert.match(service.url, /^https:/);
    const env = { ...cliEnvironment(service.url, tenant, join(dir, 'no-credentials.json')), NODE_EXTRA_CA_CERTS: certFile };
    const { cli, lastExecution, registrationToken } = adminCli(env, DOMAIN);
    const cycleAfter = (after: string) =>
      until('a cycle through the agent', async () => {
        const execution = await lastExecution();
        return execution !== null && execution.timeEnded > after ? execution : undefined;
      }, 120_000);

    const relay = await relayTo(dc.host, 389);
    closeRelay = relay.close;
    const token = await registrationToken();
    const agentArgs = [
      '--service', service.url, '--state', join(dir, 'state'), '--domain', DOMAIN,
      '--ldap-url', `ldap://127.0.0.1:${relay.port},${dc.url}`, '--bind-dn', dc.adminDn, '--bind-password-file', passwordFile,
      '--registration-token', token,
    ];

    // Without the service's CA the agent does not talk to it (and so does not spend its token).
    const untrusting = startAgent(agentArgs, { NODE_EXTRA_CA_CERTS: '' });
    processes.push(untrusting);
    await untrusting.waitFor(/unreachable: TLS: \w+ \(the service's certificate is not trusted.*"msg":"cannot reach the service to register/);
    await untrusting.kill();

    const agent = startAgent([...agentArgs, '--service-ca-file', certFile], { NODE_EXTRA_CA_CERTS: '' });
    processes.push(agent);
    await agent.waitFor(/connected to the service/);
    await cli(['config', 'create', '--domain', DOMAIN]);
    await cli(['config', 'start', DOMAIN]);
    const first = await cycleAfter('');
    assert.equal(first.state, 'Succeeded', JSON.stringify(first));
    const users = await listAll<{ id: string; displayName: string; department: string | null }>(service.url, tenant, '/v1.0/users?$top=999&$select=id,displayName,department');
    const synced = users.filter((user) => /^Test agent\d{5}$/.test(user.displayName));
    assert.equal(synced.length, 30);
    const groups = await listAll<{ id: string; displayName: string }>(service.url, tenant, '/v1.0/groups?$top=999');
    const team = groups.find((group) => group.displayName === 'Agent Team');
    assert.ok(team, JSON.stringify(groups.map((g) => g.displayName)));
    const members = await listAll<{ displayName: string }>(service.url, tenant, `/v1.0/groups/${team.id}/members?$top=999`);
    assert.deepEqual(members.map((member) => member.displayName).sort(), ['Test agent00001', 'Test agent00002', 'Test agent00003', 'Test agent00004', 'Test agent00005']);

    // The first DC stops answering; a change is made in AD; the next cycle reads it from the second DC.
    await relay.close();
    await admin.modify(`CN=agent00007,OU=Corp,${dc.baseDn}`, [new Change({ operation: 'replace', modification: new Attribute({ type: 'department', values: ['Failover'] }) })]);
    await cli(['config', 'start', DOMAIN]);
    const second = await cycleAfter(first.timeEnded);
    assert.equal(second.state, 'Succeeded', JSON.stringify(second));
    const changed = synced.find((user) => user.displayName === 'Test agent00007')!;
    const after = await graph<{ department: string }>(service.url, tenant, 'GET', `/v1.0/users/${changed.id}?$select=department`);
    assert.equal(after.body.department, 'Failover');
    assert.equal(agent.child.exitCode, null);

    // Near real time: with the job's interval at an hour, a change made in AD arrives within seconds, because the
    // agent sees it (DirSync every 2 s) and has the service run the job at once.
    const changedAt = Date.now();
    await admin.modify(`CN=agent00009,OU=Corp,${dc.baseDn}`, [new Change({ operation: 'replace', modification: new Attribute({ type: 'department', values: ['Realtime'] }) })]);
    const realtime = synced.find((user) => user.displayName === 'Test agent00009')!;
    await until('the change pushed by the agent', async () => {
      const read = await graph<{ department: string }>(service.url, tenant, 'GET', `/v1.0/users/${realtime.id}?$select=department`);
      return read.body.department === 'Realtime' ? true : undefined;
    }, 20_000, 200);
    const latencyMs = Date.now() - changedAt;
    assert.ok(latencyMs < 10_000, `${latencyMs} ms`);
    await agent.waitFor(/changes seen in the directory; the service was told/);

    // A pre-staged account, outside the scope and already in a group, renamed and moved into the scope at once: AD
    // reports the account only (the group's link followed it), and the group learns of it through the account's
    // back link (memberOf), read through the agent.
    const corp = `OU=Corp,${dc.baseDn}`;
    const { searchEntries } = await admin.search(corp, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    const schema = JSON.parse(await cli(['config', 'schema', 'export', DOMAIN])) as { synchronizationRules: { containerFilter?: unknown }[] };
    schema.synchronizationRules[0]!.containerFilter = { includedContainers: [`<GUID=${formatGuid(searchEntries[0]!['objectGUID'] as Buffer)}>;${corp}`] };
    const schemaFile = join(dir, 'schema.json');
    await writeFile(schemaFile, JSON.stringify(schema));
    // Each step waits for a cycle that began after it: the agent also starts cycles of its own when it sees changes.
    const cycleBegunAfter = (time: string) =>
      until('a cycle begun after the change', async () => {
        const execution = await lastExecution();
        return execution !== null && execution.timeBegan > time && execution.timeEnded > execution.timeBegan ? execution : undefined;
      }, 120_000);
    let since = new Date().toISOString();
    await cli(['config', 'schema', 'import', DOMAIN, schemaFile]);
    await cli(['config', 'start', DOMAIN]);
    let last = await cycleBegunAfter(since);
    assert.equal(last.state, 'Succeeded', JSON.stringify(last));
    const staging = `OU=Staging,${dc.baseDn}`;
    await addOu(admin, staging);
    const [staged] = await seedAdUsers(admin, staging, 1, { prefix: 'staged' });
    await admin.modify(`CN=Agent Team,${corp}`, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [staged!] }) })]);
    since = new Date().toISOString();
    await cli(['config', 'start', DOMAIN]);
    last = await cycleBegunAfter(since);
    assert.equal(last.state, 'Succeeded', JSON.stringify(last));
    const teamMembers = async () => (await listAll<{ displayName: string }>(service.url, tenant, `/v1.0/groups/${team.id}/members?$top=999`)).map((m) => m.displayName).sort();
    assert.equal((await teamMembers()).length, 5, 'the staged account is outside the scope');
    await admin.modifyDN(staged!, `CN=Staged One,${corp}`);
    await until('the staged account in its group', async () => ((await teamMembers()).includes('Test staged00001') ? true : undefined), 30_000, 200);
    assert.equal((await lastExecution())!.state, 'Succeeded');

    // Group scope through the agent: the scope's memberships (memberOf) are asked of the agent's imports, the
    // scoping group is read by objectGUID through it, and a membership change, which AD reports on the group only,
    // makes the service read the members again through it.
    const teamDn = `CN=Agent Team,${corp}`;
    const { searchEntries: teamEntries } = await admin.search(teamDn, { scope: 'base', attributes: ['objectGUID'], explicitBufferAttributes: ['objectGUID'] });
    const scoped = JSON.parse(await cli(['config', 'schema', 'export', DOMAIN])) as { synchronizationRules: { groupFilter?: unknown }[] };
    scoped.synchronizationRules[0]!.groupFilter = { includedGroups: [`<GUID=${formatGuid(teamEntries[0]!['objectGUID'] as Buffer)}>;${teamDn}`] };
    await writeFile(schemaFile, JSON.stringify(scoped));
    const syncedUsers = async () => (await listAll<{ displayName: string }>(service.url, tenant, '/v1.0/users?$top=999&$select=displayName'))
      .map((u) => u.displayName).filter((name) => /^Test (agent|staged)\d{5}$/.test(name)).sort();
    since = new Date().toISOString();
    await cli(['config', 'schema', 'import', DOMAIN, schemaFile]);
    await cli(['config', 'start', DOMAIN]);
    last = await cycleBegunAfter(since);
    assert.equal(last.state, 'Succeeded', JSON.stringify(last));
    assert.deepEqual(await syncedUsers(), ['Test agent00001', 'Test agent00002', 'Test agent00003', 'Test agent00004', 'Test agent00005', 'Test staged00001']);
    await admin.modify(teamDn, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`CN=agent00012,${corp}`] }) })]);
    await admin.modify(teamDn, [new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [`CN=agent00002,${corp}`] }) })]);
    await until('the membership change through the agent', async () => {
      const names = await syncedUsers();
      return names.includes('Test agent00012') && !names.includes('Test agent00002') ? names : undefined;
    }, 60_000, 250);
    assert.deepEqual(await syncedUsers(), ['Test agent00001', 'Test agent00003', 'Test agent00004', 'Test agent00005', 'Test agent00012', 'Test staged00001']);
    const deleted = await listAll<{ displayName: string }>(service.url, tenant, '/v1.0/directory/deletedItems/microsoft.graph.user?$top=999');
    assert.ok(deleted.some((u) => u.displayName === 'Test agent00002'), 'removed from the scoping group: in deleted items');
    assert.equal((await lastExecution())!.state, 'Succeeded');

    for (const output of [service.output(), agent.output(), untrusting.output()]) assert.ok(!output.includes(dc.adminPassword), 'the bind password is never printed');
    await agent.stop();
    await service.stop();
  });
});
