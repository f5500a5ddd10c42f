/**
 * The five operations Graph offers on an entity set of directory objects, shared by /users, /groups,
 * /contacts and /applications:
 *
 *   GET    /{set}            list (OData $filter $select $top $orderby $count $skiptoken)
 *   GET    /{set}/$count     the number of matching objects as text/plain ($filter; needs ConsistencyLevel: eventual)
 *   POST   /{set}            create → 201 with the object
 *   GET    /{set}/{id}       one object ($select)
 *   PATCH  /{set}/{id}       update → 204
 *   DELETE /{set}/{id}       delete → 204 (users and groups go to deleted items)
 *
 * Users are also addressable by userPrincipalName, as Graph allows (`/users/{id | userPrincipalName}`).
 * Objects of a single-type set are served without `@odata.type`, as Graph does (the context names the type).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ObjectType } from '../../directory/object-types.ts';
import type { OrderableProperty } from '../../directory/query.ts';
import { normalizeQuery, parseCount, parseListOptions, type ListOption, type RawQuery } from '../odata/query-options.ts';
import { parseSelect, type Selection } from '../odata/select.ts';
import { CloudsyncError } from '../../errors/index.ts';
import { ODATA_TYPES } from '../../directory/object-types.ts';
import { collectionResponse, entityResponse, jsonCollectionResponse } from './odata-response.ts';
import { baseOf, GRAPH_TYPE_NAMES, selectableProperties, tenantOf, type GraphRouteOptions } from './graph-route-options.ts';
import { objectPropertiesOf } from './request-body.ts';

export interface EntitySetSpec {
  /** URL segment and `$metadata` entity set name: `users`, `groups`, `contacts`, `applications`. */
  readonly set: string;
  readonly type: ObjectType;
  readonly orderable: readonly OrderableProperty[];
}

interface IdParams {
  id: string;
}

/** `$select` is the only option a single-object GET takes. */
export function parseEntitySelect(raw: RawQuery, properties: readonly string[], typeName: string): Selection | undefined {
  const options = normalizeQuery(raw);
  for (const name of options.keys()) {
    if (name.startsWith('$') && name !== '$select') {
      throw new CloudsyncError('ERR_ODATA_UNSUPPORTED', `The query option '${name}' is not supported when reading a single object.`, { path: name });
    }
  }
  const text = options.get('$select');
  return text === undefined ? undefined : parseSelect(text, properties, typeName);
}

export function registerEntitySet(app: FastifyInstance, options: GraphRouteOptions, spec: EntitySetSpec): void {
  const { directory } = options;
  const typeName = GRAPH_TYPE_NAMES[spec.type];
  const properties = selectableProperties(spec.type);
  const accepts: readonly ListOption[] = ['$filter', '$select', '$top', '$orderby', '$count', '$skiptoken'];

  /** Resolves `/users/{userPrincipalName}` to the id that writes take. */
  async function resolveId(request: FastifyRequest<{ Params: IdParams }>): Promise<string> {
    const { id } = request.params;
    if (spec.type === 'user' && id.includes('@')) return (await directory.get(tenantOf(request), 'user', id)).id;
    return id;
  }

  app.get(`/${spec.set}`, { config: { access: 'read' } }, async function listObjects(request, reply) {
    const { query, select } = parseListOptions(request.query as RawQuery, request.headers['consistencylevel'] as string | undefined, {
      properties,
      typeName,
      accepts,
      orderable: spec.orderable,
    });
    const base = baseOf(request, options);
    if (select === undefined) {
      // Whole objects: splice the stored JSON texts instead of parsing and re-serializing every row.
      const page = await directory.listJson(tenantOf(request), spec.type, query);
      return reply
        .type('application/json; charset=utf-8')
        .send(jsonCollectionResponse(page, { base, request, fragment: spec.set, odataType: ODATA_TYPES[spec.type] }));
    }
    const page = await directory.list(tenantOf(request), spec.type, query);
    return collectionResponse(page, { base, request, fragment: spec.set, select, keepType: false });
  });

  app.get(`/${spec.set}/$count`, { config: { access: 'read' } }, async function countObjects(request, reply) {
    // The path segment is Graph's advanced query: the same header rule as `$count=true`.
    parseCount('true', request.headers['consistencylevel'] as string | undefined);
    const { query } = parseListOptions(request.query as RawQuery, undefined, { properties, typeName, accepts: ['$filter'] });
    const page = await directory.list(tenantOf(request), spec.type, { ...query, top: 1, count: true });
    return reply.type('text/plain; charset=utf-8').send(String(page.count ?? 0));
  });

  app.post(`/${spec.set}`, { config: { access: 'write' } }, async function createObject(request, reply) {
    const created = await directory.create(tenantOf(request), spec.type, objectPropertiesOf(request.body, typeName));
    const base = baseOf(request, options);
    return reply
      .code(201)
      .header('location', `${base}/v1.0/${spec.set}/${created.id}`)
      .send(entityResponse(created, { base, fragment: spec.set, select: undefined, keepType: false }));
  });

  app.get<{ Params: IdParams }>(`/${spec.set}/:id`, { config: { access: 'read' } }, async function getObject(request) {
    const select = parseEntitySelect(request.query as RawQuery, properties, typeName);
    const object = await directory.get(tenantOf(request), spec.type, request.params.id);
    return entityResponse(object, { base: baseOf(request, options), fragment: spec.set, select, keepType: false });
  });

  app.patch<{ Params: IdParams }>(`/${spec.set}/:id`, { config: { access: 'write' } }, async function updateObject(request, reply) {
    const patch = objectPropertiesOf(request.body, typeName);
    await directory.update(tenantOf(request), spec.type, await resolveId(request), patch);
    return reply.code(204).send();
  });

  app.delete<{ Params: IdParams }>(`/${spec.set}/:id`, { config: { access: 'write' } }, async function deleteObject(request, reply) {
    await directory.delete(tenantOf(request), spec.type, await resolveId(request));
    return reply.code(204).send();
  });
}
