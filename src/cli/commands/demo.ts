import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { ActiveDirectoryConnector } from '../../connectors/ldap/active-directory-connector.ts';
import { LdifConnector } from '../../connectors/ldif/ldif-connector.ts';
import { parseLdif } from '../../connectors/ldif/ldif-parser.ts';
import { importLdifIntoActiveDirectory } from '../../demo/ldif-to-active-directory.ts';
import type { CycleProgress, EngineSource } from '../../engine/index.ts';
import type { CycleOutcome } from '../../synchronization/index.ts';
import { SAMPLE_TENANT_NAME, seedSampleTenant } from '../../demo/sample-tenant.ts';
import { DEFAULTS } from '../../server/defaults.ts';
import { createLogger, startServer, type RunningServer } from '../../server/server.ts';
import { CloudsyncError } from '../../errors/index.ts';
import { parsePort } from '../options.ts';
import { ServiceConnection } from '../service-connection.ts';
import { waitForShutdown } from './server.ts';

interface DemoOptions {
  port: string;
  data?: string;
  exitWhenReady?: boolean;
  samba?: boolean;
}

/** The source the demo's embedded agent reads, and how to put it away. */
interface DemoSource {
  readonly source: EngineSource;
  /** for the "Embedded agent for …" line */
  readonly description: string;
  /** lines printed after the instructions (how to change the source) */
  readonly hint?: string;
  close(): Promise<void>;
}

/** The bundled sample AD export the embedded agent reads, and the domain it belongs to. */
export const DEMO_LDIF = fileURLToPath(new URL('../../demo/sample-ad.ldif', import.meta.url));
export const DEMO_DOMAIN = 'corp.example.com';
const APPLICATION_TEMPLATE_ID = '1a4721b3-e57f-4451-ae87-ef078703ec94';
/** The first full cycle of the sample takes seconds; this only stops a demo that hangs. */
const FIRST_SYNC_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * `npm run demo`: the whole service on embedded storage, with the embedded agent reading the sample AD export of
 * corp.example.com: a tenant (with a few cloud-only users), the domain verified, a Cloud Sync configuration created
 * and started through the Graph API, and its first full synchronization shown as it runs. Then it checks through
 * its own API that what was synchronized is there before it tells the user it is ready, so the numbers and the
 * instructions it prints are known to be true.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('start the service on embedded storage, synchronize a sample AD domain into a sample tenant, and print how to call it')
    .option('--port <n>', 'port to listen on (falls back to a free port when taken)', String(DEFAULTS.port.value))
    .option('--data <dir>', 'keep the demo database in this directory (default: a temporary one, removed on exit)')
    .option('--exit-when-ready', 'stop after the self-check instead of serving until Ctrl-C')
    .option('--samba', 'read a throwaway Samba AD DC seeded with the sample instead of the export file (needs root and Debian\'s samba; from a source checkout)')
    .action(async (options: DemoOptions) => {
      const demoSource = options.samba === true ? await throwawaySambaSource() : ldifSource();
      const dataDir = options.data ?? (await mkdtemp(join(tmpdir(), 'cloudsync-demo-')));
      const temporary = options.data === undefined;
      const logger = createLogger('warn');
      const cycles = new CycleWatch();
      const serverOptions = {
        dataDir,
        logger,
        agents: [{ domain: DEMO_DOMAIN, netBiosName: 'CORP', source: demoSource.source }],
        onCycleProgress: (job: { readonly jobId: string }, progress: CycleProgress) => cycles.progress(job.jobId, progress),
        onCycle: (outcome: CycleOutcome) => cycles.done(outcome),
        schedulerPollMs: 250,
      };
      let server: RunningServer;
      try {
        try {
          server = await startServer({ ...serverOptions, port: parsePort(options.port) });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
          server = await startServer({ ...serverOptions, port: 0 });
        }
      } catch (error) {
        await demoSource.close();
        throw error;
      }
      const stop = async (): Promise<void> => {
        cycles.stopBar();
        await server.close();
        await demoSource.close();
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      };
      try {
        await announce(server, dataDir, cycles, demoSource.description);
        if (demoSource.hint !== undefined) process.stdout.write(demoSource.hint + '\n');
      } catch (error) {
        await stop();
        throw error;
      }
      if (options.exitWhenReady === true) {
        await stop();
        return;
      }
      process.stdout.write('\nPress Ctrl-C to stop.\n');
      await waitForShutdown(stop);
    });
}

/** The scheduler's reports, for the progress bar and for waiting on the first cycle of the demo's job. */
class CycleWatch {
  #jobId: string | undefined;
  #total = 0;
  #bar: cliProgress.SingleBar | undefined;
  #lastLine = '';
  readonly #waiting = new Map<string, (outcome: CycleOutcome) => void>();
  readonly #finished = new Map<string, CycleOutcome>();

  watch(jobId: string, total: number): void {
    this.#jobId = jobId;
    this.#total = total;
    if (process.stderr.isTTY === true) {
      this.#bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: 'first sync {bar} {value}/{total} objects read | {exported} written | {step}', hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(total, 0, { exported: 0, step: 'import' });
    } else {
      process.stderr.write(`first sync: reading ${total} objects of ${DEMO_DOMAIN}\n`);
    }
  }

  progress(jobId: string, progress: CycleProgress): void {
    if (jobId !== this.#jobId) return;
    // A live DC holds more than the sample (its built-in accounts, read and then left out of scope).
    if (progress.imported > this.#total) {
      this.#total = progress.imported;
      this.#bar?.setTotal(this.#total);
    }
    if (this.#bar !== undefined) {
      this.#bar.update(Math.min(progress.imported, this.#total), { exported: progress.exported, step: progress.step });
      return;
    }
    const line = `first sync: ${progress.step}: ${progress.imported}/${this.#total} read, ${progress.exported} written, ${progress.failed} failed\n`;
    if (line !== this.#lastLine) process.stderr.write(line);
    this.#lastLine = line;
  }

  done(outcome: CycleOutcome): void {
    const waiter = this.#waiting.get(outcome.jobId);
    if (waiter === undefined) {
      if (!this.#finished.has(outcome.jobId)) this.#finished.set(outcome.jobId, outcome);
      return;
    }
    this.#waiting.delete(outcome.jobId);
    waiter(outcome);
  }

  async first(jobId: string): Promise<CycleOutcome> {
    const finished = this.#finished.get(jobId);
    const outcome =
      finished ??
      (await new Promise<CycleOutcome>((resolve, reject) => {
        const timer = setTimeout(() => reject(new CloudsyncError('ERR_DEMO_SELF_CHECK', `the first synchronization did not finish within ${FIRST_SYNC_TIMEOUT_MS / 60000} minutes`)), FIRST_SYNC_TIMEOUT_MS);
        this.#waiting.set(jobId, (done) => {
          clearTimeout(timer);
          resolve(done);
        });
      }));
    this.stopBar();
    // Later cycles (the schedule, or a start after a change) are the job status's to show, not "first sync" lines.
    this.#jobId = undefined;
    return outcome;
  }

  stopBar(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}

interface SampleCounts {
  readonly entries: number;
  readonly users: number;
  readonly groups: number;
  readonly contacts: number;
}

async function countSample(file: string): Promise<SampleCounts> {
  const text = await readFile(file, 'utf8');
  const count = (pattern: RegExp): number => text.match(pattern)?.length ?? 0;
  return { entries: count(/^dn:/gm), users: count(/^objectClass: user$/gm), groups: count(/^objectClass: group$/gm), contacts: count(/^objectClass: contact$/gm) };
}

function selfCheck(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new CloudsyncError('ERR_DEMO_SELF_CHECK', `self-check failed: ${what} is ${String(actual)}, expected ${String(expected)}`);
}

function ldifSource(): DemoSource {
  const source = new LdifConnector({ file: DEMO_LDIF });
  return { source, description: 'reading the sample AD export', close: () => source.close() };
}

/**
 * `--samba`: a throwaway Samba AD DC (the test harness's: provisioned from a cached template in a temporary
 * directory, on its own loopback address, removed on exit) seeded with the sample export, read through the
 * Active Directory connector as the embedded agent reads a real DC. Runs from a source checkout only (the
 * harness lives in test/), as root.
 */
async function throwawaySambaSource(): Promise<DemoSource> {
  if (process.getuid?.() !== 0) {
    throw new CloudsyncError('ERR_CLI_USAGE', '--samba starts a throwaway Samba AD DC, which needs root (LDAP\'s privileged ports, sysvol ACLs): run sudo npm run demo -- --samba, or npm run demo without --samba', { path: '--samba' });
  }
  let harness: typeof import('../../../test/harness/samba.ts');
  try {
    harness = await import('../../../test/harness/samba.ts');
  } catch {
    throw new CloudsyncError('ERR_CLI_USAGE', '--samba needs a source checkout of cloudsync (its test/harness starts the DC); run npm run demo without --samba', { path: '--samba' });
  }
  const unavailable = harness.sambaUnavailableReason();
  if (unavailable !== undefined) throw new CloudsyncError('ERR_CLI_USAGE', `--samba: ${unavailable}`, { path: '--samba' });
  process.stderr.write('starting a throwaway Samba AD DC for corp.example.com…\n');
  const began = Date.now();
  const dc = await harness.startSamba();
  try {
    const started = Date.now() - began;
    const client = await dc.admin();
    const seeded = await importLdifIntoActiveDirectory(client, parseLdif(await readFile(DEMO_LDIF, 'utf8'), { source: DEMO_LDIF }), `CN=Schema,CN=Configuration,${dc.baseDn}`);
    process.stderr.write(`Samba AD DC at ${dc.url} started in ${(started / 1000).toFixed(1)} s; the sample (${seeded.objects} objects, ${seeded.links} links) added in ${(seeded.milliseconds / 1000).toFixed(1)} s` +
      (seeded.droppedAttributes.length === 0 ? '\n' : ` (not in Samba's schema, left out: ${seeded.droppedAttributes.join(', ')})\n`));
    const source = new ActiveDirectoryConnector({ urls: [dc.url], bindDn: dc.adminDn, bindPassword: dc.adminPassword, memberRangeSize: 1500 });
    return {
      source,
      description: `reading a throwaway Samba AD DC at ${dc.url} (seeded with the sample AD export; removed on exit)`,
      // The DC's password is the harness's fixed test secret of a DC that lives as long as this process.
      hint: [
        '',
        `Change the throwaway AD and watch the next cycle (every ${DEFAULTS.syncInterval.value}, or: npx cloudsync config start ${DEMO_DOMAIN}):`,
        `  printf 'dn: CN=Mei Martinez,OU=Sales,OU=Users,OU=Corp,${dc.baseDn}\\nchangetype: modify\\nreplace: title\\ntitle: Chief Demo Officer\\n' \\`,
        `    | ldapmodify -H ${dc.url} -D '${dc.adminDn}' -w '${dc.adminPassword}'`,
      ].join('\n'),
      close: async () => {
        await source.close();
        await dc.stop();
      },
    };
  } catch (error) {
    await dc.stop();
    throw error;
  }
}

async function announce(server: RunningServer, dataDir: string, cycles: CycleWatch, sourceDescription: string): Promise<void> {
  let created;
  try {
    created = await server.directory.createTenant({ name: SAMPLE_TENANT_NAME });
  } catch (error) {
    if (error instanceof CloudsyncError && error.code === 'ERR_DIR_DOMAIN_CONFLICT') {
      throw new CloudsyncError(
        'ERR_CLI_USAGE',
        `the demo tenant already exists in ${dataDir}; give --data a new directory, or omit --data for a temporary one`,
      );
    }
    throw error;
  }
  const seeded = await seedSampleTenant(server.directory, created.tenantId);
  // The operator's verification (as `cloudsync domain verify`): the demo owns corp.example.com by construction.
  await server.directory.addDomain(created.tenantId, { id: DEMO_DOMAIN, isVerified: true });
  const connection = new ServiceConnection({ service: server.url, ...created });

  // The Cloud Sync configuration, as the portal or `cloudsync config create` would make it, through the Graph API.
  const instantiated = await connection.request<{ servicePrincipal: { id: string } }>('POST', `/v1.0/applicationTemplates/${APPLICATION_TEMPLATE_ID}/instantiate`, {
    displayName: DEMO_DOMAIN,
  });
  const sp = instantiated.servicePrincipal.id;
  const synchronization = `/v1.0/servicePrincipals/${sp}/synchronization`;
  const job = await connection.request<{ id: string }>('POST', `${synchronization}/jobs`, { templateId: 'AD2AADProvisioning' });
  await connection.request('PUT', `${synchronization}/secrets`, {
    value: [
      { key: 'Domain', value: JSON.stringify({ domain: DEMO_DOMAIN }) },
      { key: 'AppKey', value: JSON.stringify({ appKeyScenario: 'AD2AADProvisioning' }) },
    ],
  });
  const sample = await countSample(DEMO_LDIF);
  const began = Date.now();
  cycles.watch(job.id, sample.entries);
  await connection.request('POST', `${synchronization}/jobs/${job.id}/start`);
  const outcome = await cycles.first(job.id);
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  if (outcome.execution.state !== 'Succeeded') {
    throw new CloudsyncError('ERR_DEMO_SELF_CHECK', `the first synchronization ended ${outcome.execution.state}: ${outcome.execution.error?.message ?? 'see the job status'}`);
  }

  // Self-check through the API, as any Graph client would see it.
  const eventual = { consistencylevel: 'eventual' };
  const countOf = async (set: string, filter: string): Promise<number> =>
    (await connection.request<{ '@odata.count': number }>('GET', `/v1.0/${set}?$filter=${encodeURIComponent(filter)}&$count=true&$top=1&$select=id`, undefined, eventual))['@odata.count'];
  const syncedUsers = await countOf('users', 'onPremisesSyncEnabled eq true');
  const syncedGroups = await countOf('groups', 'onPremisesSyncEnabled eq true');
  const allUsers = (await connection.request<{ '@odata.count': number }>('GET', '/v1.0/users?$count=true&$top=1&$select=id', undefined, eventual))['@odata.count'];
  selfCheck('the count of synchronized users', syncedUsers, sample.users);
  selfCheck('the count of synchronized groups', syncedGroups, sample.groups);
  selfCheck('the count of all users', allUsers, sample.users + seeded.users);
  const status = (await connection.request<{ status: { lastExecution: { countImported: number; countExported: number; state: string } } }>('GET', `${synchronization}/jobs/${job.id}`)).status;
  selfCheck('the job status countExported', status.lastExecution.countExported, sample.users + sample.groups + sample.contacts);
  const mei = await connection.request<{ value: { userPrincipalName: string }[] }>('GET', `/v1.0/users?$filter=${encodeURIComponent("displayName eq 'Mei Martinez'")}&$select=userPrincipalName`)
    .catch(() => undefined);
  const meiUpn = mei?.value[0]?.userPrincipalName;

  const u = server.url;
  const tokenUrl = `${u}/${created.tenantId}/oauth2/v2.0/token`;
  process.stdout.write(
    [
      `cloudsync demo: service at ${u} (SQLite in ${dataDir})`,
      `Sample tenant "${SAMPLE_TENANT_NAME}": ${seeded.users} cloud-only users, ${seeded.groups} groups (nested), ${seeded.contacts} contact; domain ${DEMO_DOMAIN} verified.`,
      `Embedded agent for ${DEMO_DOMAIN} ${sourceDescription} (${sample.users} users, ${sample.groups} groups, ${sample.contacts} contacts).`,
      `Cloud Sync configuration ${DEMO_DOMAIN}: job ${job.id}, every ${DEFAULTS.syncInterval.value}.`,
      `First sync: ${status.lastExecution.state}, ${status.lastExecution.countImported} entries read, ${status.lastExecution.countExported} objects created in ${seconds} s.`,
      `Self-check: token issued; through the API ${syncedUsers} users and ${syncedGroups} groups have onPremisesSyncEnabled eq true, ${allUsers} users in all` +
        (meiUpn === undefined ? '.' : `; e.g. ${meiUpn}.`),
      '',
      'Credentials (an admin application holding every role):',
      `  tenant id:     ${created.tenantId}`,
      `  client id:     ${created.clientId}`,
      `  client secret: ${created.clientSecret}`,
      '',
      'Get a token (OAuth 2.0 client credentials), then call the Graph-compatible API:',
      `  TOKEN=$(curl -s ${tokenUrl} -d grant_type=client_credentials -d client_id=${created.clientId} \\`,
      `    --data-urlencode 'client_secret=${created.clientSecret}' -d scope=https://graph.microsoft.com/.default \\`,
      `    | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
      `  curl -s -H "Authorization: Bearer $TOKEN" '${u}/v1.0/users?$top=5&$select=displayName,userPrincipalName'`,
      `  curl -s -H "Authorization: Bearer $TOKEN" -H 'ConsistencyLevel: eventual' '${u}/v1.0/users/$count?$filter=onPremisesSyncEnabled%20eq%20true'`,
      `  curl -s -H "Authorization: Bearer $TOKEN" "${u}/v1.0/users?\\$filter=department%20eq%20'Engineering'"`,
      `  curl -s -H "Authorization: Bearer $TOKEN" '${u}/v1.0/groups?$select=id,displayName'`,
      `  curl -s -H "Authorization: Bearer $TOKEN" '${u}/v1.0/users/delta'`,
      `  curl -s -H "Authorization: Bearer $TOKEN" '${u}${synchronization}/jobs/${job.id}'   # the job's status and counts`,
      '',
      'Or store the credentials once for the CLI:',
      `  printf '%s' '${created.clientSecret}' > demo-secret && chmod 600 demo-secret`,
      `  npx cloudsync login --service ${u} --tenant-id ${created.tenantId} --client-id ${created.clientId} --client-secret-file demo-secret`,
      `  npx cloudsync config show ${DEMO_DOMAIN}`,
    ].join('\n') + '\n',
  );
}
