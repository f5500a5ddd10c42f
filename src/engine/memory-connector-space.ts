/**
 * A complete in-memory connector space (unit tests, on-demand dry runs): the same semantics as the SQL one,
 * including DN subtree renames and mark-and-sweep of references. Not durable.
 */
import { canonicalDn } from '../schema/index.ts';
import {
  NO_ESCROW, endReferencePageInTurn, type ConnectorSpace, type ConnectorSpaceEntry, type ReferenceOwner, type ReferencePageEnd, type ReferenceSet, type ReferenceSettlement,
  type SynchronizedCount,
} from './connector-space.ts';
import { rebaseDn } from './dn-rebase.ts';

const byAnchor = (a: ConnectorSpaceEntry, b: ConnectorSpaceEntry) => (a.anchor < b.anchor ? -1 : a.anchor > b.anchor ? 1 : 0);

export class MemoryConnectorSpace implements ConnectorSpace {
  readonly #entries = new Map<string, ConnectorSpaceEntry>();
  /** `${anchor}\u0000${attribute}` → target anchor → mark */
  readonly #references = new Map<string, Map<string, string>>();
  #watermark: string | null = null;
  #reconciledAt: string | null = null;

  get size(): number {
    return this.#entries.size;
  }

  all(): readonly ConnectorSpaceEntry[] {
    return [...this.#entries.values()].sort(byAnchor);
  }

  async get(anchors: readonly string[]): Promise<ReadonlyMap<string, ConnectorSpaceEntry>> {
    const found = new Map<string, ConnectorSpaceEntry>();
    for (const anchor of anchors) {
      const entry = this.#entries.get(anchor);
      if (entry) found.set(anchor, entry);
    }
    return found;
  }

  #where(keys: readonly string[], keyOf: (e: ConnectorSpaceEntry) => string | null): ReadonlyMap<string, ConnectorSpaceEntry> {
    const wanted = new Set(keys);
    const found = new Map<string, ConnectorSpaceEntry>();
    for (const entry of this.#entries.values()) {
      const key = keyOf(entry);
      if (key !== null && wanted.has(key)) found.set(key, entry);
    }
    return found;
  }

  async getByDnKeys(dnKeys: readonly string[]) {
    return this.#where(dnKeys, (e) => canonicalDn(e.dn));
  }

  resolveDnKeys(dnKeys: readonly string[]) {
    return this.getByDnKeys(dnKeys);
  }

  async getByObjectGuids(guids: readonly string[]) {
    return this.#where(guids, (e) => e.objectGuid);
  }

  async getByCloudIds(ids: readonly string[]) {
    return this.#where(ids, (e) => e.cloudId);
  }

  async put(entries: readonly ConnectorSpaceEntry[]): Promise<void> {
    for (const entry of entries) this.#entries.set(entry.anchor, Object.freeze({ ...entry }));
  }

  async remove(anchors: readonly string[]): Promise<void> {
    for (const anchor of anchors) {
      this.#entries.delete(anchor);
      for (const key of [...this.#references.keys()]) if (key.startsWith(`${anchor}\u0000`)) this.#references.delete(key);
    }
  }

  async listContainers() {
    return [...this.#entries.values()].filter((e) => e.state === 'container');
  }

  async markSeen(anchors: readonly string[], mark: string): Promise<void> {
    for (const anchor of anchors) {
      const entry = this.#entries.get(anchor);
      if (entry) this.#entries.set(anchor, { ...entry, seenMark: mark });
    }
  }

  #page(filter: (e: ConnectorSpaceEntry) => boolean, after: string | undefined, limit: number): readonly ConnectorSpaceEntry[] {
    return [...this.#entries.values()].filter((e) => (after === undefined || e.anchor > after) && filter(e)).sort(byAnchor).slice(0, limit);
  }

  async listUnseen(mark: string, after: string | undefined, limit: number) {
    return this.#page((e) => e.state !== 'deleted' && e.seenMark !== mark, after, limit);
  }

  async listDueForRetry(now: string, after: string | undefined, limit: number) {
    return this.#page((e) => e.escrow.nextRetryAt !== null && e.escrow.nextRetryAt <= now, after, limit);
  }

  async listReferencesPending(after: string | undefined, limit: number) {
    return this.#page((e) => e.refsPending, after, limit);
  }

  async renameSubtree(oldDn: string, newDn: string): Promise<void> {
    for (const entry of [...this.#entries.values()]) {
      const dn = rebaseDn(entry.dn, oldDn, newDn);
      if (dn !== undefined) this.#entries.set(entry.anchor, { ...entry, dn });
    }
  }

  #links(anchor: string, attribute: string): Map<string, string> {
    const key = `${anchor}\u0000${attribute}`;
    let links = this.#references.get(key);
    if (!links) {
      links = new Map();
      this.#references.set(key, links);
    }
    return links;
  }

  async getReferences(anchor: string, attribute: string, targetAnchors: readonly string[]): Promise<ReadonlySet<string>> {
    const links = this.#links(anchor, attribute);
    return new Set(targetAnchors.filter((t) => links.has(t)));
  }

  async putReferences(sets: readonly ReferenceSet[], mark: string): Promise<void> {
    for (const { anchor, attribute, targetAnchors } of sets) {
      const links = this.#links(anchor, attribute);
      for (const target of targetAnchors) links.set(target, mark);
    }
  }

  async listStaleReferences(anchor: string, attribute: string, mark: string, limit: number): Promise<readonly string[]> {
    return [...this.#links(anchor, attribute)].filter(([, m]) => m !== mark).map(([t]) => t).sort().slice(0, limit);
  }

  async deleteReferences(anchor: string, attribute: string, targetAnchors: readonly string[]): Promise<void> {
    const links = this.#links(anchor, attribute);
    for (const target of targetAnchors) links.delete(target);
  }

  async getReferenceSets(sets: readonly ReferenceSet[]): Promise<readonly ReferenceSet[]> {
    return Promise.all(sets.map(async ({ anchor, attribute, targetAnchors }) => ({ anchor, attribute, targetAnchors: [...await this.getReferences(anchor, attribute, targetAnchors)] })));
  }

  async listStaleReferenceSets(owners: readonly ReferenceOwner[], mark: string, limit: number): Promise<readonly ReferenceSet[]> {
    return Promise.all(owners.map(async ({ anchor, attribute }) => ({ anchor, attribute, targetAnchors: await this.listStaleReferences(anchor, attribute, mark, limit) })));
  }

  async deleteReferenceSets(sets: readonly ReferenceSet[]): Promise<void> {
    for (const { anchor, attribute, targetAnchors } of sets) await this.deleteReferences(anchor, attribute, targetAnchors);
  }

  async settleReferences(settlements: readonly ReferenceSettlement[], updatedAt: string): Promise<void> {
    for (const { anchor, refsPending, escrow } of settlements) {
      const entry = this.#entries.get(anchor);
      if (entry) this.#entries.set(anchor, Object.freeze({ ...entry, refsPending, inlineReferences: null, escrow: escrow ?? entry.escrow, updatedAt }));
    }
  }

  endReferencePage(page: ReferencePageEnd): Promise<void> {
    // nothing here can fail half-way: in turn is all or nothing
    return endReferencePageInTurn(this, page);
  }

  async listReferrers(targetAnchors: readonly string[]): Promise<readonly string[]> {
    const wanted = new Set(targetAnchors);
    const found = new Set<string>();
    for (const [key, links] of this.#references) {
      if ([...links.keys()].some((t) => wanted.has(t))) found.add(key.split('\u0000')[0]!);
    }
    return [...found].sort();
  }

  /** every exported link, for assertions */
  references(anchor: string, attribute: string): readonly string[] {
    return [...this.#links(anchor, attribute).keys()].sort();
  }

  async getWatermark() {
    return this.#watermark;
  }

  async setWatermark(watermark: string | null) {
    this.#watermark = watermark;
  }

  async countSynced(): Promise<readonly SynchronizedCount[]> {
    const counts = new Map<string, SynchronizedCount>();
    for (const e of this.#entries.values()) {
      if (e.state !== 'synced') continue;
      const key = `${e.sourceType}\u0000${e.targetType ?? ''}`;
      const found = counts.get(key);
      counts.set(key, { sourceType: e.sourceType, targetType: e.targetType ?? '', count: (found?.count ?? 0) + 1 });
    }
    return [...counts.values()].sort((a, b) => (a.sourceType < b.sourceType ? -1 : a.sourceType > b.sourceType ? 1 : 0));
  }

  async getReconciledAt(): Promise<string | null> {
    return this.#reconciledAt;
  }

  async setReconciledAt(time: string | null): Promise<void> {
    this.#reconciledAt = time;
  }

  async clearEscrows() {
    for (const [anchor, entry] of this.#entries) if (entry.escrow.failureCount > 0 || entry.escrow.nextRetryAt !== null) this.#entries.set(anchor, { ...entry, escrow: NO_ESCROW });
  }

  async clear() {
    this.#entries.clear();
    this.#references.clear();
    this.#watermark = null;
    this.#reconciledAt = null;
  }
}

