/**
 * Group scope ("Selected security groups") on a generic LDAP directory, end to end through the real service: slapd
 * with the memberof overlay, `cloudsync server --embedded-agent --source-type ldap`, a LDAP2AADProvisioning
 * configuration scoped by a schema PUT to one group pinned by its entryUUID, then the group's membership changed in
 * slapd and the group renamed. slapd's overlay rewrites the members' memberOf without a new entryCSN, so the delta
 * reports the group only, and the cycle goes on as a full re-evaluation (docs/engine.md, "Group scope on generic
 * LDAP"): the job's execution counts every entry imported again, none as a delta's.
 *
 *   1. the first full cycle: the Pilot group's members and nobody else;
 *   2. one member added to the group, one removed: the first arrives, the second goes to deleted items;
 *   3. the group renamed and another member added: the scope follows the entryUUID.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'ldapts';
import type { ServiceConnection } from '../../src/cli/service-connection.ts';
import { addGroupOfNames, Attribute, Change, openLdapUnavailableReason, seedGenericUsers, startOpenLdap, type OpenLdapServer } from '../harness/openldap.ts';
import { cloudState, connect, createConfiguration, deletedUsers, runCycle, startService, tenantWithDomain, type Configuration, type ServiceProcess } from './service-under-test.ts';

const skip = openLdapUnavailableReason();
const DOMAIN = 'example.org';

describe('OpenLDAP (memberof overlay) group scope → cloudsync server (embedded agent) → /v1.0', { skip }, () => {
  let ldap: OpenLdapServer;
  let admin: Client;
  let dir: string;
  let service: ServiceProcess;
  let api: ServiceConnection;
  let configuration: Configuration;
  let people: string[];
  let pilot: string;

  const upn = (n: number) => `user00000${n}@${DOMAIN}`;
  const cloudUsers = async () => (await cloudState(api)).users.map((line) => line.split('|')[0]!).sort();
  const members = (operation: 'add' | 'delete', dns: string[]) => new Change({ operation, modification: new Attribute({ type: 'member', values: dns }) });

  async function cycle(step: string) {
    const execution = await runCycle(api, configuration);
    assert.equal(execution.state, 'Succeeded', `${step}: ${JSON.stringify(execution)}`);
    assert.equal(execution.countEscrowed, 0, `${step}: no object failed`);
    return execution;
  }

  before(async () => {
    ldap = await startOpenLdap({ memberOf: 'memberof' });
    admin = await ldap.admin();
    people = await seedGenericUsers(ldap, 5);
    pilot = `cn=Pilot,ou=groups,${ldap.baseDn}`;
    await addGroupOfNames(admin, pilot, people.slice(0, 2));
    dir = await mkdtemp(join(tmpdir(), 'cloudsync-scenario-openldap-group-scope-'));
    const data = join(dir, 'data');
    const passwordFile = join(dir, 'bind-password');
    await writeFile(passwordFile, ldap.adminPassword, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
    const tenant = await tenantWithDomain(data, 'ldapgroupscope', DOMAIN);
    service = await startService([
      '--data', data, '--sync-interval', 'PT1H', '--embedded-agent', '--domain', DOMAIN, '--source-type', 'ldap', '--base-dn', ldap.baseDn,
      '--ldap-url', ldap.url, '--bind-dn', ldap.adminDn, '--bind-password-file', passwordFile,
    ]);
    api = connect(service, tenant);
    configuration = await createConfiguration(api, DOMAIN, 'LDAP2AADProvisioning');
  });

  after(async () => {
    await service?.stop();
    await ldap?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('scoped to the Pilot group by its entryUUID before the first sync: its members, nobody else', async () => {
    const schema = await api.request<{ synchronizationRules: { groupFilter?: { includedGroups: string[] } }[] }>('GET', `${configuration.jobUrl}/schema`);
    const { searchEntries } = await admin.search(pilot, { scope: 'base', attributes: ['entryUUID'] });
    schema.synchronizationRules[0]!.groupFilter = { includedGroups: [`<GUID=${String(searchEntries[0]!['entryUUID'])}>;${pilot}`] };
    await api.request('PUT', `${configuration.jobUrl}/schema`, schema);
    await cycle('first sync');
    assert.deepEqual(await cloudUsers(), [upn(1), upn(2)]);
  });

  test('a member added to the group arrives and a member removed leaves, in the next cycle', async () => {
    await admin.modify(pilot, [members('add', [people[2]!]), members('delete', [people[1]!])]);
    const changed = await cycle('membership changed');
    assert.deepEqual(await cloudUsers(), [upn(1), upn(3)]);
    assert.deepEqual([...(await deletedUsers(api)).keys()], [upn(2)]);
    // the delta's group, then the full cycle's five users, the group and both OUs; a full cycle's count is no delta's
    assert.equal(changed.countImported, 1 + 8, JSON.stringify(changed));
    assert.equal(changed.countImportedDeltas, 0);
    // from the watermark the full re-evaluation stored: nothing changed, nothing imported
    const quiet = await cycle('quiet');
    assert.equal(quiet.countImported, 0, JSON.stringify(quiet));
    assert.deepEqual(await cloudUsers(), [upn(1), upn(3)]);
  });

  test('the group renamed and a member added: the scope follows the entryUUID', async () => {
    await admin.modifyDN(pilot, 'cn=Pilot renamed');
    await admin.modify(`cn=Pilot renamed,ou=groups,${ldap.baseDn}`, [members('add', [people[4]!])]);
    await cycle('renamed');
    assert.deepEqual(await cloudUsers(), [upn(1), upn(3), upn(5)]);
  });
});
