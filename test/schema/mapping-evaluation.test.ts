import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeSource, reference, type Value } from '../../src/expressions/value.ts';
import {
  applyFlowType,
  compileObjectMapping,
  getTemplate,
  REDACTED,
  type AttributeLineage,
  type ObjectMapping,
} from '../../src/schema/index.ts';

// A realistic AD user as the agent delivers it: binary objectGUID and objectSid, integer userAccountControl,
// multi-valued proxyAddresses, a DN-valued manager, and many attributes simply absent.
const OBJECT_GUID = Uint8Array.from([0x12, 0x4d, 0x8b, 0x61, 0x23, 0xe5, 0xfc, 0x4c, 0x89, 0x9a, 0xea, 0xb5, 0x5b, 0x36, 0xca, 0x9c]);
const OBJECT_SID = Uint8Array.from([1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x15, 0xcd, 0x5b, 0x07, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f, 0x80, 0x91, 0x51, 0x04, 0x00, 0x00]);

function adUser(overrides: Record<string, Value> = {}): Record<string, Value> {
  return {
    objectGUID: OBJECT_GUID,
    objectSid: OBJECT_SID,
    distinguishedName: 'CN=Adele Vance,OU=Sales,DC=contoso,DC=com',
    cn: 'Adele Vance',
    sAMAccountName: 'AdeleV',
    userPrincipalName: 'AdeleV@contoso.com',
    displayName: 'Adele Vance',
    givenName: 'Adele',
    sn: 'Vance',
    mail: 'AdeleV@contoso.com',
    proxyAddresses: ['SMTP:AdeleV@contoso.com', 'smtp:adele.vance@contoso.com', 'x500:/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=adele'],
    userAccountControl: 512,
    department: 'Retail',
    title: 'Retail Manager',
    telephoneNumber: '+1 425 555 0109',
    manager: reference('CN=Miriam Graham,OU=Sales,DC=contoso,DC=com'),
    extensionAttribute1: '  cost-center-4711  ',
    dnsDomainName: 'contoso.com',
    netBiosName: 'CONTOSO',
    ...overrides,
  };
}

const userMapping = (): ObjectMapping => (getTemplate('AD2AADProvisioning').synchronizationRules?.[0]?.objectMappings?.[0]) as ObjectMapping;

function lineageOf(lineage: readonly AttributeLineage[], target: string): AttributeLineage {
  const entry = lineage.find((l) => l.targetAttributeName === target);
  assert.ok(entry, `no lineage for ${target}`);
  return entry;
}

test('the default AD user mappings on a realistic user, at create', () => {
  const compiled = compileObjectMapping(userMapping(), { path: 'synchronizationRules[0].objectMappings[0]' });
  const result = compiled.evaluate(attributeSource(adUser()), { isCreate: true });
  assert.deepEqual(result.errors, []);
  const v = result.values;
  assert.equal(v.onPremisesImmutableId, 'Ek2LYSPl/EyJmuq1WzbKnA==');
  assert.equal(v.onPremisesSecurityIdentifier, 'S-1-5-21-123456789-1565276970-2441117550-1105');
  assert.equal(v.onPremisesDistinguishedName, 'CN=Adele Vance,OU=Sales,DC=contoso,DC=com');
  assert.equal(v.onPremisesSamAccountName, 'AdeleV');
  assert.equal(v.onPremisesUserPrincipalName, 'AdeleV@contoso.com');
  assert.equal(v.onPremisesDomainName, 'contoso.com');
  assert.equal(v.accountEnabled, 'True');
  assert.equal(v.userPrincipalName, 'AdeleV@contoso.com');
  assert.equal(v.surname, 'Vance');
  assert.equal(v.jobTitle, 'Retail Manager');
  assert.equal(v.mailNickname, 'AdeleV');
  assert.deepEqual(v.proxyAddresses, adUser().proxyAddresses);
  assert.deepEqual(v.manager, reference('CN=Miriam Graham,OU=Sales,DC=contoso,DC=com'));
  assert.equal(v.extensionAttribute1, 'cost-center-4711');
  // absent in AD and no default: not written on create
  assert.equal('extensionAttribute2' in v, false);
  assert.equal(lineageOf(result.lineage, 'extensionAttribute2').skipped, 'NullWithoutDefault');
  assert.deepEqual(compiled.matchingAttributes.map((m) => m.targetAttributeName), ['onPremisesImmutableId']);
});

test('userAccountControl 512 / 514 / 66048 / 66050 / absent → accountEnabled', () => {
  const compiled = compileObjectMapping(userMapping());
  const enabled = (uac: Value | undefined) => {
    const attributes = adUser();
    if (uac === undefined) delete attributes.userAccountControl; else attributes.userAccountControl = uac;
    return compiled.evaluate(attributeSource(attributes), { isCreate: true }).values.accountEnabled;
  };
  assert.equal(enabled(512), 'True');
  assert.equal(enabled(514), 'False');
  assert.equal(enabled(66048), 'True');
  assert.equal(enabled(66050), 'False');
  assert.equal(enabled('514'), 'False');
  assert.equal(enabled(undefined), 'True');
});

test('ms-DS-ConsistencyGuid wins over objectGUID for the anchor; the anchor only flows on create', () => {
  const compiled = compileObjectMapping(userMapping());
  const consistency = Uint8Array.from({ length: 16 }, (_, i) => i);
  const created = compiled.evaluate(attributeSource(adUser({ 'ms-DS-ConsistencyGuid': consistency })), { isCreate: true });
  assert.equal(created.values.onPremisesImmutableId, Buffer.from(consistency).toString('base64'));
  const updated = compiled.evaluate(attributeSource(adUser({ 'ms-DS-ConsistencyGuid': consistency })), { isCreate: false });
  assert.equal('onPremisesImmutableId' in updated.values, false);
  assert.equal(lineageOf(updated.lineage, 'onPremisesImmutableId').skipped, 'ObjectAddOnly');
});

test('lineage names the mapping, the expression and the source values it read', () => {
  const compiled = compileObjectMapping(userMapping(), { path: 'synchronizationRules[0].objectMappings[0]' });
  const result = compiled.evaluate(attributeSource(adUser({ mailNickname: 'adele' })), { isCreate: false });
  const nickname = lineageOf(result.lineage, 'mailNickname');
  assert.equal(nickname.objectMappingName, 'Provision Active Directory users');
  assert.match(nickname.mappingPath, /^synchronizationRules\[0\]\.objectMappings\[0\]\.attributeMappings\[\d+\]$/);
  assert.equal(nickname.expression, 'IIF(IsPresent([mailNickname]), [mailNickname], [sAMAccountName])');
  assert.equal(nickname.kind, 'Function');
  assert.deepEqual(nickname.sourceValues, [{ name: 'mailNickname', value: 'adele' }, { name: 'sAMAccountName', value: 'AdeleV' }]);
  assert.equal(nickname.value, 'adele');
  const surname = lineageOf(result.lineage, 'surname');
  assert.equal(surname.kind, 'Attribute');
  assert.deepEqual(surname.sourceValues, [{ name: 'sn', value: 'Vance' }]);
});

const custom: ObjectMapping = {
  name: 'custom',
  sourceObjectName: 'user',
  targetObjectName: 'User',
  attributeMappings: [
    { targetAttributeName: 'usageLocation', source: null, defaultValue: 'US' },
    { targetAttributeName: 'department', source: { type: 'Attribute', name: 'department' }, defaultValue: 'Unassigned' },
    { targetAttributeName: 'employeeId', source: { type: 'Function', expression: 'IgnoreFlowIfNullOrEmpty([employeeID])' } },
    { targetAttributeName: 'secret', source: { type: 'Function', expression: 'Redact([extensionAttribute9])' } },
    { targetAttributeName: 'broken', source: { type: 'Function', expression: 'Error("no")' } },
    { targetAttributeName: 'unparsable', source: { type: 'Function', expression: 'Left([cn], ' } },
    { targetAttributeName: 'displayName', source: { type: 'Attribute', name: 'displayName' } },
    { targetAttributeName: 'companyName', source: { type: 'Constant', name: 'Contoso' } },
  ],
};

test('defaultValue only on create; a None mapping only on create; null on update clears', () => {
  const compiled = compileObjectMapping(custom);
  const create = compiled.evaluate(attributeSource({ displayName: 'A' }), { isCreate: true });
  assert.equal(create.values.usageLocation, 'US');
  assert.equal(create.values.department, 'Unassigned');
  assert.equal(lineageOf(create.lineage, 'department').usedDefault, true);
  assert.equal(create.values.companyName, 'Contoso');
  const update = compiled.evaluate(attributeSource({ displayName: 'A' }), { isCreate: false });
  assert.equal('usageLocation' in update.values, false);
  assert.equal(lineageOf(update.lineage, 'usageLocation').skipped, 'NoSourceOnUpdate');
  assert.equal(update.values.department, null);
});

test('IgnoreFlowIfNullOrEmpty leaves the target out; present values flow', () => {
  const compiled = compileObjectMapping(custom);
  const missing = compiled.evaluate(attributeSource({ employeeID: '' }), { isCreate: false });
  assert.equal('employeeId' in missing.values, false);
  assert.equal(lineageOf(missing.lineage, 'employeeId').skipped, 'IgnoreFlowIfNullOrEmpty');
  assert.equal(compiled.evaluate(attributeSource({ employeeID: 'E42' }), { isCreate: false }).values.employeeId, 'E42');
});

test('a redacted value reaches the target but never the lineage', () => {
  const compiled = compileObjectMapping(custom);
  const result = compiled.evaluate(attributeSource({ extensionAttribute9: 'hunter2' }), { isCreate: false });
  assert.equal(result.values.secret, 'hunter2');
  const lineage = lineageOf(result.lineage, 'secret');
  assert.equal(lineage.redacted, true);
  assert.equal(lineage.value, REDACTED);
  assert.deepEqual(lineage.sourceValues, [{ name: 'extensionAttribute9', value: REDACTED }]);
  assert.equal(JSON.stringify(result.lineage).includes('hunter2'), false);
});

test('redactedTargets names the attributes whose lineage is redacted, with and without failing mappings', () => {
  const working: ObjectMapping = { ...custom, attributeMappings: custom.attributeMappings!.filter((m) => m.targetAttributeName !== 'broken' && m.targetAttributeName !== 'unparsable') };
  const failingSecret: ObjectMapping = { ...working, attributeMappings: [...working.attributeMappings!, { targetAttributeName: 'otherSecret', source: { type: 'Function', expression: 'Redact(Error("no"))' } }] };
  for (const mapping of [custom, working, failingSecret]) {
    for (const isCreate of [true, false]) {
      const result = compileObjectMapping(mapping).evaluate(attributeSource({ extensionAttribute9: 'hunter2', displayName: 'Adele' }), { isCreate });
      const fromLineage = new Set(result.lineage.filter((l) => l.redacted).map((l) => l.targetAttributeName));
      assert.deepEqual(result.redactedTargets, fromLineage);
      assert.deepEqual([...result.redactedTargets], ['secret']);
    }
  }
});

test('one failing mapping is an error value; the other attributes are still computed', () => {
  const compiled = compileObjectMapping(custom, { path: 'synchronizationRules[0].objectMappings[1]' });
  const result = compiled.evaluate(attributeSource({ displayName: 'Adele' }), { isCreate: false });
  assert.equal(result.values.displayName, 'Adele');
  assert.deepEqual(result.errors.map((e) => [e.targetAttributeName, e.code, e.path]), [
    ['broken', 'ERR_EXPR_USER_ERROR', 'synchronizationRules[0].objectMappings[1].attributeMappings[4].source.expression'],
    ['unparsable', 'ERR_EXPR_SYNTAX', 'synchronizationRules[0].objectMappings[1].attributeMappings[5].source.expression'],
  ]);
  assert.equal(typeof result.errors[1]?.position, 'number');
});

test('misuse is a TypeError', () => {
  const compiled = compileObjectMapping(custom);
  assert.throws(() => compiled.evaluate(attributeSource({}), undefined as never), TypeError);
});

test('flow types that need the target\'s current value', () => {
  const opts = { isCreate: false, multivalued: true };
  assert.deepEqual(applyFlowType('Always', ['b'], ['a'], opts), ['b']);
  assert.equal(applyFlowType('AttributeAddOnly', 'x', 'y', { isCreate: false, multivalued: false }), undefined);
  assert.equal(applyFlowType('AttributeAddOnly', 'x', null, { isCreate: false, multivalued: false }), 'x');
  assert.deepEqual(applyFlowType('ValueAddOnly', ['b'], ['a'], opts), ['a', 'b']);
  assert.equal(applyFlowType('ValueAddOnly', [], ['a'], opts), undefined);
  assert.deepEqual(applyFlowType('MultiValueAddOnly', ['a', 'c'], ['a'], opts), ['a', 'c']);
  assert.equal(applyFlowType('MultiValueAddOnly', ['a'], ['a', 'b'], opts), undefined);
  assert.equal(applyFlowType('ObjectAddOnly', 'x', 'y', { isCreate: true, multivalued: false }), 'x');
});

test('the evaluation context reaches every expression (fixed clock)', async () => {
  const { fixedContext } = await import('../../src/expressions/index.ts');
  const compiled = compileObjectMapping({
    sourceObjectName: 'user',
    targetObjectName: 'User',
    attributeMappings: [{ targetAttributeName: 'provisionedAt', source: { type: 'Function', expression: 'Now()' }, flowType: 'ObjectAddOnly' }],
  });
  const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  const result = compiled.evaluate(attributeSource({}), { isCreate: true, context: { now: () => now } });
  assert.deepEqual(result.errors, []);
  const viaFixed = compiled.evaluate(attributeSource({}), { isCreate: true, context: fixedContext({ now }) });
  assert.deepEqual(result.values.provisionedAt, viaFixed.values.provisionedAt);
  assert.ok(result.values.provisionedAt !== null && result.values.provisionedAt !== undefined);
});

test('errors of a redacted mapping never quote its values', async () => {
  const { compileSynchronizationSchema, parseSynchronizationSchema } = await import('../../src/schema/index.ts');
  const schema = parseSynchronizationSchema({
    synchronizationRules: [{
      sourceDirectoryName: 'A', targetDirectoryName: 'B',
      objectMappings: [{
        sourceObjectName: 'user', targetObjectName: 'User',
        attributeMappings: [
          { targetAttributeName: 'flag', source: { type: 'Function', expression: 'Redact([secret])' } },
          { targetAttributeName: 'pick', source: { type: 'Function', expression: 'Redact(Item([secrets], 3))' } },
        ],
      }],
    }],
    directories: [
      { name: 'A', objects: [{ name: 'user', attributes: [{ name: 'secret' }, { name: 'secrets', multivalued: true }] }] },
      { name: 'B', objects: [{ name: 'User', attributes: [{ name: 'flag', type: 'Boolean' }, { name: 'pick' }] }] },
    ],
  });
  const mapping = compileSynchronizationSchema(schema).rules[0]?.objectMappings[0]?.mapping;
  assert.ok(mapping);
  const result = mapping.evaluate(attributeSource({ secret: 'hunter2', secrets: ['s3cr3t-a', 's3cr3t-b'] }), { isCreate: false });
  assert.deepEqual(result.errors.map((e) => [e.targetAttributeName, e.code]), [['flag', 'ERR_SCHEMA_VALUE_TYPE'], ['pick', 'ERR_EXPR_EVALUATION']]);
  const logged = JSON.stringify(result);
  for (const secret of ['hunter2', 's3cr3t-a', 's3cr3t-b']) assert.equal(logged.includes(secret), false, secret);
});
