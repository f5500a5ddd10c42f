/**
 * A copy-on-write layer over a connector space: reads see the base with this layer's writes applied on top; writes
 * stay in the layer and never reach the base. What a dry run of on-demand provisioning runs the engine against,
 * so the engine's own steps decide what would change while the stored connector space stays as it was.
 *
 * The layer holds only what the run wrote (a handful of entries, the links of one group), never a copy of the
 * base. Listings ask the base for `limit` plus the number of entries the layer shadows, so that entries the layer
 * hides cannot starve a page.
 *
 * Not supported (TypeError): renameSubtree, clearEscrows and clear — operations over entries the layer cannot
 * enumerate. On-demand provisioning never imports an OU (the only cause of a subtree rename) and never resets
 * the connector space.
 */
import { canonicalDn } from '../schema/index.ts';
import {
  endReferencePageInTurn, type ConnectorSpace, type ConnectorSpaceEntry, type PendingReferenceEntry, type ReferenceOwner, type ReferencePageEnd, type ReferenceSet,
  type ReferenceSettlement, type ReferenceTarget,
} from './connector-space.ts';

const byAnchor = (a: { readonly anchor: string }, b: { readonly anchor: string }) => (a.anchor < b.anchor ? -1 : a.anchor > b.anchor ? 1 : 0);
const linkKey = (anchor: string, attribute: string) => `${anchor}\u0000${attribute}`;

export class ConnectorSpaceOverlay implements ConnectorSpace {
  readonly #base: ConnectorSpace;
  /** anchor → the entry as this layer wrote it; null: removed in this layer */
  readonly #entries = new Map<string, ConnectorSpaceEntry | null>();
  /** anchors whose references this layer dropped wholesale (the entry was removed) */
  readonly #droppedReferences = new Set<string>();
  /** `${anchor}\u0000${attribute}` → target anchor → mark (null: deleted in this layer) */
  readonly #links = new Map<string, Map<string, string | null>>();
  #watermark: { value: string | null } | undefined;

  constructor(base: ConnectorSpace) {
    this.#base = base;
  }

  /** The entries this layer changed (null: removed), for showing what a run would have written. */
  changedEntries(): ReadonlyMap<string, ConnectorSpaceEntry | null> {
    return this.#entries;
  }

  /** The links (anchor, attribute, target) this layer added or re-marked (true) or deleted (false). */
  changedReferences(): readonly { readonly anchor: string; readonly attribute: string; readonly target: string; readonly present: boolean }[] {
    const changes: { anchor: string; attribute: string; target: string; present: boolean }[] = [];
    for (const [key, links] of this.#links) {
      const [anchor, attribute] = key.split('\u0000') as [string, string];
      for (const [target, mark] of links) changes.push({ anchor, attribute, target, present: mark !== null });
    }
    return changes;
  }

  async get(anchors: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>> {
    const found = new Map<string, ConnectorSpaceEntry>();
    const fromBase = await this.#base.get(anchors.filter((a) => !this.#entries.has(a)));
    for (const anchor of anchors) {
      const local = this.#entries.get(anchor);
      const entry = local === undefined ? fromBase.get(anchor) : local;
      if (entry !== null && entry !== undefined) found.set(anchor, entry);
    }
    return found;
  }

  // E: what the base answers (an entry, or a projection of one, which the layer's whole entries satisfy)
  async #where<E extends ReferenceTarget>(
    keys: readonly string[],
    fromBase: (keys: readonly string[]) => Promise<ReadonlyMap<string, E>>,
    keyOf: (entry: ConnectorSpaceEntry) => string | null,
  ): Promise<ReadonlyMap<string, E | ConnectorSpaceEntry>> {
    const found = new Map<string, E | ConnectorSpaceEntry>();
    for (const [key, entry] of await fromBase(keys)) if (!this.#entries.has(entry.anchor)) found.set(key, entry);
    const wanted = new Set(keys);
    for (const entry of this.#entries.values()) {
      const key = entry === null ? null : keyOf(entry);
      if (entry !== null && key !== null && wanted.has(key)) found.set(key, entry);
    }
    return found;
  }

  getByDnKeys(dnKeys: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>> {
    return this.#where(dnKeys, (keys) => this.#base.getByDnKeys(keys), (e) => canonicalDn(e.dn));
  }

  resolveDnKeys(dnKeys: readonly string[]): Promise<ReadonlyMap<string, ReferenceTarget>> {
    return this.#where(dnKeys, (keys) => this.#base.resolveDnKeys(keys), (e) => canonicalDn(e.dn));
  }

  getByObjectGuids(guids: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>> {
    return this.#where(guids, (keys) => this.#base.getByObjectGuids(keys), (e) => e.objectGuid);
  }

  getByCloudIds(ids: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>> {
    return this.#where(ids, (keys) => this.#base.getByCloudIds(keys), (e) => e.cloudId);
  }

  async put(entries: readonly ConnectorSpaceEntry[]): Promise<void> {
    for (const entry of entries) this.#entries.set(entry.anchor, Object.freeze({ ...entry }));
  }

  async remove(anchors: readonly string[]): Promise<void> {
    for (const anchor of anchors) {
      this.#entries.set(anchor, null);
      this.#droppedReferences.add(anchor);
      for (const key of [...this.#links.keys()]) if (key.startsWith(`${anchor}\u0000`)) this.#links.delete(key);
    }
  }

  async listContainers(): Promise<readonly ConnectorSpaceEntry[]> {
    const base = (await this.#base.listContainers()).filter((e) => !this.#entries.has(e.anchor));
    const local = [...this.#entries.values()].filter((e): e is ConnectorSpaceEntry => e !== null && e.state === 'container');
    return [...base, ...local];
  }

  async markSeen(anchors: readonly string[], mark: string): Promise<void> {
    const current = await this.get(anchors);
    await this.put([...current.values()].map((entry) => ({ ...entry, seenMark: mark })));
  }

  async #page<E extends PendingReferenceEntry>(
    fromBase: (limit: number) => Promise<readonly E[]>,
    filter: (entry: ConnectorSpaceEntry) => boolean,
    after: string | undefined,
    limit: number,
  ): Promise<readonly (E | ConnectorSpaceEntry)[]> {
    const base = (await fromBase(limit + this.#entries.size)).filter((e) => !this.#entries.has(e.anchor));
    const local = [...this.#entries.values()].filter((e): e is ConnectorSpaceEntry => e !== null && (after === undefined || e.anchor > after) && filter(e));
    return [...base, ...local].sort(byAnchor).slice(0, limit);
  }

  listUnseen(mark: string, after: string | undefined, limit: number): Promise<readonly ConnectorSpaceEntry[]> {
    return this.#page((n) => this.#base.listUnseen(mark, after, n), (e) => e.state !== 'deleted' && e.seenMark !== mark, after, limit);
  }

  listDueForRetry(now: string, after: string | undefined, limit: number): Promise<readonly ConnectorSpaceEntry[]> {
    return this.#page((n) => this.#base.listDueForRetry(now, after, n), (e) => e.escrow.nextRetryAt !== null && e.escrow.nextRetryAt <= now, after, limit);
  }

  listReferencesPending(after: string | undefined, limit: number): Promise<readonly PendingReferenceEntry[]> {
    return this.#page((n) => this.#base.listReferencesPending(after, n), (e) => e.refsPending, after, limit);
  }

  renameSubtree(): Promise<void> {
    throw new TypeError('a connector-space overlay cannot rename a subtree: it cannot enumerate the base entries below a DN');
  }

  #layer(anchor: string, attribute: string): Map<string, string | null> {
    const key = linkKey(anchor, attribute);
    let links = this.#links.get(key);
    if (links === undefined) {
      links = new Map();
      this.#links.set(key, links);
    }
    return links;
  }

  async getReferences(anchor: string, attribute: string, targetAnchors: readonly string[]): Promise<ReadonlySet<string>> {
    const [found] = await this.getReferenceSets([{ anchor, attribute, targetAnchors }]);
    return new Set(found!.targetAnchors);
  }

  async getReferenceSets(sets: readonly ReferenceSet[]): Promise<readonly ReferenceSet[]> {
    // the base answers for the targets this layer has not written, of the anchors whose links it has not dropped
    const asked = sets.map((set) => {
      const layer = this.#layer(set.anchor, set.attribute);
      return { ...set, targetAnchors: this.#droppedReferences.has(set.anchor) ? [] : set.targetAnchors.filter((t) => !layer.has(t)) };
    });
    const fromBase = await this.#base.getReferenceSets(asked);
    return sets.map(({ anchor, attribute, targetAnchors }, index) => {
      const layer = this.#layer(anchor, attribute);
      const base = new Set(fromBase[index]!.targetAnchors);
      return { anchor, attribute, targetAnchors: targetAnchors.filter((t) => (layer.has(t) ? layer.get(t) !== null : base.has(t))) };
    });
  }

  async putReferences(sets: readonly ReferenceSet[], mark: string): Promise<void> {
    for (const { anchor, attribute, targetAnchors } of sets) {
      const layer = this.#layer(anchor, attribute);
      for (const target of targetAnchors) layer.set(target, mark);
    }
  }

  async listStaleReferences(anchor: string, attribute: string, mark: string, limit: number): Promise<readonly string[]> {
    const [stale] = await this.listStaleReferenceSets([{ anchor, attribute }], mark, limit);
    return stale!.targetAnchors;
  }

  async listStaleReferenceSets(owners: readonly ReferenceOwner[], mark: string, limit: number): Promise<readonly ReferenceSet[]> {
    // The base is asked for `limit` plus what this layer shadows of the largest owner, so that links the layer
    // re-marked or deleted cannot starve an owner's first `limit`.
    const fromBase = owners.filter((o) => !this.#droppedReferences.has(o.anchor));
    const shadowed = Math.max(0, ...owners.map((o) => this.#layer(o.anchor, o.attribute).size));
    const base = new Map((await this.#base.listStaleReferenceSets(fromBase, mark, limit + shadowed)).map((set) => [linkKey(set.anchor, set.attribute), set.targetAnchors]));
    return owners.map(({ anchor, attribute }) => {
      const layer = this.#layer(anchor, attribute);
      const stale = new Set((base.get(linkKey(anchor, attribute)) ?? []).filter((t) => !layer.has(t)));
      for (const [target, targetMark] of layer) if (targetMark !== null && targetMark !== mark) stale.add(target);
      return { anchor, attribute, targetAnchors: [...stale].sort().slice(0, limit) };
    });
  }

  async deleteReferences(anchor: string, attribute: string, targetAnchors: readonly string[]): Promise<void> {
    const layer = this.#layer(anchor, attribute);
    for (const target of targetAnchors) layer.set(target, null);
  }

  async deleteReferenceSets(sets: readonly ReferenceSet[]): Promise<void> {
    for (const { anchor, attribute, targetAnchors } of sets) await this.deleteReferences(anchor, attribute, targetAnchors);
  }

  endReferencePage(page: ReferencePageEnd): Promise<void> {
    // the layer is in memory, and a run that fails throws it away: in turn is enough
    return endReferencePageInTurn(this, page);
  }

  async settleReferences(settlements: readonly ReferenceSettlement[], updatedAt: string): Promise<void> {
    const current = await this.get(settlements.map((s) => s.anchor));
    await this.put(settlements.flatMap(({ anchor, refsPending, escrow }) => {
      const entry = current.get(anchor);
      return entry === undefined ? [] : [{ ...entry, refsPending, inlineReferences: null, escrow: escrow ?? entry.escrow, updatedAt }];
    }));
  }

  /**
   * Referrers by the base's links plus this layer's. A base link this layer deleted may still name its referrer:
   * the engine then only reconciles that referrer's references once more, which in a dry run writes nothing.
   */
  async listReferrers(targetAnchors: readonly string[]): Promise<readonly string[]> {
    const wanted = new Set(targetAnchors);
    const found = new Set((await this.#base.listReferrers(targetAnchors)).filter((a) => !this.#droppedReferences.has(a)));
    for (const [key, links] of this.#links) {
      if ([...links].some(([target, mark]) => mark !== null && wanted.has(target))) found.add(key.split('\u0000')[0]!);
    }
    return [...found].sort();
  }

  async getWatermark(): Promise<string | null> {
    return this.#watermark === undefined ? this.#base.getWatermark() : this.#watermark.value;
  }

  async setWatermark(watermark: string | null): Promise<void> {
    this.#watermark = { value: watermark };
  }

  clearEscrows(): Promise<void> {
    throw new TypeError('a connector-space overlay cannot clear escrows: it cannot enumerate the base entries');
  }

  clear(): Promise<void> {
    throw new TypeError('a connector-space overlay cannot clear the connector space: it cannot enumerate the base entries');
  }
}
