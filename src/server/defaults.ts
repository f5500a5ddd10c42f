/**
 * Every default of the service, in one place, with its unit and the reason for its value.
 * `docs/reference/configuration.md` is generated from this table (npm run docs); a test keeps them in step.
 */
export interface SettingDefinition<T> {
  readonly value: T;
  /** How the value is measured; omitted for plain strings. */
  readonly unit?: string;
  /** The CLI flag or environment variable that overrides it. */
  readonly override: string;
  readonly description: string;
}

function setting<T>(definition: SettingDefinition<T>): SettingDefinition<T> {
  return Object.freeze(definition);
}

export const DEFAULTS = Object.freeze({
  host: setting({
    value: '127.0.0.1',
    override: '--host',
    description:
      'Address the HTTP API listens on. Loopback by default so a fresh install is not reachable from the network ' +
      'until you choose to expose it (put a TLS-terminating proxy in front when you do).',
  }),
  port: setting({
    value: 5480,
    unit: 'TCP port',
    override: '--port',
    description: 'Port of the HTTP API (Graph v1.0, token endpoint). 0 picks a free port and prints it.',
  }),
  dataDir: setting({
    value: '.cloudsync',
    unit: 'directory',
    override: '--data',
    description:
      'Where the embedded SQLite database (cloudsync.db, WAL mode) lives. Ignored for data when --database points ' +
      'at PostgreSQL.',
  }),
  bodyLimit: setting({
    value: 1_048_576,
    unit: 'bytes',
    override: '(fixed)',
    description: 'Largest request body accepted; larger bodies get 413 before they are parsed.',
  }),
  accessTokenLifetime: setting({
    value: 3600,
    unit: 'seconds',
    override: '(fixed)',
    description: 'Lifetime of access tokens issued by the token endpoint, as Microsoft identity platform issues them.',
  }),
  deletedItemsRetention: setting({
    value: 30,
    unit: 'days',
    override: '(fixed)',
    description: 'How long soft-deleted users and groups can be restored before they are purged, as in Entra ID.',
  }),
  logRetention: setting({
    value: 30,
    unit: 'days',
    override: '--log-retention',
    description:
      'How long provisioning log entries and directory audit entries (GET /v1.0/auditLogs/…) are kept, as Entra keeps ' +
      'them 30 days; an hourly pass deletes older ones. Entries are never changed, only dropped at the end of this.',
  }),
  metricsTokenFile: setting({
    value: '(none: /metrics is open)',
    unit: 'file (mode 0600)',
    override: '--metrics-token-file',
    description:
      'A file holding the bearer token Prometheus must send to GET /metrics (authorization: credentials_file). Without ' +
      'it /metrics is open like /healthz and /readyz: its series are tenant-free aggregates (no tenant, job, DN or value). ' +
      'Set it whenever the port is reachable by anyone but your monitoring.',
  }),
  maxPageSize: setting({
    value: 999,
    unit: 'objects',
    override: '$top',
    description: 'Largest page a list call returns ($top is capped here, as Graph caps directory objects).',
  }),
  defaultPageSize: setting({
    value: 100,
    unit: 'objects',
    override: '$top',
    description: 'Page size when a list call gives no $top.',
  }),
  syncInterval: setting({
    value: 'PT2M',
    unit: 'ISO 8601 duration (minimum PT10S)',
    override: '--sync-interval',
    description:
      "schedule.interval given to new synchronization jobs, as Entra Cloud Sync's 2-minute cycle; each job's own " +
      'interval can be changed later with PATCH …/jobs/{jobId} or `cloudsync config set-interval`.',
  }),
  reconciliationInterval: setting({
    value: 600,
    unit: 'seconds',
    override: '(fixed)',
    description:
      'Sources whose deltas do not report deletions (generic LDAP: entryCSN/modifyTimestamp deltas) find them by ' +
      'listing every anchor, which costs O(objects); a delta cycle does it when this long has passed since the last ' +
      'one (every full cycle does it too). A deletion in such a directory reaches the cloud within this interval plus ' +
      'one cycle. Active Directory (DirSync) reports deletions in every delta and never needs it; OpenLDAP with ' +
      'syncprov names them in each delta (RFC 4533), and a delta whose watermark its session log no longer covers ' +
      'lists at once rather than at this interval.',
  }),
  onDemandRateLimit: setting({
    value: 5,
    unit: 'requests per configuration per onDemandRateWindow',
    override: 'ServerOptions.onDemandRateLimit',
    description:
      'POST …/jobs/{jobId}/provisionOnDemand calls accepted per job in a sliding window (dry runs included), as Graph ' +
      'documents "5 requests per 10 seconds"; beyond it the call gets 429 TooManyRequests with Retry-After. Counted per ' +
      'service process.',
  }),
  onDemandRateWindow: setting({
    value: 10,
    unit: 'seconds',
    override: 'ServerOptions.onDemandRateWindow',
    description: 'The sliding window of onDemandRateLimit.',
  }),
  agentInactiveAfter: setting({
    value: 30,
    unit: 'seconds',
    override: 'CLOUDSYNC_AGENT_INACTIVE_AFTER',
    description:
      'An on-premises agent not heard from for this long is inactive (GET …/provisioning/agents, `cloudsync agent list`), ' +
      'and the runs leased to it move to another active agent of the same domain. Agents poll at least every ' +
      'third of it (the heartbeat). Right after the service starts, registered agents get this long to reconnect ' +
      'before a job is told HybridIdentityServiceNoActiveAgents.',
  }),
  agentRegistrationTokenLifetime: setting({
    value: 3600,
    unit: 'seconds',
    override: '(fixed)',
    description: 'How long an agent registration token (POST …/provisioning/agentRegistrationTokens) can be redeemed; once only.',
  }),
  agentWatchInterval: setting({
    value: 2,
    unit: 'seconds',
    override: 'cloudsync agent --watch-interval (0 turns it off)',
    description:
      'How often an agent reads its directory\'s changes (DirSync on AD) from the watermark of the last cycle; when ' +
      'there are some it tells the service, which runs the domain\'s jobs at once, so a change reaches the cloud in ' +
      'seconds instead of at the next scheduled cycle.',
  }),
  agentWatchIntervalGenericLdap: setting({
    value: 1,
    unit: 'seconds',
    override: 'cloudsync agent --source-type ldap --watch-interval (0 turns it off)',
    description:
      'agentWatchInterval for a generic LDAP source (OpenLDAP): each look is one base read of the suffix\'s ' +
      'contextCSN, one entryCSN search that finds nothing when nothing changed (measured: 12 ms a look on 50,000 ' +
      'entries with the entryCSN index syncrepl providers keep, 39 ms scanning without it) and, where slapd offers ' +
      'RFC 4533 content synchronization, one refresh from the watermark\'s cookie for deletions. Where slapd also ' +
      'pushes changes (refreshAndPersist), each change wakes the watch at once and it looks every 30 s at most ' +
      'otherwise (docs/agent.md). Raise it for very large directories without an entryCSN index.',
  }),
  agentMessageLimit: setting({
    value: 33_554_432,
    unit: 'bytes',
    override: '(fixed)',
    description:
      'Largest message an agent may send (one batch of objects), after gzip inflation; larger ones are refused ' +
      'with 413 and end the operation they belong to.',
  }),
  dnsTimeout: setting({
    value: 5000,
    unit: 'milliseconds',
    override: '(fixed)',
    description:
      'Longest a DNS lookup for a domain verification record (POST /domains/{id}/verify) may take, retries included; ' +
      'then the call fails with 503 serviceNotAvailable. Resolvers: --dns-server, default the system\'s.',
  }),
  deleteThreshold: setting({
    value: 500,
    unit: 'deletions per cycle',
    override: 'secret SyncNotificationSettings: DeleteThresholdEnabled, DeleteThresholdValue',
    description:
      "Accidental-delete protection, on by default as in Entra Cloud Sync: a cycle that would delete (or disable) this " +
      'many users, groups and contacts deletes none of the ones over it; the job is quarantined (TooManyDeletes) and ' +
      'the deletions wait for approval (restart with ForceDeletes, `cloudsync config allow-deletes`). 500 means at most 499.',
  }),
  quarantineRetrySchedule: setting({
    value: 'PT6H,PT12H,PT24H',
    unit: 'ISO 8601 durations after the first failure, comma-separated; then every last one',
    override: '--quarantine-retry',
    description:
      'When a quarantined job is tried again, counted from the failure that began the quarantine: Entra retries at 6 h, ' +
      '12 h and 24 h, then every 24 h. One successful retry lifts the quarantine; restart with QuarantineState (or ' +
      'start) clears it at once.',
  }),
  quarantineAfterFailedCycles: setting({
    value: 3,
    unit: 'successive cycles',
    override: '(fixed)',
    description:
      'A job whose cycles fail as a whole (source unreachable, no agent online, the cloud store refusing) this many times ' +
      'in a row is quarantined (EncounteredQuarantineException). Failures that will not mend by themselves (credentials ' +
      'rejected, TLS refused) quarantine at the first cycle, so a wrong password is not retried into an account lockout.',
  }),
  escrowQuarantineMinimum: setting({
    value: 5000,
    unit: 'failed objects in one cycle',
    override: '(fixed)',
    description: 'Escrowed failures are not weighed until a cycle has this many (Entra: evaluation starts at 5,000 failures).',
  }),
  escrowQuarantineProportion: setting({
    value: 0.4,
    unit: 'fraction of the objects the cycle processed',
    override: '(fixed)',
    description: 'Past the minimum, a cycle in which more than this share of objects failed quarantines the job (EncounteredEscrowProportionThreshold).',
  }),
  escrowQuarantineTotal: setting({
    value: 40000,
    unit: 'failed objects in one cycle',
    override: '(fixed)',
    description: 'Past the minimum, this many failures quarantine the job whatever their share (EncounteredTotalEscrowThreshold; Entra: 40,000, 60,000 counting reference failures).',
  }),
  escrowRetryBase: setting({
    value: 120,
    unit: 'seconds',
    override: '(fixed)',
    description: 'An object that failed is retried after this delay, doubled after each further failure up to escrowRetryMax; it never stops the cycle.',
  }),
  escrowRetryMax: setting({
    value: 86400,
    unit: 'seconds',
    override: '(fixed)',
    description: 'Longest delay between two retries of an escrowed object (24 h, as Entra settles on once a day).',
  }),
  smtpUrl: setting({
    value: '(none: no email is sent)',
    unit: 'smtp:// or smtps:// URL',
    override: '--smtp-url',
    description:
      'Mail server for quarantine and delete-threshold notifications, smtp[s]://[user:password@]host:port. The password ' +
      'is a secret: it is never logged. Mails go to the Recipients of each configuration\'s SyncNotificationSettings when Enabled.',
  }),
  smtpFrom: setting({
    value: '(required with --smtp-url)',
    unit: 'email address',
    override: '--smtp-from',
    description: 'Sender address of notification emails (Entra sends from azure-noreply@microsoft.com).',
  }),
  credentialsFile: setting({
    value: '~/.config/cloudsync/credentials.json',
    unit: 'file (mode 0600)',
    override: 'CLOUDSYNC_CREDENTIALS_FILE',
    description: 'Where `cloudsync login` stores the service URL and client credentials for later commands.',
  }),
});

export type DefaultName = keyof typeof DEFAULTS;
