/**
 * The source connector port: what the engine asks of a directory it imports from (Active Directory, a generic
 * LDAP server, an LDIF file), and what the on-premises agent will later serve across the network.
 *
 * Declared by its consumer (the engine) as the minimal surface it needs. Every method returns plain data
 * (no ldapts types) so that the same values can be serialised over the agent channel unchanged.
 *
 * Invariants:
 * - Imports stream **bounded batches** (`batchSize` objects at most, default 500); nothing here ever holds a
 *   whole directory in memory.
 * - A batch may carry a `watermark`. Once the consumer has durably applied that batch and every batch before it,
 *   it may persist that watermark; a later `deltaImport(watermark)` then reports every change made after it at
 *   least once (changes can repeat, never go missing). The last batch of an import always carries one.
 * - Watermarks are opaque strings owned by the connector that produced them.
 * - Objects are identified by their anchor, never by DN: renames and moves keep the anchor.
 */
import type { Value } from '../expressions/value.ts';

/** The object types the engine maps. `user` is AD's user class; `inetOrgPerson` is a generic LDAP person. */
export const SOURCE_OBJECT_TYPES = ['user', 'inetOrgPerson', 'group', 'contact', 'organizationalUnit'] as const;
export type SourceObjectType = (typeof SOURCE_OBJECT_TYPES)[number];

/**
 * The identifiers an anchor can be chosen from. Entra uses ms-DS-ConsistencyGuid when set, else objectGUID
 * (both as base64 of the 16 raw bytes: onPremisesImmutableId); generic LDAP uses entryUUID.
 */
export interface AnchorCandidates {
  /** objectGUID in its canonical string form (MS-DTYP 2.3.4.3), e.g. `22b07e2f-a8a2-41e4-9d35-441efeb59ac0`. */
  readonly objectGuid?: string;
  /** objectGUID as the 16 bytes stored in AD (MS-DTYP 2.3.4.2 packet order). */
  readonly objectGuidBytes?: Uint8Array;
  /** ms-DS-ConsistencyGuid raw bytes, when set. */
  readonly consistencyGuid?: Uint8Array;
  /** RFC 4530 entryUUID (generic LDAP). */
  readonly entryUuid?: string;
}

/** A directory object, normalised. Attribute values follow src/expressions/value.ts. */
export interface SourceObject {
  readonly type: SourceObjectType;
  /** All objectClass values as the server returned them. */
  readonly objectClasses: readonly string[];
  readonly dn: string;
  /** The DN of the parent container ('' for a naming context root). For a deleted object, its last known parent. */
  readonly parentDn: string;
  readonly anchors: AnchorCandidates;
  /**
   * Attribute name (as the server spells it) → value. Binary attributes are Uint8Array, DN-valued ones
   * (member, manager, …) DnReference, multi-valued ones arrays. Operational bookkeeping attributes used for
   * anchors/watermarks are included too.
   */
  readonly attributes: Readonly<Record<string, Value>>;
  /** True for AD tombstones / recycled objects (isDeleted=TRUE), reported by delta imports. */
  readonly isDeleted: boolean;
  /** AD uSNChanged when known. */
  readonly usnChanged?: bigint;
  /** OpenLDAP entryCSN when known. */
  readonly entryCsn?: string;
  /**
   * For delta imports that report linked-value changes instead of whole lists (AD DirSync with
   * LDAP_DIRSYNC_INCREMENTAL_VALUES): per attribute, the values added and removed since the watermark. When an
   * attribute appears here, `attributes` does not carry its full value list.
   */
  readonly valueChanges?: Readonly<Record<string, ValueChange>>;
  /**
   * Attributes left out of `attributes` because they had more values than `ImportOptions.maxInlineValues`
   * (a 100,000-member group): stream them with `readValues(dn, attribute)`.
   */
  readonly deferredAttributes?: readonly string[];
}

/**
 * Values added to and removed from one multi-valued attribute. For DN-valued attributes the source may also give
 * each value's target objectGUID (same order; null where unknown): resolve by it first, because the DN of a
 * removed value is the one it had when it was linked and may be stale after a rename.
 */
export interface ValueChange {
  readonly added: readonly Value[];
  readonly removed: readonly Value[];
  readonly addedObjectGuids?: readonly (string | null)[];
  readonly removedObjectGuids?: readonly (string | null)[];
}

export type Watermark = string;

export interface ChangeNotificationOptions {
  readonly signal: AbortSignal;
  /** the server pushes changes from now on (RFC 4533: its refresh stage ended) */
  readonly onReady?: () => void;
  /** something changed; may come more than once for one change */
  readonly onChange: () => void;
}

export interface ImportBatch {
  readonly objects: readonly SourceObject[];
  /**
   * Delta imports only: anchors of objects the source reports deleted without the objects themselves (a generic
   * LDAP server's RFC 4533 delete phase names entryUUIDs only). Applied after `objects`, before the watermark.
   */
  readonly deletedAnchors?: readonly string[];
  /**
   * Delta imports only, on the batch with the watermark: the source could not say what was deleted since the
   * previous watermark (an RFC 4533 present phase names what is left, not what went; a cookie the server refused).
   * The engine then reconciles against a listing of every anchor in this cycle instead of at its interval.
   */
  readonly reconcileDeletions?: boolean;
  /**
   * Delta imports only: what the source says is still there, when it can say it (an RFC 4533 present phase names
   * every entry in scope) — anchors over the delta's last batches, at most `batchSize` a batch, the batch with the
   * watermark holding the last of them (an empty list if need be). Once that batch has come they are everything in
   * scope, as listAnchors() would list them, and the engine reconciles against them without asking the source again.
   */
  readonly presentAnchors?: readonly string[];
  /** See the invariants above: safe to persist once this batch and all before it are applied. */
  readonly watermark?: Watermark;
}

export interface ImportOptions {
  /** Upper bound on objects per batch (default 500). */
  readonly batchSize?: number;
  /** Stop early (the engine's cancel). */
  readonly signal?: AbortSignal;
  /**
   * Multi-valued attributes with more values than this are not inlined but listed in `deferredAttributes`
   * (default: everything inline). Bounds the memory a batch can take whatever the group sizes.
   */
  readonly maxInlineValues?: number;
  /**
   * Attributes to read with every object besides the connector's own list. The engine asks for the back link of
   * member (AD: memberOf) when a scope compares memberships, and only then: AD computes it for every entry read
   * (~6% of a 20,000-user Samba sync). A connector without back links may ignore it.
   */
  readonly withAttributes?: readonly string[];
}

/** What a connector can do; the engine narrows on these instead of on connector classes. */
export interface SourceCapabilities {
  /** deltaImport is supported (otherwise the engine runs full imports every cycle). */
  readonly deltaImport: boolean;
  /** Delta imports report deletions themselves (AD DirSync). When false, use listAnchors() to reconcile. */
  readonly deltaReportsDeletions: boolean;
  /** Delta imports report DN changes (renames/moves) of objects that changed nothing else. */
  readonly deltaReportsRenames: boolean;
  /** Delta imports may report `valueChanges` for linked multi-valued attributes instead of full lists. */
  readonly incrementalValues: boolean;
  /** listAnchors() is available. */
  readonly anchorListing: boolean;
  /** The anchor attribute this source offers by default. */
  readonly defaultAnchor: 'objectGUID' | 'entryUUID' | 'dn';
  /**
   * Linked attributes the source maintains both ways (AD: "the system calculates the values of one attribute (the
   * back link) based on the values set on the other attribute (the forward link)"; learn.microsoft.com
   * windows/win32/ad/linked-attributes): forward attribute, lower case → its back link, readable with
   * `readValues(dn, backLink)`. A back link names the objects that refer to `dn` as they are now, renames and
   * moves included, which lets the engine find the referrers of an object that arrives in the scope under a name
   * no referrer was recorded with. Absent: none (LDIF files). The generic LDAP connector declares memberOf, which
   * OpenLDAP keeps only with its memberof overlay: on a server without it reads of it answer nothing, and an import
   * asked for it is refused (ERR_SCOPE_INVALID).
   */
  readonly backLinks?: Readonly<Record<string, string>>;
}

/** What readObject reads. */
export interface ReadObjectOptions {
  /**
   * Only what identifies the object — its DN, type and anchors, whether it is deleted — and none of its other values:
   * what finding an object by GUID needs (a scoping group's current DN, read every cycle, whose member list can hold
   * 50,000 values that ranged retrieval would fetch 1,500 at a time). A connector that holds its objects whole may
   * return them whole.
   */
  readonly identityOnly?: boolean;
}

export interface SourceConnector {
  readonly capabilities: SourceCapabilities;
  /** Every in-scope object; the last batch carries the watermark to start delta imports from. */
  fullImport(options?: ImportOptions): AsyncIterable<ImportBatch>;
  /** Changes since `watermark` (created, modified, renamed/moved and, if capable, deleted objects). */
  deltaImport(watermark: Watermark, options?: ImportOptions): AsyncIterable<ImportBatch>;
  /** One object by DN (complete, with full member lists); undefined when there is no such object in scope. */
  readObject(dn: string, options?: ReadObjectOptions): Promise<SourceObject | undefined>;
  /** The values of one attribute of one object, in bounded chunks (deferred attributes, huge groups). */
  readValues(dn: string, attribute: string, options?: { readonly chunkSize?: number; readonly signal?: AbortSignal }): AsyncIterable<readonly Value[]>;
  /** Every in-scope object's anchor, cheaply (for deletion reconciliation when deltas do not report deletions). */
  listAnchors(options?: ImportOptions): AsyncIterable<readonly string[]>;
  /**
   * Sources that can push: calls `onChange` whenever something in the imported part of the directory changes, until
   * `signal` aborts (then resolves true) or the server ends the notifications (resolves true too: ask again). Resolves
   * false at once when this server offers no push; rejects when the notifications fail. A hint only: what changed
   * is what the next delta import reports.
   */
  changeNotifications?(options: ChangeNotificationOptions): Promise<boolean>;
  close(): Promise<void>;
}

/** The anchor a source object is matched by: consistencyGuid, else objectGUID, else entryUUID, else the DN. */
export function defaultAnchorOf(object: SourceObject): string {
  const { anchors } = object;
  if (anchors.consistencyGuid && anchors.consistencyGuid.length > 0) return Buffer.from(anchors.consistencyGuid).toString('base64');
  if (anchors.objectGuidBytes) return Buffer.from(anchors.objectGuidBytes).toString('base64');
  if (anchors.entryUuid) return anchors.entryUuid;
  return object.dn;
}

export const DEFAULT_BATCH_SIZE = 500;
