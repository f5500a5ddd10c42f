/**
 * Deleted items (https://learn.microsoft.com/graph/api/resources/directory):
 *
 *   GET    /directory/deletedItems/microsoft.graph.user | microsoft.graph.group    list (same OData as /users)
 *   GET    /directory/deletedItems/{id}                                           one deleted object
 *   POST   /directory/deletedItems/{id}/restore                                   → 200 with the restored object
 *   DELETE /directory/deletedItems/{id}                                           permanent delete → 204
 */
import type { FastifyInstance } from 'fastify';
import type { SoftDeletedType } from '../../directory/object-types.ts';
import { parseListOptions, type ListOption, type RawQuery } from '../odata/query-options.ts';
import { collectionResponse, entityResponse } from './odata-response.ts';
import { parseEntitySelect } from './object-collection-routes.ts';
import { baseOf, DIRECTORY_OBJECT_PROPERTIES, GRAPH_TYPE_NAMES, selectableProperties, tenantOf, type GraphRouteOptions } from './graph-route-options.ts';

const DELETED_SETS: ReadonlyArray<{ cast: string; type: SoftDeletedType }> = [
  { cast: 'microsoft.graph.user', type: 'user' },
  { cast: 'microsoft.graph.group', type: 'group' },
];

const ACCEPTS: readonly ListOption[] = ['$filter', '$select', '$top', '$orderby', '$count', '$skiptoken'];

export async function deletedItemsRoutes(app: FastifyInstance, options: GraphRouteOptions): Promise<void> {
  const { directory } = options;

  for (const { cast, type } of DELETED_SETS) {
    const properties = selectableProperties(type);
    app.get(`/directory/deletedItems/${cast}`, { config: { access: 'read' } }, async function listDeleted(request) {
      const { query, select } = parseListOptions(request.query as RawQuery, request.headers['consistencylevel'] as string | undefined, {
        properties,
        typeName: GRAPH_TYPE_NAMES[type],
        accepts: ACCEPTS,
      });
      const page = await directory.listDeleted(tenantOf(request), type, query);
      return collectionResponse(page, { base: baseOf(request, options), request, fragment: `directory/deletedItems/${cast}`, select, keepType: true });
    });
  }

  app.get<{ Params: { id: string } }>('/directory/deletedItems/:id', { config: { access: 'read' } }, async function getDeleted(request) {
    const select = parseEntitySelect(request.query as RawQuery, DIRECTORY_OBJECT_PROPERTIES, 'microsoft.graph.directoryObject');
    const object = await directory.getDeleted(tenantOf(request), request.params.id);
    return entityResponse(object, { base: baseOf(request, options), fragment: 'directory/deletedItems', select, keepType: true });
  });

  app.post<{ Params: { id: string } }>('/directory/deletedItems/:id/restore', { config: { access: 'write' } }, async function restoreDeleted(request) {
    const restored = await directory.restore(tenantOf(request), request.params.id);
    return entityResponse(restored, { base: baseOf(request, options), fragment: 'directoryObjects', select: undefined, keepType: true });
  });

  app.delete<{ Params: { id: string } }>('/directory/deletedItems/:id', { config: { access: 'write' } }, async function purgeDeleted(request, reply) {
    await directory.permanentlyDelete(tenantOf(request), request.params.id);
    return reply.code(204).send();
  });
}
