/**
 * RFC 4533, the LDAP Content Synchronization Operation (OpenLDAP's syncprov overlay serves it): what a generic
 * LDAP source uses to learn of deletions, which no ordinary search can see.
 *
 *   syncUUID ::= OCTET STRING (SIZE(16))
 *   syncCookie ::= OCTET STRING
 *
 *   syncRequestValue ::= SEQUENCE {                  -- control 1.3.6.1.4.1.4203.1.9.1.1, on the SearchRequest
 *       mode ENUMERATED { refreshOnly (1), refreshAndPersist (3) },
 *       cookie     syncCookie OPTIONAL,
 *       reloadHint BOOLEAN DEFAULT FALSE }
 *
 *   syncStateValue ::= SEQUENCE {                    -- control 1.3.6.1.4.1.4203.1.9.1.2, on each SearchResultEntry
 *       state ENUMERATED { present (0), add (1), modify (2), delete (3) },
 *       entryUUID syncUUID,
 *       cookie    syncCookie OPTIONAL }
 *
 *   syncDoneValue ::= SEQUENCE {                     -- control 1.3.6.1.4.1.4203.1.9.1.3, on the SearchResultDone
 *       cookie          syncCookie OPTIONAL,
 *       refreshDeletes  BOOLEAN DEFAULT FALSE }
 *
 *   syncInfoValue ::= CHOICE {                       -- IntermediateResponse 1.3.6.1.4.1.4203.1.9.1.4
 *       newcookie      [0] syncCookie,
 *       refreshDelete  [1] SEQUENCE { cookie syncCookie OPTIONAL, refreshDone BOOLEAN DEFAULT TRUE },
 *       refreshPresent [2] SEQUENCE { cookie syncCookie OPTIONAL, refreshDone BOOLEAN DEFAULT TRUE },
 *       syncIdSet      [3] SEQUENCE { cookie syncCookie OPTIONAL, refreshDeletes BOOLEAN DEFAULT FALSE,
 *                                     syncUUIDs SET OF syncUUID } }
 *
 * RFC 4533 §3.3: a refresh with a cookie sends the entries changed since it, and the deleted ones either explicitly
 * ("delete" states, or a syncIdSet with refreshDeletes TRUE: the *delete phase*) or implicitly, by sending every
 * entry still there as "present" and ending with refreshDeletes FALSE (the *present phase*: whatever was not
 * mentioned is gone). OpenLDAP answers with the delete phase while its session log (`olcSpSessionlog`) still covers
 * the cookie, and falls back to the present phase otherwise (a log too short, a restart: the log is in memory).
 * Explicit deletions are reported as such; a present phase is recorded (`presentPhase`) with, when asked for, the
 * entryUUIDs it named (`present`): the whole of what is in scope, which the connector hands the engine as the
 * anchor listing of that cycle.
 *
 * IntermediateResponse ::= [APPLICATION 25] SEQUENCE { responseName [0] LDAPOID OPTIONAL,
 *                                                      responseValue [1] OCTET STRING OPTIONAL }  (RFC 4511 §4.13)
 *
 * What could go wrong: ldapts 9 knows neither the sync controls nor IntermediateResponse (its parser throws
 * "Protocol Operation not supported: 0x79" and fails the search). `installContentSyncParsing` wraps ldapts' message
 * parser (message-parser-hook.ts, after the entry decoding of search-entry-decoding.ts) for searches that carry a
 * ContentSyncRequest control only; when ldapts no longer has that hook it reports false, and the connector does not use content
 * synchronization (test/connectors/ldap/content-sync.test.ts then fails, so that an upgrade notices).
 */
import { Ber, BerReader, BerWriter, Control, SearchReference, SearchRequest, type Client, type Message } from 'ldapts';
import { hookMessageParser } from './message-parser-hook.ts';

export const CONTENT_SYNC_OIDS = Object.freeze({
  request: '1.3.6.1.4.1.4203.1.9.1.1',
  state: '1.3.6.1.4.1.4203.1.9.1.2',
  done: '1.3.6.1.4.1.4203.1.9.1.3',
  info: '1.3.6.1.4.1.4203.1.9.1.4',
});

export const CONTENT_SYNC_MODES = { refreshOnly: 1, refreshAndPersist: 3 } as const;

/** RFC 4533 §2.3 syncStateValue.state. */
const SYNC_STATES = ['present', 'add', 'modify', 'delete'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** RFC 4511 §4.13: the IntermediateResponse protocol operation, [APPLICATION 25] constructed. */
const INTERMEDIATE_RESPONSE = 0x79;
/** RFC 4511 §4.5.2: SearchResultEntry, [APPLICATION 4] constructed. */
const SEARCH_RESULT_ENTRY = 0x64;
/**
 * What a content-synchronization search's entries and Sync Info messages become for ldapts once read: message id 0
 * is never a request's (ldapts counts from 1), so ldapts finds no request for it and lets it go, instead of keeping
 * every message of a search that never ends (refreshAndPersist) or of a present phase (every entry in scope).
 */
const DROPPED = new SearchReference({ messageId: 0, uris: [] });
/** syncInfoValue CHOICE tags: [0] primitive, [1]–[3] constructed. */
const INFO_NEW_COOKIE = 0x80;
const INFO_REFRESH_DELETE = 0xa1;
const INFO_REFRESH_PRESENT = 0xa2;
const INFO_SYNC_ID_SET = 0xa3;
const SET_OF = 0x31;

/** A syncUUID as the RFC 4530 entryUUID string OpenLDAP stores and our anchors hold (lower-case). */
export function formatSyncUuid(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a syncUUID has 16 bytes, not ${bytes.length}`);
  // a view of the same bytes, not a copy
  return dashed(Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('hex'));
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * syncUUIDs as their 16 bytes, end to end: a present phase names every entry in scope, and 200,000 of them held as
 * strings in a Set took ~60 MB more peak RSS in the 200,000-user benchmark than as 3.2 MB of bytes, formatted a page
 * at a time when handed on. Duplicates are kept (marking an entry seen twice is harmless).
 */
export class SyncUuidList {
  static readonly #CHUNK = 16 * 4096;
  readonly #chunks: Buffer[] = [];
  #used = SyncUuidList.#CHUNK;

  get size(): number {
    return this.#chunks.length === 0 ? 0 : ((this.#chunks.length - 1) * SyncUuidList.#CHUNK + this.#used) / 16;
  }

  add(uuid: Uint8Array): void {
    if (uuid.length !== 16) throw new RangeError(`a syncUUID has 16 bytes, not ${uuid.length}`);
    if (this.#used === SyncUuidList.#CHUNK) {
      this.#chunks.push(Buffer.allocUnsafe(SyncUuidList.#CHUNK));
      this.#used = 0;
    }
    this.#chunks.at(-1)!.set(uuid, this.#used);
    this.#used += 16;
  }

  /** The entryUUIDs in RFC 4530 string form, in the order they came, `size` a page at most. */
  *pages(size: number): Generator<string[]> {
    let page: string[] = [];
    for (const [i, chunk] of this.#chunks.entries()) {
      const end = i === this.#chunks.length - 1 ? this.#used : SyncUuidList.#CHUNK;
      for (let at = 0; at < end; at += 16) {
        page.push(dashed(chunk.toString('hex', at, at + 16)));
        if (page.length === size) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }
}

/** A cookie read from the message buffer: a copy, since the reader's subarray is a view of the whole message. */
function cookieFrom(reader: BerReader): Uint8Array | undefined {
  const value = reader.readString(Ber.OctetString, true) as Buffer | null;
  return value === null ? undefined : new Uint8Array(value);
}

/**
 * The Sync Request control, and what the server answers to it over the whole search: the entries' states, the
 * Sync Info messages and the Sync Done control (ldapts parses a response control into the request control whose
 * `responseType` names it, as with DirSync). Valid once the search has resolved.
 */
export class ContentSyncRequestControl extends Control {
  readonly mode: number;
  readonly cookie: Uint8Array | undefined;
  /** entryUUIDs the server reported deleted (delete states; syncIdSet with refreshDeletes TRUE) */
  readonly deleted = new Set<string>();
  /** the server sent a present phase: deletions were implied, not reported */
  presentPhase = false;
  /**
   * With `collectPresent`: every entryUUID the refresh named as still there — present states, the entries it sent
   * as added or modified, syncIdSets without refreshDeletes. After a present phase, the whole of what is in scope.
   */
  readonly present: SyncUuidList | undefined;
  /** the last cookie the server sent (Sync Info or Sync Done); the next refresh starts from it */
  responseCookie: Uint8Array | undefined;
  /** the Sync Done control arrived (a refreshOnly search ended as RFC 4533 says it must) */
  done = false;
  /** The receiver of each entry's Sync State control: it is among the request's controls but writes nothing. */
  readonly stateReceiver: SyncStateReceiver;
  /**
   * refreshAndPersist: told of each entry as it arrives, and of the end of the refresh stage. Such a search never
   * ends by itself, so its messages are handed here and dropped rather than kept by ldapts until a SearchResultDone.
   */
  readonly persist: { readonly onEntry: () => void; readonly onRefreshDone: () => void } | undefined;

  constructor(options: { readonly mode: number; readonly cookie?: Uint8Array; readonly persist?: ContentSyncRequestControl['persist']; readonly collectPresent?: boolean }) {
    // critical: a server that does not know the control must refuse the search, not answer it as a plain one
    super(CONTENT_SYNC_OIDS.request, { critical: true, responseType: CONTENT_SYNC_OIDS.done });
    this.mode = options.mode;
    if (options.cookie !== undefined && options.cookie.length > 0) this.cookie = options.cookie;
    this.stateReceiver = new SyncStateReceiver(this);
    this.persist = options.persist;
    if (options.collectPresent === true) this.present = new SyncUuidList();
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeEnumeration(this.mode);
    if (this.cookie !== undefined) value.writeBuffer(Buffer.from(this.cookie), Ber.OctetString);
    value.endSequence();
    writer.writeBuffer(value.buffer, Ber.OctetString);
  }

  /** syncDoneValue */
  protected override parseControl(reader: BerReader): void {
    this.done = true;
    if (reader.readSequence() === null) return;
    const end = reader.offset + reader.length;
    if (reader.offset < end && reader.peek() === Ber.OctetString) this.responseCookie = cookieFrom(reader) ?? this.responseCookie;
    const refreshDeletes = reader.offset < end && reader.peek() === Ber.Boolean ? reader.readBoolean() === true : false;
    if (!refreshDeletes) this.presentPhase = true;
  }

  /** syncStateValue of one entry (`uuid`: its 16 bytes) */
  state(state: SyncState, uuid: Uint8Array, cookie: Uint8Array | undefined): void {
    if (state === 'delete') this.deleted.add(formatSyncUuid(uuid));
    else this.present?.add(uuid);
    if (state === 'present') this.presentPhase = true;
    if (cookie !== undefined) this.responseCookie = cookie;
  }

  /** syncInfoValue of one IntermediateResponse; true when it ends the refresh stage (refreshDone, TRUE by default) */
  info(value: Buffer): boolean {
    const reader = new BerReader(value);
    const tag = reader.peek();
    if (tag === INFO_NEW_COOKIE) {
      this.responseCookie = cookieOf(reader, INFO_NEW_COOKIE) ?? this.responseCookie;
      return false;
    }
    if (tag !== INFO_REFRESH_DELETE && tag !== INFO_REFRESH_PRESENT && tag !== INFO_SYNC_ID_SET) {
      throw new RangeError(`a Sync Info message with an unknown choice (tag 0x${tag?.toString(16) ?? 'none'})`);
    }
    reader.readSequence(tag);
    const end = reader.offset + reader.length;
    if (reader.offset < end && reader.peek() === Ber.OctetString) this.responseCookie = cookieFrom(reader) ?? this.responseCookie;
    if (tag === INFO_REFRESH_PRESENT) this.presentPhase = true;
    if (tag !== INFO_SYNC_ID_SET) return !(reader.offset < end && reader.peek() === Ber.Boolean && reader.readBoolean() === false);
    const refreshDeletes = reader.offset < end && reader.peek() === Ber.Boolean ? reader.readBoolean() === true : false;
    reader.readSequence(SET_OF);
    const setEnd = reader.offset + reader.length;
    while (reader.offset < setEnd) {
      const uuid = reader.readString(Ber.OctetString, true) as Buffer | null;
      if (uuid === null) break;
      if (refreshDeletes) this.deleted.add(formatSyncUuid(uuid));
      else this.present?.add(uuid);
    }
    if (!refreshDeletes) this.presentPhase = true;
    return false;
  }
}

function cookieOf(reader: BerReader, tag: number): Uint8Array | undefined {
  const value = reader.readString(tag, true) as Buffer | null;
  return value === null ? undefined : new Uint8Array(value);
}

/**
 * Receives the Sync State control of each entry of a content-synchronization search. It rides in the request's
 * control list only so that ldapts' ControlParser finds it by `responseType`; it writes nothing into the request.
 */
export class SyncStateReceiver extends Control {
  readonly #request: ContentSyncRequestControl;

  constructor(request: ContentSyncRequestControl) {
    super(CONTENT_SYNC_OIDS.state, { responseType: CONTENT_SYNC_OIDS.state });
    this.#request = request;
  }

  // the request carries this object for the parser only: nothing of it goes on the wire
  override write(_writer: BerWriter): void {}

  protected override parseControl(reader: BerReader): void {
    if (reader.readSequence() === null) return;
    const end = reader.offset + reader.length;
    const state = SYNC_STATES[reader.readEnumeration() ?? -1];
    const uuid = reader.readString(Ber.OctetString, true) as Buffer | null;
    const cookie = reader.offset < end && reader.peek() === Ber.OctetString ? cookieFrom(reader) : undefined;
    if (state === undefined || uuid === null || uuid.length !== 16) throw new RangeError('a Sync State control without a valid state and entryUUID');
    this.#request.state(state, uuid, cookie);
  }
}

/** The request's content-synchronization control, if it has one. */
function contentSyncOf(request: Message | undefined): ContentSyncRequestControl | undefined {
  if (!(request instanceof SearchRequest)) return undefined;
  for (const control of (request.controls ?? []) as Control[]) if (control instanceof ContentSyncRequestControl) return control;
  return undefined;
}

/**
 * Makes `client` understand the IntermediateResponse messages of content-synchronization searches (Sync Info),
 * handing them to the search's ContentSyncRequestControl, and take the entries of a persisting one out of ldapts'
 * bookkeeping. Returns false (and changes nothing) when this ldapts does not have the parser hook. Any other
 * message, and an IntermediateResponse of any other search, is parsed as before.
 */
export function installContentSyncParsing(client: Client): boolean {
  return hookMessageParser(client, (inner) => (messageId, protocolOperation, reader, request) => {
    const sync = protocolOperation === INTERMEDIATE_RESPONSE || protocolOperation === SEARCH_RESULT_ENTRY ? contentSyncOf(request) : undefined;
    if (sync === undefined) return inner(messageId, protocolOperation, reader, request);
    if (protocolOperation === SEARCH_RESULT_ENTRY) {
      if (sync.persist !== undefined) {
        sync.persist.onEntry();
        return DROPPED;
      }
      // Parsed for its Sync State control (the entry itself asks for no attributes), then dropped: a present phase
      // sends every entry in scope, and ldapts would keep them all and hand them over as one push(...entries),
      // whose arguments overflow the stack at ~120,000 entries.
      inner(messageId, protocolOperation, reader, request);
      return DROPPED;
    }
    const end = reader.offset + reader.length;
    let name: string | undefined;
    let value: Buffer | undefined;
    if (reader.offset < end && reader.peek() === 0x80) name = reader.readString(0x80) ?? undefined;
    if (reader.offset < end && reader.peek() === 0x81) value = (reader.readString(0x81, true) as Buffer | null) ?? undefined;
    // Sync Info carries its OID as the responseName; an IntermediateResponse of another kind is ignored.
    const refreshDone = value !== undefined && (name === undefined || name === CONTENT_SYNC_OIDS.info) && sync.info(value);
    if (refreshDone) sync.persist?.onRefreshDone();
    // ldapts settles a search on any message that is not an entry, a reference or the final result, and keeps
    // entries and references to the end: dropped, the search waits for its SearchResultDone and holds nothing.
    return DROPPED;
  });
}
