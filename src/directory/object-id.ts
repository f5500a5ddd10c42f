/**
 * Object ids: RFC 9562 §5.7 UUID version 7 — a 48-bit Unix-epoch millisecond timestamp, then random bits.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           unix_ts_ms                          |
 *   |          unix_ts_ms           |  ver  |       rand_a          |
 *   |var|                        rand_b                             |
 *   |                            rand_b                             |
 *
 * Why not v4: every index that holds an object id (the primary key, the live-objects index, the connector space's
 * cloud-id index) received a 200,000-object full sync's inserts at random places, so each batch dirtied about one
 * page per row per index and commits grew to ~75 ms. Time-ordered ids append. rand_a carries a counter within one
 * millisecond (§6.2 method 1) so that ids created together also sort together. Still a GUID to every Graph client;
 * ids were never secrets (every call is authenticated and tenant-confined), and 62 random bits remain per id.
 */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// One system call per 512 ids rather than one per id (it showed in full-sync profiles).
const pool = new Uint8Array(4096);
let offset = pool.length;
/** Character codes of the hex digits, and the id's characters, written in place and read out as one flat string. */
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const text = Buffer.alloc(36, 0x2d); // '-' stays at 8, 13, 18 and 23
text[14] = 0x37; // the version, 7

function putByte(at: number, byte: number): void {
  text[at] = HEX_CODES[byte >>> 4]!;
  text[at + 1] = HEX_CODES[byte & 15]!;
}

/**
 * A new id, later than every id made before it in this process: a clock that steps back (or a test's frozen clock)
 * keeps counting from the last time seen, and 4,096 ids in one millisecond borrow the next one. The audit and
 * provisioning logs use it too, to list entries made in one millisecond in the order they happened.
 */
export function newObjectId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += 8;
  // Hex digits written into one buffer and read out as one string: `toString(16).padStart` per byte made two strings
  // each, ten times per id, and concatenating table entries left a chain of partial strings for the collector.
  const high = Math.floor(lastMs / 0x1000000); // the top 24 of 48 bits (bit operators stop at 32)
  const low = lastMs % 0x1000000;
  putByte(0, (high >>> 16) & 0xff);
  putByte(2, (high >>> 8) & 0xff);
  putByte(4, high & 0xff);
  putByte(6, (low >>> 16) & 0xff);
  putByte(9, (low >>> 8) & 0xff);
  putByte(11, low & 0xff);
  text[15] = HEX_CODES[counter >>> 8]!;
  putByte(16, counter & 0xff);
  putByte(19, 0x80 | (pool[at]! & 0x3f));
  putByte(21, pool[at + 1]!);
  for (let i = 0; i < 6; i++) putByte(24 + 2 * i, pool[at + 2 + i]!);
  // (String.fromCharCode.apply copied the codes into an argument list first: 375 bytes per id, 2.4× the time)
  return text.toString('latin1');
}
