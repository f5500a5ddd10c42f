/**
 * Group membership as Graph exposes it:
 *
 *   GET    /groups/{id}/members | transitiveMembers | memberOf | transitiveMemberOf
 *   GET    /users/{id | userPrincipalName}/memberOf | transitiveMemberOf,  /contacts/{id}/memberOf
 *   POST   /groups/{id}/members/$ref     { "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}" }
 *   DELETE /groups/{id}/members/{id}/$ref
 *   GET    /users/{id}/manager,  PUT /users/{id}/manager/$ref { "@odata.id": … },  DELETE /users/{id}/manager/$ref
 *   GET    /users/{id}/directReports, /contacts/{id}/directReports
 *
 * These collections mix types, so each object carries `@odata.type` (context `directoryObjects`). A type cast
 * segment narrows one (`/users/{id}/memberOf/microsoft.graph.group`, `/groups/{id}/members/microsoft.graph.user`),
 * as scripts often ask; pages of a cast may hold fewer than `$top` items while a nextLink follows, which OData
 * allows, and `$count` is refused there because the directory counts the whole relation. The object
 * named in the path is read first with its own type, so `/users/{groupId}/memberOf` is a 404 like in Graph and a
 * foreign tenant's id is indistinguishable from a missing one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CloudsyncError } from '../../errors/index.ts';
import type { ObjectType } from '../../directory/object-types.ts';
import type { ListPage } from '../../directory/query.ts';
import type { DirectoryObject } from '../../directory/directory-object.ts';
import type { MemberQuery } from '../../directory/cloud-directory.ts';
import { parseListOptions, type RawQuery } from '../odata/query-options.ts';
import { requireObjectBody } from '../json-body.ts';
import { collectionResponse, entityResponse } from './odata-response.ts';
import { baseOf, DIRECTORY_OBJECT_PROPERTIES, tenantOf, type GraphRouteOptions } from './graph-route-options.ts';

const RELATIONS = ['members', 'transitiveMembers', 'memberOf', 'transitiveMemberOf', 'directReports'] as const;

/** Type casts on relations: the segment, the `@odata.type` kept, and the entity set for `@odata.context`. */
const CASTS = [
  { segment: 'microsoft.graph.user', odataType: '#microsoft.graph.user', set: 'users' },
  { segment: 'microsoft.graph.group', odataType: '#microsoft.graph.group', set: 'groups' },
  { segment: 'microsoft.graph.orgContact', odataType: '#microsoft.graph.orgContact', set: 'contacts' },
] as const;
type Relation = (typeof RELATIONS)[number];

/** Which relations each entity set offers. */
const RELATIONS_OF: ReadonlyArray<{ set: string; type: ObjectType; relations: readonly Relation[] }> = [
  { set: 'groups', type: 'group', relations: ['members', 'transitiveMembers', 'memberOf', 'transitiveMemberOf'] },
  { set: 'users', type: 'user', relations: ['memberOf', 'transitiveMemberOf', 'directReports'] },
  { set: 'contacts', type: 'orgContact', relations: ['memberOf', 'transitiveMemberOf', 'directReports'] },
];

/**
 * `@odata.id` of a `$ref` body: an absolute or relative URL ending in `/{entitySet}/{id}`. Graph documents
 * `https://graph.microsoft.com/v1.0/directoryObjects/{id}`; clients hard-code Graph's host, so the host is not
 * checked — only the id is used, and it is looked up in the caller's tenant.
 */
const ODATA_ID = /^(?:https?:\/\/[^/]+)?\/?(?:v1\.0\/)?(?:directoryObjects|users|groups|contacts|orgContacts)\/([A-Za-z0-9-]{1,64})\/?$/;

export function memberIdOf(body: unknown): string {
  const object = requireObjectBody(body);
  const extra = Object.keys(object).filter((key) => key !== '@odata.id');
  if (extra.length > 0) {
    throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `A $ref body takes only '@odata.id'; remove ${extra.map((key) => `'${key}'`).join(', ')}.`, { path: extra[0]! });
  }
  const reference = object['@odata.id'];
  if (typeof reference !== 'string') {
    throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', "A $ref body must be {\"@odata.id\": \"https://graph.microsoft.com/v1.0/directoryObjects/{id}\"}.", { path: '@odata.id' });
  }
  const match = ODATA_ID.exec(reference.trim());
  if (!match) {
    throw new CloudsyncError('ERR_HTTP_BAD_REQUEST', `Invalid object identifier '${reference.slice(0, 200)}': expected a URL ending in /directoryObjects/{id}.`, { path: '@odata.id' });
  }
  return match[1]!;
}

function lister(options: GraphRouteOptions, relation: Relation) {
  const { directory } = options;
  const calls: Record<Relation, (tenantId: string, id: string, query: MemberQuery) => Promise<ListPage<DirectoryObject>>> = {
    members: (tenantId, id, query) => directory.listMembers(tenantId, id, query),
    transitiveMembers: (tenantId, id, query) => directory.listTransitiveMembers(tenantId, id, query),
    memberOf: (tenantId, id, query) => directory.listMemberOf(tenantId, id, query),
    transitiveMemberOf: (tenantId, id, query) => directory.listTransitiveMemberOf(tenantId, id, query),
    directReports: (tenantId, id, query) => directory.listDirectReports(tenantId, id, query),
  };
  return calls[relation];
}

export async function membershipRoutes(app: FastifyInstance, options: GraphRouteOptions): Promise<void> {
  const { directory } = options;

  for (const { set, type, relations } of RELATIONS_OF) {
    for (const relation of relations) {
      const list = lister(options, relation);
      for (const cast of [undefined, ...CASTS]) {
        const url = cast === undefined ? `/${set}/:id/${relation}` : `/${set}/:id/${relation}/${cast.segment}`;
        app.get<{ Params: { id: string } }>(url, { config: { access: 'read' } }, async function listRelation(request: FastifyRequest<{ Params: { id: string } }>) {
          const { query, select } = parseListOptions(request.query as RawQuery, request.headers['consistencylevel'] as string | undefined, {
            properties: DIRECTORY_OBJECT_PROPERTIES,
            typeName: 'microsoft.graph.directoryObject',
            accepts: cast === undefined ? ['$select', '$top', '$count', '$skiptoken'] : ['$select', '$top', '$skiptoken'],
          });
          const tenantId = tenantOf(request);
          const owner = await directory.get(tenantId, type, request.params.id);
          const page = await list(tenantId, owner.id, {
            top: query.top,
            ...(query.skipToken === undefined ? {} : { skipToken: query.skipToken }),
            ...(query.count ? { count: true } : {}),
          });
          const narrowed = cast === undefined ? page : { ...page, items: page.items.filter((item) => item['@odata.type'] === cast.odataType) };
          return collectionResponse(narrowed, {
            base: baseOf(request, options),
            request,
            fragment: cast === undefined ? 'directoryObjects' : cast.set,
            select,
            keepType: true,
          });
        });
      }
    }
  }

  app.post<{ Params: { id: string } }>('/groups/:id/members/$ref', { config: { access: 'write' } }, async function addMember(request, reply) {
    const memberId = memberIdOf(request.body);
    await directory.addMember(tenantOf(request), request.params.id, memberId);
    return reply.code(204).send();
  });

  // Graph: GET /users/{id}/manager answers 404 Request_ResourceNotFound when the user has none.
  app.get<{ Params: { id: string } }>('/users/:id/manager', { config: { access: 'read' } }, async function getManager(request) {
    const manager = await directory.getManager(tenantOf(request), request.params.id);
    return entityResponse(manager, { base: baseOf(request, options), fragment: 'directoryObjects', select: undefined, keepType: true });
  });

  app.put<{ Params: { id: string } }>('/users/:id/manager/$ref', { config: { access: 'write' } }, async function setManager(request, reply) {
    await directory.setManager(tenantOf(request), request.params.id, memberIdOf(request.body));
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string } }>('/users/:id/manager/$ref', { config: { access: 'write' } }, async function removeManager(request, reply) {
    await directory.setManager(tenantOf(request), request.params.id, null);
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string; memberId: string } }>(
    '/groups/:id/members/:memberId/$ref',
    { config: { access: 'write' } },
    async function removeMember(request, reply) {
      await directory.removeMember(tenantOf(request), request.params.id, request.params.memberId);
      return reply.code(204).send();
    },
  );
}
