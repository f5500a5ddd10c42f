/**
 * How a search result entry's attribute values become text or bytes (RFC 4511 §4.5.2 SearchResultEntry:
 * `PartialAttribute ::= SEQUENCE { type AttributeDescription, vals SET OF value AttributeValue }`, every value an
 * OCTET STRING whose meaning only the attribute's syntax gives).
 *
 * Why this exists: ldapts 9 tries to decode EVERY value as UTF-8 with a fatal TextDecoder inside try/catch and only
 * afterwards, in SearchEntry.toObject, replaces the attribute by its raw buffers when it was listed in
 * `explicitBufferAttributes` or when a value failed to decode. Every AD entry carries objectGUID and objectSid, whose
 * random bytes are almost never valid UTF-8, so each entry pays for two thrown and caught exceptions (measured on
 * 20,000 Samba users: 353 ms of `decode` in the engine thread's profile, ~17 µs per entry; TextDecoder errors are
 * Node internal errors with a captured stack). toObject then lower-cases every returned and every requested
 * attribute name again for every entry (`toLocaleLowerCase`, 254–478 ms for 20,000 AD entries, 732 ms for 200,000
 * OpenLDAP ones). Asking for `objectGUID;binary` (RFC 4522), which ldapts keeps as bytes, is no way out: Samba
 * returns no value at all for it.
 *
 * What it does: for search entries only, it takes ldapts' own decision earlier. An attribute listed in the request's
 * `explicitBufferAttributes` (exact spelling, as ldapts matches it) or whose description ends in `;binary` is never
 * decoded; every other attribute is decoded exactly as ldapts does (fatal UTF-8, BOM stripped; if one value is not
 * UTF-8 the attribute comes back as buffers, all of its values). The entry object has the same keys in the same
 * order with the same values as ldapts' toObject would give (including `[]` for requested attributes the entry
 * lacks, unless the search's attribute list went through `withoutAbsentAttributes`); only the per-name lower-casing
 * is remembered per attribute list (per connection) instead of being redone per entry.
 * test/connectors/ldap/search-entry-decoding.test.ts parses the same BER with both and compares.
 *
 * What could go wrong: it reaches into ldapts' MessageParser (message-parser-hook.ts). When a later ldapts no longer
 * has that shape, `installSearchEntryDecoding` reports false and ldapts' stock parsing stays in place (slower, same
 * results); the test above fails so that the upgrade notices.
 */
import { Ber, type BerReader, type Client, type Control, ProtocolOperation, SearchEntry, SearchRequest, type Entry } from 'ldapts';
import { hookMessageParser } from './message-parser-hook.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Bound on the attribute descriptions remembered per search (servers return a few dozen distinct ones). */
const MAX_REMEMBERED_NAMES = 256;
const BINARY_OPTION = /;binary$/i;

type EntryValue = Entry[string];

/** What is known about one attribute description of one search request, so it is worked out once, not per entry. */
interface TypeInfo {
  readonly binary: boolean;
  /** The first requested name equal to this one ignoring case, -1 when none. */
  readonly requestIndex: number;
}

/**
 * Per attribute list and binary list: the same SearchRequest object serves every page of a paged search, and the
 * one-entry reads of a delta (`<GUID=…>`, one per changed object) ask with equal lists each time.
 */
class RequestPlan {
  readonly #explicit: ReadonlySet<string>;
  readonly #types = new Map<string, TypeInfo>();
  /** Lower-case requested name → the first index it has in the request. */
  readonly #requestIndex = new Map<string, number>();
  /** Requested names in request order (toObject adds `[]` for the absent ones). */
  readonly requested: readonly string[];
  /** Per requested name, the first index of a name equal to it ignoring case (what ldapts' lower-cased set finds). */
  readonly firstIndex: readonly number[];
  /** Scratch flags for toObject, which runs synchronously, one entry at a time. */
  readonly seen: Uint8Array;

  constructor(request: SearchRequest, absentIncluded: boolean) {
    this.#explicit = new Set(request.explicitBufferAttributes);
    this.requested = absentIncluded ? [...request.attributes] : [];
    this.firstIndex = this.requested.map((name, i) => {
      const lower = name.toLocaleLowerCase();
      const first = this.#requestIndex.get(lower);
      if (first !== undefined) return first;
      this.#requestIndex.set(lower, i);
      return i;
    });
    this.seen = new Uint8Array(this.requested.length);
  }

  /** Attribute descriptions seen so far, with their exact bytes, in the order first met (bounded). */
  readonly #names: { readonly name: string; readonly bytes: Buffer }[] = [];
  #hint = 0;

  /**
   * The attribute description at the reader's position (ldapts: `reader.readString()`). Entries of one search repeat
   * the same few dozen descriptions in the same order, so the string of an earlier entry is reused when the bytes
   * match: no Buffer view, no decoding, and a property key V8 has already internalised.
   */
  readName(reader: BerReader): string {
    const from = octetStringContent(reader);
    if (from >= 0) {
      const length = reader.length;
      const names = this.#names;
      for (let tried = 0; tried < names.length; tried++) {
        const i = (this.#hint + tried) % names.length;
        const known = names[i]!;
        if (known.bytes.length === length && sameBytes(known.bytes, reader.buffer, from)) {
          this.#hint = i + 1;
          reader.offset = from + length;
          return known.name;
        }
      }
    }
    const name = readLdapString(reader);
    if (from >= 0 && this.#names.length < MAX_REMEMBERED_NAMES) {
      this.#names.push({ name, bytes: Buffer.from(reader.buffer.subarray(from, reader.offset)) });
    }
    return name;
  }

  type(name: string): TypeInfo {
    let info = this.#types.get(name);
    if (info === undefined) {
      // ldapts compares names with toLocaleLowerCase; kept identical (it differs from toLowerCase in some locales).
      const lower = name.toLocaleLowerCase();
      info = { binary: this.#explicit.has(name) || BINARY_OPTION.test(name), requestIndex: this.#requestIndex.get(lower) ?? -1 };
      // Ranged descriptions (member;range=1500-2999) vary a little; anything past the bound is just worked out again.
      if (this.#types.size < 4 * MAX_REMEMBERED_NAMES) this.#types.set(name, info);
    }
    return info;
  }
}

/** The plan of each request, so that the pages of a paged search find theirs without building the key again. */
const plans = new WeakMap<SearchRequest, RequestPlan>();

/** Attribute lists (by identity) of searches whose reader treats an absent attribute and `[]` alike. */
const absentLeftOut = new WeakSet<readonly string[]>();

/**
 * Marks a search's attribute list (pass the returned array as the search's `attributes`) so that its entries leave
 * out the requested attributes they do not have, instead of ldapts' `[]` for each. An AD user entry of a full import
 * carries ~21 of the ~70 requested attributes: the other ~47 empty arrays, and the lookups and insertions they cost in
 * an object then too large for V8's fast properties, were a third of the entry. Only for readers that skip `[]`
 * anyway (normalizeEntry); without the adapter installed ldapts adds them, which such readers do not notice.
 */
export function withoutAbsentAttributes(attributes: string[]): string[] {
  absentLeftOut.add(attributes);
  return attributes;
}

/** Plans of one client by the content of their lists (a few: a connector asks with a handful of lists). */
type PlanCache = Map<string, RequestPlan>;
const MAX_PLANS_PER_CLIENT = 32;

function planOf(request: SearchRequest, cache: PlanCache): RequestPlan {
  let plan = plans.get(request);
  if (plan === undefined) {
    const absentIncluded = !absentLeftOut.has(request.attributes);
    const key = `${absentIncluded ? 1 : 0}\u0001${request.attributes.join('\u0000')}\u0001${request.explicitBufferAttributes.join('\u0000')}`;
    plan = cache.get(key);
    if (plan === undefined) {
      plan = new RequestPlan(request, absentIncluded);
      if (cache.size >= MAX_PLANS_PER_CLIENT) cache.clear();
      cache.set(key, plan);
    }
    plans.set(request, plan);
  }
  return plan;
}

/**
 * Where the content of the OCTET STRING at the reader's position starts (its length is then `reader.length`), without
 * consuming it; -1 when ldapts' readString would not simply return that content (another tag, a length past the
 * message), in which case the caller lets readString handle it, errors included.
 */
function octetStringContent(reader: BerReader): number {
  const at = reader.offset;
  if (reader.peek() !== Ber.OctetString) return -1;
  const from = reader.readLength(at + 1);
  // reader.remain is measured from `at`: the message ends at at + remain.
  if (from === null || reader.length > at + reader.remain - from) return -1;
  return from;
}

/** True when `bytes` equals buffer[from, from + bytes.length) (short names: a loop beats a native call). */
function sameBytes(bytes: Buffer, buffer: Buffer, from: number): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== buffer[from + i]) return false;
  return true;
}

/** True when bytes[from, to) are all ASCII, whose UTF-8 decoding is the same as their Latin-1 one. */
function isAscii(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

/**
 * The OCTET STRING at the reader's position as text when it is all ASCII (consumed), else undefined (not consumed).
 * Nearly every directory value is ASCII: read in place, without a Buffer view and a decoder call each.
 */
function readAscii(reader: BerReader): string | undefined {
  const from = octetStringContent(reader);
  if (from < 0) return undefined;
  const to = from + reader.length;
  if (!isAscii(reader.buffer, from, to)) return undefined;
  reader.offset = to;
  return reader.buffer.toString('latin1', from, to);
}

/** An LDAPString (the DN, an attribute description) as ldapts reads it: `reader.readString()`, non-fatal UTF-8. */
function readLdapString(reader: BerReader): string {
  return readAscii(reader) ?? reader.readString() ?? '';
}

/** One text value as ldapts decodes it (fatal UTF-8); undefined when it is not UTF-8. Consumes the value. */
function readText(reader: BerReader): string | undefined {
  const ascii = readAscii(reader);
  if (ascii !== undefined) return ascii;
  const buffer = reader.readString(Ber.OctetString, true) ?? Buffer.alloc(0);
  try {
    return utf8.decode(buffer);
  } catch {
    return undefined;
  }
}

/** The text values up to `end`, or undefined as soon as one is not UTF-8. One value comes bare (no array). */
function readTexts(reader: BerReader, end: number): EntryValue | undefined {
  const first = readText(reader);
  if (first === undefined) return undefined;
  if (reader.offset >= end) return first;
  const texts = [first];
  while (reader.offset < end) {
    const text = readText(reader);
    if (text === undefined) return undefined;
    texts.push(text);
  }
  return texts;
}

/**
 * The values of one attribute, positioned at its `vals` SET. Binary: the raw buffers. Text: strings, unless one value
 * is not UTF-8, in which case the set is read again as buffers (ldapts' toObject returns all of them as buffers then).
 */
function readValues(reader: BerReader, binary: boolean): EntryValue {
  if (reader.peek() !== ProtocolOperation.LBER_SET || !reader.readSequence(ProtocolOperation.LBER_SET)) return [];
  const start = reader.offset;
  const end = start + reader.length;
  if (start >= end) return [];
  if (!binary) {
    const texts = readTexts(reader, end);
    if (texts !== undefined) return texts;
    reader.offset = start;
  }
  const buffers: Buffer[] = [];
  while (reader.offset < end) buffers.push(reader.readString(Ber.OctetString, true) ?? Buffer.alloc(0));
  return buffers.length === 1 ? buffers[0]! : buffers;
}

/** A SearchResultEntry parsed straight into the object ldapts' toObject would build. */
class DecodedSearchEntry extends SearchEntry {
  readonly #plan: RequestPlan;
  readonly #entry: Entry = { dn: '' };
  /** Only kept when toObject must add the absent requested attributes. */
  readonly #types: TypeInfo[] | undefined;

  constructor(messageId: number, plan: RequestPlan) {
    super({ messageId });
    this.#plan = plan;
    this.#types = plan.requested.length > 0 ? [] : undefined;
  }

  override parseMessage(reader: BerReader): void {
    this.name = readLdapString(reader);
    this.#entry.dn = this.name;
    reader.readSequence();
    const end = reader.offset + reader.length;
    while (reader.offset < end) {
      reader.readSequence();
      const name = this.#plan.readName(reader);
      const type = this.#plan.type(name);
      this.#types?.push(type);
      this.#entry[name] = readValues(reader, type.binary);
    }
  }

  /** The arguments are the request's own lists, which the plan already holds (ldapts passes nothing else). */
  override toObject(): Entry {
    const { requested, firstIndex, seen } = this.#plan;
    if (this.#types === undefined) return this.#entry;
    seen.fill(0);
    for (const type of this.#types) if (type.requestIndex >= 0) seen[type.requestIndex] = 1;
    for (let i = 0; i < requested.length; i++) {
      const name = requested[i]!;
      if (this.#entry[name] === undefined && seen[firstIndex[i]!] === 0) this.#entry[name] = [];
    }
    return this.#entry;
  }
}

/**
 * Makes `client` parse search entries as described in the file header. Returns false (and changes nothing) when
 * this ldapts does not have the internals it relies on.
 */
export function installSearchEntryDecoding(client: Client): boolean {
  const cache: PlanCache = new Map();
  return hookMessageParser(client, (fallback) => (messageId, protocolOperation, reader, request) => {
    if (protocolOperation !== ProtocolOperation.LDAP_RES_SEARCH_ENTRY || !(request instanceof SearchRequest)) {
      return fallback(messageId, protocolOperation, reader, request);
    }
    const message = new DecodedSearchEntry(messageId, planOf(request, cache));
    message.parse(reader, (request.controls ?? []) as Control[]);
    return message;
  });
}
