/**
 * LDAP failures → CloudsyncError, in one table (house style §3.3.4: transient vs permanent is a table).
 *
 * RFC 4511 §4.1.9 / Appendix A lists the resultCodes. `retryable` means "the same request may succeed later or on
 * another server" (the connection layer fails over to the next URL for those); permanent ones are the caller's
 * or the directory's data problem and are reported per object.
 *
 * Invariant: messages never contain a password. ldapts' own messages carry only the server's diagnostic text and
 * the result code, and bind DNs are not secrets; we still never interpolate options objects.
 */
import { CloudsyncError, type ErrorCode } from '../../errors/index.ts';

export interface LdapErrorClass {
  readonly code: ErrorCode;
  readonly retryable: boolean;
}

/** resultCode → our code. Codes not listed are ERR_LDAP_PROTOCOL, permanent. */
export const LDAP_RESULT_CODES: Readonly<Record<number, LdapErrorClass & { readonly name: string }>> = {
  1: { name: 'operationsError', code: 'ERR_LDAP_PROTOCOL', retryable: false },
  2: { name: 'protocolError', code: 'ERR_LDAP_PROTOCOL', retryable: false },
  3: { name: 'timeLimitExceeded', code: 'ERR_LDAP_BUSY', retryable: true },
  4: { name: 'sizeLimitExceeded', code: 'ERR_LDAP_PROTOCOL', retryable: false },
  7: { name: 'authMethodNotSupported', code: 'ERR_LDAP_INVALID_CREDENTIALS', retryable: false },
  8: { name: 'strongerAuthRequired', code: 'ERR_LDAP_TLS', retryable: false },
  11: { name: 'adminLimitExceeded', code: 'ERR_LDAP_BUSY', retryable: true },
  12: { name: 'unavailableCriticalExtension', code: 'ERR_LDAP_PROTOCOL', retryable: false },
  13: { name: 'confidentialityRequired', code: 'ERR_LDAP_TLS', retryable: false },
  32: { name: 'noSuchObject', code: 'ERR_LDAP_NO_SUCH_OBJECT', retryable: false },
  34: { name: 'invalidDNSyntax', code: 'ERR_LDAP_INVALID_DN', retryable: false },
  48: { name: 'inappropriateAuthentication', code: 'ERR_LDAP_INVALID_CREDENTIALS', retryable: false },
  49: { name: 'invalidCredentials', code: 'ERR_LDAP_INVALID_CREDENTIALS', retryable: false },
  50: { name: 'insufficientAccessRights', code: 'ERR_LDAP_INSUFFICIENT_ACCESS', retryable: false },
  51: { name: 'busy', code: 'ERR_LDAP_BUSY', retryable: true },
  52: { name: 'unavailable', code: 'ERR_LDAP_UNREACHABLE', retryable: true },
  53: { name: 'unwillingToPerform', code: 'ERR_LDAP_PROTOCOL', retryable: false },
  80: { name: 'other', code: 'ERR_LDAP_PROTOCOL', retryable: false },
};

/** Socket-level failures: the server did not answer (retryable, try the next URL). */
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** OpenSSL / Node TLS verification error codes. */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|CERT_|HOSTNAME_MISMATCH|ERR_OSSL)/;

export function isRetryable(error: unknown): boolean {
  return error instanceof CloudsyncError && error.details?.['retryable'] === true;
}

/**
 * Classifies anything an ldapts call threw. `what` says what we were doing ("binding to ldap://dc1 as …",
 * "searching OU=Sales,…") and becomes the start of the message.
 */
export function toLdapError(error: unknown, what: string): CloudsyncError {
  if (error instanceof CloudsyncError) return error;
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (typeof e?.code === 'number') {
    const known = LDAP_RESULT_CODES[e.code];
    const code = known?.code ?? 'ERR_LDAP_PROTOCOL';
    const retryable = known?.retryable ?? false;
    return new CloudsyncError(code, `${what}: ${known?.name ?? `resultCode ${e.code}`} (${message})`, {
      cause: error,
      details: { resultCode: e.code, retryable },
    });
  }
  const errno = typeof e?.code === 'string' ? e.code : '';
  if (TLS_CODES.test(errno) || /certificate|self[- ]signed|TLS|SSL|altnames/i.test(message)) {
    return new CloudsyncError('ERR_LDAP_TLS', `${what}: TLS failed (${errno || message}); check the CA file and that the server certificate names the host`, {
      cause: error,
      details: { retryable: false, ...(errno ? { errno } : {}) },
    });
  }
  if (NETWORK_ERRNOS.has(errno) || /Connection (timeout|closed)|Socket error|Socket connection not established|socket hang up|timed? ?out|Timeout|ECONNRESET|EPIPE/i.test(message)) {
    return new CloudsyncError('ERR_LDAP_UNREACHABLE', `${what}: the server did not answer (${errno || message})`, {
      cause: error,
      details: { retryable: true, ...(errno ? { errno } : {}) },
    });
  }
  // ldapts' RFC 4515 filter parser: a configured filter that does not parse.
  if (/filter|paren|Invalid expression|Invalid attribute name|escaped|Wildcard missing/i.test(message)) {
    return new CloudsyncError('ERR_CONFIG_INVALID', `${what}: the LDAP filter is not valid (${message})`, { path: 'filter', cause: error, details: { retryable: false } });
  }
  if (/invalid LDAP URL/i.test(message)) {
    return new CloudsyncError('ERR_CONFIG_INVALID', `${what}: ${message}`, { cause: error, details: { retryable: false } });
  }
  if (/DN|distinguished name/i.test(message) && /invalid|parse/i.test(message)) {
    return new CloudsyncError('ERR_LDAP_INVALID_DN', `${what}: ${message}`, { cause: error, details: { retryable: false } });
  }
  return new CloudsyncError('ERR_LDAP_PROTOCOL', `${what}: ${message}`, { cause: error, details: { retryable: false } });
}
