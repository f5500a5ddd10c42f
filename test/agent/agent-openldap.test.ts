/**
 * The agent against a real OpenLDAP (the generic LDAP connector: entryUUID anchors, entryCSN deltas), with the
 * service and the agent as separate processes (`cloudsync server`, `cloudsync agent --source-type ldap --base-dn …`)
 * and a configuration on the LDAP2AADProvisioning template:
 *   - the full cycle through the agent brings the users and a groupOfNames with its members;
 *   - near real time: with the job's interval at an hour and the agent's look at the delta once a minute, an
 *     attribute modified in OpenLDAP arrives within seconds, because slapd pushes it (RFC 4533 refreshAndPersist),
 *     which wakes the change watch, whose delta read finds it and has the service run the job at once;
 *   - a deletion the same way: pushed, then reported by the delta's content synchronization (deletedAnchors crossing
 *     the channel), and the user is in deleted items within seconds;
 *   - the same against a slapd without a session log, whose refresh only implies the deletion (a present phase):
 *     the delta lists what is present and says so (presentAnchors, reconcileDeletions crossing the channel) and the
 *     service's cycle reconciles at once.
 * The bind password is in neither process's output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import { runCli } from '../cli/run-cli.ts';
import { addGroupOfNames, Attribute, Change, openLdapUnavailableReason, seedGenericUsers, startOpenLdap, type OpenLdapServer } from '../harness/openldap.ts';
import { adminCli, cliEnvironment, createTenant, graph, listAll, startAgent, startService, until, type RunningProcess } from './agent-processes.ts';

const skip = openLdapUnavailableReason();
const DOMAIN = 'example.org';

// Without a session log, slapd answers the delta's refresh with a present phase: the deletion is implied, not named,
// so the delta carries what is present (presentAnchors) and reconcileDeletions across the channel, and the service
// reconciles in that cycle (either suffices; without both the test times out).
for (const { sessionLog, deletions } of [
  { sessionLog: 10_000, deletions: 'named by slapd (deletedAnchors)' },
  { sessionLog: false, deletions: 'implied by slapd\'s present phase (presentAnchors, reconcileDeletions)' },
] as const) describe(`cloudsync agent --source-type ldap ← OpenLDAP, deletions ${deletions}`, { skip }, () => {
  let ldap: OpenLdapServer;
  let admin: Client;
  let people: string[];
  let dir: string;
  const processes: RunningProcess[] = [];

  before(async () => {
    ldap = await startOpenLdap({ sessionLog });
    admin = await ldap.admin();
    people = await seedGenericUsers(ldap, 8);
    await addGroupOfNames(admin, `cn=staff,ou=groups,${ldap.baseDn}`, people.slice(0, 3));
    dir = await mkdtemp(join(tmpdir(), 'cloudsync-agent-openldap-'));
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await ldap?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('full cycle through the agent, then a modification and a deletion brought by the change watch alone', async () => {
    const passwordFile = join(dir, 'bind-password');
    await writeFile(passwordFile, `${ldap.adminPassword}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
    const data = join(dir, 'data');
    const tenant = await createTenant(data, 'agentldap');
    const verified = await runCli(['domain', 'verify', '--data', data, '--tenant-id', tenant.tenantId, '--name', DOMAIN]);
    assert.equal(verified.code, 0, verified.stderr);
    const service = await startService(['--port', '0', '--data', data, '--sync-interval', 'PT1H']);
    processes.push(service);
    const { cli, lastExecution, registrationToken } = adminCli(cliEnvironment(service.url, tenant, join(dir, 'no-credentials.json')), DOMAIN);

    const agent = startAgent([
      '--service', service.url, '--state', join(dir, 'state'), '--domain', DOMAIN,
      '--source-type', 'ldap', '--base-dn', ldap.baseDn,
      '--ldap-url', ldap.url, '--bind-dn', ldap.adminDn, '--bind-password-file', passwordFile,
      '--registration-token', await registrationToken(),
      // a look a minute: a change that arrives in seconds was pushed (refreshAndPersist), not found by a look
      '--watch-interval', '60',
    ]);
    processes.push(agent);
    await agent.waitFor(/connected to the service/);
    const created = JSON.parse(await cli(['config', 'create', '--domain', DOMAIN, '--template', 'LDAP2AADProvisioning', '--json'])) as { jobId: string };
    assert.match(created.jobId, /^LDAP2AADProvisioning\./);
    await cli(['config', 'start', DOMAIN]);
    const first = await until('the full cycle through the agent', async () => (await lastExecution()) ?? undefined, 60_000);
    assert.equal(first.state, 'Succeeded', JSON.stringify(first));

    const users = await listAll<{ id: string; userPrincipalName: string; displayName: string; jobTitle: string | null }>(service.url, tenant, '/v1.0/users?$top=999&$select=id,userPrincipalName,displayName,jobTitle');
    assert.deepEqual(users.map((user) => `${user.userPrincipalName}|${user.displayName}|${user.jobTitle}`).sort(),
      Array.from({ length: 8 }, (_, i) => `user00000${i + 1}@example.org|Test User ${i + 1}|Engineer`));
    const groups = await listAll<{ id: string; displayName: string }>(service.url, tenant, '/v1.0/groups?$top=999');
    assert.deepEqual(groups.map((group) => group.displayName), ['staff']);
    const members = await listAll<{ displayName: string }>(service.url, tenant, `/v1.0/groups/${groups[0]!.id}/members?$top=999`);
    assert.deepEqual(members.map((member) => member.displayName).sort(), ['Test User 1', 'Test User 2', 'Test User 3']);

    // Near real time: the job's interval is an hour and the watch looks once a minute, so only slapd pushing the
    // change (RFC 4533 refreshAndPersist) to the agent's change watch can bring it in seconds.
    const changedAt = Date.now();
    await admin.modify(people[6]!, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Realtime'] }) })]);
    const target = users.find((user) => user.userPrincipalName === 'user000007@example.org')!;
    await until('the change pushed by the agent', async () => {
      const read = await graph<{ jobTitle: string | null }>(service.url, tenant, 'GET', `/v1.0/users/${target.id}?$select=jobTitle`);
      return read.body.jobTitle === 'Realtime' ? true : undefined;
    }, 20_000, 200);
    const latencyMs = Date.now() - changedAt;
    assert.ok(latencyMs < 10_000, `${latencyMs} ms`);
    await agent.waitFor(/changes seen in the directory; the service was told/);
    const second = await lastExecution();
    assert.ok(second !== null && second.timeEnded > first.timeEnded, 'a second cycle ran, asked for by the agent');
    assert.ok(second.countImported < 8, `the agent's cycle is a delta: ${second.countImported} imported`);

    // A deletion too: pushed the same way, and the agent's delta reports it by content synchronization (named, or
    // implied and then found by the service's anchor listing in that cycle), so it crosses in seconds, not at the
    // ten-minute reconciliation.
    const deletedAt = Date.now();
    await admin.del(people[7]!);
    const doomed = users.find((user) => user.userPrincipalName === 'user000008@example.org')!;
    await until('the deletion pushed by the agent', async () => {
      const deleted = await listAll<{ id: string }>(service.url, tenant, '/v1.0/directory/deletedItems/microsoft.graph.user?$top=999&$select=id');
      return deleted.some((user) => user.id === doomed.id) ? true : undefined;
    }, 20_000, 200);
    const deletionLatencyMs = Date.now() - deletedAt;
    assert.ok(deletionLatencyMs < 10_000, `${deletionLatencyMs} ms`);
    const remaining = await listAll<{ userPrincipalName: string }>(service.url, tenant, '/v1.0/users?$top=999&$select=userPrincipalName');
    assert.equal(remaining.length, 7);
    assert.equal((await lastExecution())!.state, 'Succeeded');

    for (const output of [service.output(), agent.output()]) assert.ok(!output.includes(ldap.adminPassword), 'the bind password is never printed');
    await agent.stop();
    await service.stop();
  });
});
