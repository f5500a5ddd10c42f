/**
 * Bearer authentication (RFC 6750 §2.1) and authorization for every /v1.0 call, run in `onRequest` so an
 * unauthenticated request is refused before its body is even read.
 *
 *   credentials = "Bearer" 1*SP b64token
 *
 * The tenant a call addresses is the token's `tid`: routes read `request.principal.tenantId` and nothing else,
 * so no request can name another tenant.
 */
import type { FastifyRequest } from 'fastify';
import { CloudsyncError } from '../../errors/index.ts';
import { GRAPH_RESOURCE, issuerFor, verifyAccessToken, type KeyPair, type Principal } from './access-token.ts';
import { isAllowed, ROLES_FOR_ACCESS } from './access-policy.ts';
import { baseUrlOf } from '../base-url.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface AuthenticateOptions {
  readonly key: () => Promise<KeyPair>;
  readonly clock: () => Date;
  readonly publicUrl: string | undefined;
}

export function createAuthenticate(options: AuthenticateOptions) {
  const verified = new VerifiedTokenCache();
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      throw new CloudsyncError('ERR_AUTH_TOKEN_MISSING', 'Access token is empty.');
    }
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!match) throw new CloudsyncError('ERR_AUTH_TOKEN_INVALID', "Invalid authorization header: expected 'Bearer <access token>'.");
    const base = baseUrlOf(request, options.publicUrl);
    const token = match[1]!;
    const now = options.clock();
    const cacheKey = `${base} ${token}`;
    let principal = verified.get(cacheKey, now);
    if (principal === undefined) {
      principal = await verifyAccessToken(token, await options.key(), {
        audiences: [GRAPH_RESOURCE, `${GRAPH_RESOURCE}/`, base],
        issuerFor: (tenantId) => issuerFor(base, tenantId),
        now,
      });
      verified.set(cacheKey, principal, principal.notBefore, principal.expires);
    }
    const access = request.routeOptions.config?.access;
    if (!isAllowed(principal.roles, access)) {
      const needed = access === undefined ? '(none: the route is not open)' : ROLES_FOR_ACCESS[access].join(', ');
      throw new CloudsyncError('ERR_AUTH_FORBIDDEN', `Insufficient privileges to complete the operation; it needs one of: ${needed}.`);
    }
    request.principal = principal;
  };
}

/** The verified caller; only reachable in routes behind `authenticate`. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new TypeError('route is not behind authenticate');
  return request.principal;
}
