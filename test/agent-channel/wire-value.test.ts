/**
 * Source objects survive the agent channel's JSON unchanged (binary, 64-bit integers, dates, DN references,
 * linked-value changes), and what an agent sends that is not a well-formed object is refused naming the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImportBatch, decodeSourceObject, decodeValue, encodeImportBatch, encodeSourceObject } from '../../src/agent-channel/wire-value.ts';
import { reference } from '../../src/expressions/value.ts';
import type { SourceObject } from '../../src/connectors/source-connector.ts';
import type { CloudsyncError } from '../../src/errors/index.ts';

const object: SourceObject = {
  type: 'group',
  objectClasses: ['top', 'group'],
  dn: 'CN=Team,OU=Corp,DC=corp,DC=example,DC=com',
  parentDn: 'OU=Corp,DC=corp,DC=example,DC=com',
  anchors: { objectGuid: '22b07e2f-a8a2-41e4-9d35-441efeb59ac0', objectGuidBytes: new Uint8Array(16).fill(7), consistencyGuid: new Uint8Array([1, 2, 3]) },
  attributes: {
    cn: 'Team', groupType: -2147483646, pwdLastSet: 133_000_000_000_000_000n, whenCreated: new Date('2024-01-02T03:04:05.000Z'),
    objectSid: new Uint8Array([1, 5, 0, 0]), member: [reference('CN=A,DC=corp,DC=example,DC=com'), reference('CN=B,DC=corp,DC=example,DC=com')],
    proxyAddresses: ['SMTP:team@corp.example.com'], isCriticalSystemObject: false, description: null,
  },
  isDeleted: false,
  usnChanged: 12345n,
  valueChanges: { member: { added: [reference('CN=C,DC=corp,DC=example,DC=com')], removed: [], addedObjectGuids: ['0f0e0d0c-0b0a-0908-0706-050403020100'], removedObjectGuids: [] } },
  deferredAttributes: ['memberOf'],
};

test('a source object and a batch round-trip through JSON unchanged', () => {
  const wire = JSON.parse(JSON.stringify(encodeImportBatch({ objects: [object], watermark: 'cookie==' })));
  const batch = decodeImportBatch(wire, 'items', 500);
  assert.equal(batch.watermark, 'cookie==');
  assert.deepEqual(batch.objects[0], object);
  assert.equal(batch.deletedAnchors, undefined);
  const deletions = decodeImportBatch(JSON.parse(JSON.stringify(encodeImportBatch({ objects: [], deletedAnchors: ['4474d714-7cac-1041-87b2-436a67698641'] }))), 'items', 500);
  assert.deepEqual(deletions, { objects: [], deletedAnchors: ['4474d714-7cac-1041-87b2-436a67698641'] });
  const unnamed = decodeImportBatch(JSON.parse(JSON.stringify(encodeImportBatch({ objects: [], reconcileDeletions: true, watermark: 'w' }))), 'items', 500);
  assert.deepEqual(unnamed, { objects: [], reconcileDeletions: true, watermark: 'w' });
});

test('present anchors cross even empty (the listing is complete), with the rules of deleted anchors', () => {
  const roundTrip = (batch: Parameters<typeof encodeImportBatch>[0]) => decodeImportBatch(JSON.parse(JSON.stringify(encodeImportBatch(batch))), 'items', 2);
  assert.deepEqual(roundTrip({ objects: [], presentAnchors: ['a', 'b'] }), { objects: [], presentAnchors: ['a', 'b'] });
  assert.deepEqual(roundTrip({ objects: [], presentAnchors: [], reconcileDeletions: true, watermark: 'w' }), { objects: [], presentAnchors: [], reconcileDeletions: true, watermark: 'w' });
  const refused = (value: unknown, code: string, path: RegExp) =>
    assert.throws(() => decodeImportBatch({ objects: [], presentAnchors: value }, 'items', 2), (error: CloudsyncError) => error.code === code && path.test(error.message));
  refused('a', 'ERR_AGENT_PROTOCOL', /items\.presentAnchors: expected an array of strings/);
  refused(['a', ''], 'ERR_AGENT_PROTOCOL', /items\.presentAnchors\[1\]: empty/);
  refused(['a', 'b', 'c'], 'ERR_AGENT_BATCH_TOO_LARGE', /items\.presentAnchors: 3 anchors in one batch; the service asked for at most 2/);
});

test('reconcileDeletions: a boolean or nothing', () => {
  assert.throws(() => decodeImportBatch({ objects: [], reconcileDeletions: 'yes' }, 'items', 2), (error: CloudsyncError) => error.code === 'ERR_AGENT_PROTOCOL' && /items\.reconcileDeletions: expected true or false/.test(error.message));
  assert.deepEqual(decodeImportBatch({ objects: [], reconcileDeletions: false }, 'items', 2), { objects: [] });
});

test('deleted anchors: strings, never empty, at most the batch size the service asked for', () => {
  const refused = (value: unknown, code: string, path: RegExp) =>
    assert.throws(() => decodeImportBatch({ objects: [], deletedAnchors: value }, 'items', 2), (error: CloudsyncError) => error.code === code && path.test(error.message));
  refused('4474d714', 'ERR_AGENT_PROTOCOL', /items\.deletedAnchors: expected an array of strings/);
  refused(['a', 7], 'ERR_AGENT_PROTOCOL', /items\.deletedAnchors\[1\]/);
  refused(['a', ''], 'ERR_AGENT_PROTOCOL', /items\.deletedAnchors\[1\]: empty/);
  refused(['a', 'b', 'c'], 'ERR_AGENT_BATCH_TOO_LARGE', /items\.deletedAnchors: 3 anchors in one batch; the service asked for at most 2/);
});

test('malformed input is refused naming the field', () => {
  const refused = (value: unknown, path: RegExp) => assert.throws(() => decodeSourceObject(value, 'items.objects[0]'), (error: CloudsyncError) => error.code === 'ERR_AGENT_PROTOCOL' && path.test(error.message));
  const wire = JSON.parse(JSON.stringify(encodeSourceObject(object)));
  refused({ ...wire, type: 'printer' }, /items\.objects\[0\]\.type: expected one of/);
  refused({ ...wire, attributes: { cn: [['x']] } }, /attributes\.cn\[0\]: a multi-valued value holds scalars only/);
  refused({ ...wire, attributes: { objectSid: { b: 'not base64!' } } }, /attributes\.objectSid\.b: not base64/);
  refused({ ...wire, attributes: { x: { b: 'AA==', n: '1' } } }, /exactly one of b, n, d, r/);
  refused({ ...wire, anchors: { objectGuidBytes: 'AQID' } }, /an objectGUID is 16 bytes/);
  refused({ ...wire, dn: '' }, /\.dn: empty/);
  refused({ ...wire, extra: 1 }, /\.extra: not a property of a source object/);
  refused({ ...wire, usnChanged: '-1' }, /usnChanged: expected a decimal string/);
  assert.throws(() => decodeValue({ n: '1e9' }, 'v'), /v\.n: not a decimal integer/);
  assert.throws(() => decodeImportBatch({ objects: [wire, wire] }, 'items', 1), (error: CloudsyncError) => error.code === 'ERR_AGENT_BATCH_TOO_LARGE');
});
