/**
 * The closed list of error codes. A code, once released, keeps its meaning forever: scripts, the portal and
 * the provisioning log match on it. Add codes at the end of their area; never rename or reuse one.
 *
 * Misuse by our own code is a `TypeError`, not one of these: these are for bad input and failing peers.
 */
export const ERROR_CODES = [
  // expressions (src/expressions)
  'ERR_EXPR_SYNTAX',
  'ERR_EXPR_UNKNOWN_FUNCTION',
  'ERR_EXPR_ARITY',
  'ERR_EXPR_ARGUMENT_TYPE',
  'ERR_EXPR_UNKNOWN_ATTRIBUTE',
  'ERR_EXPR_EVALUATION',
  'ERR_EXPR_NOT_APPLICABLE',
  'ERR_EXPR_USER_ERROR',
  'ERR_EXPR_NOT_UNIQUE',
  'ERR_EXPR_TOO_LARGE',
  'ERR_EXPR_REGEX',
  // scoping filters and synchronization schema (src/schema)
  'ERR_SCOPE_INVALID',
  'ERR_SCHEMA_INVALID',
  'ERR_SCHEMA_UNKNOWN_TEMPLATE',
  'ERR_SCHEMA_VALUE_TYPE',
  // storage (src/storage)
  'ERR_STORE_UNAVAILABLE',
  'ERR_STORE_CONFLICT',
  'ERR_STORE_MIGRATION',
  // cloud directory (src/directory)
  'ERR_DIR_NOT_FOUND',
  'ERR_DIR_UPN_CONFLICT',
  'ERR_DIR_PROXY_ADDRESS_CONFLICT',
  'ERR_DIR_IMMUTABLE_ID_CONFLICT',
  'ERR_DIR_UNVERIFIED_DOMAIN',
  'ERR_DIR_MEMBERSHIP_CYCLE',
  'ERR_DIR_MANAGER_CYCLE',
  'ERR_DIR_MEMBER_EXISTS',
  'ERR_DIR_INVALID_PROPERTY',
  'ERR_DIR_READ_ONLY_PROPERTY',
  'ERR_DIR_ON_PREMISES_MASTERED',
  'ERR_DIR_INVALID_VALUE',
  'ERR_DIR_DOMAIN_CONFLICT',
  'ERR_DIR_EXTENSION_INVALID',
  'ERR_DIR_DOMAIN_UNPROVEN',
  // OData query options (src/api/graph)
  'ERR_ODATA_FILTER',
  'ERR_ODATA_SELECT',
  'ERR_ODATA_ORDERBY',
  'ERR_ODATA_TOP',
  'ERR_ODATA_SKIPTOKEN',
  'ERR_ODATA_UNSUPPORTED',
  // HTTP and authentication (src/api)
  'ERR_HTTP_BAD_REQUEST',
  'ERR_HTTP_PAYLOAD_TOO_LARGE',
  'ERR_HTTP_NOT_FOUND',
  'ERR_HTTP_METHOD_NOT_ALLOWED',
  'ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
  'ERR_AUTH_INVALID_CLIENT',
  'ERR_AUTH_INVALID_GRANT',
  'ERR_AUTH_UNSUPPORTED_GRANT_TYPE',
  'ERR_AUTH_INVALID_SCOPE',
  'ERR_AUTH_TOKEN_MISSING',
  'ERR_AUTH_TOKEN_INVALID',
  'ERR_AUTH_TOKEN_EXPIRED',
  'ERR_AUTH_FORBIDDEN',
  'ERR_AUTH_WRONG_TENANT',
  'ERR_AUTH_TOO_MANY_ATTEMPTS',
  // LDAP and LDIF connectors (src/connectors)
  'ERR_LDAP_UNREACHABLE',
  'ERR_LDAP_INVALID_CREDENTIALS',
  'ERR_LDAP_TLS',
  'ERR_LDAP_NO_SUCH_OBJECT',
  'ERR_LDAP_INSUFFICIENT_ACCESS',
  'ERR_LDAP_BUSY',
  'ERR_LDAP_PROTOCOL',
  'ERR_LDAP_INVALID_DN',
  'ERR_LDIF_SYNTAX',
  // DNS, asked to prove domain ownership (src/server/dns-domain-proof.ts)
  'ERR_DNS_UNAVAILABLE',
  // configuration, CLI and the server process (src/cli, src/server)
  'ERR_CONFIG_INVALID',
  'ERR_CLI_USAGE',
  'ERR_CLI_SERVICE_UNREACHABLE',
  'ERR_CLI_CREDENTIALS_MISSING',
  'ERR_CLI_FILE',
  'ERR_SYSTEM_PACKAGES_MISSING',
  // synchronization configurations: service principals, jobs, secrets (src/synchronization)
  'ERR_SYNC_CONFIG_NOT_FOUND',
  'ERR_SYNC_CONFIG_INVALID',
  'ERR_SYNC_CONFIG_DOMAIN_CONFLICT',
  'ERR_SYNC_CONFIG_JOB_EXISTS',
  'ERR_SYNC_CONFIG_NOT_READY',
  // sync engine (src/engine)
  'ERR_SYNC_REFERENCE_UNRESOLVED',
  'ERR_SYNC_MATCH_CONFLICT',
  'ERR_SYNC_DELETE_THRESHOLD',
  // job scheduler (src/synchronization/scheduler.ts)
  'ERR_SYNC_CYCLE_ABORTED',
  // on-demand provisioning (src/engine/on-demand-provisioning.ts, POST …/jobs/{id}/provisionOnDemand)
  'ERR_SYNC_ON_DEMAND_INVALID',
  'ERR_SYNC_ON_DEMAND_NOT_FOUND',
  'ERR_SYNC_ON_DEMAND_WRONG_TYPE',
  'ERR_SYNC_ON_DEMAND_NO_AGENT',
  'ERR_SYNC_ON_DEMAND_RATE_LIMITED',
  // npm run demo (src/cli/commands/demo.ts)
  'ERR_DEMO_SELF_CHECK',
  // on-premises agents and their channel (src/agent, src/agents, src/agent-channel)
  'ERR_AGENT_NOT_FOUND',
  'ERR_AGENT_REGISTRATION_TOKEN_INVALID',
  'ERR_AGENT_ASSERTION_INVALID',
  'ERR_AGENT_DISABLED',
  'ERR_AGENT_REVOKED',
  'ERR_AGENT_PROTOCOL',
  'ERR_AGENT_BATCH_TOO_LARGE',
  'ERR_AGENT_LEASE_LOST',
  'ERR_AGENT_UNAVAILABLE',
  'ERR_AGENT_STATE',
  // quarantine and delete-threshold emails (src/notifications)
  'ERR_NOTIFY_SMTP',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN = new Set<string>(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}
