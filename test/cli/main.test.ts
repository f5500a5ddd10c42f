import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { CLI_MAIN as MAIN, runCli } from './run-cli.ts';


const cli = (args: readonly string[], env: Record<string, string> = {}) => runCli(args, { env });

test('tenant create → server → login → a call with the stored credentials', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudsync-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');

  const created = await cli(['tenant', 'create', '--data', data, '--name', 'fabrikam', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const tenant = JSON.parse(created.stdout) as { tenantId: string; clientId: string; clientSecret: string };
  assert.match(tenant.tenantId, /^[0-9a-f-]{36}$/);
  assert.ok(tenant.clientSecret.length >= 32);
  // The database holds the signing key and secret hashes: owner-only, like every file holding secrets.
  assert.equal((await stat(join(data, 'cloudsync.db'))).mode & 0o777, 0o600);
  assert.equal((await stat(data)).mode & 0o777, 0o700);

  const again = await cli(['tenant', 'create', '--data', data, '--name', 'fabrikam', '--json']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error ERR_DIR_DOMAIN_CONFLICT: .*fabrikam/);
  assert.doesNotMatch(again.stderr, /\n\s+at /, 'no stack trace');

  const server = spawn(process.execPath, [MAIN, 'server', '--data', data, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => server.kill('SIGTERM'));
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });

  const secretFile = join(dir, 'secret');
  await writeFile(secretFile, tenant.clientSecret, { mode: 0o600 });
  const credentialsFile = join(dir, 'config', 'credentials.json');
  const env = { CLOUDSYNC_CREDENTIALS_FILE: credentialsFile };
  const login = await cli(
    ['login', '--service', url, '--tenant-id', tenant.tenantId, '--client-id', tenant.clientId, '--client-secret-file', secretFile],
    env,
  );
  assert.equal(login.code, 0, login.stderr);
  assert.equal((await stat(credentialsFile)).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(await readFile(credentialsFile, 'utf8')), {
    service: url,
    tenantId: tenant.tenantId,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
  });

  await writeFile(secretFile, 'wrong-secret');
  const refused = await cli(
    ['login', '--service', url, '--tenant-id', tenant.tenantId, '--client-id', tenant.clientId, '--client-secret-file', secretFile],
    { CLOUDSYNC_CREDENTIALS_FILE: join(dir, 'other.json') },
  );
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error ERR_AUTH_INVALID_CLIENT: /);
  assert.doesNotMatch(refused.stderr, /wrong-secret/, 'the secret is never echoed');

  server.kill('SIGTERM');
  const [exitCode] = (await once(server, 'exit')) as [number | null];
  assert.equal(exitCode, 0, 'SIGTERM shuts the server down cleanly');
});

test('the demo synchronizes the sample AD domain, serves it through the API and cleans up', async () => {
  const run = await cli(['demo', '--port', '0', '--exit-when-ready']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Sample tenant "contoso": 16 cloud-only users, 3 groups \(nested\), 1 contact; domain corp\.example\.com verified\./);
  assert.match(run.stdout, /Embedded agent for corp\.example\.com reading the sample AD export \(1000 users, 13 groups, 40 contacts\)\./);
  assert.match(run.stdout, /First sync: Succeeded, 1064 entries read, 1053 objects created in [\d.]+ s\./);
  assert.match(run.stdout, /Self-check: token issued; through the API 1000 users and 13 groups have onPremisesSyncEnabled eq true, 1016 users in all; e\.g\. mei\.martinez@corp\.example\.com\./);
  // Not a terminal: progress as plain lines on stderr, ending with the whole sample read and written.
  assert.match(run.stderr, /^first sync: reading 1064 objects of corp\.example\.com$/m);
  assert.match(run.stderr, /^first sync: import: 1064\/1064 read, 1053 written, 0 failed$/m);
  const dataDir = /SQLite in (\S+)\)/.exec(run.stdout)?.[1];
  assert.ok(dataDir);
  await assert.rejects(stat(dataDir), { code: 'ENOENT' }, 'the temporary data directory is removed');
});

test('usage errors are one line and a non-zero exit', async () => {
  const port = await cli(['server', '--port', 'eighty']);
  assert.equal(port.code, 1);
  assert.equal(port.stderr.trim(), 'error ERR_CLI_USAGE: --port eighty is not a port number (0–65535)');

  const interval = await cli(['server', '--port', '0', '--sync-interval', 'PT5S']);
  assert.equal(interval.code, 1);
  assert.match(interval.stderr, /^error ERR_SYNC_CONFIG_INVALID: --sync-interval PT5S is shorter than the minimum interval PT10S/);

  const unknown = await cli(['tenant', 'create', '--name', 'x', '--nmae', 'y']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown option '--nmae'/);

  const badDb = await cli(['tenant', 'create', '--name', 'x', '--database', 'mysql://nope']);
  assert.equal(badDb.code, 1);
  assert.match(badDb.stderr, /^error ERR_/);
  assert.doesNotMatch(badDb.stderr, /\n\s+at /);

  const notDir = await cli(['tenant', 'create', '--name', 'x', '--data', '/etc/hostname/data']);
  assert.equal(notDir.code, 1);
  assert.equal(notDir.stderr.trim(), 'error ERR_CONFIG_INVALID: --data: cannot inspect /etc/hostname/data (ENOTDIR)');

  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  for (const command of ['server', 'tenant', 'login', 'demo', 'expression']) assert.match(help.stdout, new RegExp(`\\b${command}\\b`));
});

test('server --tls-cert/--tls-key serves HTTPS; a key file others can read is refused', async (t) => {
  const { loopbackCertificate } = await import('../api/tls-certificate.ts');
  const certificate = loopbackCertificate();
  const dir = await mkdtemp(join(tmpdir(), 'cloudsync-cli-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await writeFile(certFile, certificate.cert);
  await writeFile(keyFile, certificate.key, { mode: 0o644 });

  const loose = await cli(['server', '--data', data, '--port', '0', '--tls-cert', certFile, '--tls-key', keyFile]);
  assert.equal(loose.code, 1);
  assert.equal(loose.stderr.trim(), `error ERR_CONFIG_INVALID: --tls-key ${keyFile} is readable by other users (mode 644); run: chmod 600 ${keyFile}`);
  const half = await cli(['server', '--data', data, '--port', '0', '--tls-cert', certFile]);
  assert.equal(half.code, 1);
  assert.match(half.stderr, /--tls-cert and --tls-key go together/);

  const { chmod } = await import('node:fs/promises');
  await chmod(keyFile, 0o600);
  const created = JSON.parse((await cli(['tenant', 'create', '--data', data, '--name', 'tls', '--json'])).stdout) as { tenantId: string };
  const server = spawn(process.execPath, [MAIN, 'server', '--data', data, '--port', '0', '--tls-cert', certFile, '--tls-key', keyFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => server.kill('SIGTERM'));
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (https:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
  // loopbackCertificate() made this process trust the certificate, so fetch verifies it like any client would.
  const response = await fetch(`${url}/${created.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=x&client_secret=y&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default',
  });
  assert.equal(response.status, 401);
  assert.equal(((await response.json()) as { error: string }).error, 'invalid_client');
});
