/**
 * Shapes of Graph's OData JSON responses (OData JSON Format 4.01 §4.5): `@odata.context` on every response,
 * `value` for collections, `@odata.count` when asked, `@odata.nextLink` while more pages follow.
 *
 * nextLinks repeat the request's own query options with the new `$skiptoken`, so a client that follows them
 * (the SDKs' PageIterator does) keeps its filter, selection and page size. Option names keep their `$`
 * unescaped and values are percent-encoded, which the Graph SDK's URL parser round-trips.
 */
import type { FastifyRequest } from 'fastify';
import { applySelect, type Selection } from '../odata/select.ts';
import type { ListPage } from '../../directory/query.ts';

export function contextUrl(base: string, fragment: string): string {
  return `${base}/v1.0/$metadata#${fragment}`;
}

/** `users` → `users(id,displayName)` when a selection applies, as Graph writes it. */
export function withSelection(fragment: string, select: Selection | undefined): string {
  return select === undefined ? fragment : `${fragment}(${select.properties.join(',')})`;
}

/** The request's URL with `name` set to `value` (and any spelling of the paging tokens removed). */
export function linkWithToken(base: string, request: FastifyRequest, name: '$skiptoken' | '$deltatoken', value: string): string {
  const url = request.url;
  const question = url.indexOf('?');
  const path = question < 0 ? url : url.slice(0, question);
  const parts: string[] = [];
  if (question >= 0) {
    for (const part of url.slice(question + 1).split('&')) {
      if (part === '') continue;
      const key = decodeURIComponentSafe(part.split('=', 1)[0]!).toLowerCase();
      if (key === '$skiptoken' || key === '$deltatoken') continue;
      parts.push(part);
    }
  }
  parts.push(`${name}=${encodeURIComponent(value)}`);
  return `${base}${path}?${parts.join('&')}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** One object as served: projected on `$select`; `@odata.type` only where Graph shows it (mixed collections). */
export function present(object: Readonly<Record<string, unknown>>, select: Selection | undefined, keepType: boolean): Record<string, unknown> {
  if (select !== undefined) return applySelect(object, select, keepType ? ['@odata.type'] : []);
  if (keepType) return object as Record<string, unknown>;
  const { '@odata.type': _type, ...rest } = object;
  return rest;
}

export interface CollectionOptions {
  readonly base: string;
  readonly request: FastifyRequest;
  /** The context fragment without selection: `users`, `directoryObjects`, `directory/deletedItems/microsoft.graph.user`. */
  readonly fragment: string;
  readonly select: Selection | undefined;
  readonly keepType: boolean;
}

export function collectionResponse(page: ListPage<Readonly<Record<string, unknown>>>, options: CollectionOptions): Record<string, unknown> {
  const value = page.items.map((item) => present(item, options.select, options.keepType));
  return {
    '@odata.context': contextUrl(options.base, withSelection(options.fragment, options.select)),
    ...(page.count === undefined ? {} : { '@odata.count': page.count }),
    value,
    ...(page.nextSkipToken === undefined ? {} : { '@odata.nextLink': linkWithToken(options.base, options.request, '$skiptoken', page.nextSkipToken) }),
  };
}

export function entityResponse(object: Readonly<Record<string, unknown>>, options: Omit<CollectionOptions, 'request'>): Record<string, unknown> {
  return {
    '@odata.context': contextUrl(options.base, `${withSelection(options.fragment, options.select)}/$entity`),
    ...present(object, options.select, options.keepType),
  };
}

/**
 * A collection response assembled from the objects' stored JSON texts (CloudDirectory.listJson), so a large page
 * is neither parsed nor re-serialized: the largest cost of a full listing.
 *
 * Single-type sets are served without `@odata.type` (as Graph does). The stored text carries it as the member
 * `"@odata.type":"#microsoft.graph.user",`; that exact sequence can only be that member (a quote inside a JSON
 * string is always escaped), so cutting its first occurrence is safe. A text without it in that form (other key
 * order) takes the slow path.
 */
export function jsonCollectionResponse(page: ListPage<string>, options: Omit<CollectionOptions, 'select' | 'keepType'> & { readonly odataType: string }): string {
  const member = `"@odata.type":${JSON.stringify(options.odataType)},`;
  const value = page.items.map((text) => {
    const at = text.indexOf(member);
    if (at >= 0) return text.slice(0, at) + text.slice(at + member.length);
    return JSON.stringify(present(JSON.parse(text) as Record<string, unknown>, undefined, false));
  });
  let body = `{"@odata.context":${JSON.stringify(contextUrl(options.base, options.fragment))}`;
  if (page.count !== undefined) body += `,"@odata.count":${page.count}`;
  body += `,"value":[${value.join(',')}]`;
  if (page.nextSkipToken !== undefined) body += `,"@odata.nextLink":${JSON.stringify(linkWithToken(options.base, options.request, '$skiptoken', page.nextSkipToken))}`;
  return `${body}}`;
}
