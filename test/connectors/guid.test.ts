import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGuid, formatSid, isGuidText, parseGuid } from '../../src/connectors/guid.ts';

test('objectGUID bytes ↔ text follow MS-DTYP 2.3.4 (first three fields little-endian)', () => {
  // The research's DC: bytes 2f7eb022 a2a8 e441 9d35 441efeb59ac0 are 22b07e2f-a8a2-41e4-9d35-441efeb59ac0.
  const bytes = Buffer.from('2f7eb022a2a8e4419d35441efeb59ac0', 'hex');
  assert.equal(formatGuid(bytes), '22b07e2f-a8a2-41e4-9d35-441efeb59ac0');
  assert.deepEqual(Buffer.from(parseGuid('{22B07E2F-A8A2-41E4-9D35-441EFEB59AC0}')), bytes);
  assert.equal(isGuidText('22b07e2f-a8a2-41e4-9d35-441efeb59ac0'), true);
  assert.equal(isGuidText('not-a-guid'), false);
  assert.throws(() => formatGuid(new Uint8Array(15)), RangeError);
  assert.throws(() => parseGuid('22b07e2f'), RangeError);
});

test('objectSid bytes → S-R-I-S… (MS-DTYP 2.4.2)', () => {
  const sid = Buffer.from('010500000000000515000000885 37c078bb0dead007cf47550040000'.replace(/ /g, ''), 'hex');
  assert.equal(formatSid(sid), 'S-1-5-21-125588360-2917052555-1978956800-1104');
  assert.equal(formatSid(Buffer.from('01010000000000050b000000', 'hex')), 'S-1-5-11');
  assert.throws(() => formatSid(Buffer.from('0102000000000005', 'hex')), RangeError);
});

test('objectGUID text: every byte value in every position', () => {
  for (let v = 0; v < 256; v++) {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => (v + i * 37) & 0xff);
    const hex = Buffer.from(bytes).toString('hex');
    const le = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).reverse().toString('hex');
    assert.equal(formatGuid(bytes), `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
    assert.deepEqual(parseGuid(formatGuid(bytes)), bytes);
  }
});
