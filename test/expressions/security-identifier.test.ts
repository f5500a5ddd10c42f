import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sidToString } from '../../src/expressions/security-identifier.ts';

function sid(authority: bigint, ...subAuthorities: number[]): Uint8Array {
  const bytes = new Uint8Array(8 + 4 * subAuthorities.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = 1;
  bytes[1] = subAuthorities.length;
  for (let i = 0; i < 6; i++) bytes[2 + i] = Number((authority >> BigInt(8 * (5 - i))) & 0xffn);
  subAuthorities.forEach((s, i) => view.setUint32(8 + 4 * i, s, true));
  return bytes;
}

describe('security identifiers', () => {
  it('writes the S-R-I-S… form', () => {
    assert.equal(sidToString(sid(5n, 21, 2127521184, 1604012920, 852856031, 1104)), 'S-1-5-21-2127521184-1604012920-852856031-1104');
    assert.equal(sidToString(sid(5n, 32, 544)), 'S-1-5-32-544');
    assert.equal(sidToString(sid(1n, 0)), 'S-1-1-0');
    assert.equal(sidToString(sid(5n)), 'S-1-5', 'no sub-authorities');
    assert.equal(sidToString(sid(5n, 4294967295)), 'S-1-5-4294967295', 'sub-authorities are unsigned');
  });
  it('writes large identifier authorities in hexadecimal', () => {
    assert.equal(sidToString(sid(0x0102_0304_0506n, 7)), 'S-1-0x010203040506-7');
    assert.equal(sidToString(sid(0xffff_ffffn, 7)), 'S-1-4294967295-7', 'below 2^32: decimal');
    assert.equal(sidToString(sid(0x1_0000_0000n, 7)), 'S-1-0x000100000000-7', 'from 2^32: hexadecimal');
    assert.equal(sidToString(sid(0xffff_ffff_ffffn, 2147483648)), 'S-1-0xFFFFFFFFFFFF-2147483648', 'the largest authority, exactly');
  });
  it('refuses malformed SIDs', () => {
    assert.throws(() => sidToString(new Uint8Array(4)), { code: 'ERR_EXPR_EVALUATION', message: /at least 8 bytes/ });
    const wrongRevision = sid(5n, 1);
    wrongRevision[0] = 2;
    assert.throws(() => sidToString(wrongRevision), { message: /revision 2/ });
    assert.throws(() => sidToString(sid(5n, 1, 2).slice(0, 14)), { message: /need 16 bytes/ });
    const tooMany = new Uint8Array(8 + 4 * 16);
    tooMany[0] = 1;
    tooMany[1] = 16;
    assert.throws(() => sidToString(tooMany), { message: /at most 15/ });
  });
});
