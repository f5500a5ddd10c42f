/**
 * The service and its agents as separate processes, as they run in production: `cloudsync server` and
 * `cloudsync agent` children of the test, each in its own process group (killed however the test ends), their output
 * collected for assertions (what was logged, and what must never be).
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_MAIN, runCli } from '../cli/run-cli.ts';
import { killGroup, track, untrack } from '../harness/server-process.ts';

export interface RunningProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when the output matches, rejects when the process exits first or the timeout passes. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited(): Promise<number | null>;
  /** SIGTERM (then SIGKILL after 3 s) to the whole group. */
  stop(): Promise<void>;
  /** SIGKILL now: a crash, no cleanup. */
  kill(): Promise<void>;
}

function startProcess(args: readonly string[], env: Readonly<Record<string, string>>): RunningProcess {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLOUDSYNC_LOG_LEVEL: 'info', ...env }, detached: true });
  track(child);
  let seen = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    seen += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = once(child, 'exit').then(([code]) => {
    untrack(child);
    for (const listener of listeners) listener();
    return code as number | null;
  });
  return {
    child,
    output: () => seen,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(seen);
          if (match) return done(() => resolve(match));
          if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${seen.slice(-4000)}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${seen.slice(-4000)}`))), timeoutMs);
        const done = (settle: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    exited: () => exit,
    stop: () => killGroup(child),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
      await exit;
    },
  };
}

export async function startService(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<RunningProcess & { readonly url: string }> {
  const service = startProcess(['server', ...args], env);
  const [, url] = await service.waitFor(/listening on (\S+)/, 60_000);
  return Object.assign(service, { url: url! });
}

export function startAgent(args: readonly string[], env: Readonly<Record<string, string>> = {}): RunningProcess {
  return startProcess(['agent', ...args], env);
}

/** A tenant made with `cloudsync tenant create`, and the environment the management CLI commands need. */
export async function createTenant(dataDir: string, name: string): Promise<{ tenantId: string; clientId: string; clientSecret: string }> {
  const created = await runCli(['tenant', 'create', '--name', name, '--data', dataDir, '--json']);
  if (created.code !== 0) throw new Error(`tenant create failed: ${created.stderr}`);
  return JSON.parse(created.stdout) as { tenantId: string; clientId: string; clientSecret: string };
}

export function cliEnvironment(serviceUrl: string, tenant: { tenantId: string; clientId: string; clientSecret: string }, credentialsFile: string): Record<string, string> {
  return {
    CLOUDSYNC_SERVICE: serviceUrl,
    CLOUDSYNC_TENANT_ID: tenant.tenantId,
    CLOUDSYNC_CLIENT_ID: tenant.clientId,
    CLOUDSYNC_CLIENT_SECRET: tenant.clientSecret,
    CLOUDSYNC_CREDENTIALS_FILE: credentialsFile,
  };
}

/** Calls the service's API as the tenant's client (client credentials → bearer token). */
export async function graph<T>(serviceUrl: string, tenant: { tenantId: string; clientId: string; clientSecret: string }, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const tokenAnswer = await fetch(`${serviceUrl}/${tenant.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: tenant.clientId, client_secret: tenant.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  const response = await fetch(`${serviceUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** Every object of a Graph collection, following @odata.nextLink. */
export async function listAll<T>(serviceUrl: string, tenant: { tenantId: string; clientId: string; clientSecret: string }, path: string): Promise<T[]> {
  const found: T[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const page: { status: number; body: { value: T[]; '@odata.nextLink'?: string } } = await graph(serviceUrl, tenant, 'GET', next);
    if (page.status !== 200) throw new Error(`GET ${next}: ${page.status} ${JSON.stringify(page.body)}`);
    found.push(...page.body.value);
    const link = page.body['@odata.nextLink'];
    next = link === undefined ? undefined : link.slice(new URL(link).origin.length);
  }
  return found;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}`);
}

/** A temporary directory for one test file, and the processes it started: all killed and removed after the file. */
export function testWorkspace(prefix: string): { dir: () => string; processes: RunningProcess[] } {
  // Made now, not in a before hook: the file's own before hooks may need it.
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const processes: RunningProcess[] = [];
  after(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await rm(dir, { recursive: true, force: true });
  });
  return { dir: () => dir, processes };
}

export interface Execution {
  readonly state: string;
  readonly timeBegan: string;
  readonly timeEnded: string;
  readonly countImported: number;
  readonly countExported: number;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** The management CLI as the tenant's admin: any command (must succeed), the job's last execution, a new token. */
export function adminCli(env: Readonly<Record<string, string>>, domain: string): {
  cli(args: readonly string[]): Promise<string>;
  lastExecution(): Promise<Execution | null>;
  registrationToken(): Promise<string>;
} {
  const cli = async (args: readonly string[]): Promise<string> => {
    const run = await runCli(args, { env });
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  };
  return {
    cli,
    lastExecution: async () => (JSON.parse(await cli(['config', 'show', domain, '--json'])) as { jobs: { status: { lastExecution: Execution | null } }[] }).jobs[0]!.status.lastExecution,
    registrationToken: async () => (JSON.parse(await cli(['agent', 'token', 'create', '--json'])) as { token: string }).token,
  };
}
