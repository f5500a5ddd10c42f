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
  dnsTimeout: setting({
    value: 5000,
    unit: 'milliseconds',
    override: '(fixed)',
    description:
      'Longest a DNS lookup for a domain verification record (POST /domains/{id}/verify) may take, retries included; ' +
      'then the call fails with 503 serviceNotAvailable. Resolvers: --dns-server, default the system\'s.',
  }),
  credentialsFile: setting({
    value: '~/.config/cloudsync/credentials.json',
    unit: 'file (mode 0600)',
    override: 'CLOUDSYNC_CREDENTIALS_FILE',
    description: 'Where `cloudsync login` stores the service URL and client credentials for later commands.',
  }),
});

export type DefaultName = keyof typeof DEFAULTS;
