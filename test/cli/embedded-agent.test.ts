/**
 * `cloudsync server --embedded-agent` as a process: its flags are checked before the service starts (one line per
 * problem), and with --ldif the bundled sample, a configuration made with `cloudsync config` is synchronized by the
 * service's scheduler. The bind password never appears in what the service prints.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { ServiceConnection } from '../../src/cli/service-connection.ts';
import { listAll, startService } from '../scenarios/service-under-test.ts';
import { runCli } from './run-cli.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const PASSWORD = 'S3cret-never-printed-7f2a';
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudsync-agent-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function refused(args: readonly string[], message: RegExp): Promise<void> {
  const run = await runCli(['server', '--port', '0', '--data', join(dir, 'refused'), ...args]);
  assert.equal(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, message);
  assert.ok(!run.stderr.includes(PASSWORD) && !run.stdout.includes(PASSWORD));
}

test('embedded agent flags are validated with one clear line each', async () => {
  const open = join(dir, 'open-password');
  await writeFile(open, `${PASSWORD}\n`);
  await chmod(open, 0o644);
  const closed = join(dir, 'password');
  await writeFile(closed, `${PASSWORD}\n`, { mode: 0o600 });
  await chmod(closed, 0o600);

  await refused(['--embedded-agent'], /^error ERR_CLI_USAGE: --embedded-agent needs --domain/);
  await refused(['--domain', 'corp.example.com', '--ldif', SAMPLE], /--domain, --ldif configure the embedded agent; add --embedded-agent/);
  await refused(['--embedded-agent', '--domain', 'not a domain', '--ldif', SAMPLE], /--domain not a domain: not a DNS domain name/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com'], /needs a source: --ldif FILE, or --ldap-url/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldif', join(dir, 'missing.ldif')], /^error ERR_CONFIG_INVALID: --ldif .*missing\.ldif: no such file/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldif', SAMPLE, '--bind-dn', 'CN=x'], /give one source or the other/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldap-url', 'http://dc1.corp.example.com', '--bind-dn', 'CN=x', '--bind-password-file', closed],
    /--ldap-url http:\/\/dc1\.corp\.example\.com: expected ldap:\/\/host\[:port\] or ldaps:\/\/host\[:port\]/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldap-url', 'ldaps://dc1,not a url', '--bind-dn', 'CN=x', '--bind-password-file', closed],
    /--ldap-url not a url: not a URL/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldap-url', 'ldaps://dc1.corp.example.com', '--bind-password-file', closed], /--ldap-url needs --bind-dn/);
  const ldap = ['--embedded-agent', '--domain', 'example.org', '--ldap-url', 'ldap://ldap1.example.org', '--bind-dn', 'cn=sync,dc=example,dc=org', '--bind-password-file', closed];
  await refused([...ldap, '--source-type', 'novell'], /^error ERR_CLI_USAGE: --source-type novell: expected ad or ldap/);
  await refused([...ldap, '--source-type', 'ldap'], /--source-type ldap needs --base-dn/);
  await refused([...ldap, '--base-dn', 'dc=example,dc=org'], /--base-dn is for --source-type ldap/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldif', SAMPLE, '--source-type', 'ldap'], /give one source or the other/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldap-url', 'ldaps://dc1.corp.example.com', '--bind-dn', 'CN=x'], /--ldap-url needs --bind-password-file/);
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldap-url', 'ldaps://dc1.corp.example.com', '--bind-dn', 'CN=x', '--bind-password-file', open],
    new RegExp(`--bind-password-file .*open-password is readable by other users \\(mode 644\\); run: chmod 600 .*open-password`));
  await refused(['--embedded-agent', '--domain', 'corp.example.com', '--ldap-url', 'ldaps://dc1.corp.example.com', '--bind-dn', 'CN=x', '--bind-password-file', closed, '--ca-file', join(dir, 'nope.pem')],
    /--ca-file .*nope\.pem: no such file/);
});

test('cloudsync server --embedded-agent --ldif: a configuration made with cloudsync config is synchronized', async () => {
  const data = join(dir, 'data');
  const tenant = await runCli(['tenant', 'create', '--name', 'agentcli', '--data', data, '--json']);
  assert.equal(tenant.code, 0, tenant.stderr);
  const credentials = JSON.parse(tenant.stdout) as { tenantId: string; clientId: string; clientSecret: string };
  const service = await startService(['--data', data, '--embedded-agent', '--domain', 'corp.example.com', '--ldif', SAMPLE]);
  try {
    assert.match(service.output(), new RegExp(`embedded agent for corp\\.example\\.com: LDIF ${SAMPLE.replace(/[.]/g, '\\.')}`));
    const env = {
      CLOUDSYNC_SERVICE: service.url,
      CLOUDSYNC_TENANT_ID: credentials.tenantId,
      CLOUDSYNC_CLIENT_ID: credentials.clientId,
      CLOUDSYNC_CLIENT_SECRET: credentials.clientSecret,
      CLOUDSYNC_CREDENTIALS_FILE: join(dir, 'no-credentials.json'),
    };
    const created = await runCli(['config', 'create', '--domain', 'corp.example.com'], { env });
    assert.equal(created.code, 0, created.stderr);
    const started = await runCli(['config', 'start', 'corp.example.com'], { env });
    assert.equal(started.code, 0, started.stderr);
    type Execution = { state: string; countImported: number; countExported: number };
    let execution = null as Execution | null;
    for (let attempt = 0; attempt < 120 && execution === null; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const shown = await runCli(['config', 'show', 'corp.example.com', '--json'], { env });
      assert.equal(shown.code, 0, shown.stderr);
      execution = (JSON.parse(shown.stdout) as { jobs: { status: { lastExecution: Execution | null } }[] }).jobs[0]!.status.lastExecution;
    }
    assert.ok(execution, `no cycle ran: ${service.output()}`);
    assert.equal(execution.state, 'Succeeded');
    assert.equal(execution.countImported, 1064);
    assert.equal(execution.countExported, 1053);
    assert.match(service.output(), /synchronization cycle done/);

    // --remove-objects: the configuration and, in one step, what it synchronized (and nothing else).
    const connection = new ServiceConnection({ service: service.url, ...credentials });
    const cloudOnly = await connection.request<{ id: string }>('POST', '/v1.0/users', {
      accountEnabled: true, displayName: 'Cloud Only', mailNickname: 'cloudonly', userPrincipalName: `cloudonly@${(await connection.request<{ value: { id: string; isInitial: boolean }[] }>('GET', '/v1.0/domains')).value.find((d) => d.isInitial)!.id}`,
      passwordProfile: { password: 'Xy7!long-enough-password' },
    });
    const removed = await runCli(['config', 'delete', 'corp.example.com', '--yes', '--remove-objects'], { env });
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /deleted corp\.example\.com and the objects it synchronized/);
    assert.deepEqual((await listAll<{ id: string }>(connection, '/v1.0/users?$top=999&$select=id')).map((u) => u.id), [cloudOnly.id], 'only the cloud-only user is left');
    assert.deepEqual(await listAll(connection, '/v1.0/groups?$top=999&$select=id'), []);
    assert.deepEqual(await listAll(connection, '/v1.0/contacts?$top=999&$select=id'), []);
    assert.equal((await listAll(connection, '/v1.0/directory/deletedItems/microsoft.graph.user?$top=999&$select=id')).length, 1000, 'the users are restorable');
  } finally {
    await service.stop();
  }
  const db = new DatabaseSync(join(data, 'cloudsync.db'), { readOnly: true });
  try {
    for (const table of ['connector_space_objects', 'connector_space_references', 'connector_space_state']) {
      assert.deepEqual({ ...db.prepare(`SELECT count(*) AS n FROM ${table}`).get() }, { n: 0 }, `${table} is empty: the connector space went with the job`);
    }
  } finally {
    db.close();
  }
});

test('the bind password is never printed (LDAP agent, server unreachable)', async () => {
  const password = join(dir, 'ldap-password');
  await writeFile(password, `${PASSWORD}\n`, { mode: 0o600 });
  await chmod(password, 0o600);
  const service = await startService([
    '--data', join(dir, 'ldap-data'), '--embedded-agent', '--domain', 'corp.example.com',
    '--ldap-url', 'ldap://127.0.0.1:1', '--bind-dn', 'CN=sync,CN=Users,DC=corp,DC=example,DC=com', '--bind-password-file', password,
  ]);
  await service.stop();
  assert.match(service.output(), /embedded agent for corp\.example\.com: Active Directory at ldap:\/\/127\.0\.0\.1:1 as CN=sync/);
  assert.ok(!service.output().includes(PASSWORD));
});
