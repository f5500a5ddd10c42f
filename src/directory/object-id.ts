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
  const random = pool.subarray(offset, offset + 8);
  offset += 8;
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const ms = hex(lastMs, 12);
  const variant = hex(0x8000 | (((random[0]! << 8) | random[1]!) & 0x3fff), 4);
  let tail = '';
  for (let i = 2; i < 8; i++) tail += hex(random[i]!, 2);
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${hex(counter, 3)}-${variant}-${tail}`;
}
