/**
 * CloudsyncError → an OAuth 2.0 error response of the token endpoint (RFC 6749 §5.2):
 *
 *   "The authorization server responds with an HTTP 400 (Bad Request) status code (unless specified otherwise)
 *    and includes the following parameters with the response: error REQUIRED. A single ASCII error code from
 *    the following: invalid_request, invalid_client, invalid_grant, unauthorized_client,
 *    unsupported_grant_type, invalid_scope. error_description OPTIONAL. …"
 *   "invalid_client: Client authentication failed … The authorization server MAY return an HTTP 401
 *    (Unauthorized) status code to indicate which HTTP authentication schemes are supported."
 *
 * Entra answers invalid_client with 401, and adds trace_id/timestamp; so do we.
 */
import type { ErrorCode } from '../errors/index.ts';

export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'server_error',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

export interface OAuthErrorMapping {
  readonly status: number;
  readonly error: OAuthErrorCode;
}

export const OAUTH_ERRORS: Readonly<Partial<Record<ErrorCode, OAuthErrorMapping>>> = Object.freeze({
  ERR_AUTH_INVALID_CLIENT: { status: 401, error: 'invalid_client' },
  ERR_AUTH_INVALID_GRANT: { status: 400, error: 'invalid_grant' },
  ERR_AUTH_UNSUPPORTED_GRANT_TYPE: { status: 400, error: 'unsupported_grant_type' },
  ERR_AUTH_INVALID_SCOPE: { status: 400, error: 'invalid_scope' },
  ERR_AUTH_TOO_MANY_ATTEMPTS: { status: 429, error: 'invalid_client' },
  ERR_HTTP_PAYLOAD_TOO_LARGE: { status: 413, error: 'invalid_request' },
  ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 400, error: 'invalid_request' },
  ERR_STORE_UNAVAILABLE: { status: 503, error: 'server_error' },
});

export function oauthErrorMapping(code: ErrorCode): OAuthErrorMapping {
  return OAUTH_ERRORS[code] ?? { status: 400, error: 'invalid_request' };
}

export interface OAuthErrorBody {
  readonly error: OAuthErrorCode;
  readonly error_description: string;
  readonly timestamp: string;
  readonly trace_id: string;
}

export function oauthErrorBody(error: OAuthErrorCode, description: string, requestId: string, now: Date): OAuthErrorBody {
  return { error, error_description: description, timestamp: now.toISOString(), trace_id: requestId };
}
