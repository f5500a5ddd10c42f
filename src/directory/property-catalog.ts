/**
 * What each object type's properties are: their kind, who may write them, whether they are mastered on-premises,
 * and whether `$filter` may use them. One table, so validation, mastering and filtering cannot disagree.
 *
 * Access:
 * - `readWrite`: any actor (the API only while the object is not synced, if `mastered`).
 * - `provisioning`: only the provisioning service (onPremises* facts reported by the sync engine).
 * - `readOnly`: nobody; the directory maintains it (id, createdDateTime, appId, deletedDateTime).
 * - `writeOnly`: accepted and never stored or returned (passwordProfile: this directory does not authenticate users).
 *
 * Entra refuses, on objects synced from on-premises, changes through Graph to the attributes the sync owns
 * ("mastered" here); which attributes those are follows Entra's synchronized attribute list for users, groups
 * and contacts. proxyAddresses and mail are writable by the API on cloud objects (Graph leaves them to Exchange),
 * so scripts can create test objects with addresses.
 */
import type { ObjectType } from './object-types.ts';

export const PROPERTY_KINDS = ['string', 'boolean', 'dateTime', 'stringCollection', 'extensionAttributes', 'writeOnly'] as const;
export type PropertyKind = (typeof PROPERTY_KINDS)[number];

export const PROPERTY_ACCESS = ['readWrite', 'provisioning', 'readOnly', 'writeOnly'] as const;
export type PropertyAccess = (typeof PROPERTY_ACCESS)[number];

/** Typed columns that mirror a property, so `$filter`/`$orderby` on it use an index. */
export const PROPERTY_COLUMNS = ['id', 'upn_key', 'immutable_id'] as const;
export type PropertyColumn = (typeof PROPERTY_COLUMNS)[number];

export interface PropertyDefinition {
  readonly kind: PropertyKind;
  readonly access: PropertyAccess;
  readonly mastered: boolean;
  readonly filterable: boolean;
  readonly column?: PropertyColumn;
  readonly required?: boolean;
  /** Maximum length of a string value (or of each element of a collection). */
  readonly maxLength?: number;
}

function def(kind: PropertyKind, access: PropertyAccess, options: Partial<PropertyDefinition> = {}): PropertyDefinition {
  return Object.freeze({
    kind,
    access,
    mastered: options.mastered ?? false,
    filterable: options.filterable ?? (kind !== 'writeOnly' && kind !== 'extensionAttributes'),
    ...(options.column === undefined ? {} : { column: options.column }),
    ...(options.required === undefined ? {} : { required: options.required }),
    maxLength: options.maxLength ?? (kind === 'string' || kind === 'stringCollection' ? 1024 : undefined),
  } as PropertyDefinition);
}

const mastered = (kind: PropertyKind, options: Partial<PropertyDefinition> = {}) => def(kind, 'readWrite', { mastered: true, ...options });
const free = (kind: PropertyKind, options: Partial<PropertyDefinition> = {}) => def(kind, 'readWrite', options);
const provisioning = (kind: PropertyKind) => def(kind, 'provisioning');
const readOnly = (kind: PropertyKind, options: Partial<PropertyDefinition> = {}) => def(kind, 'readOnly', options);

const USER: Record<string, PropertyDefinition> = {
  id: readOnly('string', { column: 'id' }),
  createdDateTime: readOnly('dateTime'),
  deletedDateTime: readOnly('dateTime'),
  accountEnabled: mastered('boolean'),
  displayName: mastered('string', { maxLength: 256 }),
  givenName: mastered('string', { maxLength: 64 }),
  surname: mastered('string', { maxLength: 64 }),
  userPrincipalName: mastered('string', { column: 'upn_key', required: true, maxLength: 113 }),
  mail: mastered('string', { maxLength: 256 }),
  mailNickname: mastered('string', { maxLength: 64 }),
  proxyAddresses: mastered('stringCollection', { maxLength: 256 }),
  otherMails: free('stringCollection'),
  businessPhones: mastered('stringCollection'),
  mobilePhone: mastered('string'),
  faxNumber: mastered('string'),
  jobTitle: mastered('string', { maxLength: 128 }),
  department: mastered('string', { maxLength: 64 }),
  companyName: mastered('string', { maxLength: 64 }),
  employeeId: mastered('string', { maxLength: 16 }),
  employeeType: mastered('string'),
  officeLocation: mastered('string'),
  streetAddress: mastered('string'),
  city: mastered('string'),
  state: mastered('string'),
  postalCode: mastered('string'),
  country: mastered('string'),
  usageLocation: free('string'),
  preferredLanguage: free('string'),
  userType: free('string'),
  passwordProfile: def('writeOnly', 'writeOnly'),
  // Compared exactly, through its unique index: the anchor is base64, where case matters, and the directory keeps
  // it unique exactly (the engine's hard match probes it once per new object, so a scan here is quadratic).
  onPremisesImmutableId: mastered('string', { column: 'immutable_id', maxLength: 256 }),
  onPremisesSyncEnabled: provisioning('boolean'),
  onPremisesLastSyncDateTime: provisioning('dateTime'),
  onPremisesDistinguishedName: provisioning('string'),
  onPremisesSamAccountName: provisioning('string'),
  onPremisesUserPrincipalName: provisioning('string'),
  onPremisesDomainName: provisioning('string'),
  onPremisesSecurityIdentifier: provisioning('string'),
  onPremisesExtensionAttributes: mastered('extensionAttributes'),
};

const GROUP: Record<string, PropertyDefinition> = {
  id: readOnly('string', { column: 'id' }),
  createdDateTime: readOnly('dateTime'),
  deletedDateTime: readOnly('dateTime'),
  displayName: mastered('string', { required: true, maxLength: 256 }),
  description: mastered('string'),
  mail: mastered('string', { maxLength: 256 }),
  mailEnabled: mastered('boolean'),
  mailNickname: mastered('string', { maxLength: 64 }),
  securityEnabled: mastered('boolean'),
  groupTypes: mastered('stringCollection'),
  proxyAddresses: mastered('stringCollection', { maxLength: 256 }),
  visibility: free('string'),
  onPremisesSyncEnabled: provisioning('boolean'),
  onPremisesLastSyncDateTime: provisioning('dateTime'),
  onPremisesSamAccountName: provisioning('string'),
  onPremisesSecurityIdentifier: provisioning('string'),
  onPremisesDomainName: provisioning('string'),
  onPremisesNetBiosName: provisioning('string'),
};

const ORG_CONTACT: Record<string, PropertyDefinition> = {
  id: readOnly('string', { column: 'id' }),
  displayName: mastered('string', { maxLength: 256 }),
  givenName: mastered('string'),
  surname: mastered('string'),
  mail: mastered('string', { maxLength: 256 }),
  mailNickname: mastered('string'),
  proxyAddresses: mastered('stringCollection', { maxLength: 256 }),
  companyName: mastered('string'),
  department: mastered('string'),
  jobTitle: mastered('string'),
  onPremisesSyncEnabled: provisioning('boolean'),
  onPremisesLastSyncDateTime: provisioning('dateTime'),
};

const APPLICATION: Record<string, PropertyDefinition> = {
  id: readOnly('string', { column: 'id' }),
  appId: readOnly('string'),
  createdDateTime: readOnly('dateTime'),
  displayName: free('string', { required: true, maxLength: 256 }),
  description: free('string'),
  signInAudience: free('string'),
  identifierUris: free('stringCollection'),
};

export const PROPERTY_CATALOG: Readonly<Record<ObjectType, Readonly<Record<string, PropertyDefinition>>>> = Object.freeze({
  user: Object.freeze(USER),
  group: Object.freeze(GROUP),
  orgContact: Object.freeze(ORG_CONTACT),
  application: Object.freeze(APPLICATION),
});

/** Values an object has before anything is set (Graph returns these rather than omitting the property). */
export const CREATE_DEFAULTS: Readonly<Record<ObjectType, Readonly<Record<string, unknown>>>> = Object.freeze({
  user: { accountEnabled: true, userType: 'Member', onPremisesExtensionAttributes: {} },
  group: { mailEnabled: false, securityEnabled: true, groupTypes: [] },
  orgContact: {},
  application: { signInAudience: 'AzureADMyOrg', identifierUris: [] },
});

export const EXTENSION_ATTRIBUTE_NAMES: readonly string[] = Object.freeze(
  Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`),
);

/** `extension_<32 hex digits>_<name>` */
export const EXTENSION_NAME_PATTERN = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]+$/;

/**
 * The catalog by name, as Maps: looking names up in the frozen records with ever-changing keys is a megamorphic
 * keyed load plus Object.hasOwn (to keep out `constructor` and friends), ~2 µs per synchronized object.
 */
const DEFINITIONS: Readonly<Record<ObjectType, ReadonlyMap<string, PropertyDefinition>>> = Object.freeze({
  user: new Map(Object.entries(USER)),
  group: new Map(Object.entries(GROUP)),
  orgContact: new Map(Object.entries(ORG_CONTACT)),
  application: new Map(Object.entries(APPLICATION)),
});

export function propertyDefinition(type: ObjectType, name: string): PropertyDefinition | undefined {
  return DEFINITIONS[type].get(name);
}
