/**
 * Quarantine emails end to end: the scheduler runs a real configuration (sample AD export through the LDIF
 * connector) into the cloud directory, the notifier sends through nodemailer to a real SMTP server in this process
 * (with authentication), and the test reads what arrived. One email per event — entering quarantine, a change of
 * reason (here: the delete threshold tripping) — not per cycle, and not again after the service restarts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LdifConnector } from '../../src/connectors/ldif/ldif-connector.ts';
import { CloudsyncError } from '../../src/errors/index.ts';
import { createNotificationJournal, createQuarantineNotifier, createSmtpTransport, parseSmtpSettings, type MailTransport } from '../../src/notifications/index.ts';
import { CLOUD_SYNC_APPLICATION_TEMPLATE_ID, createJobScheduler, type JobScheduler } from '../../src/synchronization/index.ts';
import { defaultBackend } from '../api/api-harness.ts';
import { startSyncApi, type SyncApiFixture } from '../api/synchronization/synchronization-harness.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { failingSource } from '../synchronization/failing-source.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const SMTP_USER = 'cloudsync';
const SMTP_PASSWORD = 'S3cret-smtp-Passw0rd';

describe('quarantine notifications by email', () => {
  let api: SyncApiFixture;
  let sink: SmtpSink;
  let temp: string;
  let now = new Date('2026-06-01T00:00:00Z');
  const transports: MailTransport[] = [];
  const schedulers: JobScheduler[] = [];
  const errors: unknown[] = [];
  let source: LdifConnector;
  let broken: CloudsyncError | undefined;
  const switchable = failingSource(() => source, () => broken);

  /** What `cloudsync server` builds: a scheduler with the held-deletions store and an SMTP notifier. */
  function startService(): JobScheduler {
    const transport = createSmtpTransport(parseSmtpSettings(sink.url(), 'cloudsync@corp.example.com'));
    transports.push(transport);
    const scheduler = createJobScheduler({
      port: api.synchronization,
      directory: api.directory,
      store: api.store,
      connectors: { connectorFor: (domain) => (domain === 'corp.example.com' ? { source: switchable, netBiosName: 'CORP' } : undefined) },
      clock: () => now,
      deleteProtection: api.pendingDeletes,
      notifier: createQuarantineNotifier({ transport, journal: createNotificationJournal(api.store), clock: () => now }),
      onError: (error) => errors.push(error),
    });
    schedulers.push(scheduler);
    return scheduler;
  }

  let jobId: string;
  let servicePrincipalId: string;
  const status = async () => (await api.synchronization.getJob(api.tenant.tenantId, servicePrincipalId, jobId)).status;

  before(async () => {
    api = await startSyncApi(defaultBackend(), { clock: () => now });
    sink = await startSmtpSink({ user: SMTP_USER, password: SMTP_PASSWORD });
    temp = await mkdtemp(join(tmpdir(), 'cloudsync-notify-'));
    source = new LdifConnector({ file: SAMPLE });
    const tenantId = api.tenant.tenantId;
    const created = await api.synchronization.instantiate(tenantId, CLOUD_SYNC_APPLICATION_TEMPLATE_ID, 'corp.example.com');
    servicePrincipalId = created.servicePrincipal.id;
    jobId = (await api.synchronization.createJob(tenantId, servicePrincipalId, 'AD2AADProvisioning')).id;
    await api.synchronization.putSecrets(tenantId, servicePrincipalId, {
      value: [
        { key: 'Domain', value: JSON.stringify({ domain: 'corp.example.com' }) },
        { key: 'SyncNotificationSettings', value: JSON.stringify({ Enabled: true, Recipients: 'identity-ops@corp.example.com', DeleteThresholdEnabled: true, DeleteThresholdValue: 5 }) },
      ],
    });
    await api.synchronization.startJob(tenantId, servicePrincipalId, jobId);
  });
  after(async () => {
    for (const scheduler of schedulers) await scheduler.stop();
    for (const transport of transports) transport.close();
    await sink?.close();
    await api?.close();
    await rm(temp, { recursive: true, force: true });
  });

  test('credentials rejected: one email with the reason, the failing request, since when and the next attempt', async () => {
    const service = startService();
    await service.tick();
    assert.equal((await status()).code, 'Active');
    assert.equal(sink.mails.length, 0, 'no email while healthy');

    broken = new CloudsyncError('ERR_LDAP_INVALID_CREDENTIALS', 'binding to ldap://dc1.corp.example.com as CN=sync,CN=Users,DC=corp,DC=example,DC=com: invalidCredentials (80090308: LdapErr: DSID-0C09042A, data 52e)');
    now = new Date(now.getTime() + 3 * 60_000);
    const failedAt = now;
    await service.tick();
    assert.equal((await status()).code, 'Quarantine');
    assert.deepEqual(errors, []);
    assert.equal(sink.mails.length, 1);
    const mail = sink.mails[0]!;
    assert.deepEqual(mail.to, ['identity-ops@corp.example.com']);
    assert.equal(mail.from, 'cloudsync@corp.example.com');
    assert.equal(mail.user, SMTP_USER, 'delivered with the credentials of --smtp-url');
    assert.equal(mail.subject, 'cloudsync: synchronization of corp.example.com quarantined: most calls failed');
    assert.match(mail.text, /Reason: +most calls failed \(EncounteredQuarantineException\)/);
    assert.match(mail.text, new RegExp(`Since: +${failedAt.toISOString()}`));
    assert.match(mail.text, new RegExp(`Next attempt: +${new Date(failedAt.getTime() + 6 * 3600_000).toISOString()}`));
    assert.match(mail.text, /Error: +ERR_LDAP_INVALID_CREDENTIALS: binding to ldap:\/\/dc1\.corp\.example\.com as CN=sync,CN=Users,DC=corp,DC=example,DC=com: invalidCredentials/);

    // The 6 h retry fails again: same event, no second email.
    now = new Date(failedAt.getTime() + 6 * 3600_000);
    await service.tick();
    assert.equal((await status()).quarantine?.seriesCount, 2);
    assert.equal(sink.mails.length, 1, 'one email per event, not per cycle');
    await service.stop();
  });

  test('after a service restart the same event is not mailed again; a new reason (delete threshold) is', async () => {
    const restarted = startService();
    const seriesBegan = (await status()).quarantine!.seriesBegan;
    now = new Date(Date.parse(seriesBegan) + 12 * 3600_000);
    await restarted.tick();
    assert.equal((await status()).quarantine?.reason, 'EncounteredQuarantineException');
    assert.equal(sink.mails.length, 1, 'the journal survived the restart');

    // Credentials fixed, but the export now lacks 10 users: over this configuration's threshold of 5.
    const text = await readFile(SAMPLE, 'utf8');
    let dropped = 0;
    const kept = text.split(/\n\n+/).filter((record) => {
      if (/^objectClass: user$/m.test(record) && !/^objectClass: computer$/m.test(record) && /^userPrincipalName:/m.test(record) && dropped < 10) {
        dropped++;
        return false;
      }
      return true;
    });
    const smaller = join(temp, 'smaller.ldif');
    await writeFile(smaller, kept.join('\n\n'));
    source = new LdifConnector({ file: smaller });
    broken = undefined;
    now = new Date(Date.parse(seriesBegan) + 24 * 3600_000);
    await restarted.tick();
    const quarantine = (await status()).quarantine!;
    assert.equal(quarantine.reason, 'TooManyDeletes');
    assert.equal(quarantine.seriesBegan, seriesBegan, 'the same series, with a new reason');
    assert.deepEqual(errors, []);
    assert.equal(sink.mails.length, 2);
    const mail = sink.mails[1]!;
    assert.equal(mail.subject, 'cloudsync: synchronization of corp.example.com quarantined: delete threshold exceeded (10 deletions held)');
    assert.match(mail.text, /10 deletions are held back \(threshold 5\); none of them was done: 10 no longer in the source directory/);
    assert.equal(mail.text.match(/^ {2}CN=.*\(user\): no longer in the source directory/gm)?.length, 10);
    assert.match(mail.text, /cloudsync config allow-deletes corp\.example\.com --only DN/);
    assert.match(mail.text, new RegExp(`GET /v1\\.0/servicePrincipals/${servicePrincipalId}/synchronization/jobs/${jobId}/pendingDeletes`));

    // The next retry still holds them: no third email.
    now = new Date(Date.parse(quarantine.nextAttempt));
    await restarted.tick();
    assert.equal((await status()).quarantine?.reason, 'TooManyDeletes');
    assert.equal(sink.mails.length, 2);
  });

  test('a mail server that refuses the credentials: an ERR_NOTIFY_SMTP error that never repeats the password', async () => {
    const transport = createSmtpTransport(parseSmtpSettings(sink.url(SMTP_USER, 'wrong-Passw0rd-xyz'), 'cloudsync@corp.example.com'));
    transports.push(transport);
    await assert.rejects(transport.send({ to: ['a@corp.example.com'], subject: 'test', text: 'test' }), (error: CloudsyncError) => {
      assert.equal(error.code, 'ERR_NOTIFY_SMTP');
      assert.match(error.message, /smtp:\/\/cloudsync@127\.0\.0\.1:\d+/);
      assert.doesNotMatch(error.message, /wrong-Passw0rd-xyz/);
      assert.equal(transport.description.includes('wrong-Passw0rd-xyz'), false);
      return true;
    });
    assert.throws(() => parseSmtpSettings('smtp://u:topsecret@mail.example.com:25/path', 'a@b.example'), (error: CloudsyncError) => !error.message.includes('topsecret') && error.code === 'ERR_CLI_USAGE');
    assert.throws(() => parseSmtpSettings('smtp://mail.example.com:25', undefined), /--smtp-from: required with --smtp-url/);
  });
});
