/**
 * `cloudsync agent …`: the on-premises agent, and its management over the service's API.
 *
 *   cloudsync agent --service URL --state DIR [--registration-token T] --domain D
 *                   (--ldap-url URL[,URL…] --bind-dn DN --bind-password-file F [--ca-file F] [--source-type ldap --base-dn DN]
 *                    | --ldif FILE)
 *                   [--service-ca-file F] [--machine-name NAME]
 *       runs the agent (the default subcommand, `agent run`): registers once with the token, then serves the domain
 *       until SIGINT/SIGTERM. Non-interactive, so it can run as a service unit.
 *   cloudsync agent token create      POST …/provisioning/agentRegistrationTokens
 *   cloudsync agent list              GET  …/provisioning/agents
 *   cloudsync agent disable|enable ID PATCH …/provisioning/agents/{id} {"isEnabled"}
 *   cloudsync agent revoke ID         POST …/provisioning/agents/{id}/revoke
 *
 * The bind password is read from its file by the local connector only; it is never printed, logged or sent.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CloudsyncError } from '../../errors/index.ts';
import { createLogger } from '../../server/server.ts';
import { DEFAULTS } from '../../server/defaults.ts';
import { embeddedAgentFromFlags } from '../../server/embedded-agent.ts';
import { AgentRuntime } from '../../agent/agent-runtime.ts';
import { ServiceClient } from '../../agent/service-client.ts';
import { resolveServiceCredentials, ServiceConnection, type ServiceFlags } from '../service-connection.ts';

const AGENTS_PATH = '/v1.0/onPremisesPublishingProfiles/provisioning/agents';
const TOKENS_PATH = '/v1.0/onPremisesPublishingProfiles/provisioning/agentRegistrationTokens';

interface RunFlags {
  readonly service?: string;
  readonly state?: string;
  readonly registrationToken?: string;
  readonly domain?: string;
  readonly ldapUrl?: string;
  readonly bindDn?: string;
  readonly bindPasswordFile?: string;
  readonly caFile?: string;
  readonly ldif?: string;
  readonly serviceCaFile?: string;
  readonly machineName?: string;
  readonly watchInterval?: string;
  readonly sourceType?: string;
  readonly baseDn?: string;
}

interface OnPremisesAgent {
  readonly id: string;
  readonly machineName: string;
  readonly externalIp: string | null;
  readonly status: string;
  readonly domains: readonly string[];
  readonly version: string;
  readonly lastSeenDateTime: string | null;
  readonly isEnabled: boolean;
  readonly revokedDateTime: string | null;
}

function usage(message: string, path: string): CloudsyncError {
  return new CloudsyncError('ERR_CLI_USAGE', message, { path });
}

async function runAgent(flags: RunFlags): Promise<void> {
  if (flags.service === undefined) throw usage('cloudsync agent needs --service, the URL of the provisioning service (https://…)', '--service');
  if (flags.state === undefined) throw usage('cloudsync agent needs --state, a directory (mode 0700) for its identity', '--state');
  if (flags.domain === undefined) throw usage('cloudsync agent needs --domain, the on-premises AD domain it serves (e.g. corp.example.com)', '--domain');
  if (flags.ldapUrl === undefined && flags.ldif === undefined) throw usage('cloudsync agent needs a source: --ldap-url URL --bind-dn DN --bind-password-file FILE (or --ldif FILE)', '--ldap-url');
  let ca: Buffer | undefined;
  if (flags.serviceCaFile !== undefined) {
    ca = await readFile(flags.serviceCaFile).catch((error: NodeJS.ErrnoException) => {
      throw new CloudsyncError('ERR_CONFIG_INVALID', `--service-ca-file ${flags.serviceCaFile}: cannot read it (${error.code})`, { path: '--service-ca-file' });
    });
  }
  // A generic LDAP look (contextCSN + an indexed entryCSN search) is cheaper than a DirSync round, so it is done
  // more often by default: see DEFAULTS.agentWatchIntervalGenericLdap.
  const genericLdap = (flags.sourceType ?? 'ad').toLowerCase() === 'ldap';
  const watchSeconds = Number(flags.watchInterval ?? (genericLdap ? DEFAULTS.agentWatchIntervalGenericLdap : DEFAULTS.agentWatchInterval).value);
  // Under a second would not be faster: the service takes one hint a second per domain (src/agents/change-trigger.ts)
  // and drops the others, and a watch whose hint was dropped waits for a cycle that never comes (up to a minute).
  if (!Number.isFinite(watchSeconds) || (watchSeconds !== 0 && watchSeconds < 1) || watchSeconds > 3600) {
    throw usage(`--watch-interval ${flags.watchInterval}: expected 0 (off) or seconds from 1 to 3600 (the service takes one change hint a second per domain)`, '--watch-interval');
  }
  const service = new ServiceClient({ service: flags.service, ...(ca === undefined ? {} : { ca }) });
  // The same checks and connectors as the embedded agent: one line per problem, the password only read from its file.
  const local = (await embeddedAgentFromFlags({
    embeddedAgent: true,
    domain: flags.domain,
    ...(flags.ldif === undefined ? {} : { ldif: flags.ldif }),
    ...(flags.ldapUrl === undefined ? {} : { ldapUrl: flags.ldapUrl }),
    ...(flags.bindDn === undefined ? {} : { bindDn: flags.bindDn }),
    ...(flags.bindPasswordFile === undefined ? {} : { bindPasswordFile: flags.bindPasswordFile }),
    ...(flags.caFile === undefined ? {} : { caFile: flags.caFile }),
    ...(flags.sourceType === undefined ? {} : { sourceType: flags.sourceType }),
    ...(flags.baseDn === undefined ? {} : { baseDn: flags.baseDn }),
  }))!;
  const logger = createLogger();
  const runtime = new AgentRuntime({
    service,
    stateDir: flags.state,
    ...(flags.registrationToken === undefined ? {} : { registrationToken: flags.registrationToken }),
    domains: [{ domain: local.domain, netBiosName: local.netBiosName, source: local.source }],
    version: await agentVersion(),
    ...(flags.machineName === undefined ? {} : { machineName: flags.machineName }),
    watchIntervalMs: Math.round(watchSeconds * 1000),
    logger,
  });
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const identity = await runtime.identity();
    process.stdout.write(`cloudsync agent ${identity.agentId} serving ${local.domain} (${local.description}) for ${service.origin}\n`);
    await runtime.run(stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await local.close();
  }
}

async function agentVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}

function withServiceOptions(command: Command): Command {
  return command
    .option('--service <url>', 'service URL (env CLOUDSYNC_SERVICE; default: from cloudsync login)')
    .option('--tenant-id <id>', 'tenant id (env CLOUDSYNC_TENANT_ID)')
    .option('--client-id <id>', 'application (client) id (env CLOUDSYNC_CLIENT_ID)')
    .option('--client-secret-file <file>', 'file holding the client secret (env CLOUDSYNC_CLIENT_SECRET)');
}

async function connect(flags: ServiceFlags): Promise<ServiceConnection> {
  return new ServiceConnection(await resolveServiceCredentials(flags));
}

function describeAgent(agent: OnPremisesAgent): string {
  const state = agent.revokedDateTime !== null ? 'revoked' : agent.isEnabled ? agent.status : 'disabled';
  return `${agent.id}  ${agent.machineName}  ${state}  ${agent.domains.join(',') || '-'}  v${agent.version}  last seen ${agent.lastSeenDateTime ?? 'never'}  from ${agent.externalIp ?? '?'}\n`;
}

export function agentCommand(): Command {
  const agent = new Command('agent').description('the on-premises provisioning agent (runs next to AD; outbound HTTPS only) and its management');

  agent
    .command('run', { isDefault: true })
    .description('run the agent: register once with a token, then serve the domain to the service until stopped')
    .option('--service <url>', 'URL of the provisioning service (https://…)')
    .option('--state <dir>', 'directory (0700) holding the agent identity (agent.json, 0600)')
    .option('--registration-token <token>', 'one-time token from cloudsync agent token create (first run, or to register again)')
    .option('--domain <name>', 'the AD domain this agent serves, e.g. corp.example.com')
    .option('--ldap-url <urls>', 'domain controllers, ldap:// or ldaps:// URLs, comma-separated, tried in order')
    .option('--bind-dn <dn>', 'account the agent binds as')
    .option('--bind-password-file <file>', 'file (mode 0600) holding the bind password; it never leaves this machine')
    .option('--ca-file <file>', 'PEM CA certificate(s) of the domain controllers')
    .option('--source-type <type>', 'ad (Active Directory, DirSync; default) or ldap (OpenLDAP and other generic LDAP servers, with --base-dn)')
    .option('--base-dn <dn>', 'with --source-type ldap: the subtree to read')
    .option('--ldif <file>', 'serve an LDIF export instead of a live directory (demos, tests)')
    .option('--service-ca-file <file>', 'PEM CA certificate(s) to trust for the service, besides the system\'s')
    .option('--machine-name <name>', 'name shown for this agent (default: the host name)')
    .option('--watch-interval <seconds>', `look for directory changes this often and have them synchronized at once (0: only scheduled cycles; default ${DEFAULTS.agentWatchInterval.value} on AD, ${DEFAULTS.agentWatchIntervalGenericLdap.value} with --source-type ldap)`)
    .action(runAgent);

  const token = agent.command('token').description('agent registration tokens');
  withServiceOptions(token.command('create'))
    .description('create a one-time registration token (valid for one hour)')
    .option('--json', 'print {"token","expiresDateTime"} as JSON')
    .action(async (options: ServiceFlags & { json?: boolean }) => {
      const created = await (await connect(options)).request<{ token: string; expiresDateTime: string }>('POST', TOKENS_PATH, {});
      if (options.json === true) process.stdout.write(JSON.stringify(created) + '\n');
      else process.stdout.write(`${created.token}\n(one-time; expires ${created.expiresDateTime}; use it as cloudsync agent --registration-token)\n`);
    });

  withServiceOptions(agent.command('list'))
    .description('list the agents of the tenant with their status (active: heard from in the last 30 s)')
    .option('--json', 'print the agents as JSON (Graph onPremisesAgent shape)')
    .action(async (options: ServiceFlags & { json?: boolean }) => {
      const { value } = await (await connect(options)).request<{ value: OnPremisesAgent[] }>('GET', AGENTS_PATH);
      if (options.json === true) return void process.stdout.write(JSON.stringify(value, null, 2) + '\n');
      if (value.length === 0) return void process.stdout.write('no agents; create a token with cloudsync agent token create and start one with cloudsync agent\n');
      for (const listed of value) process.stdout.write(describeAgent(listed));
    });

  for (const [name, enabled] of [['disable', false], ['enable', true]] as const) {
    withServiceOptions(agent.command(name))
      .argument('<id>', 'the agent id (cloudsync agent list)')
      .description(enabled ? 'let a disabled agent serve again' : 'stop giving work to an agent (it keeps its identity; enable undoes it)')
      .action(async (id: string, options: ServiceFlags) => {
        const updated = await (await connect(options)).request<OnPremisesAgent>('PATCH', `${AGENTS_PATH}/${encodeURIComponent(id)}`, { isEnabled: enabled });
        process.stdout.write(describeAgent(updated));
      });
  }

  withServiceOptions(agent.command('revoke'))
    .argument('<id>', 'the agent id (cloudsync agent list)')
    .description('refuse an agent for good (its key is no longer accepted; the machine must register again with a new token)')
    .action(async (id: string, options: ServiceFlags) => {
      await (await connect(options)).request('POST', `${AGENTS_PATH}/${encodeURIComponent(id)}/revoke`);
      process.stdout.write(`agent ${id} revoked\n`);
    });
  return agent;
}
