import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isCloudsyncError, type CloudsyncError } from '../../src/errors/index.ts';
import {
  checkSynchronizationSchema,
  parseSynchronizationSchema,
  renderSource,
  sourceFromExpression,
  sourceInconsistency,
  toGraphJson,
} from '../../src/schema/index.ts';

const fixture = JSON.parse(readFileSync(new URL('./graph-cloud-sync-schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function copy(): any {
  return structuredClone(fixture);
}

function thrown(fn: () => unknown): CloudsyncError {
  try {
    fn();
  } catch (error) {
    assert.ok(isCloudsyncError(error), String(error));
    return error;
  }
  assert.fail('expected a CloudsyncError');
}

test('Graph JSON for a cloud sync job imports unchanged, unknown properties included', () => {
  const schema = parseSynchronizationSchema(fixture);
  assert.deepEqual(schema, fixture);
  assert.equal(schema['@odata.context'], fixture['@odata.context']);
  assert.ok(Object.isFrozen(schema));
});

test('what we export is what Graph gave us (text and tree already agree), byte for byte', () => {
  const exported = toGraphJson(parseSynchronizationSchema(fixture));
  assert.equal(JSON.stringify(exported), JSON.stringify(fixture));
  assert.deepEqual(parseSynchronizationSchema(exported), fixture);
});

test('export fills in the tree for a text-only mapping and the text for a tree-only one', () => {
  const json = copy();
  const mappings = json.synchronizationRules[0].objectMappings[0].attributeMappings;
  mappings[3].source = { type: 'Function', expression: 'Trim([extensionAttribute3])' };
  mappings[4].source = { type: 'Function', name: 'Mid', parameters: mappings[4].source.parameters };
  const exported = toGraphJson(parseSynchronizationSchema(json)) as any;
  const out = exported.synchronizationRules[0].objectMappings[0].attributeMappings;
  assert.equal(out[3].source.name, 'Trim');
  assert.equal(out[3].source.parameters[0].value.type, 'Attribute');
  assert.equal(out[3].source.parameters[0].value.name, 'extensionAttribute3');
  assert.equal(out[4].source.expression, 'Mid([sAMAccountName], "1", "8")');
  assert.equal(sourceInconsistency(out[4].source), undefined);
});

test('enumerations are accepted in any case (Graph samples write "type": "string") and kept as written', () => {
  const json = copy();
  json.directories[0].objects[0].attributes[1].type = 'string';
  json.synchronizationRules[0].objectMappings[0].attributeMappings[1].flowType = 'always';
  const schema = parseSynchronizationSchema(json) as any;
  assert.equal(schema.directories[0].objects[0].attributes[1].type, 'string');
});

test('every shape problem is listed with its path in one ERR_SCHEMA_INVALID', () => {
  const json = copy();
  const mapping = json.synchronizationRules[0].objectMappings[0];
  mapping.attributeMappings[0].flowType = 'Sometimes';
  mapping.attributeMappings[2].matchingPriority = -1;
  delete mapping.attributeMappings[5].targetAttributeName;
  json.directories[1].objects[0].attributes[0].mutability = 'Writable';
  const error = thrown(() => parseSynchronizationSchema(json));
  assert.equal(error.code, 'ERR_SCHEMA_INVALID');
  const paths = (error.details?.problems as { path: string }[]).map((p) => p.path).sort();
  assert.deepEqual(paths, [
    'directories[1].objects[0].attributes[0].mutability',
    'synchronizationRules[0].objectMappings[0].attributeMappings[0].flowType',
    'synchronizationRules[0].objectMappings[0].attributeMappings[2].matchingPriority',
    'synchronizationRules[0].objectMappings[0].attributeMappings[5].targetAttributeName',
  ]);
  assert.match(error.message, /4 problems/);
});

test('an expression error keeps its ERR_EXPR_* code and gains the JSON path and position', () => {
  const json = copy();
  json.synchronizationRules[0].objectMappings[0].attributeMappings[3].source = { type: 'Function', expression: 'Trim([extensionAttribute3]' };
  const error = thrown(() => parseSynchronizationSchema(json));
  assert.equal(error.code, 'ERR_EXPR_SYNTAX');
  assert.equal(error.path, 'synchronizationRules[0].objectMappings[0].attributeMappings[3].source.expression');
  assert.equal(typeof error.position, 'number');
});

test('expressions are checked against the source object\'s attributes and the function registry', () => {
  const json = copy();
  json.synchronizationRules[0].objectMappings[0].attributeMappings[3].source = { type: 'Function', expression: 'Trim([extensionAttribute33])' };
  json.synchronizationRules[0].objectMappings[0].attributeMappings[4].source = { type: 'Function', expression: 'Frobnicate([cn])' };
  const problems = checkSynchronizationSchema(json);
  assert.deepEqual(problems.map((p) => [p.code, p.path]), [
    ['ERR_EXPR_UNKNOWN_ATTRIBUTE', 'synchronizationRules[0].objectMappings[0].attributeMappings[3].source.expression'],
    ['ERR_EXPR_UNKNOWN_FUNCTION', 'synchronizationRules[0].objectMappings[0].attributeMappings[4].source.expression'],
  ]);
});

test('a tree that disagrees with its text is refused', () => {
  const json = copy();
  json.synchronizationRules[0].objectMappings[0].attributeMappings[4].source.parameters[0].value = { expression: '[cn]', name: 'cn', type: 'Attribute', parameters: [] };
  const error = thrown(() => parseSynchronizationSchema(json));
  assert.equal(error.code, 'ERR_SCHEMA_INVALID');
  assert.equal(error.path, 'synchronizationRules[0].objectMappings[0].attributeMappings[4].source');
  assert.match(error.message, /attribute samaccountname.*attribute cn/);
});

test('scope, directory, object and target attribute references are checked', () => {
  const json = copy();
  json.synchronizationRules[0].objectMappings[0].scope.groups[0].clauses[0].operatorName = 'SOUNDS LIKE';
  json.synchronizationRules[0].objectMappings[0].attributeMappings[1].targetAttributeName = 'Nickname';
  json.synchronizationRules[0].objectMappings[0].sourceObjectName = 'person';
  json.synchronizationRules[0].targetDirectoryName = 'Okta';
  const problems = checkSynchronizationSchema(json);
  assert.deepEqual(problems.map((p) => [p.code, p.path]), [
    ['ERR_SCHEMA_INVALID', 'synchronizationRules[0].targetDirectoryName'],
    ['ERR_SCHEMA_INVALID', 'synchronizationRules[0].objectMappings[0].sourceObjectName'],
    ['ERR_SCOPE_INVALID', 'synchronizationRules[0].objectMappings[0].scope.groups[0].clauses[0].operatorName'],
  ]);
  const only = copy();
  only.synchronizationRules[0].objectMappings[0].attributeMappings[1].targetAttributeName = 'Nickname';
  assert.deepEqual(checkSynchronizationSchema(only).map((p) => p.path), ['synchronizationRules[0].objectMappings[0].attributeMappings[1].targetAttributeName']);
});

test('not an object at all', () => {
  assert.equal(thrown(() => parseSynchronizationSchema('schema')).code, 'ERR_SCHEMA_INVALID');
  assert.equal(thrown(() => parseSynchronizationSchema({ synchronizationRules: [{ sourceDirectoryName: 'a' }] })).path, 'synchronizationRules[0].targetDirectoryName');
});

test('expression text ↔ Graph tree', () => {
  const tree = sourceFromExpression('Replace([mail], "@contoso.com", , , "", , )');
  assert.equal(tree.type, 'Function');
  assert.equal(tree.name, 'Replace');
  assert.deepEqual(tree.parameters?.map((p) => p.value.type), ['Attribute', 'Constant', 'Constant']);
  assert.equal(sourceInconsistency(tree), undefined);
  assert.equal(renderSource({ type: 'Attribute', name: 'mail' }), '[mail]');
  assert.equal(renderSource({ type: 'Constant', name: 'say "hi"' }), '"say \\"hi\\""');
  assert.equal(renderSource({ type: 'Function', name: 'Join', parameters: [{ key: 'separator', value: { type: 'Constant', name: '@' } }, { key: 'source1', value: { name: 'uid' } }] }), 'Join("@", [uid])');
});

test('scope clauses must name attributes of the source object (Graph filterClause)', () => {
  const json = copy();
  json.synchronizationRules[0].objectMappings[0].scope.groups[0].clauses[0].sourceOperandName = 'jobTitle';
  const problems = checkSynchronizationSchema(json);
  assert.deepEqual(problems.map((p) => [p.code, p.path]), [
    ['ERR_SCOPE_INVALID', 'synchronizationRules[0].objectMappings[0].scope.groups[0].clauses[0].sourceOperandName'],
  ]);
});

test('a GUID-pinned container and an unknown group-nesting value', () => {
  const json = copy();
  json.synchronizationRules[0].containerFilter.includedContainers[0] = '<GUID=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f>;OU=Sales,DC=contoso,DC=com';
  assert.deepEqual(checkSynchronizationSchema(json), []);
  json.synchronizationRules[0].metadata.push({ key: 'GroupScopeNesting', value: 'Deep' });
  assert.deepEqual(checkSynchronizationSchema(json).map((p) => [p.code, p.path]), [['ERR_SCOPE_INVALID', 'synchronizationRules[0].metadata']]);
});

test('export for Microsoft Entra unpins scope GUIDs and drops our group-nesting metadata', () => {
  const json = copy();
  const rule = json.synchronizationRules[0];
  rule.containerFilter.includedContainers = ['<GUID=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f>;OU=Sales,DC=contoso,DC=com', 'OU=Engineering,DC=contoso,DC=com'];
  rule.groupFilter.includedGroups = ['<GUID=a1b2c3d4-0000-4000-8000-000000000002>;CN=Pilot,OU=Groups,DC=contoso,DC=com'];
  rule.metadata.push({ key: 'GroupScopeNesting', value: 'Transitive' });
  const schema = parseSynchronizationSchema(json);
  const ours = toGraphJson(schema) as any;
  assert.deepEqual(ours.synchronizationRules[0].containerFilter, rule.containerFilter);
  const entra = toGraphJson(schema, { forMicrosoftEntra: true }) as any;
  assert.deepEqual(entra.synchronizationRules[0].containerFilter.includedContainers, ['OU=Sales,DC=contoso,DC=com', 'OU=Engineering,DC=contoso,DC=com']);
  assert.deepEqual(entra.synchronizationRules[0].groupFilter.includedGroups, ['CN=Pilot,OU=Groups,DC=contoso,DC=com']);
  assert.deepEqual(entra.synchronizationRules[0].metadata, fixture.synchronizationRules instanceof Array ? (fixture.synchronizationRules[0] as any).metadata : undefined);
});

test('the objectMapping sample of Graph\'s documentation imports unchanged and evaluates', async () => {
  const { compileObjectMapping } = await import('../../src/schema/index.ts');
  const { attributeSource } = await import('../../src/expressions/value.ts');
  const objectMapping = JSON.parse(readFileSync(new URL('./graph-docs-object-mapping.json', import.meta.url), 'utf8'));
  const schema = {
    synchronizationRules: [{ id: 'AzureToSalesforce', name: 'USER_TO_USER', sourceDirectoryName: 'Azure Active Directory', targetDirectoryName: 'salesforce.com', objectMappings: [objectMapping] }],
  };
  assert.deepEqual(parseSynchronizationSchema(schema), schema);
  assert.equal(JSON.stringify(toGraphJson(parseSynchronizationSchema(schema))), JSON.stringify(schema));
  const result = compileObjectMapping(objectMapping).evaluate(attributeSource({
    IsSoftDeleted: false, userPrincipalName: 'AdeleV@contoso.com', mail: 'AdeleV@contoso.com', givenName: 'Adele', preferredLanguage: 'en-US',
  }), { isCreate: true });
  assert.equal(result.values.IsActive, true);
  assert.equal(result.values.Alias, 'AdeleV@c');
  assert.equal(result.values.LocaleSidKey, 'en_US');
  assert.equal(result.values.LastName, '.');
  assert.equal(result.values.TimeZoneSidKey, 'America/Los_Angeles');
  assert.equal(result.values.Username, 'AdeleV@contoso.com');
});
