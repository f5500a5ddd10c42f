/**
 * CloudsyncError → Microsoft Graph's error response. The table below is the only place an error code becomes an
 * HTTP status and a Graph error code; routes throw CloudsyncErrors and never build error bodies themselves.
 *
 * Graph's shape (https://learn.microsoft.com/graph/errors):
 *
 *   { "error": { "code": "Request_ResourceNotFound", "message": "…",
 *                "innerError": { "date": "2024-01-02T03:04:05", "request-id": "…", "client-request-id": "…" } } }
 *
 * Statuses and codes follow what Graph answers on directory objects: conflicts on unique properties and rule
 * violations are 400 Request_BadRequest (Graph does not use 409 there), unknown ids 404 Request_ResourceNotFound,
 * unsupported query shapes 400 Request_UnsupportedQuery, bad tokens 401 InvalidAuthenticationToken, missing roles
 * 403 Authorization_RequestDenied.
 */
import type { ErrorCode } from '../errors/index.ts';
import { CloudsyncError } from '../errors/index.ts';

export interface GraphErrorMapping {
  readonly status: number;
  readonly code: string;
  /** Show the error's message although the status is 5xx: it names only the failing peer, never our internals. */
  readonly expose?: boolean;
}

const BAD_REQUEST: GraphErrorMapping = { status: 400, code: 'Request_BadRequest' };
const UNSUPPORTED_QUERY: GraphErrorMapping = { status: 400, code: 'Request_UnsupportedQuery' };
const INVALID_TOKEN: GraphErrorMapping = { status: 401, code: 'InvalidAuthenticationToken' };

export const GRAPH_ERRORS: Readonly<Partial<Record<ErrorCode, GraphErrorMapping>>> = Object.freeze({
  ERR_DIR_NOT_FOUND: { status: 404, code: 'Request_ResourceNotFound' },
  ERR_DIR_UPN_CONFLICT: BAD_REQUEST,
  ERR_DIR_PROXY_ADDRESS_CONFLICT: BAD_REQUEST,
  ERR_DIR_IMMUTABLE_ID_CONFLICT: BAD_REQUEST,
  ERR_DIR_UNVERIFIED_DOMAIN: BAD_REQUEST,
  ERR_DIR_MEMBERSHIP_CYCLE: BAD_REQUEST,
  ERR_DIR_MANAGER_CYCLE: BAD_REQUEST,
  ERR_DIR_MEMBER_EXISTS: BAD_REQUEST,
  ERR_DIR_INVALID_PROPERTY: BAD_REQUEST,
  ERR_DIR_READ_ONLY_PROPERTY: BAD_REQUEST,
  ERR_DIR_ON_PREMISES_MASTERED: BAD_REQUEST,
  ERR_DIR_INVALID_VALUE: BAD_REQUEST,
  ERR_DIR_DOMAIN_CONFLICT: BAD_REQUEST,
  ERR_DIR_EXTENSION_INVALID: BAD_REQUEST,
  ERR_DIR_DOMAIN_UNPROVEN: BAD_REQUEST,
  // A syntax error is Graph's "Invalid filter clause" (BadRequest); a well-formed filter on a property or
  // operator the directory cannot serve is Request_UnsupportedQuery. See graphErrorMapping().
  ERR_ODATA_FILTER: { status: 400, code: 'BadRequest' },
  ERR_ODATA_SELECT: { status: 400, code: 'BadRequest' },
  ERR_ODATA_ORDERBY: UNSUPPORTED_QUERY,
  ERR_ODATA_TOP: BAD_REQUEST,
  ERR_ODATA_SKIPTOKEN: BAD_REQUEST,
  ERR_ODATA_UNSUPPORTED: UNSUPPORTED_QUERY,
  ERR_HTTP_BAD_REQUEST: BAD_REQUEST,
  ERR_HTTP_PAYLOAD_TOO_LARGE: { status: 413, code: 'Request_EntityTooLarge' },
  // Graph answers an unknown path segment with 400 "Resource not found for the segment '…'".
  ERR_HTTP_NOT_FOUND: { status: 400, code: 'BadRequest' },
  ERR_HTTP_METHOD_NOT_ALLOWED: { status: 405, code: 'Request_BadRequest' },
  ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'Request_BadRequest' },
  ERR_AUTH_TOKEN_MISSING: INVALID_TOKEN,
  ERR_AUTH_TOKEN_INVALID: INVALID_TOKEN,
  ERR_AUTH_TOKEN_EXPIRED: INVALID_TOKEN,
  ERR_AUTH_WRONG_TENANT: INVALID_TOKEN,
  ERR_AUTH_FORBIDDEN: { status: 403, code: 'Authorization_RequestDenied' },
  ERR_STORE_CONFLICT: { status: 409, code: 'Request_Conflict' },
  ERR_STORE_UNAVAILABLE: { status: 503, code: 'serviceNotAvailable' },
  // The caller can do something about it (retry, tell the operator), and the message names no internals.
  ERR_DNS_UNAVAILABLE: { status: 503, code: 'serviceNotAvailable', expose: true },
  ERR_SYNC_CONFIG_NOT_FOUND: { status: 404, code: 'Request_ResourceNotFound' },
  ERR_SYNC_CONFIG_INVALID: BAD_REQUEST,
  ERR_SYNC_CONFIG_DOMAIN_CONFLICT: { status: 409, code: 'Conflict' },
  ERR_SYNC_CONFIG_JOB_EXISTS: { status: 409, code: 'Conflict' },
  ERR_SYNC_CONFIG_NOT_READY: BAD_REQUEST,
  // The on-premises directory behind an agent (on-demand provisioning reads it during the request): its failure
  // is the caller's to retry or to tell the operator, and the message names only the directory.
  ERR_LDAP_UNREACHABLE: { status: 503, code: 'serviceNotAvailable', expose: true },
  ERR_LDAP_INVALID_CREDENTIALS: { status: 503, code: 'serviceNotAvailable', expose: true },
  ERR_LDAP_TLS: { status: 503, code: 'serviceNotAvailable', expose: true },
  ERR_LDAP_BUSY: { status: 503, code: 'serviceNotAvailable', expose: true },
  ERR_SYNC_ON_DEMAND_INVALID: BAD_REQUEST,
  ERR_SYNC_ON_DEMAND_NOT_FOUND: { status: 404, code: 'Request_ResourceNotFound' },
  ERR_SYNC_ON_DEMAND_WRONG_TYPE: BAD_REQUEST,
  // Entra's status code for a job whose domain no provisioning agent serves; the admin can start one.
  ERR_SYNC_ON_DEMAND_NO_AGENT: { status: 503, code: 'HybridIdentityServiceNoActiveAgents', expose: true },
  // Graph's throttling answer (429 with Retry-After); the route sets the header.
  ERR_SYNC_ON_DEMAND_RATE_LIMITED: { status: 429, code: 'TooManyRequests' },
  // The agent channel (src/api/agents): the agent tells a revoked identity (give up) from a disabled one (wait).
  ERR_AGENT_NOT_FOUND: { status: 404, code: 'Request_ResourceNotFound' },
  ERR_AGENT_REGISTRATION_TOKEN_INVALID: { status: 400, code: 'InvalidRegistrationToken' },
  ERR_AGENT_ASSERTION_INVALID: INVALID_TOKEN,
  ERR_AGENT_DISABLED: { status: 403, code: 'AgentDisabled' },
  ERR_AGENT_REVOKED: { status: 403, code: 'AgentRevoked' },
  ERR_AGENT_PROTOCOL: BAD_REQUEST,
  ERR_AGENT_BATCH_TOO_LARGE: { status: 413, code: 'Request_EntityTooLarge' },
  ERR_AGENT_LEASE_LOST: { status: 409, code: 'LeaseLost' },
});

/** What a non-CloudsyncError becomes: a bug of ours, told to the caller only as this. */
export const INTERNAL_ERROR: GraphErrorMapping = Object.freeze({ status: 500, code: 'generalException' });
export const INTERNAL_ERROR_MESSAGE = 'An internal server error occurred. The request id identifies it in the service logs.';

export function graphErrorMapping(error: CloudsyncError): GraphErrorMapping {
  if (error.code === 'ERR_ODATA_FILTER' && error.position === undefined) return UNSUPPORTED_QUERY;
  // Any other CloudsyncError is, by its contract, bad input: a 400 rather than a misleading 500.
  return GRAPH_ERRORS[error.code] ?? BAD_REQUEST;
}

export interface GraphErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly innerError: { readonly date: string; readonly 'request-id': string; readonly 'client-request-id'?: string };
  };
}

export function graphErrorBody(code: string, message: string, requestId: string, clientRequestId: string | undefined, now: Date): GraphErrorBody {
  return {
    error: {
      code,
      message,
      innerError: {
        // Graph prints the date without fractional seconds or zone designator.
        date: now.toISOString().slice(0, 19),
        'request-id': requestId,
        ...(clientRequestId === undefined ? {} : { 'client-request-id': clientRequestId }),
      },
    },
  };
}
