/**
 * Maps database failures to CloudsyncErrors. The directory checks uniqueness inside the tenant's serialized write
 * transaction, so it can name the conflicting object (on PostgreSQL before writing; on SQLite a create checks only
 * after a unique index refused its rows); the unique indexes are the backstop for what a check cannot see (another tenant verifying the same domain at the same moment, two nodes racing on a
 * tenant name). Both SQLite and PostgreSQL report which index or columns were violated; that decides the code.
 */
import { CloudsyncError, type ErrorCode } from '../errors/index.ts';

const UNIQUE_INDEX_CODES: readonly (readonly [RegExp, ErrorCode, string])[] = [
  [/upn_key|ux_directory_objects_upn/, 'ERR_DIR_UPN_CONFLICT', 'another object already has this userPrincipalName'],
  [/immutable_id/, 'ERR_DIR_IMMUTABLE_ID_CONFLICT', 'another object already has this onPremisesImmutableId'],
  [/smtp_addresses/, 'ERR_DIR_PROXY_ADDRESS_CONFLICT', 'another object already has this SMTP address'],
  [/domains|tenants/, 'ERR_DIR_DOMAIN_CONFLICT', 'this domain or tenant name is already taken'],
  [/extension_properties/, 'ERR_DIR_EXTENSION_INVALID', 'an extension property with this name is already registered'],
  [/memberships/, 'ERR_DIR_MEMBER_EXISTS', 'the object is already a member of the group'],
];

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003']);

export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof CloudsyncError || !(error instanceof Error)) return error;
  const e = error as Error & { code?: string; errcode?: number; constraint?: string; errstr?: string };
  let uniqueTarget: string | undefined;
  if (e.code === '23505') uniqueTarget = e.constraint ?? e.message;
  else if (e.code === 'ERR_SQLITE_ERROR' && /UNIQUE constraint failed: (.*)/.test(e.message)) uniqueTarget = /UNIQUE constraint failed: (.*)/.exec(e.message)![1];
  if (uniqueTarget !== undefined) {
    for (const [pattern, code, message] of UNIQUE_INDEX_CODES) {
      if (pattern.test(uniqueTarget)) return new CloudsyncError(code, message, { cause: error });
    }
    return new CloudsyncError('ERR_STORE_CONFLICT', 'a concurrent write conflicted with this one; retry', { cause: error });
  }
  if (e.code === '40001' || e.code === '40P01') {
    return new CloudsyncError('ERR_STORE_CONFLICT', 'a concurrent write conflicted with this one; retry', { cause: error });
  }
  // PostgreSQL text cannot hold U+0000, so an id, a $filter literal or a skip token carrying one is refused by the
  // server (SQLite just finds nothing): the caller's bad input, not a failure of ours.
  if (e.code === '22021') {
    return new CloudsyncError('ERR_DIR_INVALID_VALUE', 'the request contains the character U+0000, which no directory value can hold', { cause: error });
  }
  if ((e.code !== undefined && UNAVAILABLE_CODES.has(e.code)) || (e.code === 'ERR_SQLITE_ERROR' && (e.errcode === 5 || e.errcode === 6))) {
    return new CloudsyncError('ERR_STORE_UNAVAILABLE', `the database is unavailable: ${e.message}`, { cause: error });
  }
  return error;
}
