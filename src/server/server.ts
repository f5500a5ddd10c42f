/**
 * The composition root: the only place where configuration, the store, the clock, the logger and the HTTP API
 * meet. Everything below it receives what it needs as arguments.
 */
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { pino, type Logger } from 'pino';
import { buildApp } from '../api/app.ts';
import { REDACTED_LOG_PATHS } from '../api/api-deps.ts';
import { createCloudDirectory, type CloudDirectory, type SigningKey } from '../directory/index.ts';
import {
  createJobScheduler,
  createSynchronizationStore,
  deriveSecretsKey,
  sourceConnectorRegistry,
  type SourceConnectorRegistry,
  type CycleOutcome,
  type JobScheduler,
} from '../synchronization/index.ts';
import type { CycleProgress, EngineSource } from '../engine/index.ts';
import { openStore, type Store } from '../storage/index.ts';
import { CloudsyncError } from '../errors/index.ts';
import { SqlDirectoryAuditLog, SqlProvisioningLog, pruneExpiredLogs } from '../provisioning-logs/index.ts';
import { agentCounter, createServiceMetrics, meteredProvisioningLog, readMetricsToken } from '../observability/index.ts';
import { createOnDemandProvisioner } from '../synchronization/on-demand-provisioner.ts';
import { DEFAULTS } from './defaults.ts';
import { AgentHub } from '../agents/agent-hub.ts';
import { AgentStore } from '../agents/agent-store.ts';
import { agentSourceRegistry } from '../agents/agent-source-registry.ts';
import { createChangeTrigger } from '../agents/change-trigger.ts';
import { createDeleteProtectionStore, parseRetrySchedule } from '../synchronization/index.ts';
import { createNotificationJournal, createQuarantineNotifier, createSmtpTransport, parseSmtpSettings, type MailTransport } from '../notifications/index.ts';
import { createDnsDomainProof, createTrustingDomainProof, deriveDomainProofKey } from './dns-domain-proof.ts';
import { prepareDataDirectory } from './data-directory.ts';

export interface ServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Embedded SQLite under this directory, unless databaseUrl is given. */
  readonly dataDir?: string;
  /** postgres://… */
  readonly databaseUrl?: string;
  /** Public base URL when the service sits behind a proxy; otherwise taken from each request. */
  readonly publicUrl?: string;
  /** schedule.interval of new synchronization jobs (ISO 8601, ≥ PT10S). */
  readonly syncInterval?: string;
  /** Serve HTTPS with this PEM certificate chain and private key (the key file must be mode 0600). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** DNS servers (IP or IP:PORT) asked for domain verification records. Default: the system's. */
  readonly dnsServers?: readonly string[];
  /**
   * Accept every domain claim without DNS proof. Only for single-organization installs, where every client with
   * Directory.ReadWrite.All is trusted to own any domain it names; never on a multi-tenant service.
   */
  readonly trustDomainClaims?: boolean;
  readonly logger?: Logger;
  /** Days provisioning and audit log entries are kept (default DEFAULTS.logRetention). */
  readonly logRetentionDays?: number;
  /** A file (mode 0600) holding the bearer token GET /metrics then requires; without it /metrics is open. */
  readonly metricsTokenFile?: string;
  /**
   * Source connectors this process serves (the embedded agent): jobs whose Domain secret names one of these
   * domains are run by this process's scheduler. A job whose domain has none records "no agent for domain".
   */
  readonly agents?: readonly { readonly domain: string; readonly source: EngineSource; readonly netBiosName?: string }[];
  /** Scheduler observers (the demo's progress bar). */
  readonly onCycleProgress?: (job: { readonly tenantId: string; readonly jobId: string }, progress: CycleProgress) => void;
  readonly onCycle?: (outcome: CycleOutcome) => void;
  /** How often the scheduler looks for due jobs (default 1 s). */
  readonly schedulerPollMs?: number;
  /** provisionOnDemand calls per job per window (default DEFAULTS.onDemandRateLimit) and the window in seconds */
  readonly onDemandRateLimit?: number;
  readonly onDemandRateWindow?: number;
  /** Silence after which an on-premises agent is inactive and its runs move (seconds; default 30). */
  readonly agentInactiveAfterSeconds?: number;
  /**
   * Quarantine and delete-threshold emails: smtp[s]://[user:password@]host:port and the sender address. The
   * password is a secret: only nodemailer sees it; logs name the server without it.
   */
  readonly smtp?: { readonly url: string; readonly from: string; readonly tls?: { readonly rejectUnauthorized?: boolean } };
  /** When quarantined jobs are retried: ISO 8601 durations after the first failure (default PT6H,PT12H,PT24H). */
  readonly quarantineRetry?: string;
}

export interface RunningServer {
  /** http://host:port of the listening API. */
  readonly url: string;
  readonly store: Store;
  readonly directory: CloudDirectory;
  readonly scheduler: JobScheduler;
  close(): Promise<void>;
}

/** Purging expired deleted items is cheap and idempotent; hourly keeps the 30-day promise to the hour. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export function createLogger(level: string = process.env['CLOUDSYNC_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ level, redact: { paths: [...REDACTED_LOG_PATHS], censor: '[Redacted]' } });
}

export async function openDirectory(options: Pick<ServerOptions, 'dataDir' | 'databaseUrl'>): Promise<{
  store: Store;
  directory: CloudDirectory;
}> {
  if (options.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    throw new CloudsyncError(
      'ERR_CONFIG_INVALID',
      `--database must be a PostgreSQL URL (postgres://user:password@host:port/database); omit it to use SQLite under --data`,
      { path: '--database' },
    );
  }
  const store =
    options.databaseUrl !== undefined
      ? await openStore({ databaseUrl: options.databaseUrl })
      : await openStore({ dataDir: prepareDataDirectory(options.dataDir ?? DEFAULTS.dataDir.value) });
  return { store, directory: createCloudDirectory(store, { retentionDays: DEFAULTS.deletedItemsRetention.value }) };
}

/**
 * The key sealing synchronization secrets at rest, derived from the deployment's signing key so every node on one
 * database derives the same one without another secret to distribute. Consequence to keep in mind: rotating the
 * signing key must re-seal the secrets (no rotation exists yet).
 */
function secretsKeyOf(signingKey: SigningKey): Uint8Array {
  return deriveSecretsKey(privateScalarOf(signingKey));
}

function privateScalarOf(signingKey: SigningKey): string {
  const d = signingKey.privateJwk.d;
  if (typeof d !== 'string') throw new TypeError('the signing key has no private part');
  return d;
}

async function readTlsFiles(tls: { readonly certFile: string; readonly keyFile: string }): Promise<{ cert: Buffer; key: Buffer }> {
  const read = async (file: string, flag: string): Promise<Buffer> => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new CloudsyncError('ERR_CONFIG_INVALID', `${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code})`, { path: flag });
    }
  };
  const mode = (await stat(tls.keyFile).catch(() => undefined))?.mode;
  if (mode !== undefined && (mode & 0o077) !== 0) {
    throw new CloudsyncError(
      'ERR_CONFIG_INVALID',
      `--tls-key ${tls.keyFile} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${tls.keyFile}`,
      { path: '--tls-key' },
    );
  }
  const [cert, key] = await Promise.all([read(tls.certFile, '--tls-cert'), read(tls.keyFile, '--tls-key')]);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new CloudsyncError('ERR_CONFIG_INVALID', `--tls-cert/--tls-key: not a usable PEM certificate and matching key (${(error as Error).message})`, {
      path: '--tls-key',
    });
  }
  return { cert, key };
}

/** CLOUDSYNC_AGENT_INACTIVE_AFTER (seconds, 3–3600) overrides the agent silence window. */
function agentInactiveAfterFromEnvironment(): number | undefined {
  const text = process.env['CLOUDSYNC_AGENT_INACTIVE_AFTER'];
  if (text === undefined || text === '') return undefined;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 3 || seconds > 3600) {
    throw new CloudsyncError('ERR_CONFIG_INVALID', `CLOUDSYNC_AGENT_INACTIVE_AFTER=${text}: expected whole seconds from 3 to 3600`, { path: 'CLOUDSYNC_AGENT_INACTIVE_AFTER' });
  }
  return seconds;
}

/** The embedded agent's connector when it serves the domain, else one of the connected on-premises agents. */
function combinedRegistry(embedded: SourceConnectorRegistry, remote: SourceConnectorRegistry): SourceConnectorRegistry {
  return { connectorFor: async (domain, tenantId) => (await embedded.connectorFor(domain, tenantId)) ?? (await remote.connectorFor(domain, tenantId)) };
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger();
  const https = options.tls === undefined ? undefined : await readTlsFiles(options.tls);
  const metricsToken = options.metricsTokenFile === undefined ? undefined : await readMetricsToken(options.metricsTokenFile);
  const logRetentionDays = options.logRetentionDays ?? DEFAULTS.logRetention.value;
  if (!(logRetentionDays > 0)) throw new TypeError('logRetentionDays must be positive');
  // Checked before anything opens, so a bad flag is one line and no half-started service.
  const smtp = options.smtp === undefined ? undefined : parseSmtpSettings(options.smtp.url, options.smtp.from);
  const retryScheduleSeconds = options.quarantineRetry === undefined ? undefined : parseRetrySchedule(options.quarantineRetry);
  let mail: MailTransport | undefined;
  const { store, directory } = await openDirectory(options);
  let app: ReturnType<typeof buildApp> | undefined;
  let scheduler: JobScheduler | undefined;
  let agentHub: AgentHub | undefined;
  const provisioningLog = new SqlProvisioningLog(store);
  const directoryAudits = new SqlDirectoryAuditLog(store);
  // agentHub is assigned below, before the API listens, so every scrape finds it.
  const metrics = createServiceMetrics({ store, countAgents: agentCounter(store, (agentId) => agentHub?.isActive(agentId) ?? false, options.agents?.length ?? 0) });
  try {
    const signingKey = await directory.getOrCreateSigningKey();
    const synchronization = createSynchronizationStore(store, directory, {
      secretsKey: secretsKeyOf(signingKey),
      defaultInterval: options.syncInterval ?? DEFAULTS.syncInterval.value,
    });
    // Keyed like the secrets key (same deployment secret, its own HKDF info), so every node names the same records.
    const domainProofKey = deriveDomainProofKey(privateScalarOf(signingKey));
    const domainProof =
      options.trustDomainClaims === true
        ? createTrustingDomainProof(domainProofKey)
        : createDnsDomainProof({ key: domainProofKey, timeoutMs: DEFAULTS.dnsTimeout.value, ...(options.dnsServers === undefined ? {} : { servers: options.dnsServers }) });
    if (options.trustDomainClaims === true) logger.warn('--trust-domain-claims: domains are verified without DNS proof; every client with Directory.ReadWrite.All can claim any domain');
    const deleteProtection = createDeleteProtectionStore(store);
    mail = smtp === undefined ? undefined : createSmtpTransport(smtp, options.smtp?.tls === undefined ? {} : { tls: options.smtp.tls });
    // On-premises agents: presence and leases in this process, agent records in the store. The agents poll at least
    // three times per silence window, so one lost poll does not make a live agent inactive.
    const inactiveAfterMs = (options.agentInactiveAfterSeconds ?? agentInactiveAfterFromEnvironment() ?? DEFAULTS.agentInactiveAfter.value) * 1000;
    agentHub = new AgentHub({ inactiveAfterMs, pollWaitMs: Math.min(5000, Math.floor(inactiveAfterMs / 3)) });
    const agentStore = new AgentStore(store);
    // One registry and one log sink for the scheduler and on-demand provisioning: both run the same cycle.
    const connectors = combinedRegistry(
      sourceConnectorRegistry(options.agents ?? []),
      agentSourceRegistry(agentHub, agentStore, (moved) => logger.warn(moved, 'agent went silent during an operation; the run moves to another agent of the domain')),
    );
    const engineLog = meteredProvisioningLog(provisioningLog, metrics);
    app = buildApp({
      directory,
      signingKey,
      synchronization,
      onDemand: {
        provisioner: createOnDemandProvisioner({ configurations: synchronization, port: synchronization, directory, store, connectors, log: engineLog }),
        rateLimit: options.onDemandRateLimit ?? DEFAULTS.onDemandRateLimit.value,
        rateWindowSeconds: options.onDemandRateWindow ?? DEFAULTS.onDemandRateWindow.value,
      },
      agents: {
        store: agentStore, hub: agentHub, registrationTokenLifetimeSeconds: DEFAULTS.agentRegistrationTokenLifetime.value, messageLimit: DEFAULTS.agentMessageLimit.value,
        onChanges: createChangeTrigger(synchronization, { minIntervalMs: 1000 }),
      },
      pendingDeletes: deleteProtection,
      domainProof,
      logger,
      bodyLimit: DEFAULTS.bodyLimit.value,
      auditLogs: { provisioning: provisioningLog, directoryAudits },
      observability: {
        metrics,
        ready: async () => void (await store.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute()),
        ...(metricsToken === undefined ? {} : { metricsToken }),
      },
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      ...(https === undefined ? {} : { https }),
    });
    await app.listen({ host: options.host ?? DEFAULTS.host.value, port: options.port ?? DEFAULTS.port.value });
    scheduler = createJobScheduler({
      port: synchronization,
      directory,
      store,
      connectors,
      deleteProtection,
      ...(mail === undefined ? {} : { notifier: createQuarantineNotifier({ transport: mail, journal: createNotificationJournal(store) }) }),
      ...(retryScheduleSeconds === undefined ? {} : { quarantine: { retryScheduleSeconds } }),
      // Stored per tenant (GET /v1.0/auditLogs/provisioning, `cloudsync logs`) and counted in /metrics; an object's
      // failure is read there, with its DN and remediation, rather than in the service log.
      log: engineLog,
      ...(options.schedulerPollMs === undefined ? {} : { pollIntervalMs: options.schedulerPollMs }),
      ...(options.onCycleProgress === undefined ? {} : { onProgress: options.onCycleProgress }),
      onCycle: (outcome) => {
        const { execution } = outcome;
        const fields = { tenantId: outcome.tenantId, jobId: outcome.jobId, state: execution.state, imported: execution.countImported, exported: execution.countExported };
        if (execution.error === null) logger.info(fields, 'synchronization cycle done');
        else logger.warn({ ...fields, code: execution.error.code, message: execution.error.message }, 'synchronization cycle did not succeed');
        metrics.observeCycle(outcome);
        options.onCycle?.(outcome);
      },
      onError: (error) => {
        // A mail server's answer is logged as our one-line message only: its raw error object is not ours to vet.
        if ((error as { code?: unknown } | null)?.code === 'ERR_NOTIFY_SMTP') logger.error({ code: 'ERR_NOTIFY_SMTP', message: (error as Error).message }, 'quarantine email not sent; tried again after the next cycle');
        else logger.error({ err: error }, 'job scheduler: cannot read or record jobs; will retry');
      },
    });
  } catch (error) {
    await app?.close().catch(() => undefined);
    await store.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${https === undefined ? 'http' : 'https'}://${host}:${address.port}`;

  const purge = async (): Promise<void> => {
    try {
      const purged = await directory.purgeExpired();
      if (purged > 0) logger.info({ purged }, 'purged deleted items past their retention');
      const pruned = await pruneExpiredLogs([provisioningLog, directoryAudits], new Date(), logRetentionDays);
      if (pruned > 0) logger.info({ pruned, retentionDays: logRetentionDays }, 'pruned provisioning and audit log entries past their retention');
    } catch (error) {
      logger.error({ err: error }, 'purging deleted items failed; will retry');
    }
  };
  void purge();
  const timer = setInterval(() => void purge(), PURGE_INTERVAL_MS);
  timer.unref();

  logger.info({ url, store: store.location, agents: (options.agents ?? []).map((agent) => agent.domain), ...(mail === undefined ? {} : { smtp: mail.description }) }, 'cloudsync service listening');
  const running = app;
  const jobs = scheduler;
  jobs.start();
  return {
    url,
    store,
    directory,
    scheduler: jobs,
    async close() {
      clearInterval(timer);
      // The running cycles stop at their next batch (abort signal) before the store they write to closes.
      await jobs.stop();
      agentHub?.close();
      await running.close();
      mail?.close();
      await store.close();
    },
  };
}
