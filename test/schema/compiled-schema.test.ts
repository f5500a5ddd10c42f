import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeSource, reference } from '../../src/expressions/value.ts';
import { compileSynchronizationSchema, getTemplate, parseSynchronizationSchema } from '../../src/schema/index.ts';

test('a template compiled whole: typed values, scope and flow types per object mapping', () => {
  const compiled = compileSynchronizationSchema(getTemplate('AD2AADProvisioning'));
  const [rule] = compiled.rules;
  assert.ok(rule);
  assert.deepEqual(rule.objectMappings.map((m) => m.path), [0, 1, 2, 3].map((i) => `synchronizationRules[0].objectMappings[${i}]`));
  const users = rule.objectMappings[0];
  assert.ok(users);
  assert.equal(users.enabled, true);
  assert.deepEqual([...users.flowTypes], ['Add', 'Update', 'Delete']);
  const source = attributeSource({
    objectGUID: Uint8Array.from({ length: 16 }, (_, i) => i),
    distinguishedName: 'CN=Adele Vance,OU=Sales,DC=contoso,DC=com',
    sAMAccountName: 'AdeleV',
    userPrincipalName: 'AdeleV@contoso.com',
    displayName: 'Adele Vance',
    userAccountControl: 514,
    telephoneNumber: '+1 425 555 0109',
    manager: reference('CN=Miriam Graham,OU=Sales,DC=contoso,DC=com'),
  });
  const result = users.mapping.evaluate(source, { isCreate: true });
  assert.deepEqual(result.errors, []);
  assert.equal(result.values.accountEnabled, false);
  assert.deepEqual(result.values.businessPhones, ['+1 425 555 0109']);
  assert.deepEqual(result.values.manager, reference('CN=Miriam Graham,OU=Sales,DC=contoso,DC=com'));
  assert.equal(users.scope.isInScope(source), true);
});

test('rules run in priority order; a mapping whose value does not fit its target is an error value', () => {
  const schema = parseSynchronizationSchema({
    synchronizationRules: [
      { id: 'second', priority: 2, sourceDirectoryName: 'A', targetDirectoryName: 'B', objectMappings: [] },
      {
        id: 'first', priority: 1, sourceDirectoryName: 'A', targetDirectoryName: 'B',
        objectMappings: [{
          sourceObjectName: 'user', targetObjectName: 'User', enabled: false, flowTypes: 'Add, Update',
          attributeMappings: [
            { targetAttributeName: 'accountEnabled', source: { type: 'Function', expression: 'IIF(IsPresent([x]), "maybe", "True")' } },
            { targetAttributeName: 'displayName', source: { type: 'Attribute', name: 'x' } },
          ],
        }],
      },
    ],
    directories: [
      { name: 'A', objects: [{ name: 'user', attributes: [{ name: 'x' }] }] },
      { name: 'B', objects: [{ name: 'User', attributes: [{ name: 'accountEnabled', type: 'Boolean' }, { name: 'displayName' }] }] },
    ],
  });
  const compiled = compileSynchronizationSchema(schema);
  assert.deepEqual(compiled.rules.map((r) => r.id), ['first', 'second']);
  const mapping = compiled.rules[0]?.objectMappings[0];
  assert.ok(mapping);
  assert.equal(mapping.enabled, false);
  assert.deepEqual([...mapping.flowTypes], ['Add', 'Update']);
  const result = mapping.mapping.evaluate(attributeSource({ x: 'Ann' }), { isCreate: false });
  assert.equal(result.values.displayName, 'Ann');
  assert.deepEqual(result.errors.map((e) => [e.targetAttributeName, e.code, e.path]), [
    ['accountEnabled', 'ERR_SCHEMA_VALUE_TYPE', 'synchronizationRules[1].objectMappings[0].attributeMappings[0]'],
  ]);
  assert.equal(mapping.mapping.evaluate(attributeSource({}), { isCreate: false }).values.accountEnabled, true);
});
