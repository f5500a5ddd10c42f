/**
 * Delta query (https://learn.microsoft.com/graph/delta-query-overview) on users and groups:
 *
 *   GET /users/delta[?$select=…]           first round: every object, paged by @odata.nextLink ($skiptoken)
 *   GET /users/delta?$skiptoken=…          next page of the same round
 *   GET /users/delta?$deltatoken=…         changes since the round that produced the token
 *
 * The last page of a round carries @odata.deltaLink instead of @odata.nextLink. Deleted objects come back as
 * `{ id, "@removed": { reason } }`; groups whose membership changed carry `members@delta`. Page size comes from
 * `Prefer: odata.maxpagesize=N` as in Graph (or `$top`). Tokens are the directory's and are opaque here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CloudsyncError } from '../../errors/index.ts';
import { MAX_PAGE_SIZE } from '../../directory/query.ts';
import type { DeltaEntry } from '../../directory/cloud-directory.ts';
import { normalizeQuery, type RawQuery } from '../odata/query-options.ts';
import { applySelect, parseSelect, type Selection } from '../odata/select.ts';
import { parseTop } from '../odata/top.ts';
import { contextUrl, linkWithToken, withSelection } from './odata-response.ts';
import { baseOf, GRAPH_TYPE_NAMES, selectableProperties, tenantOf, type GraphRouteOptions } from './graph-route-options.ts';

const DELTA_SETS = [
  { set: 'users', type: 'user' },
  { set: 'groups', type: 'group' },
] as const;

const DELTA_OPTIONS = new Set(['$select', '$deltatoken', '$skiptoken', '$top']);

/** `Prefer: odata.maxpagesize=N` (OData 4.01 Part 1 §8.2.8.3), capped like $top. */
export function maxPageSizeOf(prefer: string | undefined): number | undefined {
  const match = prefer === undefined ? null : /(?:^|[;,]\s*)odata\.maxpagesize=(\d+)/i.exec(prefer);
  return match ? Math.min(Math.max(Number(match[1]), 1), MAX_PAGE_SIZE) : undefined;
}

function presentEntry(entry: DeltaEntry, select: Selection | undefined): Record<string, unknown> {
  const { '@odata.type': _type, ...rest } = entry as Record<string, unknown>;
  if ('@removed' in rest || select === undefined) return rest;
  // The id, and members@delta on groups, are part of every delta entry whatever the selection.
  return applySelect(rest, select, ['id', 'members@delta']);
}

export async function deltaRoutes(app: FastifyInstance, options: GraphRouteOptions): Promise<void> {
  for (const { set, type } of DELTA_SETS) {
    const properties = selectableProperties(type);
    // `/delta` is Graph's shortcut for the function's qualified name, which generated SDKs send.
    const paths = [`/${set}/delta`, `/${set}/delta()`, `/${set}/microsoft.graph.delta`, `/${set}/microsoft.graph.delta()`];
    app.route({ method: 'GET', url: paths[0]!, config: { access: 'read' }, handler: deltaQuery });
    for (const path of paths.slice(1)) app.route({ method: 'GET', url: path, config: { access: 'read' }, handler: deltaQuery });
    async function deltaQuery(request: FastifyRequest) {
      const query = normalizeQuery(request.query as RawQuery);
      for (const name of query.keys()) {
        if (name.startsWith('$') && !DELTA_OPTIONS.has(name)) {
          throw new CloudsyncError('ERR_ODATA_UNSUPPORTED', `The query option '${name}' is not supported on delta; use $select, $deltatoken or $skiptoken.`, { path: name });
        }
      }
      const skipToken = query.get('$skiptoken');
      const deltaToken = query.get('$deltatoken');
      if (skipToken !== undefined && deltaToken !== undefined) {
        throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', 'Give either $skiptoken or $deltatoken, not both: follow the @odata.nextLink or @odata.deltaLink as returned.');
      }
      const token = skipToken ?? deltaToken;
      const selectText = query.get('$select');
      const select = selectText === undefined ? undefined : parseSelect(selectText, properties, GRAPH_TYPE_NAMES[type]);
      const topText = query.get('$top');
      const top = topText !== undefined ? parseTop(topText) : maxPageSizeOf(request.headers['prefer'] as string | undefined);
      const page = await options.directory.delta(tenantOf(request), type, {
        ...(token === undefined || token === '' ? {} : { token }),
        ...(top === undefined ? {} : { top }),
      });
      const base = baseOf(request, options);
      return {
        '@odata.context': contextUrl(base, withSelection(set, select)),
        value: page.items.map((entry) => presentEntry(entry, select)),
        ...(page.nextToken === undefined ? {} : { '@odata.nextLink': linkWithToken(base, request, '$skiptoken', page.nextToken) }),
        ...(page.deltaToken === undefined ? {} : { '@odata.deltaLink': linkWithToken(base, request, '$deltatoken', page.deltaToken) }),
      };
    }
  }
}
