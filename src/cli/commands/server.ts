import { Command } from 'commander';
import { DEFAULTS } from '../../server/defaults.ts';
import { startServer } from '../../server/server.ts';
import { parsePort } from '../options.ts';
import { CloudsyncError } from '../../errors/index.ts';
import { parseInterval, parseRetrySchedule } from '../../synchronization/index.ts';
import { parseSmtpSettings } from '../../notifications/index.ts';
import { parseDnsServer } from '../../server/dns-domain-proof.ts';
import { embeddedAgentFromFlags, type EmbeddedAgentFlags } from '../../server/embedded-agent.ts';
import { withConfigFile } from '../server-config-file.ts';

export function serverCommand(): Command {
  return new Command('server')
    .description('run the provisioning service and its Graph v1.0-compatible API')
    .option('--config <file>', 'JSON file (mode 0600) of these flags in camelCase, e.g. {"smtpUrl": "…"}: keeps secrets out of the process list; flags given here win')
    .option('--data <dir>', 'directory of the embedded SQLite database', DEFAULTS.dataDir.value)
    .option('--database <url>', 'PostgreSQL instead of SQLite: postgres://user:password@host:port/db')
    .option('--host <address>', 'address to listen on', DEFAULTS.host.value)
    .option('--port <n>', 'port to listen on (0 = any free port)', String(DEFAULTS.port.value))
    .option('--public-url <url>', 'base URL clients reach the service at, when behind a proxy')
    .option('--sync-interval <duration>', 'schedule.interval of new synchronization jobs (ISO 8601, minimum PT10S)', DEFAULTS.syncInterval.value)
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain)')
    .option('--tls-key <file>', 'private key (PEM, mode 0600) of --tls-cert')
    .option('--dns-server <ip[:port]>', 'DNS server asked for domain verification records (repeatable; default: the system\'s)', (value: string, previous: string[]) => [...previous, parseDnsServer(value)], [] as string[])
    .option(
      '--trust-domain-claims',
      'verify domains without DNS proof: every API client with Directory.ReadWrite.All is trusted to own any domain it names (single-organization installs only; never on a multi-tenant service)',
    )
    .option('--embedded-agent', 'run the source connector of one on-premises domain in this process (with --domain and --ldif or --ldap-url)')
    .option('--domain <name>', 'the AD domain the embedded agent serves (the Domain secret of its jobs)')
    .option('--ldif <file>', 'embedded agent source: an LDIF export of the domain')
    .option('--ldap-url <urls>', 'embedded agent source: a directory server (Active Directory unless --source-type ldap), ldap:// or ldaps:// URLs, comma-separated, tried in order')
    .option('--bind-dn <dn>', 'account the embedded agent binds as (with --ldap-url)')
    .option('--bind-password-file <file>', 'file (mode 0600) holding the bind password (with --ldap-url)')
    .option('--ca-file <file>', 'PEM CA certificate(s) of the LDAP servers (with --ldap-url)')
    .option('--source-type <type>', 'what --ldap-url serves: ad (Active Directory, DirSync; default) or ldap (OpenLDAP and other generic LDAP servers)')
    .option('--base-dn <dn>', 'the subtree the generic LDAP source reads (with --source-type ldap)')
    .option('--log-retention <days>', 'days provisioning and audit log entries are kept', String(DEFAULTS.logRetention.value))
    .option('--metrics-token-file <file>', 'file (mode 0600) holding the bearer token GET /metrics requires (default: /metrics is open; it holds no tenant data)')
    .option('--smtp-url <url>', 'mail server for quarantine and delete-threshold emails: smtp[s]://[user:password@]host:port (the password is never logged)')
    .option('--smtp-from <address>', 'sender address of notification emails (with --smtp-url)')
    .option('--quarantine-retry <durations>', 'when quarantined jobs are retried, ISO 8601 durations after the first failure, then every last one', DEFAULTS.quarantineRetrySchedule.value)
    .action(async function (this: Command, given: EmbeddedAgentFlags & { smtpUrl?: string; smtpFrom?: string; quarantineRetry: string; logRetention: string; metricsTokenFile?: string; data: string; database?: string; host: string; port: string; publicUrl?: string; syncInterval: string; tlsCert?: string; tlsKey?: string; dnsServer: string[]; trustDomainClaims?: boolean; config?: string }) {
      const options = withConfigFile(this, given, given.config);
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
        throw new CloudsyncError('ERR_CLI_USAGE', '--tls-cert and --tls-key go together', { path: options.tlsCert === undefined ? '--tls-cert' : '--tls-key' });
      }
      parseInterval(options.syncInterval, '--sync-interval');
      if (options.trustDomainClaims === true && options.dnsServer.length > 0) {
        throw new CloudsyncError('ERR_CLI_USAGE', '--dns-server has no use with --trust-domain-claims (no DNS is asked); give one or the other', { path: '--dns-server' });
      }
      const logRetentionDays = Number(options.logRetention);
      if (!/^\d+$/.test(options.logRetention) || logRetentionDays < 1) {
        throw new CloudsyncError('ERR_CLI_USAGE', `--log-retention ${options.logRetention} is not a whole number of days (1 or more)`, { path: '--log-retention' });
      }
      if (options.smtpUrl !== undefined) parseSmtpSettings(options.smtpUrl, options.smtpFrom);
      else if (options.smtpFrom !== undefined) throw new CloudsyncError('ERR_CLI_USAGE', '--smtp-from needs --smtp-url, the mail server to send through', { path: '--smtp-from' });
      parseRetrySchedule(options.quarantineRetry);
      const agent = await embeddedAgentFromFlags(options);
      const server = await startServer({
        ...(agent === undefined ? {} : { agents: [{ domain: agent.domain, netBiosName: agent.netBiosName, source: agent.source }] }),
        host: options.host,
        port: parsePort(options.port),
        syncInterval: options.syncInterval,
        quarantineRetry: options.quarantineRetry,
        ...(options.smtpUrl === undefined ? {} : { smtp: { url: options.smtpUrl, from: options.smtpFrom ?? '' } }),
        logRetentionDays,
        ...(options.metricsTokenFile === undefined ? {} : { metricsTokenFile: options.metricsTokenFile }),
        ...(options.dnsServer.length === 0 ? {} : { dnsServers: options.dnsServer }),
        ...(options.trustDomainClaims === true ? { trustDomainClaims: true } : {}),
        ...(options.database === undefined ? { dataDir: options.data } : { databaseUrl: options.database }),
        ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
        ...(options.tlsCert === undefined || options.tlsKey === undefined ? {} : { tls: { certFile: options.tlsCert, keyFile: options.tlsKey } }),
      });
      process.stdout.write(`cloudsync service listening on ${server.url} (${server.store.location})\n`);
      if (agent !== undefined) process.stdout.write(`embedded agent for ${agent.domain}: ${agent.description}\n`);
      await waitForShutdown(async () => {
        await server.close();
        await agent?.close();
      });
    });
}

/** Resolves after SIGINT/SIGTERM once `close` finished, so in-flight requests complete and SQLite checkpoints. */
export function waitForShutdown(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      close().then(resolve, reject);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
