/**
 * The Active Directory source: paged full import, DirSync delta import, ranged `member` retrieval.
 *
 * Full import (RFC 2696 paged search of users, inetOrgPersons, groups, contacts and OUs under each configured
 * container). Its watermark is a DirSync cookie taken *before* the first page (a DirSync round whose filter
 * matches nothing still advances the cookie to the DC's current USN), so a change made during the import is
 * reported again by the first delta — at least once, never lost.
 *
 * Delta import (MS-ADTS 3.1.1.3.4.1.3 DirSync, rooted at the NC head, subtree):
 * - Flags: LDAP_DIRSYNC_INCREMENTAL_VALUES (member changes come as added/removed values, never whole lists of a
 *   100,000-member group) | LDAP_DIRSYNC_ANCESTORS_FIRST_ORDER (parents before children).
 * - DirSync returns only the *changed* attributes of an object (plus objectGUID, instanceType, parentGUID), and
 *   only if one of the *requested replicated* attributes changed (research: requesting just objectGUID/member
 *   misses users entirely), so the real attribute set is requested and each changed object is then re-read
 *   whole by `<GUID=…>` (with show-deleted, so tombstones and recycle-bin objects are readable). Delta objects
 *   therefore carry complete attributes except `member`, which comes as `valueChanges.member`, with each value's
 *   target objectGUID (the extended-DN control, MS-ADTS 3.1.1.3.4.1.5): a removed value's DN can be stale.
 * - Deletions: the object comes back with isDeleted=TRUE under CN=Deleted Objects (RDN "name\0ADEL:guid");
 *   `lastKnownParent` gives its parentDn. Renames/moves: the object comes back with its new DN (its `name` or
 *   parent changed) and the same objectGUID.
 * - `moreResults`: loop until the DC says there is nothing more. Samba ignores MaxBytes and answers in one
 *   round; AD pages. Each round's cookie is attached to the batches of that round, so a restart resumes there.
 * - Delta reports objects anywhere in the NC (a move out of the configured containers must be seen); the engine
 *   scopes them. Full import only reads the configured containers.
 *
 * Rights: DirSync needs "Replicating Directory Changes" (DS-Replication-Get-Changes) on the domain NC for the
 * bind account (or the OBJECT_SECURITY flag, which filters by read rights instead and is slower).
 */
import { CloudsyncError } from '../../errors/index.ts';
import { isReference, type Value } from '../../expressions/value.ts';
import { layeredSchema, WELL_KNOWN_ATTRIBUTES, type AttributeSchema } from '../attribute-syntax.ts';
import { formatGuid } from '../guid.ts';
import { AD_OBJECT_FILTER } from '../object-type.ts';
import { isUnder } from '../distinguished-name.ts';
import {
  DEFAULT_BATCH_SIZE,
  defaultAnchorOf,
  type ImportBatch,
  type ImportOptions,
  type ReadObjectOptions,
  type SourceCapabilities,
  type SourceConnector,
  type SourceObject,
  type ValueChange,
  type Watermark,
} from '../source-connector.ts';
import { DIRSYNC_FLAGS, DirSyncControl } from './dirsync-control.ts';
import { ExtendedDnControl } from './extended-dn-control.ts';
import { LdapConnection, type LdapConnectionOptions } from './ldap-connection.ts';
import { normalizeEntry } from './ldap-entry.ts';
import { toLdapError } from './ldap-errors.ts';
import { readLdapSchema } from './ldap-schema.ts';
import { completePage, completeRanges, inBatches, mapConcurrent, pagedEntries, valueChunks, withFinalWatermark } from './paged-search.ts';
import { retrieveRemainingRanges } from './ranged-retrieval.ts';
import { ShowDeletedControl } from './show-deleted-control.ts';

/** What identifies an AD object (ReadObjectOptions.identityOnly): its type, its anchors, whether it is a tombstone. */
const AD_IDENTITY_ATTRIBUTES = ['objectClass', 'objectGUID', 'mS-DS-ConsistencyGuid', 'isDeleted'] as const;

/**
 * The attributes Entra Cloud Sync's AD2AAD schema reads, plus what the connector itself needs.
 *
 * isCriticalSystemObject (MS-ADTS 3.1.1.1.4 "Protected Objects"; set on the built-in accounts and groups: Guest,
 * krbtgt, Administrator, Domain Admins, dns-<host> on Samba…) is what the default scoping exclusion
 * (src/schema/default-exclusions.ts) tests: without it here every built-in account would be in scope and fail
 * each cycle for want of a userPrincipalName.
 *
 * memberOf (the back link of member), which group scope compares, is not among them: imports read it when the engine
 * asks (ImportOptions.withAttributes), single reads (readObject) always.
 */
export const DEFAULT_AD_ATTRIBUTES = [
  'objectClass', 'objectGUID', 'objectSid', 'mS-DS-ConsistencyGuid', 'distinguishedName', 'name', 'cn', 'isCriticalSystemObject',
  'sAMAccountName', 'userPrincipalName', 'displayName', 'givenName', 'sn', 'initials', 'mail', 'proxyAddresses',
  'mailNickname', 'targetAddress', 'department', 'title', 'company', 'employeeID', 'employeeNumber', 'employeeType',
  'telephoneNumber', 'mobile', 'otherTelephone', 'facsimileTelephoneNumber', 'streetAddress', 'l', 'st',
  'postalCode', 'c', 'co', 'physicalDeliveryOfficeName', 'description', 'info', 'manager', 'member',
  'userAccountControl', 'accountExpires', 'pwdLastSet', 'groupType', 'sAMAccountType', 'ou', 'preferredLanguage',
  'wWWHomePage', 'isDeleted', 'lastKnownParent', 'uSNChanged', 'whenCreated', 'whenChanged',
  ...Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`),
] as const;

/**
 * The linked attributes the engine follows as references, with their back links (MS-ADA1 2.361 linkID: "An even
 * integer is a forward link and an odd integer is a back link"; the back link's is the forward one's + 1):
 * member (2) / memberOf (3), manager (42) / directReports (43).
 */
export const AD_BACK_LINKS: Readonly<Record<string, string>> = Object.freeze({ member: 'memberOf', manager: 'directReports' });

/** Binary attributes, in the spellings AD and Samba return (ldapts matches explicitBufferAttributes exactly). */
export const AD_BINARY_ATTRIBUTES = [
  'objectGUID', 'objectSid', 'mS-DS-ConsistencyGuid', 'ms-DS-ConsistencyGuid', 'msDS-ConsistencyGuid', 'sIDHistory',
  'thumbnailPhoto', 'jpegPhoto', 'userCertificate', 'msExchMailboxGuid', 'parentGUID',
] as const;

export interface ActiveDirectoryConnectorOptions extends LdapConnectionOptions {
  /** The domain NC (DirSync must be rooted there). Default: the rootDSE's defaultNamingContext. */
  readonly baseDn?: string;
  /** Containers (OUs) whose subtrees the full import reads. Default: the whole NC. */
  readonly containers?: readonly string[];
  /** The attributes to import (default DEFAULT_AD_ATTRIBUTES). objectClass/objectGUID/isDeleted are always added. */
  readonly attributes?: readonly string[];
  /** Extra binary attributes beyond AD_BINARY_ATTRIBUTES and the schema's Octet String ones. */
  readonly binaryAttributes?: readonly string[];
  /** Paged search page size (default 1,000: AD's MaxPageSize). */
  readonly pageSize?: number;
  /**
   * Ask for `member` in explicit ranges of this size (`member;range=0-999`, …). Default: ask for `member` and follow
   * the server's own truncation (AD: MaxValRange 1,500). Set it to exercise range retrieval against Samba.
   */
  readonly memberRangeSize?: number;
  /** Concurrent `<GUID=…>` re-reads during a delta (default 8). */
  readonly readConcurrency?: number;
}

const ALWAYS = ['objectClass', 'objectGUID', 'isDeleted', 'lastKnownParent', 'uSNChanged'] as const;

interface AdWatermark { readonly v: 1; readonly kind: 'dirsync'; readonly cookie: string }

function encodeWatermark(cookie: Uint8Array): Watermark {
  return JSON.stringify({ v: 1, kind: 'dirsync', cookie: Buffer.from(cookie).toString('base64') } satisfies AdWatermark);
}

function decodeWatermark(watermark: Watermark): Uint8Array {
  try {
    const parsed = JSON.parse(watermark) as Partial<AdWatermark>;
    if (parsed.v === 1 && parsed.kind === 'dirsync' && typeof parsed.cookie === 'string') return new Uint8Array(Buffer.from(parsed.cookie, 'base64'));
  } catch { /* reported below */ }
  throw new CloudsyncError('ERR_CONFIG_INVALID', 'the watermark is not an Active Directory DirSync watermark; run a full import to get one', { path: 'watermark' });
}

/** MS-ADTS 3.1.1.5.5.1.3 deleted-object DNs carry "\\0ADEL:<guid>" in their RDN (escaped NUL + "DEL:"). */
const DELETED_RDN = /\\0ADEL:[0-9a-f-]{36}/i;

/**
 * With the Recycle Bin on, a link to an object that was deleted is kept (deactivated), and Samba reports it as an
 * *added* value pointing into CN=Deleted Objects. A link to a deleted object is not a membership: report it as
 * removed, which is what the member list now says.
 */
function withoutDeletedTargets(changes: SourceObject['valueChanges']): SourceObject['valueChanges'] {
  if (!changes) return changes;
  const out: Record<string, ValueChange> = {};
  for (const [name, change] of Object.entries(changes)) {
    const added: Value[] = [];
    const addedGuids: (string | null)[] = [];
    const removed: Value[] = [...change.removed];
    const removedGuids: (string | null)[] = [...(change.removedObjectGuids ?? change.removed.map(() => null))];
    change.added.forEach((value, i) => {
      const guid = change.addedObjectGuids?.[i] ?? null;
      const toDeleted = isReference(value) && DELETED_RDN.test(value.dn);
      (toDeleted ? removed : added).push(value);
      (toDeleted ? removedGuids : addedGuids).push(guid);
    });
    const withGuids = change.addedObjectGuids !== undefined || change.removedObjectGuids !== undefined;
    out[name] = { added, removed, ...(withGuids ? { addedObjectGuids: addedGuids, removedObjectGuids: removedGuids } : {}) };
  }
  return out;
}

/**
 * The linked-value changes of a partial DirSync entry. With INCREMENTAL_VALUES they come as `member;range=1-1`
 * (added) / `member;range=0-0` (removed); a server that sends a plain `member` instead sends the whole current
 * list, which for a delta consumer is "these values are present": report them as added.
 */
function linkedValueChanges(partial: SourceObject): SourceObject['valueChanges'] {
  const member = partial.attributes['member'];
  if (member === undefined || member === null || partial.valueChanges?.['member']) return partial.valueChanges;
  const values = (Array.isArray(member) ? member : [member]) as Value[];
  return { ...partial.valueChanges, member: { added: values, removed: [] } };
}

function mergeValueChanges(a: SourceObject['valueChanges'], b: SourceObject['valueChanges']): SourceObject['valueChanges'] {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, ValueChange> = { ...a };
  for (const [name, change] of Object.entries(b)) {
    const prior = out[name];
    if (!prior) { out[name] = change; continue; }
    const guids = (c: ValueChange, which: 'added' | 'removed') =>
      (which === 'added' ? c.addedObjectGuids : c.removedObjectGuids) ?? c[which].map(() => null);
    const withGuids = [prior, change].some((c) => c.addedObjectGuids !== undefined || c.removedObjectGuids !== undefined);
    out[name] = {
      added: [...prior.added, ...change.added],
      removed: [...prior.removed, ...change.removed],
      ...(withGuids ? {
        addedObjectGuids: [...guids(prior, 'added'), ...guids(change, 'added')],
        removedObjectGuids: [...guids(prior, 'removed'), ...guids(change, 'removed')],
      } : {}),
    };
  }
  return out;
}

export class ActiveDirectoryConnector implements SourceConnector {
  readonly capabilities: SourceCapabilities = Object.freeze({
    deltaImport: true,
    deltaReportsDeletions: true,
    deltaReportsRenames: true,
    incrementalValues: true,
    anchorListing: true,
    defaultAnchor: 'objectGUID',
    backLinks: AD_BACK_LINKS,
  });

  readonly #options: ActiveDirectoryConnectorOptions;
  readonly connection: LdapConnection;
  #context: Promise<{ baseDn: string; schema: AttributeSchema; binary: string[] }> | undefined;

  constructor(options: ActiveDirectoryConnectorOptions) {
    this.#options = options;
    this.connection = new LdapConnection(options);
  }

  /** The NC head alone (rootDSE), so that a full import can start its DirSync cookie while the schema loads. */
  #baseDn: Promise<string> | undefined;

  async #resolveBaseDn(): Promise<string> {
    this.#baseDn ??= (async () => {
      if (this.#options.baseDn) return this.#options.baseDn;
      const rootDse = await this.connection.readRootDse();
      if (!rootDse.defaultNamingContext) throw new CloudsyncError('ERR_CONFIG_INVALID', 'baseDn is not set and the server has no defaultNamingContext', { path: 'baseDn' });
      return rootDse.defaultNamingContext;
    })();
    try {
      return await this.#baseDn;
    } catch (error) {
      this.#baseDn = undefined;
      throw error;
    }
  }

  async #ctx(): Promise<{ baseDn: string; schema: AttributeSchema; binary: string[] }> {
    this.#context ??= (async () => {
      const [baseDn, rootDse] = await Promise.all([this.#resolveBaseDn(), this.connection.readRootDse()]);
      const served = rootDse.subschemaSubentry ? await readLdapSchema(this.connection, rootDse.subschemaSubentry).catch(() => undefined) : undefined;
      const schema = served ? layeredSchema(served, WELL_KNOWN_ATTRIBUTES) : WELL_KNOWN_ATTRIBUTES;
      const binary = [...new Set([...AD_BINARY_ATTRIBUTES, ...(this.#options.binaryAttributes ?? [])])];
      return { baseDn, schema, binary };
    })();
    try {
      return await this.#context;
    } catch (error) {
      this.#context = undefined;
      throw error;
    }
  }

  #attributes(extra: readonly string[] = []): string[] {
    const wanted = this.#options.attributes ?? DEFAULT_AD_ATTRIBUTES;
    return [...new Set([...ALWAYS, ...wanted, ...extra])];
  }

  /** The attribute list for a full read, with `member` replaced by an explicit first range when configured. */
  #readAttributes(extra: readonly string[] = []): string[] {
    const size = this.#options.memberRangeSize;
    return this.#attributes(extra).map((a) => (size !== undefined && a.toLowerCase() === 'member' ? `member;range=0-${size - 1}` : a));
  }

  /** A DirSync cookie for "now", without transferring objects (see the file header). */
  async #currentCookie(baseDn: string): Promise<Uint8Array> {
    let cookie: Uint8Array = new Uint8Array(0);
    for (let round = 0; round < 10_000; round++) {
      const control = new DirSyncControl({ flags: DIRSYNC_FLAGS.LDAP_DIRSYNC_INCREMENTAL_VALUES, cookie });
      await this.connection.run(`DirSync on ${baseDn}`, (client) =>
        client.search(baseDn, { scope: 'sub', filter: '(&(objectClass=user)(objectClass=organizationalUnit))', attributes: ['objectGUID'] }, control));
      if (!control.responseCookie) throw new CloudsyncError('ERR_LDAP_PROTOCOL', `${this.connection.currentUrl} did not return a DirSync cookie; is ${baseDn} a naming context root?`);
      cookie = control.responseCookie;
      if (!control.moreResults) return cookie;
    }
    throw new CloudsyncError('ERR_LDAP_PROTOCOL', 'DirSync kept reporting more results');
  }

  async *fullImport(options: ImportOptions = {}): AsyncGenerator<ImportBatch> {
    // The cookie must be taken before the first page is read; the schema can load meanwhile.
    const baseDn = await this.#resolveBaseDn();
    const [{ schema, binary }, cookie] = await Promise.all([this.#ctx(), this.#currentCookie(baseDn)]);
    const self = this;
    const containers = this.#options.containers?.length ? this.#options.containers : [baseDn];
    async function* pages(): AsyncGenerator<SourceObject[]> {
      for (const container of containers) {
        for await (const entries of pagedEntries(self.connection, {
          base: container,
          filter: AD_OBJECT_FILTER,
          attributes: self.#readAttributes(options.withAttributes),
          binaryAttributes: binary,
          pageSize: self.#options.pageSize ?? 1000,
        })) {
          const normalized = entries.map((e) => normalizeEntry(e, schema)).filter((n) => n !== undefined);
          // Only groups are ever truncated; complete them concurrently, keep the page order.
          yield await completePage(self.connection, normalized, schema, self.#options.memberRangeSize, self.#options.readConcurrency ?? 8, options.maxInlineValues);
        }
      }
    }
    yield* withFinalWatermark(inBatches(pages(), options.batchSize ?? DEFAULT_BATCH_SIZE, options.signal), () => encodeWatermark(cookie));
  }

  async *deltaImport(watermark: Watermark, options: ImportOptions = {}): AsyncGenerator<ImportBatch> {
    const { baseDn, schema, binary } = await this.#ctx();
    let cookie = decodeWatermark(watermark);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const flags = DIRSYNC_FLAGS.LDAP_DIRSYNC_INCREMENTAL_VALUES | DIRSYNC_FLAGS.LDAP_DIRSYNC_ANCESTORS_FIRST_ORDER;
    for (let round = 0; ; round++) {
      options.signal?.throwIfAborted();
      const control = new DirSyncControl({ flags, cookie });
      const show = new ShowDeletedControl();
      const { searchEntries } = await this.connection.run(`DirSync on ${baseDn}`, (client) =>
        client.search(baseDn, {
          scope: 'sub',
          filter: AD_OBJECT_FILTER,
          attributes: this.#attributes(),
          explicitBufferAttributes: binary,
        }, [control, show, new ExtendedDnControl(1)]));
      if (!control.responseCookie) throw new CloudsyncError('ERR_LDAP_PROTOCOL', `${this.connection.currentUrl} did not return a DirSync cookie`);
      // One change per object per round; DirSync already coalesces, but a paging DC may repeat across rounds.
      const changes = new Map<string, { guid: string; valueChanges: SourceObject['valueChanges'] }>();
      for (const entry of searchEntries) {
        const raw = entry['objectGUID'];
        const bytes = Array.isArray(raw) ? raw[0] : raw;
        if (!bytes || typeof bytes === 'string' || bytes.length !== 16) continue;
        const guid = formatGuid(bytes);
        // The DirSync entry itself is partial; only its linked-value changes are used from it.
        const partial = normalizeEntry({ ...entry, objectClass: 'group' }, schema, { incrementalValues: true })?.object;
        const found = partial ? linkedValueChanges(partial) : undefined;
        // AD splits a large membership change of one object over several entries of the same response: merge them.
        const previous = changes.get(guid)?.valueChanges;
        changes.set(guid, { guid, valueChanges: withoutDeletedTargets(mergeValueChanges(previous, found)) });
      }
      const list = [...changes.values()];
      const roundCookie = encodeWatermark(control.responseCookie);
      if (list.length === 0) yield { objects: [], watermark: roundCookie };
      for (let i = 0; i < list.length; i += batchSize) {
        const slice = list.slice(i, i + batchSize);
        const objects = await mapConcurrent(slice, this.#options.readConcurrency ?? 8, async ({ valueChanges, guid }) => {
          const object = await this.#readByGuid(guid, schema, binary, options.withAttributes);
          if (!object) return undefined;
          const { member: _full, ...rest } = object.attributes;
          // Members of a changed group come as value changes, never as the whole list (see the header).
          const attributes = object.type === 'group' ? rest : object.attributes;
          return { ...object, attributes, ...(valueChanges ? { valueChanges } : {}) } satisfies SourceObject;
        });
        const present = objects.filter((o): o is SourceObject => o !== undefined);
        // Each round's cookie is valid on its own: it goes with the last batch of the round.
        yield i + batchSize >= list.length ? { objects: present, watermark: roundCookie } : { objects: present };
      }
      cookie = control.responseCookie;
      if (!control.moreResults) return;
      if (round > 100_000) throw new CloudsyncError('ERR_LDAP_PROTOCOL', 'DirSync kept reporting more results');
    }
  }

  async #readByGuid(guid: string, schema: AttributeSchema, binary: readonly string[], extra: readonly string[] = []): Promise<SourceObject | undefined> {
    try {
      const { searchEntries } = await this.connection.run(`reading <GUID=${guid}>`, (client) =>
        client.search(`<GUID=${guid}>`, {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: this.#attributes(extra).filter((a) => a.toLowerCase() !== 'member'),
          explicitBufferAttributes: [...binary],
        }, new ShowDeletedControl()));
      const entry = searchEntries[0];
      return entry ? normalizeEntry(entry, schema)?.object : undefined;
    } catch (error) {
      const mapped = toLdapError(error, `reading <GUID=${guid}>`);
      // Gone again (deleted and recycled) between DirSync and the read: the next delta reports it.
      if (mapped.code === 'ERR_LDAP_NO_SUCH_OBJECT') return undefined;
      throw mapped;
    }
  }

  async readObject(dn: string, options: ReadObjectOptions = {}): Promise<SourceObject | undefined> {
    const { schema, binary } = await this.#ctx();
    try {
      // memberOf always: what reads one object (escrow retries, members re-read for group scope, on-demand
      // provisioning) runs it through scoping, and one entry's back links cost nothing worth sparing
      const { searchEntries } = await this.connection.search(dn, {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: options.identityOnly === true ? [...AD_IDENTITY_ATTRIBUTES] : this.#readAttributes([AD_BACK_LINKS['member']!]),
        explicitBufferAttributes: [...binary],
      });
      const entry = searchEntries[0];
      const normalized = entry ? normalizeEntry(entry, schema) : undefined;
      if (normalized === undefined || options.identityOnly === true) return normalized?.object;
      return await completeRanges(this.connection, normalized, schema, this.#options.memberRangeSize);
    } catch (error) {
      if (error instanceof CloudsyncError && error.code === 'ERR_LDAP_NO_SUCH_OBJECT') return undefined;
      throw error;
    }
  }

  /**
   * All values of `attribute` by explicit ranges (MS-ADTS 3.1.1.3.1.3.3), `memberRangeSize` (default 1,500, AD's
   * MaxValRange) at a time, so no more than one range is in memory.
   */
  async *readValues(dn: string, attribute: string, options: { chunkSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<readonly Value[]> {
    const { schema } = await this.#ctx();
    const rangeSize = this.#options.memberRangeSize ?? 1500;
    const binary = schema.lookup(attribute)?.syntax === 'binary';
    const raw = retrieveRemainingRanges(this.connection, dn, attribute, -1, { rangeSize, binary });
    for await (const chunk of valueChunks(raw, schema, attribute, options.chunkSize ?? rangeSize)) {
      options.signal?.throwIfAborted();
      yield chunk;
    }
  }

  async *listAnchors(options: ImportOptions = {}): AsyncGenerator<readonly string[]> {
    const { baseDn, schema, binary } = await this.#ctx();
    const containers = this.#options.containers?.length ? this.#options.containers : [baseDn];
    for (const container of containers) {
      for await (const entries of pagedEntries(this.connection, {
        base: container,
        filter: AD_OBJECT_FILTER,
        attributes: ['objectClass', 'objectGUID', 'mS-DS-ConsistencyGuid'],
        binaryAttributes: binary,
        pageSize: options.batchSize ?? this.#options.pageSize ?? 1000,
      })) {
        options.signal?.throwIfAborted();
        yield entries.map((e) => normalizeEntry(e, schema)).filter((n) => n !== undefined).map((n) => defaultAnchorOf(n.object));
      }
    }
  }

  /** True when `dn` is inside the configured containers (the engine's scoping helper for this source). */
  async inContainers(dn: string): Promise<boolean> {
    const { baseDn } = await this.#ctx();
    const containers = this.#options.containers?.length ? this.#options.containers : [baseDn];
    return containers.some((c) => isUnder(dn, c));
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
