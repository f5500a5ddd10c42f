/**
 * Entry ids that sort in the order entries were made: UUID version 7 (RFC 9562 §5.7), a 48-bit Unix time in
 * milliseconds followed by random bits, with the 12-bit `rand_a` field used as a counter within one millisecond
 * (§6.2, method 1). Logs list newest first by (activityDateTime, id); two audit entries made in the same
 * millisecond, or under a test's frozen clock, still list in the order they happened in this process.
 *
 *   unix_ts_ms (48) | ver = 0b0111 (4) | rand_a = counter (12) | var = 0b10 (2) | rand_b (62)
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;

export function timeOrderedId(now: number = Date.now()): string {
  // A clock that steps back must not reorder ids: keep counting from the last time seen.
  let ms = Math.max(now, lastMs);
  if (ms === lastMs) {
    counter += 1;
    if (counter > 0xfff) {
      ms += 1;
      counter = 0;
    }
  } else counter = 0;
  lastMs = ms;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
