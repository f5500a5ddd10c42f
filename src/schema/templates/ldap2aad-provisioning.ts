/**
 * Template LDAP2AADProvisioning: a generic LDAP directory (OpenLDAP, 389-DS…) → the cloud directory.
 * Not an Entra template (Entra Cloud Sync reads only AD); ours, in the same shape.
 *
 * - inetOrgPerson (RFC 2798) → User; groupOfNames and groupOfUniqueNames (RFC 4519) → Group.
 * - Anchor: entryUUID (RFC 4530), the LDAP counterpart of objectGUID: stable across renames and moves.
 * - userPrincipalName: mail when present, else uid@<domain>. The domain is the configuration's, supplied by
 *   the engine as the virtual attribute `dnsDomainName` (as in AD2AADProvisioning).
 * - accountEnabled: LDAP has no standard "disabled" flag; OpenLDAP's ppolicy overlay locks an account by
 *   setting pwdAccountLockedTime, so a locked account is disabled.
 * - department ← departmentNumber and jobTitle ← title, as RFC 2798 names them.
 * - Objects carry `entryDN` (RFC 5020), read as the distinguished name.
 * - Most LDAP attributes are multi-valued by schema (cn, sn, givenName, mail, title, uid…) even when an entry
 *   has one value; single-valued cloud properties take the first value with `Item([attr], 1)`.
 */
import { CLOUD_DIRECTORY_NAME } from './ad2aad-provisioning.ts';
import { attributes, DEFAULT_OBJECT_MAPPING_METADATA, mapping, type TemplateAttributeMapping } from './mapping-builders.ts';

export const LDAP_DIRECTORY_NAME = 'LDAP';

export function ldapUserMappings(): TemplateAttributeMapping[] {
  return [
    mapping('onPremisesImmutableId', '[entryUUID]', { matchingPriority: 1, flowType: 'ObjectAddOnly' }),
    mapping('onPremisesDistinguishedName', '[entryDN]'),
    mapping('onPremisesSamAccountName', 'Item([uid], 1)'),
    mapping('onPremisesDomainName', '[dnsDomainName]'),
    mapping('userPrincipalName', 'IIF(IsPresent([mail]), Item([mail], 1), Join("@", Item([uid], 1), [dnsDomainName]))'),
    mapping('accountEnabled', 'IIF(IsPresent([pwdAccountLockedTime]), "False", "True")', { defaultValue: 'True' }),
    mapping('displayName', 'IIF(IsPresent([displayName]), [displayName], Item([cn], 1))'),
    mapping('givenName', 'Item([givenName], 1)'),
    mapping('surname', 'Item([sn], 1)'),
    mapping('mail', 'Item([mail], 1)'),
    mapping('mailNickname', 'Item([uid], 1)'),
    mapping('department', 'Item([departmentNumber], 1)'),
    mapping('jobTitle', 'Item([title], 1)'),
    mapping('employeeId', '[employeeNumber]'),
    mapping('employeeType', 'Item([employeeType], 1)'),
    mapping('businessPhones', '[telephoneNumber]'),
    mapping('mobilePhone', 'Item([mobile], 1)'),
    mapping('preferredLanguage', '[preferredLanguage]'),
    mapping('manager', 'Item([manager], 1)'),
  ];
}

export function ldapGroupMappings(memberAttribute: 'member' | 'uniqueMember'): TemplateAttributeMapping[] {
  return [
    mapping('onPremisesImmutableId', '[entryUUID]', { matchingPriority: 1, flowType: 'ObjectAddOnly' }),
    mapping('onPremisesDistinguishedName', '[entryDN]'),
    mapping('onPremisesDomainName', '[dnsDomainName]'),
    mapping('displayName', 'Item([cn], 1)'),
    mapping('description', 'Item([description], 1)'),
    mapping('mailNickname', 'Replace(Item([cn], 1), , "[^A-Za-z0-9._-]", , "", , )'),
    mapping('mailEnabled', '"False"'),
    mapping('securityEnabled', '"True"'),
    mapping('members', `[${memberAttribute}]`),
  ];
}

function objectMapping(name: string, sourceObjectName: string, targetObjectName: string, attributeMappings: TemplateAttributeMapping[]) {
  return {
    attributeMappings,
    enabled: true,
    flowTypes: 'Add, Update, Delete',
    metadata: DEFAULT_OBJECT_MAPPING_METADATA.map((m) => ({ ...m })),
    name,
    scope: null,
    sourceObjectName,
    targetObjectName,
  };
}

const COMMON = ['entryUUID', 'entryDN', 'cn', 'description', 'objectClass', 'dnsDomainName', 'createTimestamp', 'modifyTimestamp'];
const PERSON = ['uid', 'mail', 'displayName', 'givenName', 'sn', 'departmentNumber', 'title', 'employeeNumber', 'employeeType',
  'telephoneNumber', 'mobile', 'preferredLanguage', 'manager', 'pwdAccountLockedTime', 'jpegPhoto'];
const SPECS = {
  entryUUID: { anchor: true, mutability: 'ReadOnly' },
  entryDN: { mutability: 'ReadOnly' },
  objectClass: { multivalued: true },
  description: { multivalued: true },
  cn: { multivalued: true },
  sn: { multivalued: true },
  givenName: { multivalued: true },
  uid: { multivalued: true },
  employeeType: { multivalued: true },
  mail: { multivalued: true },
  telephoneNumber: { multivalued: true },
  mobile: { multivalued: true },
  departmentNumber: { multivalued: true },
  title: { multivalued: true },
  manager: { references: 'inetOrgPerson', multivalued: true },
  member: { references: 'inetOrgPerson', multivalued: true },
  uniqueMember: { references: 'inetOrgPerson', multivalued: true },
  pwdAccountLockedTime: { type: 'DateTime' },
  createTimestamp: { type: 'DateTime' },
  modifyTimestamp: { type: 'DateTime' },
  jpegPhoto: { type: 'Binary', multivalued: true },
  dnsDomainName: { mutability: 'ReadOnly' },
} as const;

export function ldap2aadProvisioningTemplate(): Record<string, unknown> {
  return {
    id: 'LDAP2AADProvisioning',
    version: 'cloudsync-1',
    synchronizationRules: [
      {
        containerFilter: { includedContainers: [] },
        editable: true,
        groupFilter: { includedGroups: [] },
        id: 'LDAP2AADProvisioning',
        metadata: [],
        name: 'LDAP2AADProvisioning',
        objectMappings: [
          objectMapping('Provision LDAP inetOrgPersons', 'inetOrgPerson', 'User', ldapUserMappings()),
          objectMapping('Provision LDAP groupOfNames', 'groupOfNames', 'Group', ldapGroupMappings('member')),
          objectMapping('Provision LDAP groupOfUniqueNames', 'groupOfUniqueNames', 'Group', ldapGroupMappings('uniqueMember')),
        ],
        priority: 1,
        sourceDirectoryName: LDAP_DIRECTORY_NAME,
        targetDirectoryName: CLOUD_DIRECTORY_NAME,
      },
    ],
    directories: [
      {
        discoverabilities: 'AttributeNames,AttributeDataTypes',
        id: 'LDAP',
        metadata: [],
        name: LDAP_DIRECTORY_NAME,
        objects: [
          { attributes: attributes([...COMMON, ...PERSON], SPECS), metadata: [], name: 'inetOrgPerson', supportedApis: [] },
          { attributes: attributes([...COMMON, 'member'], SPECS), metadata: [], name: 'groupOfNames', supportedApis: [] },
          { attributes: attributes([...COMMON, 'uniqueMember'], SPECS), metadata: [], name: 'groupOfUniqueNames', supportedApis: [] },
        ],
        readOnly: true,
        version: null,
      },
      {
        discoverabilities: 'None',
        id: 'AzureActiveDirectory',
        metadata: [],
        name: CLOUD_DIRECTORY_NAME,
        objects: [
          {
            attributes: attributes(['onPremisesImmutableId', 'onPremisesDistinguishedName', 'onPremisesSamAccountName', 'onPremisesDomainName',
              'userPrincipalName', 'accountEnabled', 'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'department', 'jobTitle',
              'employeeId', 'employeeType', 'businessPhones', 'mobilePhone', 'preferredLanguage', 'manager'], {
              onPremisesImmutableId: { anchor: true, mutability: 'Immutable' },
              accountEnabled: { type: 'Boolean' },
              businessPhones: { multivalued: true },
              manager: { references: 'User' },
            }),
            metadata: [],
            name: 'User',
            supportedApis: [],
          },
          {
            attributes: attributes(['onPremisesImmutableId', 'onPremisesDistinguishedName', 'onPremisesDomainName', 'displayName', 'description',
              'mailNickname', 'mailEnabled', 'securityEnabled', 'members'], {
              onPremisesImmutableId: { anchor: true, mutability: 'Immutable' },
              mailEnabled: { type: 'Boolean' },
              securityEnabled: { type: 'Boolean' },
              members: { references: 'User', multivalued: true },
            }),
            metadata: [],
            name: 'Group',
            supportedApis: [],
          },
        ],
        readOnly: false,
        version: null,
      },
    ],
  };
}
