/** The source connectors' public surface (explicit named exports; see docs/connectors.md). */
export {
  SOURCE_OBJECT_TYPES,
  DEFAULT_BATCH_SIZE,
  defaultAnchorOf,
  type SourceObjectType,
  type AnchorCandidates,
  type SourceObject,
  type ValueChange,
  type Watermark,
  type ImportBatch,
  type ImportOptions,
  type SourceCapabilities,
  type SourceConnector,
} from './source-connector.ts';
export { deferLarge } from './deferred-attributes.ts';
export { classifyObjectType, AD_OBJECT_FILTER, GENERIC_OBJECT_FILTER } from './object-type.ts';
export { formatGuid, parseGuid, isGuidText, formatSid } from './guid.ts';
export { parentDn, firstRdn, sameDn, isUnder } from './distinguished-name.ts';
export {
  ATTRIBUTE_SYNTAXES,
  WELL_KNOWN_ATTRIBUTES,
  toValue,
  parseGeneralizedTime,
  type AttributeSyntax,
  type AttributeInfo,
  type AttributeSchema,
} from './attribute-syntax.ts';
export { LdapConnection, type LdapConnectionOptions, type RootDse } from './ldap/ldap-connection.ts';
export { LDAP_RESULT_CODES, toLdapError, isRetryable } from './ldap/ldap-errors.ts';
export {
  ActiveDirectoryConnector,
  DEFAULT_AD_ATTRIBUTES,
  AD_BINARY_ATTRIBUTES,
  type ActiveDirectoryConnectorOptions,
} from './ldap/active-directory-connector.ts';
export { GenericLdapConnector, type GenericLdapConnectorOptions } from './ldap/generic-ldap-connector.ts';
export { LDAP_CONNECTOR_KINDS, createLdapConnector, type LdapConnectorKind, type LdapConnectorSpec } from './ldap/ldap-connector-spec.ts';
export {
  IMPORT_LOCATIONS,
  IMPORT_THREAD_CREDITS,
  IMPORT_THREAD_RESOURCE_LIMITS,
  ThreadedImportConnector,
  importOnThread,
  ldapSourceConnector,
  type ImportLocation,
} from './ldap/threaded-import.ts';
export { DirSyncControl, DIRSYNC_FLAGS, DIRSYNC_OID } from './ldap/dirsync-control.ts';
export { ShowDeletedControl, SHOW_DELETED_OID } from './ldap/show-deleted-control.ts';
export { ExtendedDnControl, EXTENDED_DN_OID, guidOfExtendedDn } from './ldap/extended-dn-control.ts';
export { parseRangedName, rangedName } from './ldap/ranged-retrieval.ts';
export { parseLdif, readLdifFile, LdifParser, LDIF_CHANGE_TYPES, type LdifRecord, type LdifValue, type LdifChangeType, type LdifModification } from './ldif/ldif-parser.ts';
export { LdifConnector, ldifRecordToObject, type LdifConnectorOptions } from './ldif/ldif-connector.ts';
