/**
 * RFC 2696 "LDAP Control Extension for Simple Paged Results Manipulation" (1.2.840.113556.1.4.319) over one
 * connection, as a stream of entries, plus the pieces both LDAP connectors share: completing truncated ranged
 * attributes and cutting the stream into bounded batches.
 *
 * The paged-results cookie belongs to the server and connection that issued it, so a paged search is not failed
 * over mid-way: a server lost between pages surfaces as a retryable ERR_LDAP_UNREACHABLE and the engine restarts
 * the import (which the watermark rules make safe).
 */
import type { Entry } from 'ldapts';
import type { Value } from '../../expressions/value.ts';
import { normalizeValue } from '../../expressions/value.ts';
import { toValue, type AttributeSchema } from '../attribute-syntax.ts';
import type { ImportBatch, SourceObject } from '../source-connector.ts';
import type { SyncUuidList } from './content-sync.ts';
import type { LdapConnection } from './ldap-connection.ts';
import { toLdapError } from './ldap-errors.ts';
import type { NormalizedEntry } from './ldap-entry.ts';
import { retrieveRemainingRanges, type RawValues } from './ranged-retrieval.ts';
import { withoutAbsentAttributes } from './search-entry-decoding.ts';
import { deferLarge } from '../deferred-attributes.ts';

export interface PagedSearchRequest {
  readonly base: string;
  readonly filter: string;
  readonly attributes: readonly string[];
  readonly binaryAttributes: readonly string[];
  readonly pageSize: number;
}

export async function* pagedEntries(connection: LdapConnection, request: PagedSearchRequest): AsyncGenerator<Entry[]> {
  const client = await connection.client();
  const what = `searching ${request.base} for ${request.filter}`;
  const pages = client.searchPaginated(request.base, {
    scope: 'sub',
    filter: request.filter,
    // Every reader of these entries (normalizeEntry, listAnchors) treats an absent attribute and `[]` alike.
    attributes: withoutAbsentAttributes([...request.attributes]),
    explicitBufferAttributes: [...request.binaryAttributes],
    paged: { pageSize: request.pageSize },
  });
  // Read ahead one page: the server prepares page n+1 while the consumer normalises page n.
  // A read-ahead that fails while the consumer is busy must not count as an unhandled rejection: mark it handled
  // now; the failure is still thrown by the `await` that consumes it.
  const ahead = () => { const p = pages.next(); p.catch(() => undefined); return p; };
  let next = ahead();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = ahead();
      yield current.value.searchEntries;
    }
  } catch (error) {
    const mapped = toLdapError(error, what);
    // The paged cookie dies with this server; make the retry (a new import) start on the next one.
    if (mapped.code === 'ERR_LDAP_UNREACHABLE') await connection.failover();
    throw mapped;
  } finally {
    // Settle a pending read-ahead (its failure after an early exit is not interesting) and release the search.
    await next.catch(() => undefined);
    await pages.return(undefined).catch(() => undefined);
  }
}

/** The object with its attributes over `max` values deferred; deferLarge walks only objects that have one. */
function withinInlineLimit(normalized: NormalizedEntry, max: number): SourceObject {
  return normalized.mostValues > max ? deferLarge(normalized.object, max, []) : normalized.object;
}

/** Completes truncated attributes of a page of entries; pages without any (nearly all) cost nothing. */
export async function completePage(
  connection: LdapConnection,
  page: readonly NormalizedEntry[],
  schema: AttributeSchema,
  rangeSize: number | undefined,
  concurrency: number,
  maxInlineValues?: number,
): Promise<SourceObject[]> {
  if (page.every((n) => n.truncated.size === 0)) {
    return maxInlineValues === undefined ? page.map((n) => n.object) : page.map((n) => withinInlineLimit(n, maxInlineValues));
  }
  return await mapConcurrent(page, concurrency, (n) => completeRanges(connection, n, schema, rangeSize, maxInlineValues));
}

/**
 * Fetches the rest of every truncated ranged attribute and merges it into the object. With `maxInlineValues`, an
 * attribute that turns out larger stops being fetched and is deferred instead (see SourceObject).
 */
export async function completeRanges(
  connection: LdapConnection,
  normalized: NormalizedEntry,
  schema: AttributeSchema,
  rangeSize: number | undefined,
  maxInlineValues?: number,
): Promise<SourceObject> {
  if (normalized.truncated.size === 0) {
    return maxInlineValues === undefined ? normalized.object : withinInlineLimit(normalized, maxInlineValues);
  }
  const attributes: Record<string, Value> = { ...normalized.object.attributes };
  const deferred: string[] = [];
  for (const [name, { high, values }] of normalized.truncated) {
    const all: (string | Uint8Array)[] = [...values];
    const info = schema.lookup(name);
    let tooMany = maxInlineValues !== undefined && all.length > maxInlineValues;
    if (!tooMany) {
      for await (const chunk of retrieveRemainingRanges(connection, normalized.object.dn, name, high, {
        ...(rangeSize === undefined ? {} : { rangeSize }),
        binary: info?.syntax === 'binary',
      })) {
        all.push(...chunk);
        if (maxInlineValues !== undefined && all.length > maxInlineValues) { tooMany = true; break; }
      }
    }
    if (tooMany) { deferred.push(name); continue; }
    const value = normalizeValue(toValue(all, info ? { ...info, singleValued: false } : { syntax: 'string', singleValued: false }));
    if (value !== null) attributes[name] = value;
  }
  const object = { ...normalized.object, attributes };
  return maxInlineValues === undefined ? object : deferLarge(object, maxInlineValues, deferred);
}

/** Converts raw chunks of one attribute into Value chunks of at most `chunkSize`. */
export async function* valueChunks(raw: AsyncIterable<RawValues>, schema: AttributeSchema, attribute: string, chunkSize: number): AsyncGenerator<Value[]> {
  const info = schema.lookup(attribute);
  const syntax = info?.syntax ?? 'string';
  let pending: Value[] = [];
  for await (const chunk of raw) {
    for (const r of chunk) {
      pending.push(toValue([r], { syntax, singleValued: true }));
      if (pending.length >= chunkSize) { yield pending; pending = []; }
    }
  }
  if (pending.length > 0) yield pending;
}

/**
 * Regroups a stream of pages of objects into batches of at most `size`. Pages, not objects, cross the async
 * boundary: one generator step per object cost every imported object a promise and an iterator result.
 */
export async function* inBatches(pages: AsyncIterable<readonly SourceObject[]>, size: number, signal?: AbortSignal): AsyncGenerator<SourceObject[]> {
  let batch: SourceObject[] = [];
  for await (const page of pages) {
    for (const object of page) {
      signal?.throwIfAborted();
      batch.push(object);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/** Attaches `watermark` (worked out once every batch is read) to the last batch, or an empty one when there were none. */
export function withFinalWatermark(batches: AsyncIterable<SourceObject[]>, watermark: () => string): AsyncGenerator<ImportBatch> {
  return withFinalBatch(batches, 1, async () => ({ watermark: watermark(), deletedAnchors: [] }));
}

/**
 * The batches, then deletions, what is present and the watermark worked out once every object is read: they may come
 * from another search (content synchronization) that must run after the objects' own. The deleted anchors, then the
 * present ones, follow the last objects in batches of at most `batchSize` anchors (a batch's bound, whatever it
 * carries); the watermark rides on the last batch, an empty one when there was nothing else.
 */
export async function* withFinalBatch(
  batches: AsyncIterable<SourceObject[]>,
  batchSize: number,
  last: () => Promise<{
    readonly watermark: string;
    readonly deletedAnchors: readonly string[];
    /** what is present, formatted a page at a time (content-sync.ts) */
    readonly presentAnchors?: SyncUuidList;
    readonly reconcileDeletions?: boolean;
  }>,
): AsyncGenerator<ImportBatch> {
  let pending: SourceObject[] | undefined;
  for await (const batch of batches) {
    if (pending) yield { objects: pending };
    pending = batch;
  }
  const { watermark, deletedAnchors, presentAnchors, reconcileDeletions } = await last();
  const tail: ImportBatch[] = pending !== undefined && pending.length > 0 ? [{ objects: pending }] : [];
  for (let start = 0; start < deletedAnchors.length; start += batchSize) tail.push({ objects: [], deletedAnchors: deletedAnchors.slice(start, start + batchSize) });
  // with the watermark, which the engine must not store before it knows (ImportBatch.reconcileDeletions)
  const final = { watermark, ...(reconcileDeletions === true ? { reconcileDeletions } : {}) };
  if (presentAnchors !== undefined) {
    yield* tail;
    // ImportBatch.presentAnchors: the batch with the watermark holds the last of them, even none; formatted as they
    // go, so that only a page of them is ever held as strings
    let last: string[] = [];
    for (const page of presentAnchors.pages(batchSize)) {
      if (last.length > 0) yield { objects: [], presentAnchors: last };
      last = page;
    }
    yield { objects: [], presentAnchors: last, ...final };
    return;
  }
  if (tail.length === 0) tail.push({ objects: [] });
  tail.push({ ...tail.pop()!, ...final });
  yield* tail;
}

/** Runs `fn` over items with at most `limit` in flight, preserving order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
