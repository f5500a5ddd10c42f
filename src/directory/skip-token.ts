/**
 * Opaque continuation tokens. A list skip token is a keyset position (sort key and id of the last row returned,
 * plus the order it belongs to), never an offset, so pages stay correct while rows are added and removed. A delta
 * token is a position in the tenant's change sequence. Both are base64url JSON: opaque to clients, not secret
 * (they reveal nothing the caller could not list anyway). A token used with another order, tenant or type is
 * refused rather than misread.
 */
import { CloudsyncError } from '../errors/index.ts';

export interface ListPosition {
  /** Order the token belongs to: `id`, `displayName asc`, `userPrincipalName desc`, … */
  readonly order: string;
  /** The last row's sort key (absent when ordering by id). */
  readonly key?: string;
  readonly id: string;
}

export interface DeltaPosition {
  readonly tenantId: string;
  readonly type: string;
  /** Changes after this sequence number are this round's. */
  readonly from: number;
  /** This round's upper bound (inclusive); absent in a delta link (fixed when the next round starts). */
  readonly high?: number;
  /** Initial rounds page by object id: the last id returned. */
  readonly after?: string;
  /** Change rounds page in change order: the sequence number of the last change whose object was returned. */
  readonly cursor?: number;
  /** Initial round (no previous token): pages over all live objects rather than changes. */
  readonly initial?: boolean;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(token: string): unknown {
  if (typeof token !== 'string' || token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function badToken(what: string): CloudsyncError {
  return new CloudsyncError('ERR_ODATA_SKIPTOKEN', `the ${what} is not valid for this request; start again without it`, { path: '$skiptoken' });
}

export function encodeListPosition(position: ListPosition): string {
  return encode({ o: position.order, ...(position.key === undefined ? {} : { k: position.key }), i: position.id });
}

export function decodeListPosition(token: string, expectedOrder: string): ListPosition {
  const value = decode(token) as { o?: unknown; k?: unknown; i?: unknown } | undefined;
  if (value === undefined || typeof value !== 'object' || value === null || value.o !== expectedOrder || typeof value.i !== 'string') {
    throw badToken('skip token');
  }
  if (value.k !== undefined && typeof value.k !== 'string') throw badToken('skip token');
  return { order: value.o, id: value.i, ...(typeof value.k === 'string' ? { key: value.k } : {}) };
}

export function encodeDeltaPosition(position: DeltaPosition): string {
  return encode({
    t: position.tenantId,
    y: position.type,
    f: position.from,
    ...(position.high === undefined ? {} : { h: position.high }),
    ...(position.after === undefined ? {} : { a: position.after }),
    ...(position.cursor === undefined ? {} : { c: position.cursor }),
    ...(position.initial === true ? { n: 1 } : {}),
  });
}

export function decodeDeltaPosition(token: string, tenantId: string, type: string): DeltaPosition {
  const v = decode(token) as { t?: unknown; y?: unknown; f?: unknown; h?: unknown; a?: unknown; c?: unknown; n?: unknown } | undefined;
  if (v === undefined || typeof v !== 'object' || v === null || v.t !== tenantId || v.y !== type) throw badToken('delta token');
  if (!Number.isSafeInteger(v.f) || (v.f as number) < 0) throw badToken('delta token');
  if (v.h !== undefined && !Number.isSafeInteger(v.h)) throw badToken('delta token');
  if (v.a !== undefined && typeof v.a !== 'string') throw badToken('delta token');
  if (v.c !== undefined && !Number.isSafeInteger(v.c)) throw badToken('delta token');
  return {
    tenantId,
    type,
    from: v.f as number,
    ...(v.h === undefined ? {} : { high: v.h as number }),
    ...(v.a === undefined ? {} : { after: v.a as string }),
    ...(v.c === undefined ? {} : { cursor: v.c as number }),
    ...(v.n === 1 ? { initial: true } : {}),
  };
}
