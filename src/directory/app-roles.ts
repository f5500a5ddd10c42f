/**
 * The application roles a tenant's client may hold, named as Microsoft Graph names its application permissions,
 * so a token issued here carries the same `roles` claim values Graph clients expect.
 */
export const APP_ROLES = [
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Synchronization.ReadWrite.All',
  'AuditLog.Read.All',
] as const;
export type AppRole = (typeof APP_ROLES)[number];

const KNOWN = new Set<string>(APP_ROLES);

export function isAppRole(value: unknown): value is AppRole {
  return typeof value === 'string' && KNOWN.has(value);
}
