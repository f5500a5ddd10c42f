/**
 * The generic LDAP source (OpenLDAP, 389-DS, …): inetOrgPerson, groupOfNames / groupOfUniqueNames and OUs.
 *
 * - Anchor: RFC 4530 entryUUID (operational; requested explicitly because `*` excludes operational attributes).
 * - Delta: entries whose change sequence number is at or after the watermark.
 *   OpenLDAP stamps each entry with entryCSN and the suffix with contextCSN (one value per serverID in
 *   multi-provider setups); the watermark is the suffix's contextCSN read *before* the import, so a change racing
 *   the import is reported again, never lost. The CSN bound is strict (`>=` and not `=`): contextCSN only
 *   advances over committed changes, so the change stamped with it was already read. Servers without CSNs fall
 *   back to modifyTimestamp (RFC 4512 §3.4.5) with `>=`, because its one-second granularity can hide a change
 *   made in the same second as the watermark (those repeat, by design).
 * - A modrdn updates entryCSN/modifyTimestamp, so renames and moves are reported with their new DN and the same
 *   entryUUID.
 * - Deletions leave no trace a plain search can see. Where the server offers RFC 4533 content synchronization
 *   (content-sync.ts; OpenLDAP's syncprov), the watermark also holds a sync cookie, and each delta ends with a
 *   refreshOnly search from it that asks for no attributes: the entryUUIDs it reports deleted are the last batch's
 *   `deletedAnchors`, and its new cookie goes into the next watermark. The cookie of a full import is taken before
 *   the import reads anything (a base-scope search that matches nothing), like its contextCSN, so a deletion racing
 *   the import is reported by the next delta rather than lost. A server that answers with a present phase instead
 *   (its session log no longer covers the cookie: none, too short, or slapd restarted) names what is left rather
 *   than what went: the delta hands that on as `presentAnchors`, the engine's listing for that cycle. One that
 *   refuses the cookie names nothing; the delta says so (`reconcileDeletions`, also sent with a present phase, for a
 *   cycle that dies before using it) and the engine lists with listAnchors() in that cycle. That listing (capability
 *   `deltaReportsDeletions: false`, every `reconciliationInterval`) stays the safety net, and what servers without
 *   content synchronization rely on.
 */
import { CloudsyncError } from '../../errors/index.ts';
import type { Value } from '../../expressions/value.ts';
import { layeredSchema, WELL_KNOWN_ATTRIBUTES, type AttributeSchema } from '../attribute-syntax.ts';
import { GENERIC_OBJECT_FILTER } from '../object-type.ts';
import {
  DEFAULT_BATCH_SIZE,
  type ChangeNotificationOptions,
  type ImportBatch,
  type ImportOptions,
  type ReadObjectOptions,
  type SourceCapabilities,
  type SourceConnector,
  type SourceObject,
  type Watermark,
} from '../source-connector.ts';
import { LdapConnection, type LdapConnectionOptions } from './ldap-connection.ts';
import { normalizeEntry } from './ldap-entry.ts';
import { readLdapSchema } from './ldap-schema.ts';
import { CONTENT_SYNC_MODES, CONTENT_SYNC_OIDS, ContentSyncRequestControl, type SyncUuidList } from './content-sync.ts';
import { completePage, completeRanges, inBatches, pagedEntries, valueChunks, withFinalBatch, withFinalWatermark } from './paged-search.ts';

export interface GenericLdapConnectorOptions extends LdapConnectionOptions {
  /** The subtree to import (required: generic servers often have several naming contexts). */
  readonly baseDn: string;
  /** Object filter (default: inetOrgPerson, groupOfNames, groupOfUniqueNames, organizationalUnit). */
  readonly filter?: string;
  /** Attributes to import (default: all user attributes `*`). The bookkeeping ones are always added. */
  readonly attributes?: readonly string[];
  /** Extra binary attributes beyond the schema's. */
  readonly binaryAttributes?: readonly string[];
  readonly pageSize?: number;
  /**
   * Use RFC 4533 content synchronization, where the server offers it, to learn of deletions in each delta
   * (default true). Off: deletions are found by the engine's anchor listing only.
   */
  readonly contentSync?: boolean;
}

const OPERATIONAL = ['entryUUID', 'entryCSN', 'modifyTimestamp', 'createTimestamp', 'objectClass'] as const;

/** The back link of `member` where the server keeps one (capabilities.backLinks). */
const MEMBER_OF = 'memberOf';

/** `<GUID=…>` alone: an object named by its entryUUID (readObject); RFC 4122's text form, any case. */
const BY_ENTRY_UUID = /^<GUID=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})>$/i;

interface GenericContext {
  readonly schema: AttributeSchema;
  readonly binary: string[];
  readonly contentSync: boolean;
  /** the server's schema defines memberOf (assumed when the schema could not be read) */
  readonly keepsMemberOf: boolean;
}

/** `syncCookie`: base64 of the RFC 4533 cookie to refresh from (absent: the server offers no content synchronization). */
type GenericWatermark =
  | { readonly v: 1; readonly kind: 'csn'; readonly csns: readonly string[]; readonly syncCookie?: string }
  | { readonly v: 1; readonly kind: 'modifyTimestamp'; readonly since: string; readonly syncCookie?: string };

/**
 * What a server answers a content-synchronization search it will not serve: not a reason to fail the import. Only
 * as an LDAP result (a resultCode in the error's details: unwillingToPerform, e-syncRefreshRequired, …); the same
 * codes raised by a failure on our side (a message we could not parse) fail the import, so that they show.
 */
const REFUSALS: ReadonlySet<string> = new Set(['ERR_LDAP_PROTOCOL', 'ERR_LDAP_INSUFFICIENT_ACCESS']);
const isRefusal = (error: unknown): boolean =>
  error instanceof CloudsyncError && REFUSALS.has(error.code) && typeof error.details?.['resultCode'] === 'number';

/** Matches no entry: the cookie-only refresh of a full import (RFC 4515). */
const NO_ENTRY = '(!(objectClass=*))';

/** RFC 4517 GeneralizedTime of `date` in UTC, second precision (what modifyTimestamp compares against). */
function generalizedTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 4515 §3 escaping of an assertion value. */
function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class GenericLdapConnector implements SourceConnector {
  readonly capabilities: SourceCapabilities = Object.freeze({
    deltaImport: true,
    deltaReportsDeletions: false,
    deltaReportsRenames: true,
    incrementalValues: false,
    anchorListing: true,
    defaultAnchor: 'entryUUID',
    // What OpenLDAP's memberof overlay (or dynlist's memberOf, 389-DS's MemberOf plug-in) keeps on each member. A
    // server without it answers every memberOf read with nothing, and an import that needs it is refused (#attributes).
    backLinks: Object.freeze({ member: 'memberOf' }),
  });

  readonly #options: GenericLdapConnectorOptions;
  readonly connection: LdapConnection;
  #context: Promise<GenericContext> | undefined;

  constructor(options: GenericLdapConnectorOptions) {
    if (typeof options.baseDn !== 'string' || options.baseDn === '') throw new TypeError('GenericLdapConnectorOptions.baseDn is required');
    this.#options = options;
    this.connection = new LdapConnection(options);
  }

  async #ctx(): Promise<GenericContext> {
    this.#context ??= (async () => {
      const rootDse = await this.connection.readRootDse();
      const served = rootDse.subschemaSubentry ? await readLdapSchema(this.connection, rootDse.subschemaSubentry).catch(() => undefined) : undefined;
      const schema = served ? layeredSchema(served, WELL_KNOWN_ATTRIBUTES) : WELL_KNOWN_ATTRIBUTES;
      const binary = ['jpegPhoto', 'userCertificate', 'userCertificate;binary', 'userPassword', 'audio', 'photo', ...(this.#options.binaryAttributes ?? [])];
      const contentSync = this.#options.contentSync !== false && rootDse.supportedControls.has(CONTENT_SYNC_OIDS.request) && this.connection.parsesContentSync;
      // the server's own schema decides: the well-known layer knows memberOf from AD
      const keepsMemberOf = served === undefined || served.lookup(MEMBER_OF) !== undefined;
      return { schema, binary, contentSync, keepsMemberOf };
    })();
    try {
      return await this.#context;
    } catch (error) {
      this.#context = undefined;
      throw error;
    }
  }

  /**
   * What an import or a read asks for: the configured attributes, the bookkeeping ones, and `extra` (memberOf, which
   * `*` leaves out: the overlay's attribute is operational). Asking a server for memberOf when it keeps none would
   * scope every object out without a word, so that is refused here, naming what the server lacks.
   */
  async #attributes(extra: readonly string[] = []): Promise<string[]> {
    if (extra.some((a) => a.toLowerCase() === MEMBER_OF.toLowerCase()) && !(await this.#ctx()).keepsMemberOf) {
      throw new CloudsyncError(
        'ERR_SCOPE_INVALID',
        `the scope compares group memberships, and ${this.connection.currentUrl} keeps no memberOf on its entries (its schema has no memberOf attribute): ` +
          'enable OpenLDAP\'s memberof overlay (or dynlist\'s memberOf, 389-DS\'s MemberOf plug-in), or scope by OU or attribute instead',
        { path: 'synchronizationRules[].groupFilter', details: { retryable: false } },
      );
    }
    return [...new Set([...(this.#options.attributes ?? ['*']), ...OPERATIONAL, ...extra])];
  }

  /**
   * The watermark for "now": the suffix's contextCSN, else the current time as a modifyTimestamp bound; with the
   * content-synchronization cookie `syncCookie` when there is one.
   */
  async #currentWatermark(syncCookie: Uint8Array | undefined): Promise<GenericWatermark> {
    const cookie = syncCookie === undefined ? {} : { syncCookie: Buffer.from(syncCookie).toString('base64') };
    const csns = await this.#contextCsns();
    if (csns.length > 0) return { v: 1, kind: 'csn', csns, ...cookie };
    // Without CSNs, take "now" on the server's clock is not available portably; one second of slack on ours.
    return { v: 1, kind: 'modifyTimestamp', since: generalizedTime(new Date(Date.now() - 1000)), ...cookie };
  }

  /**
   * One RFC 4533 refreshOnly search of the imported subtree from `cookie` (none: the current state, by a base
   * search that matches nothing), asking for no attributes (`1.1`, RFC 4511 §4.5.1.8): the deletions since the
   * cookie and the cookie to refresh from next time. Undefined when the server offers no content synchronization.
   * `complete` is false when `deleted` may not name every deletion since `cookie`: the server answered with a
   * present phase (what is left, not what went; `present` lists it, every entryUUID in scope) or refused the cookie.
   */
  async #refresh(cookie: Uint8Array | undefined): Promise<{
    readonly cookie: Uint8Array;
    readonly deleted: readonly string[];
    readonly complete: boolean;
    readonly present?: SyncUuidList;
  } | undefined> {
    if (!(await this.#ctx()).contentSync) return undefined;
    const control = new ContentSyncRequestControl({ mode: CONTENT_SYNC_MODES.refreshOnly, ...(cookie === undefined ? {} : { cookie, collectPresent: true }) });
    const search = cookie === undefined
      ? { scope: 'base' as const, filter: NO_ENTRY, attributes: ['1.1'] }
      : { scope: 'sub' as const, filter: this.#options.filter ?? GENERIC_OBJECT_FILTER, attributes: ['1.1'] };
    try {
      await this.connection.search(this.#options.baseDn, search, [control, control.stateReceiver]);
    } catch (error) {
      // Refused, rather than unreachable: the bind DN may not read what syncprov needs, or a server restored from a
      // backup may not know the cookie (RFC 4533 §3.3.2: e-syncRefreshRequired). This refresh reports no deletions
      // (the anchor listing finds them, in this cycle), and a refused cookie is replaced by a fresh one so that the
      // next delta can report them again.
      if (!isRefusal(error)) throw error;
      // (only the fresh cookie of that refresh: it lists nothing, and an empty list of what is present would read
      // as "everything is gone")
      return cookie === undefined ? undefined : { cookie: (await this.#refresh(undefined))?.cookie ?? cookie, deleted: [], complete: false };
    }
    // RFC 4533 §3.3.1: a refresh that ends without a cookie leaves the client's own valid (nothing changed)
    const next = control.responseCookie ?? cookie;
    if (!control.done || next === undefined) {
      throw new CloudsyncError('ERR_LDAP_PROTOCOL', `${this.connection.currentUrl} ended a content-synchronization search (RFC 4533) without a Sync Done control or a cookie`, { details: { retryable: false } });
    }
    if (!control.presentPhase) return { cookie: next, deleted: [...control.deleted], complete: true };
    // what is left is listed only by a refresh from a cookie over the imported subtree (collectPresent)
    return { cookie: next, deleted: [...control.deleted], complete: false, ...(control.present === undefined ? {} : { present: control.present }) };
  }

  async #contextCsns(): Promise<string[]> {
    try {
      const { searchEntries } = await this.connection.search(this.#options.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['contextCSN'] });
      const raw = searchEntries[0]?.['contextCSN'] ?? [];
      return (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
    } catch (error) {
      if (error instanceof CloudsyncError && error.code === 'ERR_LDAP_NO_SUCH_OBJECT') {
        throw new CloudsyncError('ERR_LDAP_NO_SUCH_OBJECT', `baseDn ${this.#options.baseDn} does not exist on ${this.connection.currentUrl}`, { path: 'baseDn', cause: error });
      }
      throw error;
    }
  }

  async *#search(filter: string, batchSize: number, options: ImportOptions): AsyncGenerator<SourceObject[]> {
    const { schema, binary } = await this.#ctx();
    const attributes = await this.#attributes(options.withAttributes);
    const { signal, maxInlineValues } = options;
    const self = this;
    async function* pages(): AsyncGenerator<SourceObject[]> {
      for await (const entries of pagedEntries(self.connection, {
        base: self.#options.baseDn,
        filter,
        attributes,
        binaryAttributes: binary,
        pageSize: self.#options.pageSize ?? 1000,
      })) {
        const normalized = entries.map((e) => normalizeEntry(e, schema)).filter((n) => n !== undefined);
        yield await completePage(self.connection, normalized, schema, undefined, 8, maxInlineValues);
      }
    }
    yield* inBatches(pages(), batchSize, signal);
  }

  async *fullImport(options: ImportOptions = {}): AsyncGenerator<ImportBatch> {
    const watermark = JSON.stringify(await this.#currentWatermark((await this.#refresh(undefined))?.cookie));
    yield* withFinalWatermark(this.#search(this.#options.filter ?? GENERIC_OBJECT_FILTER, options.batchSize ?? DEFAULT_BATCH_SIZE, options), () => watermark);
  }

  async *deltaImport(watermark: Watermark, options: ImportOptions = {}): AsyncGenerator<ImportBatch> {
    let parsed: GenericWatermark;
    try {
      parsed = JSON.parse(watermark) as GenericWatermark;
      if (parsed.v !== 1 || (parsed.kind !== 'csn' && parsed.kind !== 'modifyTimestamp')) throw new Error('kind');
    } catch {
      throw new CloudsyncError('ERR_CONFIG_INVALID', 'the watermark is not a generic LDAP watermark; run a full import to get one', { path: 'watermark' });
    }
    const next = await this.#currentWatermark(undefined);
    const since = parsed.kind === 'csn'
      ? `(|${parsed.csns.map((csn) => `(&(entryCSN>=${escapeFilterValue(csn)})(!(entryCSN=${escapeFilterValue(csn)})))`).join('')})`
      : `(modifyTimestamp>=${escapeFilterValue(parsed.since)})`;
    const filter = `(&${this.#options.filter ?? GENERIC_OBJECT_FILTER}${since})`;
    const cookie = typeof parsed.syncCookie === 'string' ? new Uint8Array(Buffer.from(parsed.syncCookie, 'base64')) : undefined;
    // After the changed objects: a deletion is applied after every change the same delta reports.
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    yield* withFinalBatch(this.#search(filter, batchSize, options), batchSize, async () => {
      // A watermark from before content synchronization (or from a server without it) starts a cookie here.
      const refreshed = await this.#refresh(cookie);
      return {
        watermark: JSON.stringify({ ...next, ...(refreshed === undefined ? {} : { syncCookie: Buffer.from(refreshed.cookie).toString('base64') }) }),
        deletedAnchors: cookie === undefined || refreshed === undefined ? [] : refreshed.deleted,
        // A watermark without a cookie never promised deletions (the interval's listing covers it); one with a cookie
        // the server could not answer from its session log did. A present phase is that listing, already paid for;
        // reconcileDeletions still goes with it, for a cycle that dies before using it.
        ...(cookie === undefined || refreshed?.present === undefined ? {} : { presentAnchors: refreshed.present }),
        reconcileDeletions: cookie !== undefined && refreshed !== undefined && !refreshed.complete,
      };
    });
  }

  /**
   * `dn` may also be `<GUID=…>` with an entryUUID (RFC 4530), the form AD reads an object by whatever it has been
   * renamed to (MS-ADTS 3.1.1.3.1.2.4): the engine finds the groups a scope pins that way, and on this source their
   * pin is the entryUUID. Found by an equality search of the imported subtree (entryUUID has UUIDMatch).
   */
  async readObject(dn: string, options: ReadObjectOptions = {}): Promise<SourceObject | undefined> {
    const { schema, binary, keepsMemberOf } = await this.#ctx();
    // memberOf where the server keeps it: a single read (escrow retry, on-demand provisioning) runs through scoping
    const attributes = options.identityOnly === true ? ['objectClass', 'entryUUID'] : await this.#attributes(keepsMemberOf ? [MEMBER_OF] : []);
    const byUuid = BY_ENTRY_UUID.exec(dn);
    try {
      const uuid = byUuid?.[1]!.toLowerCase();
      const { searchEntries } = uuid === undefined
        ? await this.connection.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes, explicitBufferAttributes: binary })
        : await this.connection.search(this.#options.baseDn, { scope: 'sub', filter: `(entryUUID=${uuid})`, attributes, explicitBufferAttributes: binary });
      const entry = searchEntries[0];
      const normalized = entry ? normalizeEntry(entry, schema) : undefined;
      if (normalized === undefined || options.identityOnly === true) return normalized?.object;
      return await completeRanges(this.connection, normalized, schema, undefined);
    } catch (error) {
      if (error instanceof CloudsyncError && error.code === 'ERR_LDAP_NO_SUCH_OBJECT') return undefined;
      throw error;
    }
  }

  /** OpenLDAP has no ranged retrieval: one base read, handed out in chunks. */
  async *readValues(dn: string, attribute: string, options: { chunkSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<readonly Value[]> {
    const { schema, binary, keepsMemberOf } = await this.#ctx();
    // the back link the capabilities declare, on a server that keeps none: nothing to ask slapd (a newcomer in a delta)
    if (!keepsMemberOf && attribute.toLowerCase() === MEMBER_OF.toLowerCase()) return;
    let raw: (string | Uint8Array)[] = [];
    try {
      const { searchEntries } = await this.connection.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [attribute], explicitBufferAttributes: binary });
      const entry = searchEntries[0] ?? { dn };
      for (const [name, value] of Object.entries(entry)) {
        if (name !== 'dn' && name.toLowerCase() === attribute.toLowerCase()) raw = (Array.isArray(value) ? value : [value]) as (string | Uint8Array)[];
      }
    } catch (error) {
      if (error instanceof CloudsyncError && error.code === 'ERR_LDAP_NO_SUCH_OBJECT') return;
      throw error;
    }
    async function* once() { yield raw; }
    for await (const chunk of valueChunks(once(), schema, attribute, options.chunkSize ?? 1000)) {
      options.signal?.throwIfAborted();
      yield chunk;
    }
  }

  async *listAnchors(options: ImportOptions = {}): AsyncGenerator<readonly string[]> {
    for await (const entries of pagedEntries(this.connection, {
      base: this.#options.baseDn,
      filter: this.#options.filter ?? GENERIC_OBJECT_FILTER,
      attributes: ['entryUUID'],
      binaryAttributes: [],
      pageSize: options.batchSize ?? this.#options.pageSize ?? 1000,
    })) {
      options.signal?.throwIfAborted();
      yield entries.map((e) => e['entryUUID']).filter((v): v is string => typeof v === 'string');
    }
  }

  /**
   * RFC 4533 refreshAndPersist (§3.4): a search that stays open, on a connection of its own without an operation
   * timeout, over which slapd sends each change to the imported subtree as it commits it. It starts from a fresh
   * cookie, so its refresh stage carries only what changed in between; `onReady` at the Sync Info that ends that
   * stage, `onChange` for every entry (added, modified, deleted: the delta says which). False at once when the server
   * offers no content synchronization.
   */
  async changeNotifications(options: ChangeNotificationOptions): Promise<boolean> {
    const { signal } = options;
    if (signal.aborted) return true;
    const fresh = await this.#refresh(undefined);
    if (fresh === undefined) return false;
    // The search never ends by itself; the bind before it still must, within what any other operation is given.
    const { operationTimeoutMs } = this.#options;
    const listener = new LdapConnection({
      ...this.#options,
      operationTimeoutMs: 0,
      ...(this.#options.bindTimeoutMs === undefined && operationTimeoutMs !== undefined ? { bindTimeoutMs: operationTimeoutMs } : {}),
    });
    const control = new ContentSyncRequestControl({
      mode: CONTENT_SYNC_MODES.refreshAndPersist,
      cookie: fresh.cookie,
      persist: { onEntry: options.onChange, onRefreshDone: () => options.onReady?.() },
    });
    const stop = () => { void listener.close(); };
    signal.addEventListener('abort', stop, { once: true });
    try {
      await listener.search(this.#options.baseDn, { scope: 'sub', filter: this.#options.filter ?? GENERIC_OBJECT_FILTER, attributes: ['1.1'] }, [control, control.stateReceiver]);
      return true;
    } catch (error) {
      // closing the connection is how an abort ends the search
      if (signal.aborted) return true;
      throw error;
    } finally {
      signal.removeEventListener('abort', stop);
      await listener.close();
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
