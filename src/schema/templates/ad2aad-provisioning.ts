/**
 * Template AD2AADProvisioning: Active Directory users, inetOrgPersons, groups and contacts → the cloud
 * directory's users, groups and contacts.
 *
 * Sources (research §1.4): Entra publishes no table of the defaults; they are rebuilt from a real
 * provisionOnDemand response, the support wiki's schema extract, concept-attributes.md and
 * how-to-transformation.md, and mirror Connect's list. Where Entra uses internal target names (Alias,
 * CommonName, OnPremiseSecurityIdentifier, sourceAnchorBinary…) we use the Graph v1.0 property names of our
 * cloud directory (mailNickname, onPremisesSecurityIdentifier, onPremisesImmutableId…), because that is
 * what the directory stores and what Graph clients read.
 *
 * Decisions, each visible in the data below:
 * - Anchor: "ms-DS-ConsistencyGuid if present, otherwise objectGUID. It cannot be changed." →
 *   onPremisesImmutableId = base64 of those bytes (Connect: `ConvertToBase64([objectGUID])`), matching
 *   priority 1 (the wiki's "objectGUID with MatchingPriority 1") and ObjectAddOnly so that a
 *   ConsistencyGuid stamped later never re-anchors an object.
 * - accountEnabled: Entra's `IIF(IsPresent([userAccountControl]), IIF(BitAnd([userAccountControl], 2)="0",
 *   "True", "False"), Not([accountDisabled]))`; accountDisabled is not an AD attribute, so an object without
 *   userAccountControl is enabled (default "True").
 * - extensionAttribute1–15: `Trim([extensionAttributeN])` (how-to-transformation.md).
 * - Target attributes are the cloud directory's (src/directory/property-catalog.ts), except the anchor
 *   onPremisesImmutableId on groups and contacts and extensionAttribute1–15, which the engine keeps in the
 *   connector space and in onPremisesExtensionAttributes (Graph's own objectDefinition sample names them
 *   "extensionAttribute1" in the same way).
 * - onPremisesDomainName and the domain's NetBIOS name are not AD attributes of the object: Entra takes them
 *   from the job's Domain secret. The engine supplies them to every object as the read-only virtual
 *   attributes `dnsDomainName` and `netBiosName`.
 * - Default exclusions (isCriticalSystemObject, CAS_ mailboxes, CNF conflicts) are every AD object
 *   mapping's inputFilterGroups: excluded objects are never processed and never deprovisioned.
 */
import { AD_DEFAULT_EXCLUSIONS, exclusionsToInputFilterGroups } from '../default-exclusions.ts';
import { attributes, DEFAULT_OBJECT_MAPPING_METADATA, mapping, type TemplateAttributeMapping } from './mapping-builders.ts';

export const AD_DIRECTORY_NAME = 'Active Directory';
export const CLOUD_DIRECTORY_NAME = 'Azure Active Directory';

const EXTENSION_NUMBERS = Array.from({ length: 15 }, (_, i) => i + 1);

const ANCHOR = 'IIF(IsPresent([ms-DS-ConsistencyGuid]), ConvertToBase64([ms-DS-ConsistencyGuid]), ConvertToBase64([objectGUID]))';
const ACCOUNT_ENABLED = 'IIF(IsPresent([userAccountControl]), IIF(BitAnd([userAccountControl], 2) = 0, "True", "False"), "True")';

/** The on-premises identity of users and groups (Graph v1.0 has these properties on both, except as noted). */
function onPremisesMappings(kind: 'user' | 'group'): TemplateAttributeMapping[] {
  return [
    mapping('onPremisesImmutableId', ANCHOR, { matchingPriority: 1, flowType: 'ObjectAddOnly' }),
    // Graph v1.0 has onPremisesDistinguishedName on users only, onPremisesNetBiosName on groups only.
    ...(kind === 'user' ? [mapping('onPremisesDistinguishedName', '[distinguishedName]')] : []),
    mapping('onPremisesSamAccountName', '[sAMAccountName]'),
    mapping('onPremisesSecurityIdentifier', 'StringFromSid([objectSid])'),
    mapping('onPremisesDomainName', '[dnsDomainName]'),
    ...(kind === 'group' ? [mapping('onPremisesNetBiosName', '[netBiosName]')] : []),
  ];
}

/** users and inetOrgPersons share one mapping set, as in Entra. */
export function adUserMappings(): TemplateAttributeMapping[] {
  return [
    ...onPremisesMappings('user'),
    mapping('onPremisesUserPrincipalName', '[userPrincipalName]'),
    mapping('accountEnabled', ACCOUNT_ENABLED, { defaultValue: 'True' }),
    mapping('userPrincipalName', '[userPrincipalName]'),
    mapping('displayName', '[displayName]'),
    mapping('givenName', '[givenName]'),
    mapping('surname', '[sn]'),
    mapping('mail', '[mail]'),
    mapping('mailNickname', 'IIF(IsPresent([mailNickname]), [mailNickname], [sAMAccountName])'),
    mapping('proxyAddresses', '[proxyAddresses]'),
    mapping('otherMails', '[otherMailbox]'),
    mapping('department', '[department]'),
    mapping('jobTitle', '[title]'),
    mapping('companyName', '[company]'),
    mapping('employeeId', '[employeeID]'),
    mapping('employeeType', '[employeeType]'),
    mapping('businessPhones', '[telephoneNumber]'),
    mapping('mobilePhone', '[mobile]'),
    mapping('faxNumber', '[facsimileTelephoneNumber]'),
    mapping('officeLocation', '[physicalDeliveryOfficeName]'),
    mapping('streetAddress', '[streetAddress]'),
    mapping('city', '[l]'),
    mapping('state', '[st]'),
    mapping('postalCode', '[postalCode]'),
    mapping('country', '[co]'),
    mapping('preferredLanguage', '[preferredLanguage]'),
    mapping('manager', '[manager]'),
    ...EXTENSION_NUMBERS.map((n) => mapping(`extensionAttribute${n}`, `Trim([extensionAttribute${n}])`)),
  ];
}

export function adGroupMappings(): TemplateAttributeMapping[] {
  return [
    ...onPremisesMappings('group'),
    mapping('displayName', 'IIF(IsPresent([displayName]), [displayName], [cn])'),
    mapping('description', '[description]'),
    mapping('mail', '[mail]'),
    // Group sAMAccountNames often contain spaces ("Sales Team"); a mailNickname cannot.
    mapping('mailNickname', 'IIF(IsPresent([mailNickname]), [mailNickname], StripSpaces([sAMAccountName]))'),
    mapping('mailEnabled', 'IIF(IsPresent([mail]), "True", "False")'),
    // groupType bit 0x80000000 = security group (MS-ADTS §2.2.12 GROUP_TYPE_SECURITY_ENABLED).
    mapping('securityEnabled', 'IIF(BitAnd([groupType], &H80000000) = 0, "False", "True")'),
    mapping('proxyAddresses', '[proxyAddresses]'),
    mapping('members', '[member]'),
    ...EXTENSION_NUMBERS.map((n) => mapping(`extensionAttribute${n}`, `Trim([extensionAttribute${n}])`)),
  ];
}

export function adContactMappings(): TemplateAttributeMapping[] {
  return [
    mapping('onPremisesImmutableId', ANCHOR, { matchingPriority: 1, flowType: 'ObjectAddOnly' }),
    mapping('onPremisesDistinguishedName', '[distinguishedName]'),
    mapping('onPremisesDomainName', '[dnsDomainName]'),
    mapping('displayName', 'IIF(IsPresent([displayName]), [displayName], [cn])'),
    mapping('givenName', '[givenName]'),
    mapping('surname', '[sn]'),
    mapping('mail', '[mail]'),
    mapping('mailNickname', 'IIF(IsPresent([mailNickname]), [mailNickname], StripSpaces([cn]))'),
    mapping('proxyAddresses', '[proxyAddresses]'),
    mapping('companyName', '[company]'),
    mapping('department', '[department]'),
    mapping('jobTitle', '[title]'),
    mapping('manager', '[manager]'),
    ...EXTENSION_NUMBERS.map((n) => mapping(`extensionAttribute${n}`, `Trim([extensionAttribute${n}])`)),
  ];
}

const EXTENSION_ATTRIBUTES = EXTENSION_NUMBERS.map((n) => `extensionAttribute${n}`);
const AD_COMMON = [
  'objectGUID', 'ms-DS-ConsistencyGuid', 'objectSid', 'distinguishedName', 'cn', 'name', 'sAMAccountName', 'displayName',
  'description', 'mail', 'mailNickname', 'proxyAddresses', 'isCriticalSystemObject', 'whenChanged', 'whenCreated',
  'dnsDomainName', 'netBiosName', 'objectClass', ...EXTENSION_ATTRIBUTES,
];
const AD_PERSON = [
  'userPrincipalName', 'userAccountControl', 'accountExpires', 'pwdLastSet', 'givenName', 'sn', 'initials', 'middleName',
  'title', 'department', 'company', 'employeeID', 'employeeNumber', 'employeeType', 'manager', 'telephoneNumber',
  'mobile', 'facsimileTelephoneNumber', 'homePhone', 'ipPhone', 'pager', 'otherMailbox', 'physicalDeliveryOfficeName',
  'streetAddress', 'postOfficeBox', 'l', 'st', 'postalCode', 'co', 'c', 'countryCode', 'preferredLanguage', 'info',
  'wWWHomePage', 'thumbnailPhoto', 'userCertificate', 'msDS-preferredDataLocation', 'targetAddress', 'legacyExchangeDN',
];
const AD_SPECS = {
  objectGUID: { type: 'Binary', anchor: true, mutability: 'ReadOnly' },
  'ms-DS-ConsistencyGuid': { type: 'Binary' },
  objectSid: { type: 'Binary', mutability: 'ReadOnly' },
  thumbnailPhoto: { type: 'Binary' },
  userCertificate: { type: 'Binary', multivalued: true },
  proxyAddresses: { multivalued: true },
  otherMailbox: { multivalued: true },
  objectClass: { multivalued: true },
  userAccountControl: { type: 'Integer' },
  accountExpires: { type: 'Integer' },
  pwdLastSet: { type: 'Integer' },
  countryCode: { type: 'Integer' },
  groupType: { type: 'Integer' },
  isCriticalSystemObject: { type: 'Boolean' },
  whenChanged: { type: 'DateTime' },
  whenCreated: { type: 'DateTime' },
  manager: { references: 'user' },
  member: { references: 'user', multivalued: true },
  dnsDomainName: { mutability: 'ReadOnly' },
  netBiosName: { mutability: 'ReadOnly' },
} as const;

const CLOUD_USER = [
  'onPremisesImmutableId', 'onPremisesDistinguishedName', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier',
  'onPremisesDomainName', 'onPremisesUserPrincipalName', 'accountEnabled', 'userPrincipalName',
  'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'proxyAddresses', 'otherMails', 'department',
  'jobTitle', 'companyName', 'employeeId', 'employeeType', 'businessPhones', 'mobilePhone', 'faxNumber', 'officeLocation',
  'streetAddress', 'city', 'state', 'postalCode', 'country', 'preferredLanguage', 'manager', 'usageLocation', ...EXTENSION_ATTRIBUTES,
];
const CLOUD_GROUP = [
  'onPremisesImmutableId', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier',
  'onPremisesDomainName', 'onPremisesNetBiosName', 'displayName', 'description', 'mail', 'mailNickname', 'mailEnabled',
  'securityEnabled', 'proxyAddresses', 'members', ...EXTENSION_ATTRIBUTES,
];
const CLOUD_CONTACT = [
  'onPremisesImmutableId', 'onPremisesDistinguishedName', 'onPremisesDomainName', 'displayName', 'givenName', 'surname',
  'mail', 'mailNickname', 'proxyAddresses', 'companyName', 'department', 'jobTitle', 'manager', ...EXTENSION_ATTRIBUTES,
];
const CLOUD_SPECS = {
  onPremisesImmutableId: { anchor: true, mutability: 'Immutable' },
  accountEnabled: { type: 'Boolean' },
  mailEnabled: { type: 'Boolean', required: true },
  securityEnabled: { type: 'Boolean', required: true },
  displayName: { required: true },
  mailNickname: { required: true },
  proxyAddresses: { multivalued: true },
  otherMails: { multivalued: true },
  businessPhones: { multivalued: true },
  manager: { references: 'User' },
  members: { references: 'User', multivalued: true },
} as const;

function adObjectMapping(name: string, sourceObjectName: string, targetObjectName: string, attributeMappings: TemplateAttributeMapping[]) {
  return {
    attributeMappings,
    enabled: true,
    flowTypes: 'Add, Update, Delete',
    metadata: DEFAULT_OBJECT_MAPPING_METADATA.map((m) => ({ ...m })),
    name,
    scope: { groups: [], inputFilterGroups: exclusionsToInputFilterGroups(AD_DEFAULT_EXCLUSIONS), categoryFilterGroups: [] },
    sourceObjectName,
    targetObjectName,
  };
}

/** The template as Graph JSON; a fresh copy on every call. */
export function ad2aadProvisioningTemplate(): Record<string, unknown> {
  return {
    id: 'AD2AADProvisioning',
    version: 'cloudsync-1',
    synchronizationRules: [
      {
        containerFilter: { includedContainers: [] },
        editable: true,
        groupFilter: { includedGroups: [] },
        id: 'AD2AADProvisioning',
        metadata: [],
        name: 'AD2AADProvisioning',
        objectMappings: [
          adObjectMapping('Provision Active Directory users', 'user', 'User', adUserMappings()),
          adObjectMapping('Provision Active Directory inetOrgPersons', 'inetOrgPerson', 'User', adUserMappings()),
          adObjectMapping('Provision Active Directory groups', 'group', 'Group', adGroupMappings()),
          adObjectMapping('Provision Active Directory contacts', 'contact', 'Contact', adContactMappings()),
        ],
        priority: 1,
        sourceDirectoryName: AD_DIRECTORY_NAME,
        targetDirectoryName: CLOUD_DIRECTORY_NAME,
      },
    ],
    directories: [
      {
        discoverabilities: 'AttributeNames,AttributeDataTypes',
        id: 'ActiveDirectory',
        metadata: [],
        name: AD_DIRECTORY_NAME,
        objects: [
          { attributes: attributes([...AD_COMMON, ...AD_PERSON], AD_SPECS), metadata: [], name: 'user', supportedApis: [] },
          { attributes: attributes([...AD_COMMON, ...AD_PERSON], AD_SPECS), metadata: [], name: 'inetOrgPerson', supportedApis: [] },
          { attributes: attributes([...AD_COMMON, 'groupType', 'member', 'managedBy'], { ...AD_SPECS, managedBy: { references: 'user' } }), metadata: [], name: 'group', supportedApis: [] },
          { attributes: attributes([...AD_COMMON, ...AD_PERSON], AD_SPECS), metadata: [], name: 'contact', supportedApis: [] },
        ],
        readOnly: false,
        version: null,
      },
      {
        discoverabilities: 'None',
        id: 'AzureActiveDirectory',
        metadata: [],
        name: CLOUD_DIRECTORY_NAME,
        objects: [
          { attributes: attributes(CLOUD_USER, CLOUD_SPECS), metadata: [], name: 'User', supportedApis: [] },
          { attributes: attributes(CLOUD_GROUP, CLOUD_SPECS), metadata: [], name: 'Group', supportedApis: [] },
          { attributes: attributes(CLOUD_CONTACT, CLOUD_SPECS), metadata: [], name: 'Contact', supportedApis: [] },
        ],
        readOnly: false,
        version: null,
      },
    ],
  };
}
