/**
 * What the HTTP API needs from the rest of the service, injected by the composition root (src/server) or by a
 * test. The API holds no state of its own: directory, credentials and the signing key all live in the store,
 * so any number of service nodes can serve the same tenants.
 */
import type { Logger } from 'pino';
import type { CloudDirectory, SigningKey } from '../directory/cloud-directory.ts';
import type { DeleteProtectionStore, SynchronizationConfigurations } from '../synchronization/index.ts';
import type { ProvisionOnDemandOptions } from './synchronization/provision-on-demand-route.ts';
import type { DomainProof } from './graph/domain-proof.ts';
import type { AgentHub } from '../agents/agent-hub.ts';
import type { AgentStore } from '../agents/agent-store.ts';
import type { ChangeTrigger } from '../agents/change-trigger.ts';
import type { AuditLogs } from './audit-logs/audit-log-routes.ts';
import type { ObservabilityOptions } from '../observability/index.ts';

export interface ApiDeps {
  /** The cloud directory (also the credential store: verifyClientCredentials). */
  readonly directory: CloudDirectory;
  /** Client-credential check; defaults to `directory.verifyClientCredentials`. */
  readonly credentials?: Pick<CloudDirectory, 'verifyClientCredentials'>;
  /** The token-signing key (`await directory.getOrCreateSigningKey()`), shared by every node. */
  readonly signingKey: SigningKey;
  /** Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** A pino logger; the default logs warnings and errors to stderr with secrets redacted. */
  readonly logger?: Logger;
  /**
   * The service's public base URL (`https://directory.example.com`), used for `@odata.context`, nextLinks and
   * the token issuer. Default: taken from each request's protocol and Host header.
   */
  readonly publicUrl?: string;
  /** Largest accepted request body in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Synchronization configurations (src/synchronization); without it the synchronization routes are not served. */
  readonly synchronization?: SynchronizationConfigurations;
  /** Deletions held back by the accidental-delete threshold (GET/POST …/jobs/{jobId}/pendingDeletes). */
  readonly pendingDeletes?: DeleteProtectionStore;
  /** provisionOnDemand (with `synchronization`): the provisioner and its rate limit; without it the action is not served. */
  readonly onDemand?: ProvisionOnDemandOptions;
  /**
   * Checks the DNS record that proves a tenant owns a domain (`POST /domains/{id}/verify`). Without it the API
   * refuses to verify domains; operators still can (`cloudsync domain verify`, `CloudDirectory.verifyDomain`).
   */
  readonly domainProof?: DomainProof;
  /**
   * The provisioning log and the directory audit log (src/provisioning-logs): served under /v1.0/auditLogs, and
   * the audit log records every configuration change made through the synchronization API. Without them neither
   * is served nor recorded.
   */
  readonly auditLogs?: AuditLogs;
  /**
   * On-premises agents (src/agents): their management routes under /v1.0/onPremisesPublishingProfiles/provisioning
   * and the agent channel under /agent/v1. Without them neither is served.
   */
  readonly agents?: {
    readonly store: AgentStore;
    readonly hub: AgentHub;
    readonly registrationTokenLifetimeSeconds: number;
    /** Largest agent message after decompression (bytes). */
    readonly messageLimit: number;
    /** Runs the jobs of a tenant's domain now when an agent saw changes there (near real time). */
    readonly onChanges?: ChangeTrigger;
  };
  /** /healthz, /readyz and /metrics (src/observability); not served without it. */
  readonly observability?: ObservabilityOptions;
  /** TLS key and certificate (PEM) to serve HTTPS directly. */
  readonly https?: { readonly key: string | Buffer; readonly cert: string | Buffer };
}

/** Keys pino must never print, wherever they appear in a logged object. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'client_secret',
  'clientSecret',
  'access_token',
  'password',
  '*.client_secret',
  '*.clientSecret',
  '*.access_token',
  '*.password',
  '*.privateJwk',
] as const;

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
