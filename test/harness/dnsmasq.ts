/**
 * A throwaway DNS server for tests: Debian's dnsmasq (package dnsmasq-base) on 127.0.0.1 and a free port, serving
 * the TXT records a test gives it and answering NXDOMAIN for every other name under the zones it is told are its
 * own (`--local=/zone/`; by default `example`, reserved by RFC 2606). It asks no upstream server and reads neither
 * /etc/resolv.conf nor /etc/hosts, so answers never depend on the machine.
 *
 * dnsmasq cannot reload TXT records, so `setRecords` restarts it on the same port. `stop()` kills its process group
 * and removes its directory; a test process that dies first leaves them to the next start's sweep.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killGroup, sweepAbandoned, track, untrack } from './server-process.ts';

const DNSMASQ = '/usr/sbin/dnsmasq';

export interface TxtRecord {
  readonly label: string;
  readonly text: string;
}

export interface DnsmasqServer {
  /** `127.0.0.1:PORT`, as Node's Resolver.setServers and `--dns-server` take it. */
  readonly server: string;
  readonly port: number;
  /** Replaces the served records (restarts dnsmasq on the same port). */
  setRecords(records: readonly TxtRecord[]): Promise<void>;
  stop(): Promise<void>;
}

export function dnsmasqUnavailableReason(): string | undefined {
  if (spawnSync('sh', ['-c', `command -v ${DNSMASQ}`]).status !== 0) return `${DNSMASQ} is not installed (run: node scripts/system-packages.ts)`;
  return undefined;
}

/** dnsmasq splits a --txt-record value at commas into several strings; a test record must be one string. */
function txtArgument(record: TxtRecord): string {
  if (/[,\s"\\]/.test(record.text) || /[,\s]/.test(record.label)) throw new TypeError(`the harness cannot serve ${JSON.stringify(record)}`);
  return `--txt-record=${record.label},${record.text}`;
}

async function answers(server: string): Promise<boolean> {
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([server]);
  try {
    await resolver.resolveTxt('harness-probe.example');
    return true;
  } catch (error) {
    // NXDOMAIN from our own zone means it is up; a refused or unanswered query means not yet.
    return (error as NodeJS.ErrnoException).code === 'ENOTFOUND';
  }
}

export async function startDnsmasq(options: { records?: readonly TxtRecord[]; zones?: readonly string[] } = {}): Promise<DnsmasqServer> {
  const unavailable = dnsmasqUnavailableReason();
  if (unavailable) throw new Error(unavailable);
  sweepAbandoned('cloudsync-dnsmasq-', 'dnsmasq.pid', false);
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-dnsmasq-'));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const zones = options.zones ?? ['example'];
  const conf = join(dir, 'dnsmasq.conf');
  writeFileSync(conf, zones.map((zone) => `local=/${zone}/\n`).join(''));
  const user = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();

  let child: ChildProcess | undefined;
  let port = 0;

  async function launch(records: readonly TxtRecord[], chosenPort: number): Promise<boolean> {
    const logFd = openSync(join(dir, 'dnsmasq.log'), 'a');
    const proc = spawn(
      DNSMASQ,
      [
        '--no-daemon',
        `--port=${chosenPort}`,
        '--listen-address=127.0.0.1',
        '--bind-interfaces',
        '--no-resolv',
        '--no-hosts',
        `--conf-file=${conf}`,
        `--pid-file=${join(dir, 'dnsmasq.pid')}`,
        // As root it would switch to "nobody"; staying the current user keeps its files ours to clean up.
        `--user=${user}`,
        ...records.map(txtArgument),
      ],
      { cwd: dir, detached: true, stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    track(proc);
    child = proc;
    const server = `127.0.0.1:${chosenPort}`;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) return false;
      if (await answers(server)) return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`dnsmasq did not answer on ${server}:\n${readFileSync(join(dir, 'dnsmasq.log'), 'utf8').slice(-2000)}`);
  }

  async function halt(): Promise<void> {
    if (child === undefined) return;
    await killGroup(child);
    untrack(child);
    child = undefined;
  }

  try {
    // The free port is probed over TCP; dnsmasq also needs it on UDP, so another process may hold it: try again.
    for (let attempt = 0; ; attempt += 1) {
      port = await freePort();
      if (await launch(options.records ?? [], port)) break;
      await halt();
      if (attempt === 4) throw new Error(`dnsmasq would not start:\n${readFileSync(join(dir, 'dnsmasq.log'), 'utf8').slice(-2000)}`);
    }
  } catch (error) {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  return {
    server: `127.0.0.1:${port}`,
    port,
    async setRecords(records) {
      await halt();
      for (let attempt = 0; ; attempt += 1) {
        if (await launch(records, port)) return;
        await halt();
        if (attempt === 10) throw new Error(`dnsmasq would not restart on port ${port}:\n${readFileSync(join(dir, 'dnsmasq.log'), 'utf8').slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
