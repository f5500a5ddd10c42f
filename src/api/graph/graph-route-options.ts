/**
 * What every Graph route module receives, and the small helpers they share: the caller's tenant (always the
 * token's, never a path segment), the base URL for links, and the per-type property lists for `$select`.
 */
import type { FastifyRequest } from 'fastify';
import type { CloudDirectory } from '../../directory/cloud-directory.ts';
import { PROPERTY_CATALOG } from '../../directory/property-catalog.ts';
import { OBJECT_TYPES, type ObjectType } from '../../directory/object-types.ts';
import { principalOf } from '../auth/authenticate.ts';
import { baseUrlOf } from '../base-url.ts';
import type { DomainProof } from './domain-proof.ts';

export interface GraphRouteOptions {
  readonly directory: CloudDirectory;
  readonly publicUrl: string | undefined;
  /** Only the domain routes use it; see ApiDeps.domainProof. */
  readonly domainProof?: DomainProof | undefined;
}

export function tenantOf(request: FastifyRequest): string {
  return principalOf(request).tenantId;
}

export function baseOf(request: FastifyRequest, options: GraphRouteOptions): string {
  return baseUrlOf(request, options.publicUrl);
}

/** Properties a response can carry (write-only ones such as passwordProfile are never returned). */
export function selectableProperties(type: ObjectType): readonly string[] {
  return Object.entries(PROPERTY_CATALOG[type])
    .filter(([, definition]) => definition.access !== 'writeOnly')
    .map(([name]) => name);
}

/** For collections that mix types (members, memberOf): Graph's directoryObject, i.e. any type's properties. */
export const DIRECTORY_OBJECT_PROPERTIES: readonly string[] = Object.freeze([...new Set(OBJECT_TYPES.flatMap((type) => selectableProperties(type)))]);

/** Graph's qualified type names, for messages and `$metadata` fragments. */
export const GRAPH_TYPE_NAMES: Readonly<Record<ObjectType, string>> = Object.freeze({
  user: 'microsoft.graph.user',
  group: 'microsoft.graph.group',
  orgContact: 'microsoft.graph.orgContact',
  application: 'microsoft.graph.application',
});
