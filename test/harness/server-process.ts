/**
 * What every throwaway server the tests start (slapd, samba, postgres) needs from its parent: a free loopback
 * port, its whole process group killed however the test process ends, and leftovers of test processes that were
 * SIGKILLed swept away before the next start — otherwise a dead run's servers keep holding ports and addresses.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A zombie (killed, not yet reaped) counts as dead. */
export function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); } catch { return true; }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Kills `child`'s process group when this process exits, until `untrack`. Servers are spawned `detached` so they
 * lead their own group: samba forks workers that would otherwise outlive a killed parent.
 */
export function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of running) {
        try { if (c.pid) process.kill(-c.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    });
  }
  running.add(child);
}

export function untrack(child: ChildProcess): void {
  running.delete(child);
}

/** SIGTERM to the group, SIGKILL after 3 s; resolves once the leader exited. */
export async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Kills and removes server directories `<tmpdir>/<prefix>XXXXXX` whose owning test process (owner.pid) died
 * without stop(). The server's pid (from `pidFile` inside the dir) is only trusted if that process's working
 * directory is the server dir — pids get reused, and samba rewrites its command line (setproctitle).
 */
export function sweepAbandoned(prefix: string, pidFile: string, signalGroup: boolean): void {
  const pattern = new RegExp(`^${prefix}[A-Za-z0-9]{6}$`);
  for (const name of readdirSync(tmpdir())) {
    if (!pattern.test(name)) continue;
    const dir = join(tmpdir(), name);
    let owner = 0;
    try { owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8')); } catch { continue; }
    if (!owner || pidAlive(owner)) continue;
    try {
      const pid = Number(readFileSync(join(dir, pidFile), 'utf8').trim());
      if (pid && readlinkSync(`/proc/${pid}/cwd`) === dir) process.kill(signalGroup ? -pid : pid, 'SIGKILL');
    } catch { /* not running */ }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Retries a simple bind until the server answers, it exits, or the timeout passes (then the log tail explains). */
export async function waitForLdapBind(
  url: string,
  bindDn: string,
  password: string,
  child: ChildProcess,
  timeoutMs: number,
  logTail: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    const client = new Client({ url, connectTimeout: 1000, timeout: 2000 });
    try {
      await client.bind(bindDn, password);
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await client.unbind().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no LDAP answer on ${url} (${String(lastError)}); log tail:\n${logTail()}`);
}
