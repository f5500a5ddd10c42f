/**
 * Template AAD2ADGroupProvisioning: cloud security groups → Active Directory universal groups.
 *
 * Entra (how-to-attribute-mapping-entra-to-active-directory.md, research §1.18), the fixed defaults:
 *   adminDescription = Append("Group_",[objectId]) · cn = Append(Append(Left(Trim([displayName]),51),"_"),
 *   Mid([objectId],25,12)) · description = Left(Trim([description]),448) · displayName (Direct) ·
 *   isSecurityGroup = True · member = members · msDS-ExternalDirectoryObjectId = Append("Group_",[objectId])
 *   (join anchor in AD) · parentDistinguishedName = OU=Users,DC=<domain>,DC=com · UniversalScope = True.
 * "a fixed default security grouping is ANDed first: securityEnabled IS TRUE AND dirSyncEnabled IS FALSE AND
 * mailEnabled IS FALSE" — kept as inputFilterGroups so that it is ANDed with whatever attribute filter the
 * admin adds to `groups`. Since every clause but IS NULL is false on null, "dirSyncEnabled IS FALSE" is
 * written as (IS NULL or IS FALSE): cloud-created groups have no dirSyncEnabled at all.
 *
 * parentDistinguishedName keeps Entra's placeholder text on purpose: it is not a valid DN until the admin sets
 * the target container, and the engine refuses to write to it (a wrong guess would scatter groups).
 * sAMAccountName is not mapped, as in Entra (AD generates one).
 * The source attributes are Entra's names for a cloud group: `objectId` is the directory's `id`, `members` its
 * member references and `dirSyncEnabled` its onPremisesSyncEnabled; the engine reads a cloud group under these
 * names so that Entra's expressions work unchanged.
 */
import { CLOUD_DIRECTORY_NAME, AD_DIRECTORY_NAME } from './ad2aad-provisioning.ts';
import { attributes, DEFAULT_OBJECT_MAPPING_METADATA, mapping, type TemplateAttributeMapping } from './mapping-builders.ts';

export const DEFAULT_PARENT_DISTINGUISHED_NAME = 'OU=Users,DC=<domain>,DC=com';

export function aad2adGroupMappings(): TemplateAttributeMapping[] {
  return [
    mapping('adminDescription', 'Append("Group_", [objectId])'),
    mapping('cn', 'Append(Append(Left(Trim([displayName]), 51), "_"), Mid([objectId], 25, 12))', { flowType: 'ObjectAddOnly' }),
    mapping('description', 'Left(Trim([description]), 448)'),
    mapping('displayName', '[displayName]'),
    mapping('isSecurityGroup', '"True"'),
    mapping('member', '[members]'),
    mapping('msDS-ExternalDirectoryObjectId', 'Append("Group_", [objectId])', { matchingPriority: 1 }),
    mapping('parentDistinguishedName', `"${DEFAULT_PARENT_DISTINGUISHED_NAME}"`),
    mapping('UniversalScope', '"True"'),
  ];
}

const SECURITY_GROUPING = (dirSyncOperator: 'IS NULL' | 'IS FALSE', index: number) => ({
  name: `Default security grouping ${index}`,
  clauses: [
    { operatorName: 'IS TRUE', sourceOperandName: 'securityEnabled', targetOperand: { values: [] } },
    { operatorName: dirSyncOperator, sourceOperandName: 'dirSyncEnabled', targetOperand: { values: [] } },
    { operatorName: 'IS FALSE', sourceOperandName: 'mailEnabled', targetOperand: { values: [] } },
  ],
});

export function aad2adGroupProvisioningTemplate(): Record<string, unknown> {
  return {
    id: 'AAD2ADGroupProvisioning',
    version: 'cloudsync-1',
    synchronizationRules: [
      {
        containerFilter: { includedContainers: [] },
        editable: true,
        groupFilter: { includedGroups: [] },
        id: 'AAD2ADGroupProvisioning',
        metadata: [],
        name: 'AAD2ADGroupProvisioning',
        objectMappings: [
          {
            attributeMappings: aad2adGroupMappings(),
            enabled: true,
            flowTypes: 'Add, Update, Delete',
            metadata: DEFAULT_OBJECT_MAPPING_METADATA.map((m) => ({ ...m })),
            name: 'Provision Microsoft Entra ID groups',
            scope: { groups: [], inputFilterGroups: [SECURITY_GROUPING('IS NULL', 1), SECURITY_GROUPING('IS FALSE', 2)], categoryFilterGroups: [] },
            sourceObjectName: 'Group',
            targetObjectName: 'group',
          },
        ],
        priority: 1,
        sourceDirectoryName: CLOUD_DIRECTORY_NAME,
        targetDirectoryName: AD_DIRECTORY_NAME,
      },
    ],
    directories: [
      {
        discoverabilities: 'None',
        id: 'AzureActiveDirectory',
        metadata: [],
        name: CLOUD_DIRECTORY_NAME,
        objects: [{
          attributes: attributes(['objectId', 'displayName', 'description', 'members', 'securityEnabled', 'mailEnabled', 'dirSyncEnabled', 'mailNickname'], {
            objectId: { anchor: true, mutability: 'ReadOnly' },
            members: { references: 'User', multivalued: true },
            securityEnabled: { type: 'Boolean' },
            mailEnabled: { type: 'Boolean' },
            dirSyncEnabled: { type: 'Boolean' },
          }),
          metadata: [],
          name: 'Group',
          supportedApis: [],
        }],
        readOnly: false,
        version: null,
      },
      {
        // "the AD schema isn't discoverable for this direction": the target attributes are fixed.
        discoverabilities: 'None',
        id: 'ActiveDirectory',
        metadata: [],
        name: AD_DIRECTORY_NAME,
        objects: [{
          attributes: attributes(['objectGUID', 'adminDescription', 'cn', 'description', 'displayName', 'isSecurityGroup', 'member',
            'msDS-ExternalDirectoryObjectId', 'parentDistinguishedName', 'UniversalScope', 'sAMAccountName'], {
            objectGUID: { type: 'Binary', anchor: true, mutability: 'ReadOnly' },
            isSecurityGroup: { type: 'Boolean' },
            UniversalScope: { type: 'Boolean' },
            member: { references: 'group', multivalued: true },
          }),
          metadata: [],
          name: 'group',
          supportedApis: [],
        }],
        readOnly: false,
        version: null,
      },
    ],
  };
}
