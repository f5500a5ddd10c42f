/**
 * `cloudsync logs` spawned as a process against a real API (SQLite, listening on 127.0.0.1) whose provisioning
 * log real scheduler cycles filled: the listing, --status/--action/--config, --json, refusals in one line, and
 * --follow printing the entries of a later cycle as it writes them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import type { CreatedTenant } from '../../src/directory/index.ts';
import { SqlDirectoryAuditLog, SqlProvisioningLog } from '../../src/provisioning-logs/index.ts';
import { createJobScheduler, createSynchronizationStore, type JobScheduler } from '../../src/synchronization/index.ts';
import { defaultBackend, openDirectory, type DirectoryBackend } from '../api/api-harness.ts';
import { MemorySource } from '../engine/memory-source.ts';
import { CLI_MAIN, runCli, type CliRun } from './run-cli.ts';

const OU = 'OU=Staff,DC=corp,DC=example,DC=com';

let dir: string;
let backend: DirectoryBackend;
let app: FastifyInstance;
let scheduler: JobScheduler;
let url: string;
let tenant: CreatedTenant;
const source = new MemorySource();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudsync-logs-cli-'));
  backend = await openDirectory(defaultBackend());
  const synchronization = createSynchronizationStore(backend.store, backend.directory, { secretsKey: randomBytes(32) });
  const provisioning = new SqlProvisioningLog(backend.store);
  app = buildApp({
    directory: backend.directory,
    signingKey: await backend.directory.getOrCreateSigningKey(),
    synchronization,
    auditLogs: { provisioning, directoryAudits: new SqlDirectoryAuditLog(backend.store) },
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  scheduler = createJobScheduler({
    port: synchronization,
    directory: backend.directory,
    store: backend.store,
    log: provisioning,
    connectors: { connectorFor: () => ({ source, netBiosName: 'CORP' }) },
    onError: (error) => assert.fail(error as Error),
  });
  tenant = await backend.directory.createTenant({ name: `logscli${Math.floor(Math.random() * 1e9)}` });
});

after(async () => {
  await scheduler.stop();
  await app.close();
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

function env(credentials: { clientId: string; clientSecret: string } = tenant): Record<string, string> {
  return {
    CLOUDSYNC_SERVICE: url,
    CLOUDSYNC_TENANT_ID: tenant.tenantId,
    CLOUDSYNC_CLIENT_ID: credentials.clientId,
    CLOUDSYNC_CLIENT_SECRET: credentials.clientSecret,
    CLOUDSYNC_CREDENTIALS_FILE: join(dir, 'no-credentials.json'),
  };
}

function cli(args: readonly string[]): Promise<CliRun> {
  return runCli(args, { env: env() });
}

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
  return run;
}

function person(nick: string, upn = `${nick}@corp.example.com`) {
  return { cn: nick, displayName: nick, sAMAccountName: nick, userPrincipalName: upn };
}

test('cloudsync logs: entries oldest first, filters, JSON, refusals, --follow', async () => {
  ok(await cli(['config', 'create', '--domain', 'corp.example.com']));
  ok(await cli(['config', 'start', 'corp.example.com']));
  for (const nick of ['ann', 'bob', 'cyd']) source.add('user', `CN=${nick},${OU}`, person(nick));
  source.add('user', `CN=bob2,${OU}`, person('bob2', 'bob@corp.example.com'));
  await scheduler.tick();

  const listing = ok(await cli(['logs'])).stdout;
  const entryLines = listing.split('\n').filter((line) => /^\d{4}-/.test(line));
  assert.equal(entryLines.length, 4, listing);
  for (const nick of ['ann', 'bob', 'cyd']) assert.ok(entryLines.some((line) => line.includes(`create       success  user CN=${nick},${OU} → user `)), listing);
  assert.match(listing, new RegExp(`create +failure +user CN=bob2,${OU}\\n {4}ERR_DIR_UPN_CONFLICT: .+\\n {4}what to do: Another cloud object already has this userPrincipalName`));
  const times = entryLines.map((line) => line.slice(0, 24));
  assert.deepEqual(times, [...times].sort(), 'oldest first');

  const failures = ok(await cli(['logs', '--status', 'Failure'])).stdout;
  assert.equal(failures.split('\n').filter((line) => /^\d{4}-/.test(line)).length, 1);
  assert.match(failures, /CN=bob2/);

  const json = ok(await cli(['logs', '--json', '--config', 'corp.example.com', '--action', 'create', '--top', '3'])).stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(json.length, 3, 'the newest 3');
  assert.ok(json.every((entry) => entry.provisioningAction === 'create' && typeof entry.provisioningStatusInfo.status === 'string'));

  for (const [args, pattern] of [
    [['logs', '--status', 'broken'], /^error ERR_CLI_USAGE: --status broken: expected one of success, failure, skipped, warning\n$/],
    [['logs', '--top', '0'], /^error ERR_CLI_USAGE: --top 0: expected a whole number from 1 to 999\n$/],
    [['logs', '--config', 'nowhere.example.com'], /^error ERR_SYNC_CONFIG_NOT_FOUND: no configuration named or with the id 'nowhere\.example\.com'/],
  ] as const) {
    const run = await cli(args);
    assert.equal(run.code, 1);
    assert.match(run.stderr, pattern);
  }
  const admin = (await backend.directory.list(tenant.tenantId, 'application', { top: 999 })).items.find((a) => a.appId === tenant.clientId)!;
  const syncOnly = await backend.directory.addClientSecret(tenant.tenantId, admin.id, ['Synchronization.ReadWrite.All']);
  const denied = await runCli(['logs'], { env: env(syncOnly) });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /^error ERR_AUTH_FORBIDDEN: .*AuditLog\.Read\.All/);
  assert.equal(denied.stderr.trim().split('\n').length, 1, 'one line, no stack trace');

  // --follow: the listing, then the next cycle's entries as they are written.
  const follower = spawn(process.execPath, [CLI_MAIN, 'logs', '--follow', '--interval', '1', '--action', 'update'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
  let followed = '';
  follower.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
  follower.stderr.on('data', (chunk: Buffer) => (followed += chunk.toString()));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(followed, '', 'no update yet');
    source.modify(`CN=ann,${OU}`, { displayName: 'Ann Arbor' });
    ok(await cli(['config', 'start', 'corp.example.com'])); // due now
    await scheduler.tick();
    for (let attempt = 0; attempt < 40 && !followed.includes('\n'); attempt++) await new Promise((resolve) => setTimeout(resolve, 250));
    assert.match(followed, new RegExp(`^\\d{4}-\\S+ +update +success +user CN=ann,${OU} → user \\S+ \\(displayName\\)\\n$`));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(followed.split('\n').filter((line) => line !== '').length, 1, 'printed once, not at every poll');
  } finally {
    const exited = once(follower, 'exit');
    follower.kill('SIGTERM');
    await exited;
  }
});
