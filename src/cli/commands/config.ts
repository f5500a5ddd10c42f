/**
 * `cloudsync config …`: synchronization configurations over the service's Graph synchronization API — the same
 * calls Microsoft documents for Cloud Sync, so what the CLI does a script can do too:
 *
 *   create      POST /applicationTemplates/{id}/instantiate → POST …/synchronization/jobs → PUT …/secrets
 *   list/show   GET /servicePrincipals, GET …/jobs
 *   start/pause/restart, set-interval (PATCH schedule.interval), schema export/import (GET/PUT …/schema)
 *   delete      DELETE …/jobs/{id}, DELETE /servicePrincipals/{id}, DELETE /applications/{id}; --remove-objects pauses
 *               the job and deletes it with ?removeObjects=true (the service soft-deletes what the job synchronized)
 *
 * A configuration is named by its service principal id or its display name (the AD domain unless --name was
 * given at creation).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { CloudsyncError } from '../../errors/index.ts';
import { resolveServiceCredentials, ServiceConnection, type ServiceFlags } from '../service-connection.ts';

const APPLICATION_TEMPLATE_ID = '1a4721b3-e57f-4451-ae87-ef078703ec94';
const DEFAULT_JOB_TEMPLATE = 'AD2AADProvisioning';

interface ServicePrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
}

interface Execution {
  readonly state: string;
  readonly timeBegan: string;
  readonly timeEnded: string;
  readonly countImported: number;
  readonly countExported: number;
  readonly countEscrowed: number;
  readonly error: { readonly code: string; readonly message: string } | null;
}

interface Job {
  readonly id: string;
  readonly templateId: string;
  readonly schedule: { readonly interval: string; readonly state: string; readonly expiration: string | null };
  readonly status: {
    readonly code: string;
    readonly lastExecution: Execution | null;
    readonly lastSuccessfulExecution: Execution | null;
    readonly quarantine: {
      readonly reason: string; readonly nextAttempt: string; readonly currentBegan: string;
      readonly error: { readonly code: string; readonly message: string } | null;
    } | null;
    readonly progress: readonly { readonly completedUnits: number; readonly totalUnits: number; readonly units: string }[];
    readonly synchronizedEntryCountByType: readonly { readonly key: string; readonly value: number }[];
    readonly steadyStateFirstAchievedTime: string;
  };
}

interface Configuration {
  readonly servicePrincipal: ServicePrincipal;
  readonly jobs: readonly Job[];
}

export function withServiceOptions(command: Command): Command {
  return command
    .option('--service <url>', 'service URL (env CLOUDSYNC_SERVICE; default: from cloudsync login)')
    .option('--tenant-id <id>', 'tenant id (env CLOUDSYNC_TENANT_ID)')
    .option('--client-id <id>', 'application (client) id (env CLOUDSYNC_CLIENT_ID)')
    .option('--client-secret-file <file>', 'file holding the client secret (env CLOUDSYNC_CLIENT_SECRET)');
}

export async function connect(flags: ServiceFlags): Promise<ServiceConnection> {
  return new ServiceConnection(await resolveServiceCredentials(flags));
}

function jobsUrl(servicePrincipalId: string): string {
  return `/v1.0/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/synchronization/jobs`;
}

function jobUrl(servicePrincipalId: string, jobId: string): string {
  return `${jobsUrl(servicePrincipalId)}/${encodeURIComponent(jobId)}`;
}

export async function resolveConfiguration(connection: ServiceConnection, name: string): Promise<Configuration> {
  const { value } = await connection.request<{ value: ServicePrincipal[] }>('GET', '/v1.0/servicePrincipals');
  const byId = value.filter((principal) => principal.id === name);
  const matches = byId.length > 0 ? byId : value.filter((principal) => principal.displayName.toLowerCase() === name.toLowerCase());
  if (matches.length === 0) {
    throw new CloudsyncError('ERR_SYNC_CONFIG_NOT_FOUND', `no configuration named or with the id '${name}'; run cloudsync config list`, { path: 'configuration' });
  }
  if (matches.length > 1) {
    throw new CloudsyncError('ERR_CLI_USAGE', `'${name}' names ${matches.length} configurations (${matches.map((m) => m.id).join(', ')}); give the service principal id`, {
      path: 'configuration',
    });
  }
  const servicePrincipal = matches[0]!;
  const jobs = await connection.request<{ value: Job[] }>('GET', jobsUrl(servicePrincipal.id));
  return { servicePrincipal, jobs: jobs.value };
}

function theJob(configuration: Configuration): Job {
  const job = configuration.jobs[0];
  if (job === undefined) {
    throw new CloudsyncError('ERR_SYNC_CONFIG_NOT_READY', `the configuration '${configuration.servicePrincipal.displayName}' has no job; create one with POST ${jobsUrl(configuration.servicePrincipal.id)}`);
  }
  return job;
}

function describeExecution(label: string, execution: Execution | null): string {
  if (execution === null) return `  ${label}: never\n`;
  const error = execution.error === null ? '' : ` — ${execution.error.code}: ${execution.error.message}`;
  return `  ${label}: ${execution.state} ${execution.timeBegan} → ${execution.timeEnded} (imported ${execution.countImported}, exported ${execution.countExported}, escrowed ${execution.countEscrowed})${error}\n`;
}

function describeConfiguration(configuration: Configuration): string {
  const { servicePrincipal } = configuration;
  let text = `${servicePrincipal.displayName}\n  service principal: ${servicePrincipal.id}\n  application (client) id: ${servicePrincipal.appId}\n`;
  if (configuration.jobs.length === 0) text += '  no job\n';
  for (const job of configuration.jobs) {
    text += `  job: ${job.id}\n  schedule: ${job.schedule.state}, every ${job.schedule.interval}\n  status: ${job.status.code}\n`;
    const quarantine = job.status.quarantine;
    if (quarantine !== null) {
      text += `  quarantine: ${quarantine.reason} since ${quarantine.currentBegan}, next attempt ${quarantine.nextAttempt}` +
        `${quarantine.error === null ? '' : ` — ${quarantine.error.code}: ${quarantine.error.message}`}\n`;
    }
    text += describeExecution('last execution', job.status.lastExecution);
    text += describeExecution('last successful execution', job.status.lastSuccessfulExecution);
    for (const progress of job.status.progress) text += `  progress: ${progress.completedUnits}/${progress.totalUnits} ${progress.units}\n`;
    for (const count of job.status.synchronizedEntryCountByType) text += `  synchronized ${count.key}: ${count.value}\n`;
  }
  return text;
}

/** The application behind a service principal, by appId (the directory's filter, else a scan of the pages). */
async function applicationIdOf(connection: ServiceConnection, appId: string): Promise<string | undefined> {
  try {
    const filtered = await connection.request<{ value: { id: string; appId: string }[] }>('GET', `/v1.0/applications?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`);
    return filtered.value.find((application) => application.appId === appId)?.id;
  } catch {
    let next: string | undefined = '/v1.0/applications?$top=999';
    while (next !== undefined) {
      const page: { value: { id: string; appId: string }[]; '@odata.nextLink'?: string } = await connection.request('GET', next);
      const found = page.value.find((application) => application.appId === appId);
      if (found) return found.id;
      next = page['@odata.nextLink'] === undefined ? undefined : new URL(page['@odata.nextLink']).pathname + new URL(page['@odata.nextLink']).search;
    }
    return undefined;
  }
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

type Flags = ServiceFlags & Record<string, unknown>;

export function configCommand(): Command {
  const config = new Command('config').description('synchronization configurations (AD domain → cloud) over the Graph synchronization API');

  withServiceOptions(config.command('create'))
    .description('create a configuration: application + service principal, an AD2AADProvisioning (or --template) job and its Domain/AppKey secrets')
    .requiredOption('--domain <domain>', 'the AD domain to synchronize, e.g. corp.example.com (one configuration per domain)')
    .option('--password-hash-sync', 'also synchronize password hashes (stored with the configuration)')
    .option('--name <name>', 'display name of the configuration (default: the domain)')
    .option('--template <id>', 'synchronization template of the job: AD2AADProvisioning, or LDAP2AADProvisioning for a generic LDAP source (cloudsync server --source-type ldap)', DEFAULT_JOB_TEMPLATE)
    .option('--json', 'print {"servicePrincipalId","applicationId","jobId"} as JSON')
    .action(async (options: Flags & { domain: string; passwordHashSync?: boolean; name?: string; template: string; json?: boolean }) => {
      const connection = await connect(options);
      const created = await connection.request<{ application: { id: string }; servicePrincipal: ServicePrincipal }>(
        'POST',
        `/v1.0/applicationTemplates/${APPLICATION_TEMPLATE_ID}/instantiate`,
        { displayName: options.name ?? options.domain },
      );
      const servicePrincipalId = created.servicePrincipal.id;
      let job: Job;
      try {
        job = await connection.request<Job>('POST', jobsUrl(servicePrincipalId), { templateId: options.template });
        await connection.request('PUT', `/v1.0/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/synchronization/secrets`, {
          value: [
            { key: 'Domain', value: JSON.stringify({ domain: options.domain }) },
            { key: 'AppKey', value: JSON.stringify({ appKeyScenario: options.passwordHashSync === true ? 'AD2AADPasswordHash' : 'AD2AADProvisioning' }) },
          ],
        });
      } catch (error) {
        // Nothing half-made stays behind: the principal (and its job) and the application go again.
        await connection.request('DELETE', `/v1.0/servicePrincipals/${encodeURIComponent(servicePrincipalId)}`).catch(() => {});
        await connection.request('DELETE', `/v1.0/applications/${encodeURIComponent(created.application.id)}`).catch(() => {});
        throw error;
      }
      const result = { servicePrincipalId, applicationId: created.application.id, jobId: job.id };
      if (options.json === true) {
        process.stdout.write(JSON.stringify(result) + '\n');
      } else {
        process.stdout.write(
          `configuration ${options.name ?? options.domain} created (disabled)\n  service principal: ${servicePrincipalId}\n  job: ${job.id}\n` +
            `  password hash sync: ${options.passwordHashSync === true ? 'on' : 'off'}\n` +
            `Start it with: cloudsync config start ${servicePrincipalId}\n`,
        );
      }
    });

  withServiceOptions(config.command('list'))
    .description('list configurations with their job state')
    .option('--json', 'print the service principals with their jobs as JSON')
    .action(async (options: Flags & { json?: boolean }) => {
      const connection = await connect(options);
      const { value } = await connection.request<{ value: ServicePrincipal[] }>('GET', '/v1.0/servicePrincipals');
      const configurations: Configuration[] = [];
      for (const servicePrincipal of value) {
        configurations.push({ servicePrincipal, jobs: (await connection.request<{ value: Job[] }>('GET', jobsUrl(servicePrincipal.id))).value });
      }
      if (options.json === true) {
        process.stdout.write(JSON.stringify(configurations, null, 2) + '\n');
        return;
      }
      if (configurations.length === 0) {
        process.stdout.write('no configurations; create one with cloudsync config create --domain <AD domain>\n');
        return;
      }
      for (const { servicePrincipal, jobs } of configurations) {
        const job = jobs[0];
        const state = job === undefined ? 'no job' : `${job.status.code}, every ${job.schedule.interval}`;
        process.stdout.write(`${servicePrincipal.id}  ${servicePrincipal.displayName}  ${state}\n`);
      }
    });

  withServiceOptions(config.command('show'))
    .description('show a configuration: schedule, status, last executions, progress, counts')
    .argument('<configuration>', 'service principal id or display name')
    .option('--json', 'print the service principal and its jobs as Graph JSON')
    .action(async (name: string, options: Flags & { json?: boolean }) => {
      const configuration = await resolveConfiguration(await connect(options), name);
      process.stdout.write(options.json === true ? JSON.stringify(configuration, null, 2) + '\n' : describeConfiguration(configuration));
    });

  for (const [verb, description] of [
    ['start', 'start (or resume) the job; clears a quarantine'],
    ['pause', 'pause the job; its state is kept and start resumes it'],
  ] as const) {
    withServiceOptions(config.command(verb))
      .description(description)
      .argument('<configuration>', 'service principal id or display name')
      .action(async (name: string, options: Flags) => {
        const connection = await connect(options);
        const configuration = await resolveConfiguration(connection, name);
        const job = theJob(configuration);
        await connection.request('POST', `${jobUrl(configuration.servicePrincipal.id, job.id)}/${verb}`);
        process.stdout.write(`${verb === 'start' ? 'started' : 'paused'} ${configuration.servicePrincipal.displayName} (${job.id})\n`);
      });
  }

  withServiceOptions(config.command('restart'))
    .description('restart the job: clear state and re-evaluate (default scope Watermark, Escrows, QuarantineState)')
    .argument('<configuration>', 'service principal id or display name')
    .option('--reset-scope <flags>', 'comma-separated: Watermark, Escrows, QuarantineState, Full, ForceDeletes')
    .action(async (name: string, options: Flags & { resetScope?: string }) => {
      const connection = await connect(options);
      const configuration = await resolveConfiguration(connection, name);
      const job = theJob(configuration);
      await connection.request('POST', `${jobUrl(configuration.servicePrincipal.id, job.id)}/restart`, options.resetScope === undefined ? {} : { criteria: { resetScope: options.resetScope } });
      process.stdout.write(`restart requested for ${configuration.servicePrincipal.displayName} (${job.id})${options.resetScope === undefined ? '' : `, reset scope ${options.resetScope}`}\n`);
    });

  withServiceOptions(config.command('set-interval'))
    .description('set how often the job runs (ISO 8601 duration, at least PT10S), e.g. PT10M')
    .argument('<configuration>', 'service principal id or display name')
    .argument('<interval>', 'ISO 8601 duration such as PT2M, PT10M, PT1H')
    .action(async (name: string, interval: string, options: Flags) => {
      const connection = await connect(options);
      const configuration = await resolveConfiguration(connection, name);
      const job = theJob(configuration);
      await connection.request('PATCH', jobUrl(configuration.servicePrincipal.id, job.id), { schedule: { interval } });
      process.stdout.write(`${configuration.servicePrincipal.displayName} now runs every ${interval}\n`);
    });

  withServiceOptions(config.command('delete'))
    .description('delete a configuration (its job, secrets, service principal and application); asks first unless --yes')
    .argument('<configuration>', 'service principal id or display name')
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--remove-objects', 'also take the objects it synchronized out of the cloud (users and groups to deleted items, restorable for 30 days; contacts removed)')
    .action(async (name: string, options: Flags & { yes?: boolean; removeObjects?: boolean }) => {
      const removeObjects = options.removeObjects === true;
      const connection = await connect(options);
      const configuration = await resolveConfiguration(connection, name);
      const { servicePrincipal } = configuration;
      if (options.yes !== true) {
        if (process.stdin.isTTY !== true) {
          throw new CloudsyncError('ERR_CLI_USAGE', `refusing to delete ${servicePrincipal.displayName} without --yes: stdin is not a terminal, so there is nobody to confirm`, { path: '--yes' });
        }
        const objects = removeObjects ? 'The objects it synchronized are deleted from the cloud too.' : 'Synced objects stay in the cloud.';
        const sure = await confirm(`Delete the configuration ${servicePrincipal.displayName} (${servicePrincipal.id})? ${objects} [y/N] `);
        if (!sure) {
          process.stdout.write('not deleted\n');
          return;
        }
      }
      for (const job of configuration.jobs) {
        // Paused first, so that no new cycle starts and re-creates what the removal takes out.
        if (removeObjects) await connection.request('POST', `${jobUrl(servicePrincipal.id, job.id)}/pause`);
        await connection.request('DELETE', `${jobUrl(servicePrincipal.id, job.id)}${removeObjects ? '?removeObjects=true' : ''}`);
      }
      const applicationId = await applicationIdOf(connection, servicePrincipal.appId);
      await connection.request('DELETE', `/v1.0/servicePrincipals/${encodeURIComponent(servicePrincipal.id)}`);
      if (applicationId !== undefined) await connection.request('DELETE', `/v1.0/applications/${encodeURIComponent(applicationId)}`);
      process.stdout.write(removeObjects
        ? `deleted ${servicePrincipal.displayName} and the objects it synchronized (users and groups are in deleted items for 30 days)\n`
        : `deleted ${servicePrincipal.displayName}; objects it synchronized stay in the cloud\n`);
    });

  const schema = config.command('schema').description('the job\'s synchronization schema (attribute mappings, scoping) as Graph JSON');
  withServiceOptions(schema.command('export'))
    .description('write the schema as JSON (to stdout, or --file)')
    .argument('<configuration>', 'service principal id or display name')
    .option('--file <file>', 'write to this file instead of stdout')
    .action(async (name: string, options: Flags & { file?: string }) => {
      const connection = await connect(options);
      const configuration = await resolveConfiguration(connection, name);
      const job = theJob(configuration);
      const { '@odata.context': _context, ...json } = await connection.request<Record<string, unknown>>('GET', `${jobUrl(configuration.servicePrincipal.id, job.id)}/schema`);
      const text = JSON.stringify(json, null, 2) + '\n';
      if (options.file === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        await writeFile(options.file, text);
      } catch (error) {
        throw new CloudsyncError('ERR_CLI_FILE', `cannot write ${options.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { path: '--file' });
      }
      process.stderr.write(`schema of ${configuration.servicePrincipal.displayName} written to ${options.file}\n`);
    });

  withServiceOptions(schema.command('import'))
    .description('replace the schema with a JSON file (validated by the service; triggers a full re-evaluation)')
    .argument('<configuration>', 'service principal id or display name')
    .argument('<file>', 'schema JSON, e.g. from schema export')
    .action(async (name: string, file: string, options: Flags) => {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        const reason = error instanceof SyntaxError ? `not JSON (${error.message})` : ((error as NodeJS.ErrnoException).code ?? 'error');
        throw new CloudsyncError('ERR_CLI_FILE', `cannot read the schema from ${file}: ${reason}`, { path: file });
      }
      const connection = await connect(options);
      const configuration = await resolveConfiguration(connection, name);
      const job = theJob(configuration);
      await connection.request('PUT', `${jobUrl(configuration.servicePrincipal.id, job.id)}/schema`, json);
      process.stdout.write(`schema of ${configuration.servicePrincipal.displayName} replaced; the next cycle re-evaluates every object\n`);
    });

  // Accidental-delete protection (docs/safety.md): what the threshold held back, and approving it.
  withServiceOptions(config.command('pending-deletes'))
    .description('list the deletions the accidental-delete threshold held back, each with its reason')
    .argument('<configuration>', 'service principal id or display name')
    .option('--json', 'print the Graph JSON of GET …/pendingDeletes')
    .action(async (name: string, options: Flags & { json?: boolean }) => {
      const connection = await connect(options);
      const configuration = await resolveConfiguration(connection, name);
      const job = theJob(configuration);
      const held = await connection.request<PendingDeletes>('GET', `${jobUrl(configuration.servicePrincipal.id, job.id)}/pendingDeletes`);
      if (options.json === true) {
        process.stdout.write(JSON.stringify(held, null, 2) + '\n');
        return;
      }
      if (held.value.length === 0) {
        process.stdout.write(`${configuration.servicePrincipal.displayName}: no deletions held back\n`);
        return;
      }
      process.stdout.write(`${configuration.servicePrincipal.displayName}: ${held.value.length} deletion(s) held back by the threshold of ${held.threshold} since ${held.detectedDateTime}\n`);
      for (const deletion of held.value) {
        process.stdout.write(`${deletion.approved ? 'approved ' : ''}${deletion.objectId}\t${deletion.objectTypeName}\t${deletion.reasonText}\n`);
      }
      process.stdout.write(`allow them: cloudsync config allow-deletes ${name} [--only DN…]; or fix the scope or the source and restart\n`);
    });

  withServiceOptions(config.command('allow-deletes'))
    .description('approve the held deletions: all of them (restart with resetScope ForceDeletes), or only the DNs given with --only')
    .argument('<configuration>', 'service principal id or display name')
    .option('--only <dn...>', 'approve only these held deletions (distinguished names as pending-deletes lists them)')
    .action(async (name: string, options: Flags & { only?: string[] }) => {
      const connection = await connect(options);
      const configuration = await resolveConfiguration(connection, name);
      const job = theJob(configuration);
      const url = jobUrl(configuration.servicePrincipal.id, job.id);
      if (options.only === undefined) {
        // Entra's "Allow deletes": restart with ForceDeletes lifts the threshold for one cycle.
        await connection.request('POST', `${url}/restart`, { criteria: { resetScope: 'ForceDeletes' } });
        process.stdout.write(`deletions allowed for ${configuration.servicePrincipal.displayName} (${job.id}): the next cycle, starting now, carries them out\n`);
        return;
      }
      const approved = await connection.request<{ value: PendingDelete[] }>('POST', `${url}/pendingDeletes/approve`, { objectIds: options.only });
      process.stdout.write(`${approved.value.length} deletion(s) approved for ${configuration.servicePrincipal.displayName}; the others stay held. The next cycle, starting now, carries them out\n`);
    });

  return config;
}

interface PendingDelete {
  readonly objectId: string;
  readonly objectTypeName: string;
  readonly reasonText: string;
  readonly approved: boolean;
}

interface PendingDeletes {
  readonly threshold: number | null;
  readonly detectedDateTime: string | null;
  readonly value: readonly PendingDelete[];
}
