/**
 * `cloudsync provision` against `cloudsync server --embedded-agent --ldif` (the bundled sample AD export) as
 * processes, with a configuration scoped to OU=Sales by `cloudsync config schema import`: a user outside the
 * scope (--dry-run: the steps say so and nothing is written), a dry run and a real run of a user in scope checked
 * through the API (the steps printed readably; --json), and bad input as one error line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_MAIN, runCli } from './run-cli.ts';

const SAMPLE = fileURLToPath(new URL('../../src/demo/sample-ad.ldif', import.meta.url));
const SALES = 'OU=Sales,OU=Users,OU=Corp,DC=corp,DC=example,DC=com';
const MEI = `CN=Mei Martinez,${SALES}`;
const OLGA = 'CN=Olga Thompson,OU=Engineering,OU=Users,OU=Corp,DC=corp,DC=example,DC=com';

let dir: string;
let service: ChildProcess;
let env: Record<string, string>;
let url: string;
let credentials: { tenantId: string; clientId: string; clientSecret: string };

async function graph(path: string): Promise<Record<string, unknown>> {
  const token = await fetch(`${url}/${credentials.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  return (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${access_token}` } })).json()) as Record<string, unknown>;
}

const userNames = async () => ((await graph('/v1.0/users?$top=999')).value as { displayName: string }[]).map((u) => u.displayName).sort();
const logCount = async () => ((await graph('/v1.0/auditLogs/provisioning?$top=999')).value as unknown[]).length;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudsync-provision-cli-'));
  const data = join(dir, 'data');
  const tenant = await runCli(['tenant', 'create', '--name', 'provisioncli', '--data', data, '--json']);
  assert.equal(tenant.code, 0, tenant.stderr);
  credentials = JSON.parse(tenant.stdout);
  service = spawn(process.execPath, [CLI_MAIN, 'server', '--port', '0', '--data', data, '--embedded-agent', '--domain', 'corp.example.com', '--ldif', SAMPLE], { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  service.stderr!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  url = await new Promise<string>((resolve, reject) => {
    service.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (\S+)/.exec(seen);
      if (match && seen.includes('embedded agent for')) resolve(match[1]!);
    });
    service.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
  env = {
    CLOUDSYNC_SERVICE: url,
    CLOUDSYNC_TENANT_ID: credentials.tenantId,
    CLOUDSYNC_CLIENT_ID: credentials.clientId,
    CLOUDSYNC_CLIENT_SECRET: credentials.clientSecret,
    CLOUDSYNC_CREDENTIALS_FILE: join(dir, 'no-credentials.json'),
  };
  assert.equal((await runCli(['config', 'create', '--domain', 'corp.example.com'], { env })).code, 0);
  // Scope the configuration to OU=Sales (a DN entry, as Entra exports them); the job is not started.
  const schemaFile = join(dir, 'schema.json');
  const exported = await runCli(['config', 'schema', 'export', 'corp.example.com', '--file', schemaFile], { env });
  assert.equal(exported.code, 0, exported.stderr);
  const schema = JSON.parse(await readFile(schemaFile, 'utf8'));
  schema.synchronizationRules[0].containerFilter.includedContainers = [SALES];
  await writeFile(schemaFile, JSON.stringify(schema));
  const imported = await runCli(['config', 'schema', 'import', 'corp.example.com', schemaFile], { env });
  assert.equal(imported.code, 0, imported.stderr);
});

after(async () => {
  if (service !== undefined && service.exitCode === null) {
    const exited = once(service, 'exit');
    service.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

test('a user outside the scope, --dry-run: the steps say so, and nothing is written', async () => {
  const logBefore = await logCount();
  const run = await runCli(['provision', '--config', 'corp.example.com', '--dn', OLGA, '--dry-run'], { env });
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.equal(lines[0], `user ${OLGA}  (dry run: nothing was written)`);
  assert.match(run.stdout, /^1\. ✔ Import — Success: Received user 'olga\.thompson@corp\.example\.com' from Active Directory domain corp\.example\.com$/m);
  assert.match(run.stdout, /^ {5}title: /m);
  assert.match(run.stdout, /^2\. – Determine if in scope — Skipped: /m);
  assert.match(run.stdout, /^ {5}The scheduled run does not include this object: it is not in any of the included organizational units/m);
  assert.match(run.stdout, /^ {5}✔ default exclusion: isCriticalSystemObject /m);
  assert.match(run.stdout, /^3\. ✔ Match between source and target — Success: No user in the cloud directory has onPremisesImmutableId /m);
  assert.match(run.stdout, /^4\. – Perform action — Skipped: user 'olga\.thompson@corp\.example\.com' is not provisioned: it is out of scope/m);
  assert.deepEqual(await userNames(), []);
  assert.equal(await logCount(), logBefore);
});

test('a user in scope: --dry-run shows the create with its values and writes nothing; then the real run creates it', async () => {
  const dry = await runCli(['provision', '--config', 'corp.example.com', '--dn', MEI, '--dry-run'], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^2\. ✔ Determine if in scope — Success: /m);
  assert.match(dry.stdout, /The scheduled run includes this object: in scope of 'Provision Active Directory users' — container: in OU=Sales,OU=Users,OU=Corp,DC=corp,DC=example,DC=com \(matched by DN\)/);
  assert.match(dry.stdout, /^4\. ✔ Perform action — Success: Dry run: user 'mei\.martinez@corp\.example\.com' would be created in the cloud directory; nothing was written$/m);
  assert.match(dry.stdout, /^ {5}jobTitle: \(none\) → Head of Sales$/m);
  assert.match(dry.stdout, /^ {5}would create user \(\d+ properties\)$/m);
  assert.deepEqual(await userNames(), []);

  const real = await runCli(['provision', '--config', 'corp.example.com', '--dn', MEI, '--json'], { env });
  assert.equal(real.code, 0, real.stderr);
  const result = JSON.parse(real.stdout);
  assert.equal(result.action, 'Create');
  assert.equal(result.statusInfo.status, 'Success');
  assert.deepEqual(await userNames(), ['Mei Martinez']);
  const user = await graph(`/v1.0/users/${result.targetIdentity.id}`);
  assert.equal(user['jobTitle'], 'Head of Sales');
  assert.equal(user['onPremisesSyncEnabled'], true);
  assert.equal(await logCount(), 1);
});

test('bad input: one error line naming what and where, exit 1', async () => {
  const missing = await runCli(['provision', '--config', 'corp.example.com', '--dn', `CN=Nobody,${SALES}`], { env });
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.match(missing.stderr, /^error ERR_HTTP_NOT_FOUND: parameters\[0\]\.subjects\[0\]\.objectId: no object 'CN=Nobody,OU=Sales,.*' in the directory of domain corp\.example\.com/);
  const malformed = await runCli(['provision', '--config', 'corp.example.com', '--dn', 'Mei Martinez'], { env });
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /is not a distinguished name: it has 'Mei Martinez', which is not attribute=value/);
  const members = await runCli(['provision', '--config', 'corp.example.com', '--dn', MEI, '--member', OLGA], { env });
  assert.equal(members.code, 1);
  assert.match(members.stderr, /^error ERR_CLI_USAGE: --member names members of a group; add --type group/);
  assert.doesNotMatch(missing.stderr + malformed.stderr + members.stderr, /\.ts:\d+/);
});
