/**
 * The service as an operator runs it: `cloudsync tenant create` / `domain verify` on a data directory, then
 * `cloudsync server --embedded-agent …` as a child process, driven through its Graph API. What the scenarios
 * assert is read back through /v1.0 only, the way any Graph client sees the directory.
 *
 * The process can be stopped (SIGTERM, a clean shutdown) or killed (SIGKILL, a crash: no shutdown hook runs,
 * SQLite is left with whatever its WAL holds) and started again on the same data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { ServiceConnection } from '../../src/cli/service-connection.ts';
import type { SynchronizationStatus, SynchronizationTaskExecution } from '../../src/synchronization/index.ts';
import { CLI_MAIN, runCli } from '../cli/run-cli.ts';
import { track, untrack } from '../harness/server-process.ts';

export interface TenantCredentials {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A tenant on the data directory, with `domain` verified by the operator (UPN suffixes stay as in AD). */
export async function tenantWithDomain(data: string, name: string, domain: string): Promise<TenantCredentials> {
  const created = await runCli(['tenant', 'create', '--data', data, '--name', name, '--json']);
  assert.equal(created.code, 0, created.stderr);
  const tenant = JSON.parse(created.stdout) as TenantCredentials;
  const verified = await runCli(['domain', 'verify', '--data', data, '--tenant-id', tenant.tenantId, '--name', domain]);
  assert.equal(verified.code, 0, verified.stderr);
  return tenant;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait (a clean shutdown). */
  stop(): Promise<void>;
  /** SIGKILL and wait (a crash). */
  kill(): Promise<void>;
}

/** `cloudsync server --port 0 …args`, resolved once it listens (and, with --embedded-agent, announced its agent). */
export async function startService(args: readonly string[]): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [CLI_MAIN, 'server', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CLOUDSYNC_LOG_LEVEL: 'info' },
  });
  track(child);
  let seen = '';
  child.stderr!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  const agent = args.includes('--embedded-agent');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (\S+)/.exec(seen);
      if (match && (!agent || seen.includes('embedded agent for'))) resolve(match[1]!);
    });
    child.on('exit', (code, signal) => reject(new Error(`server exited ${code ?? signal}: ${seen}`)));
  });
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
    untrack(child);
  };
  return { child, url, output: () => seen, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

export function connect(service: ServiceProcess, tenant: TenantCredentials): ServiceConnection {
  return new ServiceConnection({ service: service.url, ...tenant });
}

/** A running service with an embedded agent for one AD domain, its tenant, and a configuration for the domain. */
export interface EmbeddedAgentService {
  readonly service: ServiceProcess;
  /** what started it: start it again on the same data directory with these (after a kill) */
  readonly args: readonly string[];
  readonly tenant: TenantCredentials;
  readonly api: ServiceConnection;
  readonly configuration: Configuration;
}

/**
 * `cloudsync server --embedded-agent` on a fresh data directory under `dir`, bound to `dc` with its password in a
 * 0600 file, a tenant `name` with `domain` verified, and the domain's configuration created through the API. The
 * interval is an hour: every cycle of a scenario is one it asks for.
 */
export async function embeddedAgentService(
  dc: { readonly url: string; readonly adminDn: string; readonly adminPassword: string },
  dir: string,
  name: string,
  domain: string,
): Promise<EmbeddedAgentService> {
  const data = join(dir, 'data');
  const passwordFile = join(dir, 'bind-password');
  await writeFile(passwordFile, `${dc.adminPassword}\n`, { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  const tenant = await tenantWithDomain(data, name, domain);
  const args = ['--data', data, '--sync-interval', 'PT1H', '--embedded-agent', '--domain', domain, '--ldap-url', dc.url, '--bind-dn', dc.adminDn, '--bind-password-file', passwordFile];
  const service = await startService(args);
  const api = connect(service, tenant);
  return { service, args, tenant, api, configuration: await createConfiguration(api, domain) };
}

/** Every item of a Graph collection, following @odata.nextLink. */
export async function listAll<T>(connection: ServiceConnection, path: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const page: { value: T[]; '@odata.nextLink'?: string } = await connection.request('GET', next);
    out.push(...page.value);
    const link = page['@odata.nextLink'];
    next = link === undefined ? undefined : new URL(link).pathname + new URL(link).search;
  }
  return out;
}

export interface Configuration {
  readonly servicePrincipalId: string;
  readonly jobId: string;
  readonly jobUrl: string;
}

/** A Cloud Sync configuration for `domain`, made through the Graph calls Microsoft documents (as `config create`). */
export async function createConfiguration(connection: ServiceConnection, domain: string, templateId = 'AD2AADProvisioning'): Promise<Configuration> {
  const instantiated = await connection.request<{ servicePrincipal: { id: string } }>('POST', '/v1.0/applicationTemplates/1a4721b3-e57f-4451-ae87-ef078703ec94/instantiate', {
    displayName: domain,
  });
  const sp = instantiated.servicePrincipal.id;
  const job = await connection.request<{ id: string }>('POST', `/v1.0/servicePrincipals/${sp}/synchronization/jobs`, { templateId });
  await connection.request('PUT', `/v1.0/servicePrincipals/${sp}/synchronization/secrets`, {
    value: [
      { key: 'Domain', value: JSON.stringify({ domain }) },
      { key: 'AppKey', value: JSON.stringify({ appKeyScenario: 'AD2AADProvisioning' }) },
    ],
  });
  return { servicePrincipalId: sp, jobId: job.id, jobUrl: `/v1.0/servicePrincipals/${sp}/synchronization/jobs/${job.id}` };
}

/** Graph's synchronizationTaskExecution and synchronizationStatus, as the API serves them. */
export type Execution = SynchronizationTaskExecution;
export type JobStatus = SynchronizationStatus;

export async function jobStatus(connection: ServiceConnection, configuration: Configuration): Promise<JobStatus> {
  return (await connection.request<{ status: JobStatus }>('GET', configuration.jobUrl)).status;
}

/** Waits for an execution that began at or after `since` (ms since the epoch) and returns it. */
export async function executionSince(connection: ServiceConnection, configuration: Configuration, since: number, timeoutMs = 120_000): Promise<Execution> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = (await jobStatus(connection, configuration)).lastExecution;
    if (execution !== null && Date.parse(execution.timeBegan) >= since) return execution;
    if (Date.now() > deadline) throw new Error(`no execution began after ${new Date(since).toISOString()} within ${timeoutMs} ms (last: ${JSON.stringify(execution)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Asks for a cycle now (POST …/start on an active job: Graph's "run now") and waits for it. `since` is taken
 * before the request, so a cycle already running when it arrives does not count: the request stays pending
 * for the next one (the scheduler acknowledges requests by their serial).
 */
export async function runCycle(connection: ServiceConnection, configuration: Configuration, verb: 'start' | 'restart' = 'start', body?: unknown): Promise<Execution> {
  const since = Date.now();
  await connection.request('POST', `${configuration.jobUrl}/${verb}`, body);
  return executionSince(connection, configuration, since);
}

/** The cloud directory as a Graph client sees it: users, groups with their members, contacts — by display name. */
export interface CloudState {
  /** `userPrincipalName|displayName|jobTitle|onPremisesDistinguishedName`, sorted; a duplicate shows as two lines */
  readonly users: string[];
  /** `displayName: member, member, …` (members by displayName, sorted), sorted */
  readonly groups: string[];
  /** contact display names, sorted */
  readonly contacts: string[];
  /** userPrincipalName → cloud id */
  readonly userIds: ReadonlyMap<string, string>;
}

interface GraphUser { id: string; userPrincipalName: string; displayName: string; jobTitle: string | null; onPremisesDistinguishedName: string | null }

export async function cloudState(connection: ServiceConnection): Promise<CloudState> {
  const users = await listAll<GraphUser>(connection, '/v1.0/users?$top=999&$select=id,userPrincipalName,displayName,jobTitle,onPremisesDistinguishedName');
  const groups = await listAll<{ id: string; displayName: string }>(connection, '/v1.0/groups?$top=999&$select=id,displayName');
  const contacts = await listAll<{ displayName: string }>(connection, '/v1.0/contacts?$top=999&$select=displayName');
  const groupLines: string[] = [];
  for (const group of groups) {
    const members = await listAll<{ displayName: string }>(connection, `/v1.0/groups/${group.id}/members?$top=999&$select=displayName`);
    groupLines.push(`${group.displayName}: ${members.map((m) => m.displayName).sort().join(', ')}`);
  }
  return {
    users: users.map((u) => `${u.userPrincipalName}|${u.displayName}|${u.jobTitle ?? ''}|${u.onPremisesDistinguishedName ?? ''}`).sort(),
    groups: groupLines.sort(),
    contacts: contacts.map((c) => c.displayName).sort(),
    userIds: new Map(users.map((u) => [u.userPrincipalName, u.id])),
  };
}

/** Deleted items (soft-deleted users), by userPrincipalName → id. */
export async function deletedUsers(connection: ServiceConnection): Promise<Map<string, string>> {
  const items = await listAll<{ id: string; userPrincipalName: string }>(connection, '/v1.0/directory/deletedItems/microsoft.graph.user?$top=999&$select=id,userPrincipalName');
  return new Map(items.map((u) => [u.userPrincipalName, u.id]));
}
