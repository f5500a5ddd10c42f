/**
 * Operating safely against a real Samba AD DC, through the real service (`cloudsync server --embedded-agent
 * --ldap-url … --smtp-url …` as a process), a real SMTP server in this process, and the CLI:
 *
 *   1. An OU holding 600 users is deleted in AD. The next cycle holds every deletion back (600 StagedDelete entries
 *      in the provisioning log): the job is quarantined (TooManyDeletes), not one user leaves the cloud (read
 *      through /v1.0), `cloudsync config pending-deletes` lists the 600 with their reason, and one email arrives
 *      with the count. `cloudsync config allow-deletes` (recorded in the audit log): the 600 are soft-deleted (in
 *      deleted items, 600 delete entries in the provisioning log) and the job is healthy again.
 *   2. The agent's bind password stops working (the service account's password changed in AD; the service
 *      restarted, so it must bind again — AD keeps an already bound connection alive): the job is quarantined at
 *      once with the failing bind in its status, and an email says so. The password is set back in AD: at the
 *      quarantine's next attempt the job recovers on its own, nobody restarts it.
 *
 * Runtime: the 600 users are added over 16 LDAP connections and removed with one tree delete; the retry schedule
 * is shortened to seconds with --quarantine-retry.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client, Control } from 'ldapts';
import type { ServiceConnection } from '../../src/cli/service-connection.ts';
import { addOu, sambaUnavailableReason, seedAdUsers, startSamba, type SambaDc } from '../harness/samba.ts';
import { runCli } from '../cli/run-cli.ts';
import { startSmtpSink, type SmtpSink } from '../notifications/smtp-sink.ts';
import {
  connect,
  createConfiguration,
  deletedUsers,
  executionSince,
  listAll,
  runCycle,
  startService,
  tenantWithDomain,
  type Configuration,
  type ServiceProcess,
  type TenantCredentials,
} from '../scenarios/service-under-test.ts';

const skip = sambaUnavailableReason();
const DOMAIN = 'corp.example.com';
const DOOMED = 600;
const SVC_PASSWORD = 'Sync!Passw0rd-1';
const OTHER_PASSWORD = 'Changed!Passw0rd-2';
/** MS-ADTS 3.1.1.5.5.1.2 / LDAP_SERVER_TREE_DELETE_OID: delete an object and everything below it. */
const TREE_DELETE = '1.2.840.113556.1.4.805';

interface Status {
  code: string;
  quarantine: { reason: string; currentBegan: string; nextAttempt: string; seriesBegan: string; error: { code: string; message: string } | null } | null;
  lastExecution: { state: string; error: { code: string; message: string } | null } | null;
}

describe('safety against Samba AD: delete threshold, quarantine, emails', { skip }, () => {
  let dc: SambaDc;
  let admin: Client;
  let tls: Client;
  let dir: string;
  let sink: SmtpSink;
  let serviceArgs: string[];
  let service: ServiceProcess;
  let tenant: TenantCredentials;
  let api: ServiceConnection;
  let configuration: Configuration;
  let svcDn: string;
  let keep: number;
  const cli = (args: string[]) => runCli(args, {
    env: { CLOUDSYNC_SERVICE: service.url, CLOUDSYNC_TENANT_ID: tenant.tenantId, CLOUDSYNC_CLIENT_ID: tenant.clientId, CLOUDSYNC_CLIENT_SECRET: tenant.clientSecret },
  });
  const status = async () => (await api.request<{ status: Status }>('GET', configuration.jobUrl)).status;
  const userCount = async () => (await listAll<{ id: string }>(api, '/v1.0/users?$top=999&$select=id')).length;

  /** MS-ADTS 3.1.1.3.1.5.1 unicodePwd: the quoted password in UTF-16LE, over an encrypted connection. */
  const setPassword = (password: string) =>
    tls.modify(svcDn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }) })]);

  async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify(value)}\n${service.output().split('\n').slice(-15).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  before(async () => {
    dc = await startSamba({ recycleBin: false });
    admin = await dc.admin();
    tls = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [await readFile(dc.caFile)], rejectUnauthorized: true, servername: new URL(dc.ldapsUrl).hostname } });
    await tls.bind(dc.adminDn, dc.adminPassword);
    // So that the test can set the service account's password back to what the agent's file holds.
    await admin.modify(dc.baseDn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdHistoryLength', values: ['0'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'minPwdAge', values: ['0'] }) }),
    ]);
    // The agent's own account; Domain Admins gives it DirSync's "Replicating Directory Changes".
    svcDn = `CN=cloudsync-svc,CN=Users,${dc.baseDn}`;
    await admin.add(svcDn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: 'cloudsync-svc', userPrincipalName: `cloudsync-svc@${DOMAIN}` });
    await setPassword(SVC_PASSWORD);
    await tls.modify(svcDn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: ['512'] }) })]);
    await admin.modify(`CN=Domain Admins,CN=Users,${dc.baseDn}`, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [svcDn] }) })]);

    const corp = `OU=Corp,${dc.baseDn}`;
    for (const ou of [corp, `OU=Keep,${corp}`, `OU=Doomed,${corp}`]) await addOu(admin, ou);
    await seedAdUsers(admin, `OU=Keep,${corp}`, 20, { prefix: 'keep', concurrency: 16 });
    await seedAdUsers(admin, `OU=Doomed,${corp}`, DOOMED, { prefix: 'doomed', concurrency: 16 });

    sink = await startSmtpSink({ user: 'cloudsync', password: 'Smtp!Passw0rd' });
    dir = await mkdtemp(join(tmpdir(), 'cloudsync-safety-'));
    const data = join(dir, 'data');
    const passwordFile = join(dir, 'bind-password');
    await writeFile(passwordFile, `${SVC_PASSWORD}\n`, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
    tenant = await tenantWithDomain(data, 'contoso', DOMAIN);
    serviceArgs = [
      '--data', data, '--sync-interval', 'PT1H', '--quarantine-retry', 'PT15S,PT30S',
      '--smtp-url', sink.url(), '--smtp-from', 'cloudsync@corp.example.com',
      '--embedded-agent', '--domain', DOMAIN, '--ldap-url', dc.url, '--bind-dn', svcDn, '--bind-password-file', passwordFile,
    ];
    service = await startService(serviceArgs);
    api = connect(service, tenant);
    configuration = await createConfiguration(api, DOMAIN);
    await api.request('PUT', `/v1.0/servicePrincipals/${configuration.servicePrincipalId}/synchronization/secrets`, {
      value: [{ key: 'SyncNotificationSettings', value: JSON.stringify({ Enabled: true, Recipients: 'identity-ops@corp.example.com', DeleteThresholdEnabled: true, DeleteThresholdValue: 500 }) }],
    });
    const first = await runCycle(api, configuration);
    assert.notEqual(first.state, 'Failed', JSON.stringify(first));
    keep = await userCount();
    assert.ok(keep >= 20 + DOOMED, `the first cycle synchronized the seeded users (${keep})`);
  });

  after(async () => {
    await service?.stop();
    await sink?.close();
    await tls?.unbind().catch(() => undefined);
    await dc?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('an OU of 600 users deleted in AD: quarantined, nothing deleted, one email; allow-deletes soft-deletes the 600', async () => {
    await admin.del(`OU=Doomed,OU=Corp,${dc.baseDn}`, new Control(TREE_DELETE, { critical: true }));
    const execution = await runCycle(api, configuration);
    assert.equal(execution.state, 'Failed');
    assert.equal(execution.error?.code, 'ERR_SYNC_DELETE_THRESHOLD');
    let current = await status();
    assert.equal(current.code, 'Quarantine');
    assert.equal(current.quarantine?.reason, 'TooManyDeletes');
    assert.equal(await userCount(), keep, 'zero deletes reached the cloud');
    assert.equal((await deletedUsers(api)).size, 0);
    // The provisioning log shows each held deletion (Entra: StagedDelete), and not one delete.
    const logged = (action: string) => listAll<{ provisioningAction: string }>(api,
      `/v1.0/auditLogs/provisioning?$top=999&$filter=${encodeURIComponent(`provisioningAction eq '${action}' and jobId eq '${configuration.jobId}'`)}`);
    assert.equal((await logged('stagedDelete')).length, DOOMED);
    assert.equal((await logged('delete')).length, 0);

    const listed = await cli(['config', 'pending-deletes', DOMAIN]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${DOMAIN}: ${DOOMED} deletion\\(s\\) held back by the threshold of 500 since `));
    const lines = listed.stdout.split('\n').filter((line) => line.startsWith('CN=doomed'));
    assert.equal(lines.length, DOOMED);
    assert.ok(lines.every((line) => line.endsWith('\tuser\tdeleted in the source directory (AD)')), lines[0]);

    await waitFor('the threshold email', async () => sink.mails.length, (n) => n >= 1, 10_000);
    const mail = sink.mails[0]!;
    assert.deepEqual(mail.to, ['identity-ops@corp.example.com']);
    assert.equal(mail.subject, `cloudsync: synchronization of ${DOMAIN} quarantined: delete threshold exceeded (${DOOMED} deletions held)`);
    assert.match(mail.text, new RegExp(`${DOOMED} deletions are held back \\(threshold 500\\); none of them was done: ${DOOMED} deleted in the source directory \\(AD\\)`));

    // The quarantine's next attempt (15 s later) holds them again: still one email.
    const retry = Date.parse(current.quarantine!.nextAttempt);
    await executionSince(api, configuration, retry - 1000, 60_000);
    assert.equal((await status()).quarantine?.reason, 'TooManyDeletes');
    assert.equal(await userCount(), keep);
    assert.equal(sink.mails.length, 1, 'one email per event, not per cycle');

    const since = Date.now();
    const allowed = await cli(['config', 'allow-deletes', DOMAIN]);
    assert.equal(allowed.code, 0, allowed.stderr);
    const approved = await executionSince(api, configuration, since);
    assert.equal(approved.state, 'Succeeded', JSON.stringify(approved));
    current = await status();
    assert.equal(current.code, 'Active');
    assert.equal(current.quarantine, null);
    assert.equal(await userCount(), keep - DOOMED);
    const deleted = await deletedUsers(api);
    assert.equal([...deleted.keys()].filter((upn) => upn.startsWith('doomed')).length, DOOMED, 'the 600 are soft-deleted (restorable for 30 days)');
    assert.equal((await logged('delete')).length, DOOMED, 'each deletion in the provisioning log');
    const audits = await listAll<Record<string, unknown>>(api, `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent("activityDisplayName eq 'Restart provisioning'")}`);
    assert.ok(audits.some((audit) => JSON.stringify(audit).includes('ForceDeletes')), 'allow-deletes is in the audit log');
    assert.equal((await cli(['config', 'pending-deletes', DOMAIN])).stdout, `${DOMAIN}: no deletions held back\n`);
  });

  test('the bind password stops working: quarantined with the failing bind and an email; set back, the job recovers on its own', async () => {
    await setPassword(OTHER_PASSWORD);
    // A bound connection survives a password change in AD; the failure shows at the next bind (here: after a restart).
    await service.stop();
    service = await startService(serviceArgs);
    api = connect(service, tenant);
    const mailsBefore = sink.mails.length;
    const failed = await runCycle(api, configuration);
    assert.equal(failed.state, 'Failed');
    assert.equal(failed.error?.code, 'ERR_LDAP_INVALID_CREDENTIALS');
    const quarantined = await status();
    assert.equal(quarantined.code, 'Quarantine');
    assert.equal(quarantined.quarantine?.reason, 'EncounteredQuarantineException');
    assert.match(quarantined.quarantine!.error!.message, new RegExp(`binding to ${dc.url.replace(/[.]/g, '\\.')} as CN=cloudsync-svc,CN=Users,DC=corp,DC=example,DC=com: invalidCredentials`));
    assert.equal(Date.parse(quarantined.quarantine!.nextAttempt) - Date.parse(quarantined.quarantine!.seriesBegan), 15_000);

    await waitFor('the quarantine email', async () => sink.mails.length, (n) => n > mailsBefore, 10_000);
    const mail = sink.mails.at(-1)!;
    assert.equal(mail.subject, `cloudsync: synchronization of ${DOMAIN} quarantined: most calls failed`);
    assert.match(mail.text, /Error: +ERR_LDAP_INVALID_CREDENTIALS: binding to ldap:\/\/.* as CN=cloudsync-svc/);
    assert.ok(!service.output().includes(SVC_PASSWORD) && !service.output().includes('Smtp!Passw0rd'), 'no password in the service log');

    await setPassword(SVC_PASSWORD);
    const recovered = await waitFor('recovery at the next attempt', status, (s) => s.code === 'Active', 90_000);
    assert.equal(recovered.quarantine, null);
    assert.equal(recovered.lastExecution?.state, 'Succeeded');
    assert.equal(sink.mails.length, mailsBefore + 1, 'recovery sends nothing');
    assert.equal(await userCount(), keep - DOOMED, 'nothing lost or duplicated');
  });
});
