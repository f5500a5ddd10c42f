/**
 * The connector space over the store (SQLite or PostgreSQL; tables from migration 0002-connector-space).
 *
 * Every `put` is one transaction, so a batch's entries become durable together; the engine orders these writes
 * after the cloud writes they describe (see synchronization-cycle.ts). Keys are always bound parameters; lists are
 * chunked to stay below both databases' parameter limits.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { canonicalDn } from '../schema/index.ts';
import type { SqlDialect } from '../directory/directory-store.ts';
import { insertRows, type BulkInsert } from '../storage/bulk-insert.ts';
import type {
  ConnectorSpace, ConnectorSpaceEntry, ConnectorSpaceState, PendingReferenceEntry, ReferenceOwner, ReferencePageEnd, ReferenceSet, ReferenceSettlement, ReferenceTarget,
  SynchronizedCount,
} from './connector-space.ts';
import { rebaseDn } from './dn-rebase.ts';

interface ObjectsTable {
  configuration_id: string;
  anchor: string;
  source_type: string;
  target_type: string | null;
  state: string;
  dn: string;
  dn_key: string;
  object_guid: string | null;
  cloud_id: string | null;
  exported: string | null;
  digest: string | null;
  refs_digest: string | null;
  refs_pending: number;
  inline_references: string | null;
  seen_mark: string | null;
  failure_count: number;
  next_retry_at: string | null;
  last_error: string | null;
  updated_at: string;
}

interface ReferencesTable {
  configuration_id: string;
  anchor: string;
  attribute: string;
  target_anchor: string;
  seen_mark: string;
}

interface StateTable {
  configuration_id: string;
  watermark: string | null;
  reconciled_at: string | null;
  updated_at: string;
}

export interface ConnectorSpaceDatabase {
  connector_space_objects: ObjectsTable;
  connector_space_references: ReferencesTable;
  connector_space_state: StateTable;
}

/** The store subset this needs (src/storage's Store satisfies it). */
export interface ConnectorSpaceStore {
  // The store's Kysely is typed with the directory's tables; these tables come from migration 0002.
  readonly db: Kysely<any>;
  readonly dialect: SqlDialect;
}

const CHUNK = 400;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function pushTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group === undefined) groups.set(key, [value]);
  else group.push(value);
}

const OBJECT_COLUMNS = [
  'configuration_id', 'anchor', 'source_type', 'target_type', 'state', 'dn', 'dn_key', 'object_guid', 'cloud_id', 'exported', 'digest',
  'refs_digest', 'refs_pending', 'inline_references', 'seen_mark', 'failure_count', 'next_retry_at', 'last_error', 'updated_at',
] as const satisfies ReadonlyArray<keyof ObjectsTable>;

/** A row in OBJECT_COLUMNS order, for insertRows. */
function toRow(configurationId: string, e: ConnectorSpaceEntry): unknown[] {
  return [
    configurationId,
    e.anchor,
    e.sourceType,
    e.targetType,
    e.state,
    e.dn,
    canonicalDn(e.dn),
    e.objectGuid,
    e.cloudId,
    e.exported === null ? null : JSON.stringify(e.exported),
    // `digest` (a digest of `exported`, from migration 0002) was written for every object and never read: "unchanged"
    // is decided per attribute. Cleared on every write rather than dropped, which would rebuild the table.
    null,
    e.refsDigest,
    e.refsPending ? 1 : 0,
    e.inlineReferences === null ? null : JSON.stringify(e.inlineReferences),
    e.seenMark,
    e.escrow.failureCount,
    e.escrow.nextRetryAt,
    e.escrow.lastError === null ? null : JSON.stringify(e.escrow.lastError),
    e.updatedAt,
  ];
}

/** The columns of a PendingReferenceEntry: all but `exported` (and `digest`, never read). */
const PENDING_COLUMNS = [
  'anchor', 'source_type', 'target_type', 'state', 'dn', 'object_guid', 'cloud_id', 'refs_digest', 'refs_pending', 'inline_references', 'seen_mark',
  'failure_count', 'next_retry_at', 'last_error', 'updated_at',
] as const satisfies ReadonlyArray<keyof ObjectsTable>;
type PendingRow = Pick<ObjectsTable, (typeof PENDING_COLUMNS)[number]>;

function fromRow(r: ObjectsTable): ConnectorSpaceEntry {
  return { ...pendingFromRow(r), exported: r.exported === null ? null : (JSON.parse(r.exported) as Record<string, string>) };
}

function pendingFromRow(r: PendingRow): PendingReferenceEntry {
  return {
    anchor: r.anchor,
    sourceType: r.source_type,
    targetType: r.target_type,
    state: r.state as ConnectorSpaceState,
    dn: r.dn,
    objectGuid: r.object_guid,
    cloudId: r.cloud_id,
    refsDigest: r.refs_digest,
    refsPending: Number(r.refs_pending) === 1,
    inlineReferences: r.inline_references == null ? null : (JSON.parse(r.inline_references) as ConnectorSpaceEntry['inlineReferences']),
    seenMark: r.seen_mark,
    escrow: {
      failureCount: Number(r.failure_count),
      nextRetryAt: r.next_retry_at,
      lastError: r.last_error === null ? null : (JSON.parse(r.last_error) as { code: string; message: string }),
    },
    updatedAt: r.updated_at,
  };
}

const PUT: BulkInsert = {
  table: 'connector_space_objects',
  columns: OBJECT_COLUMNS,
  onConflictUpdate: { key: ['configuration_id', 'anchor'], set: OBJECT_COLUMNS.filter((c) => c !== 'configuration_id' && c !== 'anchor') },
};

const PUT_REFERENCES: BulkInsert = {
  table: 'connector_space_references',
  columns: ['configuration_id', 'anchor', 'attribute', 'target_anchor', 'seen_mark'],
  onConflictUpdate: { key: ['configuration_id', 'anchor', 'attribute', 'target_anchor'], set: ['seen_mark'] },
};

export class SqlConnectorSpace implements ConnectorSpace {
  readonly #db: Kysely<ConnectorSpaceDatabase>;
  readonly #dialect: SqlDialect;
  readonly #id: string;
  readonly #clock: () => Date;

  constructor(store: ConnectorSpaceStore, configurationId: string, options: { readonly clock?: () => Date } = {}) {
    if (typeof configurationId !== 'string' || configurationId === '') throw new TypeError('SqlConnectorSpace needs a configurationId');
    this.#db = store.db as Kysely<ConnectorSpaceDatabase>;
    this.#dialect = store.dialect;
    this.#id = configurationId;
    this.#clock = options.clock ?? (() => new Date());
  }

  #objects(db: Kysely<ConnectorSpaceDatabase> | Transaction<ConnectorSpaceDatabase> = this.#db) {
    return db.selectFrom('connector_space_objects').selectAll().where('configuration_id', '=', this.#id);
  }

  async #byColumn(column: 'anchor' | 'dn_key' | 'object_guid' | 'cloud_id', keys: readonly string[], keyOf: (e: ConnectorSpaceEntry) => string | null) {
    const found = new Map<string, ConnectorSpaceEntry>();
    for (const chunk of chunks([...new Set(keys)])) {
      const rows = await this.#objects().where(column, 'in', chunk).execute();
      for (const row of rows) {
        const entry = fromRow(row);
        const key = column === 'dn_key' ? row.dn_key : keyOf(entry);
        if (key !== null) found.set(key, entry);
      }
    }
    return found;
  }

  get(anchors: readonly string[]) {
    return this.#byColumn('anchor', anchors, (e) => e.anchor);
  }

  getByDnKeys(dnKeys: readonly string[]) {
    return this.#byColumn('dn_key', dnKeys, (e) => canonicalDn(e.dn));
  }

  async resolveDnKeys(dnKeys: readonly string[]): Promise<ReadonlyMap<string, ReferenceTarget>> {
    const found = new Map<string, ReferenceTarget>();
    for (const chunk of chunks([...new Set(dnKeys)])) {
      const rows = await this.#db.selectFrom('connector_space_objects').select(['anchor', 'state', 'cloud_id', 'dn_key'])
        .where('configuration_id', '=', this.#id).where('dn_key', 'in', chunk).execute();
      for (const row of rows) found.set(row.dn_key, { anchor: row.anchor, state: row.state as ConnectorSpaceState, cloudId: row.cloud_id });
    }
    return found;
  }

  getByObjectGuids(guids: readonly string[]) {
    return this.#byColumn('object_guid', guids, (e) => e.objectGuid);
  }

  getByCloudIds(ids: readonly string[]) {
    return this.#byColumn('cloud_id', ids, (e) => e.cloudId);
  }

  async put(entries: readonly ConnectorSpaceEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // PostgreSQL refuses an upsert that touches one row twice in a statement ("cannot affect row a second time"):
    // the last entry for an anchor wins, as sequential puts would.
    const latest = new Map<string, ConnectorSpaceEntry>();
    for (const e of entries) latest.set(e.anchor, e);
    const rows: unknown[][] = [];
    for (const e of latest.values()) rows.push(toRow(this.#id, e));
    await this.#db.transaction().execute((tx) => insertRows(tx, this.#dialect, PUT, rows));
  }

  async remove(anchors: readonly string[]): Promise<void> {
    if (anchors.length === 0) return;
    await this.#db.transaction().execute(async (tx) => {
      for (const chunk of chunks([...new Set(anchors)])) {
        await tx.deleteFrom('connector_space_references').where('configuration_id', '=', this.#id).where('anchor', 'in', chunk).execute();
        await tx.deleteFrom('connector_space_objects').where('configuration_id', '=', this.#id).where('anchor', 'in', chunk).execute();
      }
    });
  }

  async listContainers() {
    // a literal, so that the partial index (… WHERE state = 'container') provably applies
    return (await this.#objects().where(sql<boolean>`state = 'container'`).execute()).map(fromRow);
  }

  async markSeen(anchors: readonly string[], mark: string): Promise<void> {
    for (const chunk of chunks([...new Set(anchors)])) {
      await this.#db.updateTable('connector_space_objects').set({ seen_mark: mark })
        .where('configuration_id', '=', this.#id).where('anchor', 'in', chunk).execute();
    }
  }

  async listUnseen(mark: string, after: string | undefined, limit: number) {
    let query = this.#objects().where('state', '<>', 'deleted')
      .where((eb) => eb.or([eb('seen_mark', 'is', null), eb('seen_mark', '<>', mark)]));
    if (after !== undefined) query = query.where('anchor', '>', after);
    return (await query.orderBy('anchor').limit(limit).execute()).map(fromRow);
  }

  async listDueForRetry(now: string, after: string | undefined, limit: number) {
    let query = this.#objects().where('next_retry_at', 'is not', null).where('next_retry_at', '<=', now);
    if (after !== undefined) query = query.where('anchor', '>', after);
    return (await query.orderBy('anchor').limit(limit).execute()).map(fromRow);
  }

  async listReferencesPending(after: string | undefined, limit: number) {
    // a literal, so that the partial index (… WHERE refs_pending = 1) provably applies
    let query = this.#db.selectFrom('connector_space_objects').select(PENDING_COLUMNS).where('configuration_id', '=', this.#id).where(sql<boolean>`refs_pending = 1`);
    if (after !== undefined) query = query.where('anchor', '>', after);
    return (await query.orderBy('anchor').limit(limit).execute()).map(pendingFromRow);
  }

  async renameSubtree(oldDn: string, newDn: string): Promise<void> {
    const suffix = ',' + canonicalDn(oldDn);
    // LIKE wildcards and escapes in a DN only make the pattern looser (backslashes become `_`); rebaseDn decides.
    const pattern = '%' + suffix.replace(/\\/g, '_');
    let after: string | undefined;
    for (;;) {
      let query = this.#objects().where('dn_key', 'like', pattern as never);
      if (after !== undefined) query = query.where('anchor', '>', after);
      const rows = await query.orderBy('anchor').limit(500).execute();
      if (rows.length === 0) return;
      const moved: ConnectorSpaceEntry[] = [];
      for (const row of rows) {
        const dn = rebaseDn(row.dn, oldDn, newDn);
        if (dn !== undefined) moved.push({ ...fromRow(row), dn, updatedAt: this.#clock().toISOString() });
      }
      await this.put(moved);
      after = rows[rows.length - 1]!.anchor;
    }
  }

  #references() {
    return this.#db.selectFrom('connector_space_references').where('configuration_id', '=', this.#id);
  }

  async getReferences(anchor: string, attribute: string, targetAnchors: readonly string[]): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    for (const chunk of chunks([...new Set(targetAnchors)])) {
      const rows = await this.#references().select('target_anchor').where('anchor', '=', anchor).where('attribute', '=', attribute)
        .where('target_anchor', 'in', chunk).execute();
      for (const row of rows) found.add(row.target_anchor);
    }
    return found;
  }

  async putReferences(sets: readonly ReferenceSet[], mark: string): Promise<void> {
    if (sets.every((set) => set.targetAnchors.length === 0)) return;
    await this.#db.transaction().execute((tx) => this.#putReferencesIn(tx, sets, mark));
  }

  async #putReferencesIn(tx: Transaction<ConnectorSpaceDatabase>, sets: readonly ReferenceSet[], mark: string): Promise<void> {
    const rows: unknown[][] = [];
    for (const { anchor, attribute, targetAnchors } of sets) {
      for (const target of new Set(targetAnchors)) rows.push([this.#id, anchor, attribute, target, mark]);
    }
    if (rows.length > 0) await insertRows(tx, this.#dialect, PUT_REFERENCES, rows);
  }

  async listStaleReferences(anchor: string, attribute: string, mark: string, limit: number): Promise<readonly string[]> {
    const rows = await this.#references().select('target_anchor').where('anchor', '=', anchor).where('attribute', '=', attribute)
      .where('seen_mark', '<>', mark).orderBy('target_anchor').limit(limit).execute();
    return rows.map((r) => r.target_anchor);
  }

  async deleteReferences(anchor: string, attribute: string, targetAnchors: readonly string[]): Promise<void> {
    for (const chunk of chunks([...new Set(targetAnchors)])) {
      await this.#db.deleteFrom('connector_space_references').where('configuration_id', '=', this.#id)
        .where('anchor', '=', anchor).where('attribute', '=', attribute).where('target_anchor', 'in', chunk).execute();
    }
  }

  async getReferenceSets(sets: readonly ReferenceSet[]): Promise<readonly ReferenceSet[]> {
    const found = sets.map(() => new Set<string>());
    const wanted = sets.map((set) => new Set(set.targetAnchors));
    // (set, target) pairs, CHUNK at a time: the query asks for every anchor × attribute × target of the chunk (three
    // plain INs, which the primary key serves on both databases and Kysely builds without raw SQL), so its rows can
    // pair one set's anchor with another's target; only the pairs that were asked are kept.
    const asked = new Map<string, number[]>();
    const pairs: [number, string][] = [];
    sets.forEach((set, index) => {
      pushTo(asked, `${set.anchor}\u0000${set.attribute}`, index);
      for (const target of set.targetAnchors) pairs.push([index, target]);
    });
    for (const chunk of chunks(pairs)) {
      const anchors = new Set(chunk.map(([index]) => sets[index]!.anchor));
      const attributes = new Set(chunk.map(([index]) => sets[index]!.attribute));
      const targets = new Set(chunk.map(([, target]) => target));
      const rows = await this.#references().select(['anchor', 'attribute', 'target_anchor']).where('anchor', 'in', [...anchors])
        .where('attribute', 'in', [...attributes]).where('target_anchor', 'in', [...targets]).execute();
      for (const row of rows) {
        for (const index of asked.get(`${row.anchor}\u0000${row.attribute}`) ?? []) {
          if (wanted[index]!.has(row.target_anchor)) found[index]!.add(row.target_anchor);
        }
      }
    }
    return sets.map((set, index) => ({ anchor: set.anchor, attribute: set.attribute, targetAnchors: [...found[index]!] }));
  }

  async listStaleReferenceSets(owners: readonly ReferenceOwner[], mark: string, limit: number): Promise<readonly ReferenceSet[]> {
    const stale = new Map<string, string[]>();
    for (const chunk of chunks(owners)) {
      // the first `limit` per (anchor, attribute): a window, so that one owner's many stale links cannot crowd out
      // the others' (nor be read whole)
      const ranked = this.#references().select(['anchor', 'attribute', 'target_anchor', sql<number>`row_number() over (partition by anchor, attribute order by target_anchor)`.as('n')])
        .where('anchor', 'in', [...new Set(chunk.map((o) => o.anchor))]).where('attribute', 'in', [...new Set(chunk.map((o) => o.attribute))])
        .where('seen_mark', '<>', mark);
      const rows = await this.#db.selectFrom(ranked.as('ranked')).select(['anchor', 'attribute', 'target_anchor']).where('n', '<=', limit)
        .orderBy('anchor').orderBy('attribute').orderBy('target_anchor').execute();
      for (const row of rows) pushTo(stale, `${row.anchor}\u0000${row.attribute}`, row.target_anchor);
    }
    return owners.map(({ anchor, attribute }) => ({ anchor, attribute, targetAnchors: stale.get(`${anchor}\u0000${attribute}`) ?? [] }));
  }

  async deleteReferenceSets(sets: readonly ReferenceSet[]): Promise<void> {
    if (sets.every((set) => set.targetAnchors.length === 0)) return;
    await this.#db.transaction().execute((tx) => this.#deleteReferenceSetsIn(tx, sets));
  }

  async #deleteReferenceSetsIn(tx: Transaction<ConnectorSpaceDatabase>, sets: readonly ReferenceSet[]): Promise<void> {
    for (const { anchor, attribute, targetAnchors } of sets) {
      for (const chunk of chunks([...new Set(targetAnchors)])) {
        await tx.deleteFrom('connector_space_references').where('configuration_id', '=', this.#id)
          .where('anchor', '=', anchor).where('attribute', '=', attribute).where('target_anchor', 'in', chunk).execute();
      }
    }
  }

  async settleReferences(settlements: readonly ReferenceSettlement[], updatedAt: string): Promise<void> {
    if (settlements.length === 0) return;
    await this.#db.transaction().execute((tx) => this.#settleReferencesIn(tx, settlements, updatedAt));
  }

  async #settleReferencesIn(tx: Transaction<ConnectorSpaceDatabase>, settlements: readonly ReferenceSettlement[], updatedAt: string): Promise<void> {
    // Most entries settle alike (not pending, escrow untouched): one UPDATE per CHUNK of them. An escrow is per entry.
    const alike = new Map<boolean, string[]>();
    const escrowed: ReferenceSettlement[] = [];
    for (const settlement of settlements) {
      if (settlement.escrow === undefined) pushTo(alike, settlement.refsPending, settlement.anchor);
      else escrowed.push(settlement);
    }
    const update = (refsPending: boolean) => tx.updateTable('connector_space_objects')
      .set({ refs_pending: refsPending ? 1 : 0, inline_references: null, updated_at: updatedAt }).where('configuration_id', '=', this.#id);
    for (const [refsPending, anchors] of alike) {
      for (const chunk of chunks(anchors)) await update(refsPending).where('anchor', 'in', chunk).execute();
    }
    for (const { anchor, refsPending, escrow } of escrowed) {
      await update(refsPending).set({
        failure_count: escrow!.failureCount,
        next_retry_at: escrow!.nextRetryAt,
        last_error: escrow!.lastError === null ? null : JSON.stringify(escrow!.lastError),
      }).where('anchor', '=', anchor).execute();
    }
  }

  async endReferencePage(page: ReferencePageEnd): Promise<void> {
    const { forgotten, links, mark, settlements, updatedAt } = page;
    if (settlements.length === 0 && [...forgotten, ...links].every((set) => set.targetAnchors.length === 0)) return;
    await this.#db.transaction().execute(async (tx) => {
      await this.#deleteReferenceSetsIn(tx, forgotten);
      await this.#putReferencesIn(tx, links, mark);
      if (settlements.length > 0) await this.#settleReferencesIn(tx, settlements, updatedAt);
    });
  }

  async listReferrers(targetAnchors: readonly string[]): Promise<readonly string[]> {
    const found = new Set<string>();
    for (const chunk of chunks([...new Set(targetAnchors)])) {
      const rows = await this.#references().select('anchor').distinct().where('target_anchor', 'in', chunk).execute();
      for (const row of rows) found.add(row.anchor);
    }
    return [...found].sort();
  }

  async getWatermark(): Promise<string | null> {
    const row = await this.#db.selectFrom('connector_space_state').select('watermark').where('configuration_id', '=', this.#id).executeTakeFirst();
    return row?.watermark ?? null;
  }

  async setWatermark(watermark: string | null): Promise<void> {
    await this.#db.insertInto('connector_space_state')
      .values({ configuration_id: this.#id, watermark, updated_at: this.#clock().toISOString() })
      .onConflict((oc) => oc.column('configuration_id').doUpdateSet({ watermark, updated_at: this.#clock().toISOString() }))
      .execute();
  }

  async countSynced(): Promise<readonly SynchronizedCount[]> {
    const rows = await this.#db.selectFrom('connector_space_objects').select(['source_type', 'target_type', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('configuration_id', '=', this.#id).where('state', '=', 'synced').groupBy(['source_type', 'target_type']).orderBy('source_type').execute();
    return rows.map((r) => ({ sourceType: r.source_type, targetType: r.target_type ?? '', count: Number(r.n) }));
  }

  async getReconciledAt(): Promise<string | null> {
    const row = await this.#db.selectFrom('connector_space_state').select('reconciled_at').where('configuration_id', '=', this.#id).executeTakeFirst();
    return row?.reconciled_at ?? null;
  }

  async setReconciledAt(time: string | null): Promise<void> {
    await this.#db.insertInto('connector_space_state')
      .values({ configuration_id: this.#id, watermark: null, reconciled_at: time, updated_at: this.#clock().toISOString() })
      .onConflict((oc) => oc.column('configuration_id').doUpdateSet({ reconciled_at: time, updated_at: this.#clock().toISOString() }))
      .execute();
  }

  async clearEscrows(): Promise<void> {
    await this.#db.updateTable('connector_space_objects').set({ failure_count: 0, next_retry_at: null, last_error: null })
      .where('configuration_id', '=', this.#id).where('failure_count', '>', 0).execute();
  }

  async clear(): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx.deleteFrom('connector_space_references').where('configuration_id', '=', this.#id).execute();
      await tx.deleteFrom('connector_space_objects').where('configuration_id', '=', this.#id).execute();
      await tx.deleteFrom('connector_space_state').where('configuration_id', '=', this.#id).execute();
    });
  }
}
