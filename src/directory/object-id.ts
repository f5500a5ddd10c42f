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
const HEX_DIGIT = '0123456789abcdef';
const HEX: readonly string[] = Array.from({ length: 256 }, (_, n) => HEX_DIGIT[n >>> 4]! + HEX_DIGIT[n & 15]!);

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
  // Two-digit hex from a table: `toString(16).padStart` per byte made a string and a padded copy each time,
  // ten per id, which showed in full-sync profiles and allocation samples.
  const ms = lastMs;
  const high = Math.floor(ms / 0x1000000); // the top 24 of 48 bits (bit operators stop at 32)
  const low = ms % 0x1000000;
  return (
    HEX[(high >>> 16) & 0xff]! + HEX[(high >>> 8) & 0xff]! + HEX[high & 0xff]! + HEX[(low >>> 16) & 0xff]! + '-' +
    HEX[(low >>> 8) & 0xff]! + HEX[low & 0xff]! + '-7' + HEX_DIGIT[counter >>> 8]! + HEX[counter & 0xff]! + '-' +
    HEX[0x80 | (pool[at]! & 0x3f)]! + HEX[pool[at + 1]!]! + '-' +
    HEX[pool[at + 2]!]! + HEX[pool[at + 3]!]! + HEX[pool[at + 4]!]! + HEX[pool[at + 5]!]! + HEX[pool[at + 6]!]! + HEX[pool[at + 7]!]!
  );
}
