/**
 * Which application roles open which routes: the one table, consulted by the authentication hook.
 * Graph's application permissions: Directory.Read.All reads directory objects; Directory.ReadWrite.All also
 * writes them (and so implies reading). A route declares its level in `config.access`; a route in the Graph
 * scope without one is refused (fail closed).
 */
import type { AppRole } from '../../directory/app-roles.ts';

export const ACCESS_LEVELS = ['read', 'write'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export const ROLES_FOR_ACCESS: Readonly<Record<AccessLevel, readonly AppRole[]>> = Object.freeze({
  read: ['Directory.Read.All', 'Directory.ReadWrite.All'],
  write: ['Directory.ReadWrite.All'],
});

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessLevel;
  }
}

export function isAllowed(roles: readonly AppRole[], access: AccessLevel | undefined): boolean {
  if (access === undefined) return false;
  const needed = ROLES_FOR_ACCESS[access];
  return roles.some((role) => needed.includes(role));
}
