/**
 * A generic LDAP directory through the real service: `cloudsync server --embedded-agent --source-type ldap
 * --base-dn …` against a throwaway OpenLDAP, a configuration made with `cloudsync config create --template
 * LDAP2AADProvisioning`, and the cloud read back through /v1.0 after a full cycle and after a delta with a
 * modification, a rename, a membership change and a deletion (reported by RFC 4533 content synchronization in
 * the next delta; a full import finds one by what it no longer sees).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import type { ServiceConnection } from '../../src/cli/service-connection.ts';
import { runCli } from '../cli/run-cli.ts';
import { addGroupOfNames, Attribute, Change, openLdapUnavailableReason, seedGenericUsers, startOpenLdap, type OpenLdapServer } from '../harness/openldap.ts';
import { cloudState, connect, deletedUsers, listAll, runCycle, startService, tenantWithDomain, type Configuration, type ServiceProcess, type TenantCredentials } from './service-under-test.ts';

const skip = openLdapUnavailableReason();
const DOMAIN = 'example.org';

describe('OpenLDAP → cloudsync server (embedded agent, --source-type ldap) → /v1.0', { skip }, () => {
  let ldap: OpenLdapServer;
  let admin: Client;
  let dir: string;
  let service: ServiceProcess;
  let tenant: TenantCredentials;
  let api: ServiceConnection;
  let configuration: Configuration;
  let people: string[];

  before(async () => {
    ldap = await startOpenLdap();
    admin = await ldap.admin();
    people = await seedGenericUsers(ldap, 6);
    await addGroupOfNames(admin, `cn=staff,ou=groups,${ldap.baseDn}`, people.slice(0, 3));
    dir = await mkdtemp(join(tmpdir(), 'cloudsync-scenario-openldap-'));
    const data = join(dir, 'data');
    const passwordFile = join(dir, 'bind-password');
    await writeFile(passwordFile, ldap.adminPassword, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
    tenant = await tenantWithDomain(data, 'ldapscenario', DOMAIN);
    service = await startService([
      '--data', data, '--sync-interval', 'PT1H', '--embedded-agent', '--domain', DOMAIN, '--source-type', 'ldap', '--base-dn', ldap.baseDn,
      '--ldap-url', ldap.url, '--bind-dn', ldap.adminDn, '--bind-password-file', passwordFile,
    ]);
    api = connect(service, tenant);
  });

  after(async () => {
    await service?.stop();
    await ldap?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the agent reads OpenLDAP; a LDAP2AADProvisioning configuration made with the CLI synchronizes it', async () => {
    assert.match(service.output(), new RegExp(`embedded agent for example\\.org: LDAP directory at ${ldap.url.replace(/[.]/g, '\\.')} \\(dc=example,dc=org\\)`));
    const env = {
      CLOUDSYNC_SERVICE: service.url,
      CLOUDSYNC_TENANT_ID: tenant.tenantId,
      CLOUDSYNC_CLIENT_ID: tenant.clientId,
      CLOUDSYNC_CLIENT_SECRET: tenant.clientSecret,
      CLOUDSYNC_CREDENTIALS_FILE: join(dir, 'no-credentials.json'),
    };
    const created = await runCli(['config', 'create', '--domain', DOMAIN, '--template', 'LDAP2AADProvisioning', '--json'], { env });
    assert.equal(created.code, 0, created.stderr);
    const ids = JSON.parse(created.stdout) as { servicePrincipalId: string; jobId: string };
    assert.match(ids.jobId, /^LDAP2AADProvisioning\./);
    configuration = { ...ids, jobUrl: `/v1.0/servicePrincipals/${ids.servicePrincipalId}/synchronization/jobs/${ids.jobId}` };

    const execution = await runCycle(api, configuration);
    assert.equal(execution.state, 'Succeeded', JSON.stringify(execution));
    assert.equal(execution.countEscrowed, 0);
    const state = await cloudState(api);
    assert.deepEqual(state.users, Array.from({ length: 6 }, (_, i) => `user00000${i + 1}@example.org|Test User ${i + 1}|Engineer|uid=user00000${i + 1},ou=people,dc=example,dc=org`));
    assert.deepEqual(state.groups, ['staff: Test User 1, Test User 2, Test User 3']);
    const anchors = await listAll<{ onPremisesImmutableId: string }>(api, '/v1.0/users?$top=999&$select=onPremisesImmutableId');
    for (const user of anchors) assert.match(user.onPremisesImmutableId, /^[0-9a-f-]{36}$/, 'anchored on entryUUID');
  });

  test('delta through the service: modify, rename, membership; a deletion by the next delta', async () => {
    const before = (await cloudState(api)).userIds;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // modifyTimestamp has one-second granularity
    await admin.modify(people[3]!, [new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Director'] }) })]);
    await admin.modifyDN(people[4]!, 'uid=user000005-renamed');
    await admin.modify(`uid=user000005-renamed,ou=people,${ldap.baseDn}`, [new Change({ operation: 'replace', modification: new Attribute({ type: 'displayName', values: ['Five Renamed'] }) })]);
    await admin.modify(`cn=staff,ou=groups,${ldap.baseDn}`, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [people[3]!] }) })]);
    const delta = await runCycle(api, configuration);
    assert.equal(delta.state, 'Succeeded', JSON.stringify(delta));
    assert.ok(delta.countImported < 6, `a delta reads the changed entries only: ${delta.countImported}`);
    const users = [
      'user000001@example.org|Test User 1|Engineer|uid=user000001,ou=people,dc=example,dc=org',
      'user000002@example.org|Test User 2|Engineer|uid=user000002,ou=people,dc=example,dc=org',
      'user000003@example.org|Test User 3|Engineer|uid=user000003,ou=people,dc=example,dc=org',
      'user000004@example.org|Test User 4|Director|uid=user000004,ou=people,dc=example,dc=org',
      'user000005@example.org|Five Renamed|Engineer|uid=user000005-renamed,ou=people,dc=example,dc=org',
    ];
    let state = await cloudState(api);
    assert.deepEqual(state.users, [...users, 'user000006@example.org|Test User 6|Engineer|uid=user000006,ou=people,dc=example,dc=org']);
    assert.equal(state.userIds.get('user000005@example.org'), before.get('user000005@example.org'), 'renamed, same cloud object');
    assert.deepEqual(state.groups, ['staff: Test User 1, Test User 2, Test User 3, Test User 4']);

    // A plain search sees no deletions; OpenLDAP's syncprov reports them by RFC 4533 content synchronization, so
    // the next delta brings the deletion — well inside the reconciliation interval (10 minutes from the full
    // cycle), whose anchor listing would otherwise be the first to find it.
    await admin.del(people[5]!);
    const deletion = await runCycle(api, configuration);
    assert.equal(deletion.state, 'Succeeded', JSON.stringify(deletion));
    state = await cloudState(api);
    assert.deepEqual(state.users, users);
    assert.equal((await deletedUsers(api)).get('user000006@example.org'), before.get('user000006@example.org'), 'soft-deleted');
    const logs = await listAll<{ targetIdentity: { id: string }; provisioningSteps: { description: string }[] }>(api,
      `/v1.0/auditLogs/provisioning?$top=999&$filter=${encodeURIComponent(`provisioningAction eq 'delete' and jobId eq '${configuration.jobId}'`)}`);
    assert.deepEqual(logs.map((entry) => [entry.targetIdentity.id, entry.provisioningSteps[0]!.description]), [[before.get('user000006@example.org'), 'Deleted in the source directory']]);

    // A full import (a restart that resets the watermark) finds a deletion too, by what it no longer sees.
    await admin.del(people[4]!.replace('user000005', 'user000005-renamed'));
    const full = await runCycle(api, configuration, 'restart', { criteria: { resetScope: 'Watermark' } });
    assert.equal(full.state, 'Succeeded', JSON.stringify(full));
    assert.deepEqual((await cloudState(api)).users, users.slice(0, 4));
  });

  test('DELETE of the job: removeObjects must be true or false; true takes its objects out of the cloud', async () => {
    await assert.rejects(api.request('DELETE', `${configuration.jobUrl}?removeObjects=yes`), /removeObjects must be true or false, not 'yes'.*400/);
    await assert.rejects(api.request('DELETE', `${configuration.jobUrl}?$select=id`), /The query option '\$select' is not supported/);
    await api.request('POST', `${configuration.jobUrl}/pause`);
    await api.request('DELETE', `${configuration.jobUrl}?removeObjects=true`);
    const state = await cloudState(api);
    assert.deepEqual([state.users, state.groups, state.contacts], [[], [], []]);
    assert.equal((await deletedUsers(api)).size, 6, 'every synchronized user is in deleted items');
  });
});
