/**
 * The connector space port: the engine's durable memory of one configuration's objects. Declared here, by the
 * engine; implemented over the store (sql-connector-space.ts) and in memory (memory-connector-space.ts).
 *
 * One entry per source object the engine has provisioned (or is provisioning), keyed by anchor, plus one per
 * container (OU) so that scoping can name ancestors by objectGUID. Entry states — changed only by the cycle's
 * export step, always *after* the cloud write they describe has succeeded, except `creating`, which is written
 * *before* the create (the write-ahead intent that makes a create after a crash findable, see
 * synchronization-cycle.ts):
 *
 *   (none) ──intent──▶ creating ──cloud create ok──▶ synced ──cloud delete ok──▶ deleted
 *                         ▲  └──failure: stays creating (escrowed)   ▲   │            │
 *                         │                                          │   └─restore ok─┘
 *   container: an OU (no cloud object), kept for ancestor GUIDs.
 *
 * References (group members, manager) are kept per (anchor, attribute, target anchor): exactly the links the
 * engine has written to the cloud. They are reconciled by mark and sweep so that a 100,000-member group is
 * never held in memory. A link whose target is not synchronized (yet) is kept as a placeholder target anchor
 * `rdn:<canonical RDN>`, so that the object's later arrival can mark its referrers pending.
 *
 * All methods are scoped to the one configuration the instance was created for.
 */
export const CONNECTOR_SPACE_STATES = ['creating', 'synced', 'deleted', 'container'] as const;
export type ConnectorSpaceState = (typeof CONNECTOR_SPACE_STATES)[number];

export interface EscrowState {
  /** consecutive failures of this object (0: not escrowed) */
  readonly failureCount: number;
  /** ISO time after which the object is retried (null: not escrowed) */
  readonly nextRetryAt: string | null;
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

/** The most values of one reference attribute an entry keeps inline (a manager is 1; a small group's members). */
export const INLINE_REFERENCE_LIMIT = 100;

export const NO_ESCROW: EscrowState = Object.freeze({ failureCount: 0, nextRetryAt: null, lastError: null });

export interface ConnectorSpaceEntry {
  readonly anchor: string;
  /** the source object type (user, inetOrgPerson, group, contact, organizationalUnit) */
  readonly sourceType: string;
  /** the cloud directory object type (user, group, orgContact); null for containers */
  readonly targetType: string | null;
  readonly state: ConnectorSpaceState;
  /** the object's DN as last imported */
  readonly dn: string;
  /** objectGUID (canonical text) when the source has one: references are resolved by it first */
  readonly objectGuid: string | null;
  readonly cloudId: string | null;
  /** target attribute → digest of the value last written to the cloud (null: nothing exported yet) */
  readonly exported: Readonly<Record<string, string>> | null;
  /** digest of the reference values last reconciled */
  readonly refsDigest: string | null;
  /** references still to reconcile (changed, or some targets did not exist yet) */
  readonly refsPending: boolean;
  /**
   * The reference DNs the cycle `cycleId` imported with the object (target attribute → DNs), for the direct
   * reference mappings whose whole list the import carried (at most INLINE_REFERENCE_LIMIT values; a streamed list —
   * a huge group, an AD value-change delta — is absent). Reference resolution in that same cycle reconciles from
   * these instead of reading the object back from the source: a full sync of 200,000 users with managers read every
   * user again, one LDAP search each. Only that cycle may use them: a later rename of a target changes the DN in the
   * source (AD follows links) without the referrer being imported again, so kept DNs go stale. null: read the source.
   */
  readonly inlineReferences: { readonly cycleId: string; readonly values: Readonly<Record<string, readonly string[]>> } | null;
  /** the mark of the last full import or anchor listing that saw the object (deletion reconciliation) */
  readonly seenMark: string | null;
  readonly escrow: EscrowState;
  readonly updatedAt: string;
}

/**
 * An entry as reference resolution lists it (listReferencesPending): all of it but the exported digests, which it
 * never uses and which are most of a stored row — read and parsed for 20,000 pending users, they were a fifth of the
 * connector-space time of a full sync with managers.
 */
export type PendingReferenceEntry = Omit<ConnectorSpaceEntry, 'exported'>;

/** What resolving a reference's DN needs of the entry it names (resolveDnKeys): which object, and is it in the cloud. */
export type ReferenceTarget = Pick<ConnectorSpaceEntry, 'anchor' | 'state' | 'cloudId'>;

/** The link targets of one (anchor, attribute), as putReferences records them. */
export interface ReferenceSet {
  readonly anchor: string;
  readonly attribute: string;
  readonly targetAnchors: readonly string[];
}

/** The links of one (anchor, attribute): what listStaleReferenceSets is asked about. */
export interface ReferenceOwner {
  readonly anchor: string;
  readonly attribute: string;
}

/**
 * How reference resolution leaves one entry (settleReferences): pending again or not, and its escrow after a
 * failure. Everything else about the entry stays as stored.
 */
export interface ReferenceSettlement {
  readonly anchor: string;
  /** still to reconcile: a link was refused, or a target is still being created */
  readonly refsPending: boolean;
  /** the escrow after a failure; absent: unchanged */
  readonly escrow?: EscrowState;
}

/** What a page of reference resolution writes at its end (endReferencePage), after the cloud writes it records. */
export interface ReferencePageEnd {
  /** links the page forgets (as deleteReferenceSets) */
  readonly forgotten: readonly ReferenceSet[];
  /** links the page records or re-marks with `mark` (as putReferences), after the forgotten ones are gone */
  readonly links: readonly ReferenceSet[];
  readonly mark: string;
  /** the page's entries (as settleReferences) */
  readonly settlements: readonly ReferenceSettlement[];
  readonly updatedAt: string;
}

/** endReferencePage as its three writes in turn: for a connector space without transactions (in memory, a layer). */
export async function endReferencePageInTurn(space: ConnectorSpace, page: ReferencePageEnd): Promise<void> {
  await space.deleteReferenceSets(page.forgotten);
  await space.putReferences(page.links, page.mark);
  await space.settleReferences(page.settlements, page.updatedAt);
}

export interface SynchronizedCount {
  readonly sourceType: string;
  readonly targetType: string;
  readonly count: number;
}

export interface ConnectorSpace {
  get(anchors: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>>;
  /** entries by canonical DN (canonicalDn of src/schema) */
  getByDnKeys(dnKeys: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>>;
  /** getByDnKeys narrowed to what a reference needs of its target: the read of every reference DN resolution makes */
  resolveDnKeys(dnKeys: readonly string[]): Promise<ReadonlyMap<string, ReferenceTarget>>;
  /** entries by objectGUID (canonical text, lower case) */
  getByObjectGuids(guids: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>>;
  /** entries by cloud object id */
  getByCloudIds(ids: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>>;
  /** inserts or replaces the entries, all in one transaction */
  put(entries: readonly ConnectorSpaceEntry[]): Promise<void>;
  /** forgets these entries and their references */
  remove(anchors: readonly string[]): Promise<void>;
  /** every container entry (OUs: few, loaded once per cycle) */
  listContainers(): Promise<readonly ConnectorSpaceEntry[]>;
  /** sets `seenMark` on the entries of these anchors that exist */
  markSeen(anchors: readonly string[], mark: string): Promise<void>;
  /** entries in state creating/synced/container whose seenMark is not `mark`, ordered by anchor, after `after` */
  listUnseen(mark: string, after: string | undefined, limit: number): Promise<readonly ConnectorSpaceEntry[]>;
  /** escrowed entries whose nextRetryAt is at or before `now`, ordered by anchor, after `after` */
  listDueForRetry(now: string, after: string | undefined, limit: number): Promise<readonly ConnectorSpaceEntry[]>;
  /** entries with refsPending, ordered by anchor, after `after` (without their exported digests) */
  listReferencesPending(after: string | undefined, limit: number): Promise<readonly PendingReferenceEntry[]>;
  /** after an OU rename or move: every entry below `oldDn` gets the new suffix */
  renameSubtree(oldDn: string, newDn: string): Promise<void>;

  /** of these target anchors, the ones recorded as exported links of (anchor, attribute) */
  getReferences(anchor: string, attribute: string, targetAnchors: readonly string[]): Promise<ReadonlySet<string>>;
  /** records exported links (or re-marks existing ones) with `mark`, for several (anchor, attribute) sets in one write */
  putReferences(sets: readonly ReferenceSet[], mark: string): Promise<void>;
  /** links of (anchor, attribute) whose mark is not `mark` */
  listStaleReferences(anchor: string, attribute: string, mark: string, limit: number): Promise<readonly string[]>;
  deleteReferences(anchor: string, attribute: string, targetAnchors: readonly string[]): Promise<void>;
  /**
   * getReferences for a page of (anchor, attribute) sets in one read: per set, in the same order, the target anchors
   * of it that are recorded links (the answer's targetAnchors; empty when none is).
   */
  getReferenceSets(sets: readonly ReferenceSet[]): Promise<readonly ReferenceSet[]>;
  /**
   * listStaleReferences for a page of (anchor, attribute) pairs in one read: per pair, in the same order, its first
   * `limit` links (by target anchor) whose mark is not `mark`. A pair with `limit` of them may have more.
   */
  listStaleReferenceSets(owners: readonly ReferenceOwner[], mark: string, limit: number): Promise<readonly ReferenceSet[]>;
  /** deleteReferences for several (anchor, attribute) sets, in one transaction */
  deleteReferenceSets(sets: readonly ReferenceSet[]): Promise<void>;
  /**
   * Ends reference resolution for these entries in one write, touching only what it decides: the pending flag, the
   * kept reference values (dropped: spent, see inlineReferences), the escrow where given, and updatedAt. Rewriting
   * whole entries for that was a full upsert of every resolved entry. Anchors without an entry are skipped.
   */
  settleReferences(settlements: readonly ReferenceSettlement[], updatedAt: string): Promise<void>;
  /**
   * deleteReferenceSets, putReferences and settleReferences of one page, in that order and in one transaction: a
   * page committed three times (with the directory's and the log's, five), and a commit's cost is the pages it
   * writes, which these share. All or nothing, so a crash leaves the page pending with its links as they were.
   */
  endReferencePage(page: ReferencePageEnd): Promise<void>;
  /** the anchors of entries holding a link to one of these target anchors */
  listReferrers(targetAnchors: readonly string[]): Promise<readonly string[]>;

  getWatermark(): Promise<string | null>;
  setWatermark(watermark: string | null): Promise<void>;
  /** entries in state synced, counted by (sourceType, targetType): the job status's synchronizedEntryCountByType */
  countSynced?(): Promise<readonly SynchronizedCount[]>;
  /**
   * When the last deletion reconciliation (a full import's sweep, or an anchor listing) completed. Optional: a
   * connector space without it makes every delta of a source whose deltas miss deletions reconcile.
   */
  getReconciledAt?(): Promise<string | null>;
  setReconciledAt?(time: string | null): Promise<void>;
  /** clears every entry's escrow (restart with resetScope Escrows) */
  clearEscrows(): Promise<void>;
  /** forgets everything about the configuration (restart with resetScope Full) */
  clear(): Promise<void>;
}
