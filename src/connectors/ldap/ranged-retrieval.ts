/**
 * MS-ADTS 3.1.1.3.1.3.3 "Range Retrieval of Attribute Values".
 *
 * AD returns at most MaxValRange (1,500 by default, LDAP policy) values of a multi-valued attribute per search.
 * When it truncates, it does not return `member` at all but `member;range=0-1499`; the client then asks for
 * `member;range=1500-*` and so on, and the last chunk's upper bound is `*`. A client may also ask for an explicit
 * range (`member;range=0-999`) itself; the server answers with the range it actually returns.
 *
 * Samba does not impose MaxValRange (it returns all values of `member`) but honours explicit ranges, so the
 * connector can be told to ask for explicit ranges (`rangeSize`) and the same code path runs against both.
 *
 * Invariant: a chunk is only trusted if its low bound is the one we asked for; anything else (a server that
 * restarted the range, a value list changing under us) is a protocol error rather than silently duplicated or
 * skipped members.
 */
import { CloudsyncError } from '../../errors/index.ts';
import type { LdapConnection } from './ldap-connection.ts';

export interface RangedName {
  readonly attribute: string;
  readonly low: number;
  /** undefined for `*` (the last chunk). */
  readonly high: number | undefined;
}

const RANGED = /^([^;]+)((?:;[^;]+)*?);range=(\d+)-(\d+|\*)((?:;[^;]+)*)$/i;

/** `member;range=0-1499` → { attribute: 'member', low: 0, high: 1499 }. Other options (;binary) stay on the name. */
export function parseRangedName(name: string): RangedName | undefined {
  const m = RANGED.exec(name);
  if (!m) return undefined;
  const high = m[4] === '*' ? undefined : Number(m[4]);
  return { attribute: `${m[1]}${m[2] ?? ''}${m[5] ?? ''}`, low: Number(m[3]), high };
}

export function rangedName(attribute: string, low: number, size: number | undefined): string {
  return `${attribute};range=${low}-${size === undefined ? '*' : low + size - 1}`;
}

export type RawValues = readonly (string | Uint8Array)[];

/**
 * Fetches the rest of a ranged attribute of `dn` after a first chunk ended at `firstHigh`, yielding chunks as they
 * arrive (a 100,000-member group is never assembled here). `rangeSize` asks for explicit ranges; without it the
 * server's own limit applies (`low-*`).
 */
export async function* retrieveRemainingRanges(
  connection: LdapConnection,
  dn: string,
  attribute: string,
  firstHigh: number,
  options: { rangeSize?: number; binary?: boolean } = {},
): AsyncGenerator<RawValues> {
  let low = firstHigh + 1;
  for (let round = 0; round < 1_000_000; round++) {
    const requested = rangedName(attribute, low, options.rangeSize);
    const { searchEntries } = await connection.search(dn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: [requested],
      ...(options.binary ? { explicitBufferAttributes: [requested] } : {}),
    });
    const entry = searchEntries[0];
    if (!entry) throw new CloudsyncError('ERR_LDAP_NO_SUCH_OBJECT', `${dn} disappeared while reading ${attribute} by ranges`, { details: { retryable: true } });
    let chunk: RangedName | undefined;
    let values: RawValues = [];
    for (const [key, raw] of Object.entries(entry)) {
      if (key === 'dn') continue;
      const parsed = parseRangedName(key);
      if (!parsed || parsed.attribute.toLowerCase() !== attribute.toLowerCase()) continue;
      const list = Array.isArray(raw) ? raw : [raw];
      // ldapts adds every requested-but-absent attribute as []: that is "no chunk", not an empty chunk.
      if (list.length === 0 && key === requested) continue;
      chunk = parsed;
      values = list as RawValues;
    }
    if (!chunk) return; // past the end: nothing more
    if (chunk.low !== low) {
      throw new CloudsyncError('ERR_LDAP_PROTOCOL', `${dn}: asked for ${attribute} from value ${low}, the server answered from ${chunk.low}`, { details: { retryable: true } });
    }
    if (values.length > 0) yield values;
    if (chunk.high === undefined) return;
    if (values.length === 0) return;
    low = chunk.high + 1;
  }
}
