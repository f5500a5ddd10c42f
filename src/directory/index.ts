export { APP_ROLES, isAppRole, type AppRole } from './app-roles.ts';
export {
  WRITE_ACTORS,
  type ClientCredentialsResult,
  type CloudDirectory,
  type CloudDirectoryOptions,
  type CreatedTenant,
  type DeltaEntry,
  type DeltaPage,
  type DeltaRequest,
  type ManagerLink,
  type ManagerLinkResult,
  type MemberQuery,
  type NewExtensionProperty,
  type ObjectOfType,
  type ObjectProperties,
  type ObjectUpdate,
  type ObjectWriteResult,
  type SigningKey,
  type WriteActor,
  type WriteOptions,
} from './cloud-directory.ts';
export {
  EXTENSION_DATA_TYPES,
  type Application,
  type DirectoryObject,
  type Domain,
  type ExtensionDataType,
  type ExtensionProperty,
  type Group,
  type Organization,
  type OrgContact,
  type User,
} from './directory-object.ts';
export { OBJECT_TYPES, ODATA_TYPES, SOFT_DELETED_TYPES, isObjectType, type ObjectType, type SoftDeletedType } from './object-types.ts';
export {
  COMPARISON_OPERATORS,
  DEFAULT_PAGE_SIZE,
  FILTER_NODE_KINDS,
  MAX_PAGE_SIZE,
  ORDERABLE_PROPERTIES,
  STRING_FUNCTIONS,
  type FilterLiteral,
  type FilterNode,
  type ListPage,
  type ListQuery,
  type OrderBy,
} from './query.ts';
export { createCloudDirectory } from './sql-cloud-directory.ts';
