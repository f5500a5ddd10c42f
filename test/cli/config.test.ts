/**
 * `cloudsync config …` spawned as a process against a real server (the API over SQLite, listening on
 * 127.0.0.1).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import type { CreatedTenant } from '../../src/directory/index.ts';
import { createSynchronizationStore } from '../../src/synchronization/index.ts';
import { defaultBackend, openDirectory, type DirectoryBackend } from '../api/api-harness.ts';
import { runCli, type CliRun } from './run-cli.ts';


let dir: string;
let backend: DirectoryBackend;
let app: FastifyInstance;
let url: string;
let tenant: CreatedTenant;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudsync-config-cli-'));
  backend = await openDirectory(defaultBackend());
  const synchronization = createSynchronizationStore(backend.store, backend.directory, { secretsKey: randomBytes(32) });
  app = buildApp({ directory: backend.directory, signingKey: await backend.directory.getOrCreateSigningKey(), synchronization });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  tenant = await backend.directory.createTenant({ name: `cli${Math.floor(Math.random() * 1e9)}` });
});

after(async () => {
  await app.close();
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

function hasScript(): boolean {
  return spawnSync('script', ['--version']).status === 0;
}

function cli(args: readonly string[], input?: string, options: { tty?: boolean } = {}): Promise<CliRun> {
  return runCli(args, {
    env: {
      CLOUDSYNC_SERVICE: url,
      CLOUDSYNC_TENANT_ID: tenant.tenantId,
      CLOUDSYNC_CLIENT_ID: tenant.clientId,
      CLOUDSYNC_CLIENT_SECRET: tenant.clientSecret,
      CLOUDSYNC_CREDENTIALS_FILE: join(dir, 'no-credentials.json'),
    },
    ...(input === undefined ? {} : { input }),
    ...(options.tty === undefined ? {} : { tty: options.tty }),
  });
}

test('config create → list → show → set-interval → start → pause → restart', async () => {
  const created = await cli(['config', 'create', '--domain', 'corp.example.com', '--password-hash-sync', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const ids = JSON.parse(created.stdout) as { servicePrincipalId: string; jobId: string };
  assert.match(ids.jobId, /^AD2AADProvisioning\./);

  const list = await cli(['config', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${ids.servicePrincipalId}  corp\\.example\\.com  Paused, every PT2M`));

  const again = await cli(['config', 'create', '--domain', 'CORP.example.com', '--name', 'second']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error ERR_STORE_CONFLICT: The AD domain corp\.example\.com is already configured.*\(PUT \/v1\.0\/servicePrincipals\/.*\/synchronization\/secrets: 409 Conflict\)/);
  const afterRefusal = await cli(['config', 'list', '--json']);
  assert.equal((JSON.parse(afterRefusal.stdout) as unknown[]).length, 1, 'the refused create left nothing behind');

  const interval = await cli(['config', 'set-interval', 'corp.example.com', 'PT10M']);
  assert.equal(interval.code, 0, interval.stderr);
  const tooShort = await cli(['config', 'set-interval', 'corp.example.com', 'PT5S']);
  assert.equal(tooShort.code, 1);
  assert.match(tooShort.stderr, /shorter than the minimum interval PT10S/);

  assert.equal((await cli(['config', 'start', 'corp.example.com'])).code, 0);
  let show = await cli(['config', 'show', ids.servicePrincipalId]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /schedule: Active, every PT10M\n\s+status: Active\n\s+last execution: never/);

  assert.equal((await cli(['config', 'pause', 'corp.example.com'])).code, 0);
  show = await cli(['config', 'show', 'corp.example.com', '--json']);
  assert.equal(JSON.parse(show.stdout).jobs[0].status.code, 'Paused');

  const restart = await cli(['config', 'restart', 'corp.example.com', '--reset-scope', 'Watermark, Full']);
  assert.equal(restart.code, 0, restart.stderr);
  const badScope = await cli(['config', 'restart', 'corp.example.com', '--reset-scope', 'Everything']);
  assert.equal(badScope.code, 1);
  assert.match(badScope.stderr, /'Everything' is not a synchronizationJobRestartScope flag/);

  const unknown = await cli(['config', 'show', 'nope.example.com']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^error ERR_SYNC_CONFIG_NOT_FOUND: no configuration named or with the id 'nope\.example\.com'/);
});

test('config schema export → edit → import; an invalid schema is refused with its path', async () => {
  const created = await cli(['config', 'create', '--domain', 'schema.example.com']);
  assert.equal(created.code, 0, created.stderr);
  const file = join(dir, 'schema.json');
  const exported = await cli(['config', 'schema', 'export', 'schema.example.com', '--file', file]);
  assert.equal(exported.code, 0, exported.stderr);
  const schema = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(schema['@odata.context'], undefined);
  const mapping = schema.synchronizationRules[0].objectMappings[0].attributeMappings.find((m: { targetAttributeName: string }) => m.targetAttributeName === 'companyName');
  mapping.source = { expression: '"Contoso Ltd"', name: 'Contoso Ltd', type: 'Constant', parameters: [] };
  await writeFile(file, JSON.stringify(schema));
  const imported = await cli(['config', 'schema', 'import', 'schema.example.com', file]);
  assert.equal(imported.code, 0, imported.stderr);
  const stdout = await cli(['config', 'schema', 'export', 'schema.example.com']);
  assert.match(stdout.stdout, /Contoso Ltd/);

  mapping.source = { expression: 'Join(', name: '', type: 'Function', parameters: [] };
  await writeFile(file, JSON.stringify(schema));
  const refused = await cli(['config', 'schema', 'import', 'schema.example.com', file]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /synchronizationRules\[0\]\.objectMappings\[0\]\.attributeMappings\[\d+\]/);
  await writeFile(file, '{not json');
  const notJson = await cli(['config', 'schema', 'import', 'schema.example.com', file]);
  assert.match(notJson.stderr, /^error ERR_CLI_FILE: cannot read the schema from .*: not JSON/);
});

test('config delete on a terminal asks first; anything but yes keeps the configuration', { skip: !hasScript() && 'script(1) (util-linux) is not installed' }, async () => {
  assert.equal((await cli(['config', 'create', '--domain', 'tty.example.com'])).code, 0);
  const keptRemove = await cli(['config', 'delete', 'tty.example.com', '--remove-objects'], 'n\n', { tty: true });
  assert.match(keptRemove.stdout, /Delete the configuration tty\.example\.com \([0-9a-f-]{36}\)\? The objects it synchronized are deleted from the cloud too\. \[y\/N\]/);
  assert.match(keptRemove.stdout, /not deleted/);
  const kept = await cli(['config', 'delete', 'tty.example.com'], 'n\n', { tty: true });
  assert.equal(kept.code, 0, kept.stdout + kept.stderr);
  assert.match(kept.stdout, /Delete the configuration tty\.example\.com \([0-9a-f-]{36}\)\? Synced objects stay in the cloud\. \[y\/N\]/);
  assert.match(kept.stdout, /not deleted/);
  assert.equal((await cli(['config', 'show', 'tty.example.com'])).code, 0, 'still there');
  const deleted = await cli(['config', 'delete', 'tty.example.com'], 'yes\n', { tty: true });
  assert.equal(deleted.code, 0, deleted.stdout + deleted.stderr);
  assert.match(deleted.stdout, /deleted tty\.example\.com/);
  assert.equal((await cli(['config', 'show', 'tty.example.com'])).code, 1);
});

test('config delete: refuses without --yes off a terminal (with or without --remove-objects), --yes deletes', async () => {
  const created = await cli(['config', 'create', '--domain', 'delete.example.com', '--json']);
  assert.equal(created.code, 0, created.stderr);

  const piped = await cli(['config', 'delete', 'delete.example.com'], 'y\n');
  assert.equal(piped.code, 1);
  assert.match(piped.stderr, /refusing to delete delete\.example\.com without --yes: stdin is not a terminal/);
  const pipedRemove = await cli(['config', 'delete', 'delete.example.com', '--remove-objects'], 'y\n');
  assert.equal(pipedRemove.code, 1);
  assert.match(pipedRemove.stderr, /refusing to delete delete\.example\.com without --yes/);
  assert.equal((await cli(['config', 'show', 'delete.example.com'])).code, 0, 'still there');

  const applicationsBefore = (await backend.directory.list(tenant.tenantId, 'application', { top: 999 })).items.length;
  const deleted = await cli(['config', 'delete', 'delete.example.com', '--yes']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /deleted delete\.example\.com; objects it synchronized stay in the cloud/);
  assert.equal((await cli(['config', 'show', 'delete.example.com'])).code, 1);
  assert.equal((await backend.directory.list(tenant.tenantId, 'application', { top: 999 })).items.length, applicationsBefore - 1, 'the application went too');
  // the domain can be configured again
  assert.equal((await cli(['config', 'create', '--domain', 'delete.example.com'])).code, 0);
});
