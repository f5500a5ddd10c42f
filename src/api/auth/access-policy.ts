/**
 * Which application roles open which routes: the one table, consulted by the authentication hook of every
 * /v1.0 scope. Graph's application permissions:
 * - Directory.Read.All reads directory objects; Directory.ReadWrite.All also writes them (and so implies reading).
 * - The synchronization API is open to Synchronization.ReadWrite.All and not to Directory.* (Graph's
 *   Synchronization.Read.All for reads is not issued here).
 * - Instantiating an application template and reading or deleting service principals are application operations,
 *   open to Directory.* as well as to Synchronization.ReadWrite.All.
 * - The audit logs (/auditLogs/provisioning, /auditLogs/directoryAudits) need AuditLog.Read.All, Graph's
 *   application permission for them; Directory.* does not open them (they show attribute values and who changed
 *   what).
 * A route declares its level in `config.access`; a route without one is refused (fail closed).
 */
import type { AppRole } from '../../directory/app-roles.ts';

export const ACCESS_LEVELS = ['read', 'write', 'synchronization', 'applicationRead', 'applicationWrite', 'auditLog'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export const ROLES_FOR_ACCESS: Readonly<Record<AccessLevel, readonly AppRole[]>> = Object.freeze({
  read: ['Directory.Read.All', 'Directory.ReadWrite.All'],
  write: ['Directory.ReadWrite.All'],
  synchronization: ['Synchronization.ReadWrite.All'],
  applicationRead: ['Directory.Read.All', 'Directory.ReadWrite.All', 'Synchronization.ReadWrite.All'],
  applicationWrite: ['Directory.ReadWrite.All', 'Synchronization.ReadWrite.All'],
  auditLog: ['AuditLog.Read.All'],
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
