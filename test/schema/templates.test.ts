import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCloudsyncError } from '../../src/errors/index.ts';
import { attributeSource, reference } from '../../src/expressions/value.ts';
import {
  AD_DEFAULT_EXCLUSIONS,
  compileObjectMapping,
  compileObjectScope,
  exclusionsToInputFilterGroups,
  getTemplate,
  parseSynchronizationSchema,
  TEMPLATE_IDS,
  toGraphJson,
  type ObjectMapping,
} from '../../src/schema/index.ts';

function objectMappings(id: string): readonly ObjectMapping[] {
  return getTemplate(id).synchronizationRules?.[0]?.objectMappings ?? [];
}

function targets(mapping: ObjectMapping | undefined): string[] {
  return (mapping?.attributeMappings ?? []).map((m) => m.targetAttributeName);
}

test('every template is a valid synchronizationSchema that Graph round-trips', () => {
  for (const id of TEMPLATE_IDS) {
    const schema = getTemplate(id);
    assert.equal(schema.id, id);
    const json = JSON.parse(JSON.stringify(schema));
    assert.deepEqual(parseSynchronizationSchema(json), schema, id);
    assert.deepEqual(toGraphJson(schema), json, `${id}: text and tree of every mapping already agree`);
  }
});

test('unknown template ids are ERR_SCHEMA_UNKNOWN_TEMPLATE listing the known ones', () => {
  assert.throws(() => getTemplate('ad2aadprovisioning'), (error: unknown) => {
    assert.ok(isCloudsyncError(error));
    assert.equal(error.code, 'ERR_SCHEMA_UNKNOWN_TEMPLATE');
    assert.deepEqual(error.details?.known, [...TEMPLATE_IDS]);
    assert.match(error.message, /AD2AADProvisioning, AAD2ADGroupProvisioning, LDAP2AADProvisioning/);
    return true;
  });
});

test('AD2AADProvisioning maps users, inetOrgPersons, groups and contacts with the documented defaults', () => {
  const mappings = objectMappings('AD2AADProvisioning');
  assert.deepEqual(mappings.map((m) => [m.sourceObjectName, m.targetObjectName]), [['user', 'User'], ['inetOrgPerson', 'User'], ['group', 'Group'], ['contact', 'Contact']]);
  const user = targets(mappings[0]);
  for (const name of ['accountEnabled', 'onPremisesImmutableId', 'onPremisesDistinguishedName', 'onPremisesSamAccountName', 'onPremisesUserPrincipalName',
    'onPremisesDomainName', 'onPremisesSecurityIdentifier', 'proxyAddresses', 'mail', 'mailNickname', 'displayName', 'givenName', 'surname',
    'department', 'jobTitle', 'businessPhones', 'mobilePhone', 'manager']) {
    assert.ok(user.includes(name), name);
  }
  for (let n = 1; n <= 15; n++) {
    const mapping = mappings[0]?.attributeMappings?.find((m) => m.targetAttributeName === `extensionAttribute${n}`);
    assert.equal(mapping?.source?.expression, `Trim([extensionAttribute${n}])`);
  }
  assert.ok(targets(mappings[2]).includes('members'));
  for (const mapping of mappings) assert.deepEqual(mapping.scope?.inputFilterGroups, exclusionsToInputFilterGroups(AD_DEFAULT_EXCLUSIONS));
});

test('AD2AADProvisioning excludes system objects, CAS_ mailboxes and CNF conflicts by default', () => {
  const rule = getTemplate('AD2AADProvisioning').synchronizationRules?.[0];
  const scope = compileObjectScope({ scope: objectMappings('AD2AADProvisioning')[0]?.scope ?? null, containerFilter: rule?.containerFilter ?? null, groupFilter: rule?.groupFilter ?? null });
  const dn = 'CN=Adele Vance,OU=Sales,DC=contoso,DC=com';
  assert.equal(scope.isInScope(attributeSource({ distinguishedName: dn })), true);
  assert.equal(scope.isInScope(attributeSource({ distinguishedName: dn, isCriticalSystemObject: 'TRUE' })), false);
  assert.equal(scope.isInScope(attributeSource({ distinguishedName: dn, mailNickname: 'CAS_{b4f1}' })), false);
  assert.equal(scope.isInScope(attributeSource({ distinguishedName: 'CN=Adele Vance\\0ACNF:0b5c8a7e-1f2d-4c3b-a4e5-f60718293a4b,OU=Sales,DC=contoso,DC=com' })), false);
});

test('AAD2ADGroupProvisioning writes Entra\'s fixed group defaults', () => {
  const [mapping] = objectMappings('AAD2ADGroupProvisioning');
  assert.ok(mapping);
  assert.deepEqual(targets(mapping), ['adminDescription', 'cn', 'description', 'displayName', 'isSecurityGroup', 'member',
    'msDS-ExternalDirectoryObjectId', 'parentDistinguishedName', 'UniversalScope']);
  const objectId = '8a4c3e2f-1b0d-4e9f-a8b7-c6d5e4f3a2b1';
  const longName = 'Project Falcon – global engineering leads and their delegates, 2026';
  const result = compileObjectMapping(mapping).evaluate(attributeSource({
    objectId, displayName: longName, description: `  ${'x'.repeat(500)}  `, members: [reference('CN=Adele Vance,OU=Sales,DC=contoso,DC=com')],
  }), { isCreate: true });
  assert.deepEqual(result.errors, []);
  assert.equal(result.values.adminDescription, `Group_${objectId}`);
  assert.equal(result.values['msDS-ExternalDirectoryObjectId'], `Group_${objectId}`);
  assert.equal(result.values.cn, `${longName.slice(0, 51)}_${objectId.slice(24, 36)}`);
  assert.equal((result.values.description as string).length, 448);
  assert.equal(result.values.isSecurityGroup, 'True');
  assert.equal(result.values.UniversalScope, 'True');
  assert.equal(result.values.parentDistinguishedName, 'OU=Users,DC=<domain>,DC=com');
  const scope = compileObjectScope({ scope: mapping.scope ?? null });
  assert.equal(scope.isInScope(attributeSource({ securityEnabled: true, mailEnabled: false })), true);
  assert.equal(scope.isInScope(attributeSource({ securityEnabled: true, mailEnabled: false, dirSyncEnabled: true })), false);
  assert.equal(scope.isInScope(attributeSource({ securityEnabled: true, mailEnabled: true })), false);
});

test('LDAP2AADProvisioning: anchor entryUUID, UPN from mail or uid@domain, RFC 2798 names', () => {
  const [users, groupOfNames, groupOfUniqueNames] = objectMappings('LDAP2AADProvisioning');
  assert.ok(users && groupOfNames && groupOfUniqueNames);
  const compiled = compileObjectMapping(users);
  const base = { entryUUID: '4f1b7c2e-9a3d-4e5f-8b6a-0c1d2e3f4a5b', entryDN: 'uid=jdoe,ou=people,dc=example,dc=org', uid: 'jdoe', cn: 'John Doe', sn: 'Doe',
    givenName: 'John', departmentNumber: ['4711'], title: ['Engineer'], dnsDomainName: 'example.org' };
  const withoutMail = compiled.evaluate(attributeSource(base), { isCreate: true });
  assert.deepEqual(withoutMail.errors, []);
  assert.equal(withoutMail.values.userPrincipalName, 'jdoe@example.org');
  assert.equal(withoutMail.values.onPremisesImmutableId, base.entryUUID);
  assert.equal(withoutMail.values.displayName, 'John Doe');
  assert.equal(withoutMail.values.department, '4711');
  assert.equal(withoutMail.values.jobTitle, 'Engineer');
  assert.equal(withoutMail.values.accountEnabled, 'True');
  const withMail = compiled.evaluate(attributeSource({ ...base, mail: ['john.doe@example.org', 'jd@example.org'], pwdAccountLockedTime: '000001010000Z' }), { isCreate: true });
  assert.equal(withMail.values.userPrincipalName, 'john.doe@example.org');
  assert.equal(withMail.values.mail, 'john.doe@example.org');
  assert.equal(withMail.values.accountEnabled, 'False');
  const group = compileObjectMapping(groupOfUniqueNames).evaluate(attributeSource({ entryUUID: 'x', cn: ['Dev Ops (EU)', 'devops'], uniqueMember: ['uid=jdoe,ou=people,dc=example,dc=org'] }), { isCreate: true });
  assert.deepEqual(group.errors, []);
  assert.deepEqual(group.values.members, ['uid=jdoe,ou=people,dc=example,dc=org']);
  assert.equal(group.values.mailNickname, 'DevOpsEU');
});

test('docs/schema.md shows the templates as they are', async () => {
  const { readFileSync } = await import('node:fs');
  const { renderTemplateReference } = await import('../../src/schema/index.ts');
  const doc = readFileSync(new URL('../../docs/schema.md', import.meta.url), 'utf8');
  assert.ok(doc.includes(renderTemplateReference()), 'docs/schema.md is out of date: paste renderTemplateReference() into its "Default mappings" section');
});

test('AD2AADProvisioning groups: security vs distribution from groupType, cn fallback, member references', () => {
  const group = objectMappings('AD2AADProvisioning')[2];
  assert.ok(group);
  const compiled = compileObjectMapping(group);
  const base = {
    objectGUID: Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i),
    objectSid: Uint8Array.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0x52, 0x04, 0, 0]),
    distinguishedName: 'CN=Sales Team,OU=Groups,DC=contoso,DC=com',
    cn: 'Sales Team',
    sAMAccountName: 'Sales Team',
    member: [reference('CN=Adele Vance,OU=Sales,DC=contoso,DC=com'), reference('CN=Alex Wilber,OU=Sales,DC=contoso,DC=com')],
    dnsDomainName: 'contoso.com',
  };
  const security = compiled.evaluate(attributeSource({ ...base, groupType: -2147483646 }), { isCreate: true });
  assert.deepEqual(security.errors, []);
  assert.equal(security.values.securityEnabled, 'True');
  assert.equal(security.values.mailEnabled, 'False');
  assert.equal(security.values.displayName, 'Sales Team');
  assert.equal(security.values.mailNickname, 'SalesTeam');
  assert.equal(security.values.onPremisesSecurityIdentifier, 'S-1-5-21-1-2-3-1106');
  assert.deepEqual(security.values.members, base.member);
  const distribution = compiled.evaluate(attributeSource({ ...base, groupType: 8, mail: 'sales@contoso.com' }), { isCreate: true });
  assert.equal(distribution.values.securityEnabled, 'False');
  assert.equal(distribution.values.mailEnabled, 'True');
});

test('AD2AADProvisioning contacts', () => {
  const contact = objectMappings('AD2AADProvisioning')[3];
  assert.ok(contact);
  const result = compileObjectMapping(contact).evaluate(attributeSource({
    objectGUID: Uint8Array.from({ length: 16 }, (_, i) => i),
    distinguishedName: 'CN=Partner Contact,OU=Contacts,DC=contoso,DC=com',
    cn: 'Partner Contact',
    mail: 'partner@fabrikam.com',
    proxyAddresses: ['SMTP:partner@fabrikam.com'],
    dnsDomainName: 'contoso.com',
  }), { isCreate: true });
  assert.deepEqual(result.errors, []);
  assert.equal(result.values.displayName, 'Partner Contact');
  assert.equal(result.values.mailNickname, 'PartnerContact');
  assert.equal(result.values.onPremisesImmutableId, 'AAECAwQFBgcICQoLDA0ODw==');
});
