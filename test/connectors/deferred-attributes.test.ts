/** deferLarge: which attributes leave the batch, and that an object with nothing large is passed through as is. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reference } from '../../src/expressions/value.ts';
import { deferLarge } from '../../src/connectors/deferred-attributes.ts';
import type { SourceObject } from '../../src/connectors/source-connector.ts';

const members = Array.from({ length: 5 }, (_, i) => reference(`CN=m${i},DC=corp`));
const group = (attributes: SourceObject['attributes']): SourceObject => ({
  type: 'group', objectClasses: ['top', 'group'], dn: 'CN=G,DC=corp', parentDn: 'DC=corp', anchors: {}, attributes, isDeleted: false,
});

test('an object without an attribute over the limit is returned itself, unchanged', () => {
  const object = group({ cn: 'G', member: members.slice(0, 3), objectClass: ['top', 'group'] });
  assert.equal(deferLarge(object, 3, []), object);
});

test('attributes over the limit move to deferredAttributes; the rest keep their order; the input is not changed', () => {
  const attributes = { cn: 'G', member: members, description: ['a', 'b', 'c', 'd'], objectClass: ['top', 'group', 'x', 'y', 'z'], mail: 'g@corp' };
  const object = group(attributes);
  const result = deferLarge(object, 3, []);
  assert.deepEqual(result.deferredAttributes, ['member', 'description']);
  assert.deepEqual(Object.keys(result.attributes), ['cn', 'objectClass', 'mail'], 'objectClass is never deferred');
  assert.equal(object.attributes, attributes);
  assert.deepEqual(Object.keys(object.attributes), ['cn', 'member', 'description', 'objectClass', 'mail']);
  assert.equal(object.deferredAttributes, undefined);
});

test('attributes deferred earlier (while ranges were fetched) are listed first, with or without new ones', () => {
  const small = group({ cn: 'G' });
  const kept = deferLarge(small, 3, ['member']);
  assert.deepEqual(kept.deferredAttributes, ['member']);
  assert.equal(kept.attributes, small.attributes);
  assert.deepEqual(deferLarge(group({ cn: 'G', owner: members }), 3, ['member']).deferredAttributes, ['member', 'owner']);
});
