/**
 * Directory objects as the directory returns them: plain JSON-ready records with Graph v1.0 property names,
 * so the API serializes them without mapping. Properties that have no value are `null` (as Graph returns
 * them); directory extension properties (`extension_<appId>_<name>`) appear only when set.
 *
 * Objects are read-only snapshots; change them through the directory.
 */

/** onPremisesExtensionAttributes: extensionAttribute1 … extensionAttribute15, each a string or null. */
export type OnPremisesExtensionAttributes = { readonly [K in `extensionAttribute${number}`]?: string | null };

export interface DirectoryObject {
  readonly id: string;
  readonly '@odata.type': string;
  /** Set only on objects in deleted items. */
  readonly deletedDateTime?: string | null;
  readonly [property: string]: unknown;
}

export interface OnPremisesProperties {
  readonly onPremisesSyncEnabled: boolean | null;
  readonly onPremisesLastSyncDateTime: string | null;
  readonly onPremisesDistinguishedName?: string | null;
  readonly onPremisesSamAccountName?: string | null;
  readonly onPremisesDomainName?: string | null;
  readonly onPremisesSecurityIdentifier?: string | null;
}

export interface User extends DirectoryObject, OnPremisesProperties {
  readonly accountEnabled: boolean | null;
  readonly displayName: string | null;
  readonly givenName: string | null;
  readonly surname: string | null;
  readonly userPrincipalName: string;
  readonly mail: string | null;
  readonly mailNickname: string | null;
  readonly proxyAddresses: readonly string[];
  readonly otherMails: readonly string[];
  readonly businessPhones: readonly string[];
  readonly jobTitle: string | null;
  readonly department: string | null;
  readonly companyName: string | null;
  readonly employeeId: string | null;
  readonly usageLocation: string | null;
  readonly userType: string | null;
  readonly createdDateTime: string;
  readonly onPremisesImmutableId: string | null;
  readonly onPremisesUserPrincipalName: string | null;
  readonly onPremisesExtensionAttributes: OnPremisesExtensionAttributes;
}

export interface Group extends DirectoryObject, OnPremisesProperties {
  readonly displayName: string | null;
  readonly description: string | null;
  readonly mail: string | null;
  readonly mailEnabled: boolean;
  readonly mailNickname: string | null;
  readonly securityEnabled: boolean;
  readonly groupTypes: readonly string[];
  readonly proxyAddresses: readonly string[];
  readonly createdDateTime: string;
}

export interface OrgContact extends DirectoryObject {
  readonly displayName: string | null;
  readonly givenName: string | null;
  readonly surname: string | null;
  readonly mail: string | null;
  readonly mailNickname: string | null;
  readonly proxyAddresses: readonly string[];
  readonly onPremisesSyncEnabled: boolean | null;
  readonly onPremisesLastSyncDateTime: string | null;
}

export interface Application extends DirectoryObject {
  /** The client id (a GUID), distinct from the object id. Extension names embed it without dashes. */
  readonly appId: string;
  readonly displayName: string | null;
  readonly description: string | null;
  readonly signInAudience: string;
  readonly createdDateTime: string;
}

export const EXTENSION_DATA_TYPES = ['String', 'Integer', 'Boolean', 'DateTime', 'Binary', 'LargeInteger'] as const;
export type ExtensionDataType = (typeof EXTENSION_DATA_TYPES)[number];

/** Graph `extensionProperty`: a directory extension registered on an application. */
export interface ExtensionProperty {
  readonly id: string;
  readonly '@odata.type': '#microsoft.graph.extensionProperty';
  /** Full name: `extension_<appIdWithoutDashes>_<name>`. */
  readonly name: string;
  readonly appDisplayName: string | null;
  readonly dataType: ExtensionDataType;
  readonly isMultiValued: boolean;
  readonly isSyncedFromOnPremises: boolean;
  readonly targetObjects: readonly string[];
}

/** Graph `domain`. `id` is the domain name. */
export interface Domain {
  readonly id: string;
  readonly isDefault: boolean;
  readonly isInitial: boolean;
  readonly isVerified: boolean;
  readonly authenticationType: 'Managed';
  readonly supportedServices: readonly string[];
}

/** Graph `organization`. Its id is the tenant id. */
export interface Organization extends DirectoryObject {
  readonly displayName: string;
  readonly verifiedDomains: readonly {
    readonly name: string;
    readonly isDefault: boolean;
    readonly isInitial: boolean;
    readonly type: 'Managed';
    readonly capabilities: string;
  }[];
  readonly createdDateTime: string;
  readonly onPremisesSyncEnabled: boolean | null;
  readonly onPremisesLastSyncDateTime: string | null;
}
