/**
 * A real PostgreSQL for tests and benchmarks.
 *
 * With CLOUDSYNC_TEST_DATABASE_URL set (a URL of a role allowed to CREATE DATABASE), that server is used.
 * Otherwise one throwaway server per process: Debian's initdb into a temp dir, listening on 127.0.0.1 only on a
 * free port, trust auth, fsync off (throwaway data). initdb refuses to run as root, so as root both initdb and
 * postgres run as the `postgres` user. `createTestDatabase()` gives every suite a fresh database;
 * `stopPostgres()` (also attempted at process exit) stops the server and removes its directory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './server-process.ts';

interface RunningServer {
  readonly adminUrl: string;
  readonly child?: ChildProcess;
  readonly dir?: string;
  readonly lastResort?: () => void;
}

let running: Promise<RunningServer> | undefined;
let counter = 0;

/** Synchronous clean-ups of servers still running when the process exits or is killed. */
const lastResorts = new Set<() => void>();
let handlersInstalled = false;

function registerLastResort(cleanup: () => void): void {
  lastResorts.add(cleanup);
  if (handlersInstalled) return;
  handlersInstalled = true;
  const runAll = () => {
    for (const fn of lastResorts) fn();
    lastResorts.clear();
  };
  process.once('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Clean up, then die of the same signal as we would have without this handler (a test runner's timeout
    // kills test processes with SIGTERM, and must not leave a server behind).
    const onSignal = () => {
      runAll();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function findPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions[0];
  if (version === undefined) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). Run: apt-get install -y postgresql ' +
        '(or set CLOUDSYNC_TEST_DATABASE_URL to a server the tests may create databases on)',
    );
  }
  return join(root, version, 'bin');
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, but there is no `postgres` user to run initdb as (apt-get install -y postgresql creates it)');
  }
}

async function waitForReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) before accepting connections:\n${log()}`);
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`postgres did not accept connections within ${timeoutMs} ms (${String(lastError)}):\n${log()}`);
}

async function startServer(): Promise<RunningServer> {
  const external = process.env['CLOUDSYNC_TEST_DATABASE_URL'];
  if (external !== undefined && external !== '') return { adminUrl: external };

  const bin = findPostgresBin();
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-pg-'));
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const dataDir = join(dir, 'data');
  let child: ChildProcess | undefined;
  const lastResort = () => {
    // When a suite forgot stopPostgres() or the process is being killed: synchronous, so only a kill and a
    // best-effort removal.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  registerLastResort(lastResort);
  const ids = user === undefined ? {} : { uid: user.uid, gid: user.gid };
  try {
    execFileSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync'], {
      ...ids,
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr || (error as Error).message}`);
  }
  const port = await freePort();
  let output = '';
  child = spawn(
    join(bin, 'postgres'),
    [
      '-D', dataDir,
      '-p', String(port),
      '-k', dir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ],
    { ...ids, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitForReady(adminUrl, child, () => output, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  return { adminUrl, child, dir, lastResort };
}

/** The server (started on first call; one per process). */
export function ensurePostgres(): Promise<RunningServer> {
  running ??= startServer();
  return running;
}

/** A fresh, empty database on the test server; returns its URL. */
export async function createTestDatabase(prefix = 'cloudsync_test'): Promise<string> {
  const { adminUrl } = await ensurePostgres();
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Stops the server started by this process (a configured external one is left alone) and removes its files. */
export async function stopPostgres(): Promise<void> {
  if (running === undefined) return;
  const server = await running.catch(() => undefined);
  running = undefined;
  if (server?.child === undefined) return;
  const child = server.child;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT'); // fast shutdown: disconnects clients and exits
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (server.dir !== undefined) rmSync(server.dir, { recursive: true, force: true });
  if (server.lastResort !== undefined) lastResorts.delete(server.lastResort);
}
