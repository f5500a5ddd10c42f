/**
 * Authentication and roles for the synchronization routes. Graph opens its synchronization API to
 * Synchronization.ReadWrite.All (application permission; Synchronization.Read.All for reads, which this service
 * does not issue) and not to Directory.*; instantiating a template and reading or deleting service principals are
 * application writes, open to Directory.ReadWrite.All as well.
 *
 * Why a hook of its own: the Graph scope's access table (auth/access-policy.ts) knows only the read/write levels
 * of directory objects. Until it grows a `synchronization` level, these routes live in their own scope and check
 * the token with the same verifier, issuer and audiences; the tenant is still the token's and nothing else.
 */
import type { FastifyRequest } from 'fastify';
import type { AppRole } from '../../directory/app-roles.ts';
import { CloudsyncError } from '../../errors/index.ts';
import { GRAPH_RESOURCE, issuerFor, verifyAccessToken, type KeyPair } from '../auth/access-token.ts';
import { VerifiedTokenCache } from '../auth/verified-token-cache.ts';
import { baseUrlOf } from '../base-url.ts';

export const SYNCHRONIZATION_ACCESS = ['synchronization', 'applicationRead', 'applicationWrite'] as const;
export type SynchronizationAccess = (typeof SYNCHRONIZATION_ACCESS)[number];

export const ROLES_FOR_SYNCHRONIZATION_ACCESS: Readonly<Record<SynchronizationAccess, readonly AppRole[]>> = Object.freeze({
  synchronization: ['Synchronization.ReadWrite.All'],
  applicationRead: ['Directory.Read.All', 'Directory.ReadWrite.All', 'Synchronization.ReadWrite.All'],
  applicationWrite: ['Directory.ReadWrite.All', 'Synchronization.ReadWrite.All'],
});

declare module 'fastify' {
  interface FastifyContextConfig {
    synchronizationAccess?: SynchronizationAccess;
  }
}

export function createSynchronizationAuthenticate(options: { readonly key: () => Promise<KeyPair>; readonly clock: () => Date; readonly publicUrl: string | undefined }) {
  const verified = new VerifiedTokenCache();
  return async function authenticateSynchronization(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') throw new CloudsyncError('ERR_AUTH_TOKEN_MISSING', 'Access token is empty.');
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
    const access = request.routeOptions.config?.synchronizationAccess;
    const needed = access === undefined ? [] : ROLES_FOR_SYNCHRONIZATION_ACCESS[access];
    if (!principal.roles.some((role) => needed.includes(role))) {
      throw new CloudsyncError('ERR_AUTH_FORBIDDEN', `Insufficient privileges to complete the operation; it needs one of: ${needed.join(', ') || '(none: route not open)'}.`);
    }
    request.principal = principal;
  };
}
