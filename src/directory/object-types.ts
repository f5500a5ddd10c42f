/**
 * The kinds of directory objects, with the Graph `@odata.type` each one is served as.
 * `user`, `group`, `orgContact` and `application` are created through the directory's generic calls;
 * the organization and domains have calls of their own because a tenant has exactly one organization
 * and domains are keyed by name, not by a generated id.
 */
export const OBJECT_TYPES = ['user', 'group', 'orgContact', 'application'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** Only these go to deleted items when deleted; the others are removed at once (see docs/directory.md). */
export const SOFT_DELETED_TYPES = ['user', 'group'] as const satisfies readonly ObjectType[];
export type SoftDeletedType = (typeof SOFT_DELETED_TYPES)[number];

export const ODATA_TYPES: Readonly<Record<ObjectType, string>> = Object.freeze({
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  orgContact: '#microsoft.graph.orgContact',
  application: '#microsoft.graph.application',
});

/** `extensionProperty.targetObjects` values (Graph's names) for the object types that can carry extensions. */
export const EXTENSION_TARGET_OBJECTS = ['User', 'Group', 'Organization', 'Device', 'Application'] as const;
export type ExtensionTargetObject = (typeof EXTENSION_TARGET_OBJECTS)[number];

export const EXTENSION_TARGET_OF: Readonly<Partial<Record<ObjectType, ExtensionTargetObject>>> = Object.freeze({
  user: 'User',
  group: 'Group',
  application: 'Application',
});

export function isObjectType(value: unknown): value is ObjectType {
  return typeof value === 'string' && (OBJECT_TYPES as readonly string[]).includes(value);
}
