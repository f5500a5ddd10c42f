/**
 * A complete in-memory source directory implementing the SourceConnector port with AD-like delta semantics:
 * a change sequence, deltas report the latest state of every object changed since a watermark (renames and moves
 * with the same objectGUID, deletions as isDeleted tombstones), and an OU rename changes its children's DNs
 * without reporting them (as DirSync does). Used to drive delta cycles in engine tests.
 */
import { formatGuid } from '../../src/connectors/guid.ts';
import { parentDn, sameDn, isUnder } from '../../src/connectors/distinguished-name.ts';
import {
  DEFAULT_BATCH_SIZE,
  defaultAnchorOf,
  type ImportBatch,
  type ImportOptions,
  type SourceCapabilities,
  type SourceConnector,
  type SourceObject,
  type SourceObjectType,
  type Watermark,
} from '../../src/connectors/source-connector.ts';
import { reference, type Value } from '../../src/expressions/value.ts';
import { rebaseDn } from '../../src/engine/dn-rebase.ts';

/** As AD's: member / memberOf, manager / directReports (src/connectors/ldap/active-directory-connector.ts). */
const BACK_LINKS: Readonly<Record<string, string>> = Object.freeze({ member: 'memberOf', manager: 'directReports' });

interface Stored {
  object: SourceObject;
  seq: number;
}

let guidCounter = 1;

export function newGuidBytes(): Uint8Array {
  const bytes = new Uint8Array(16);
  const n = guidCounter++;
  new DataView(bytes.buffer).setUint32(0, n, true);
  bytes[8] = 0x80;
  bytes[15] = 0x42;
  return bytes;
}

export class MemorySource implements SourceConnector {
  readonly capabilities: SourceCapabilities = Object.freeze({
    deltaImport: true,
    deltaReportsDeletions: true,
    deltaReportsRenames: true,
    incrementalValues: false,
    anchorListing: true,
    defaultAnchor: 'objectGUID',
    backLinks: BACK_LINKS,
  });

  readonly #objects = new Map<string, Stored>();
  #seq = 0;

  /** Adds an object; attributes given as plain values (DN-valued ones through `member`/`manager` as DN strings). */
  add(type: SourceObjectType, dn: string, attributes: Record<string, Value> = {}, objectClasses?: readonly string[]): SourceObject {
    const bytes = newGuidBytes();
    const object: SourceObject = {
      type,
      objectClasses: objectClasses ?? defaultClasses(type),
      dn,
      parentDn: parentDn(dn),
      anchors: { objectGuid: formatGuid(bytes), objectGuidBytes: bytes },
      attributes: { objectGUID: bytes, ...normalize(attributes) },
      isDeleted: false,
    };
    this.#store(object);
    return object;
  }

  #store(object: SourceObject): void {
    this.#objects.set(defaultAnchorOf(object), { object, seq: ++this.#seq });
  }

  #find(dnOrAnchor: string): Stored {
    const direct = this.#objects.get(dnOrAnchor);
    if (direct) return direct;
    for (const stored of this.#objects.values()) if (!stored.object.isDeleted && sameDn(stored.object.dn, dnOrAnchor)) return stored;
    throw new Error(`no object ${dnOrAnchor}`);
  }

  anchorOf(dn: string): string {
    return defaultAnchorOf(this.#find(dn).object);
  }

  get(dn: string): SourceObject {
    return this.#find(dn).object;
  }

  modify(dn: string, changes: Record<string, Value | undefined>): void {
    const { object } = this.#find(dn);
    const attributes: Record<string, Value> = { ...object.attributes };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === null) delete attributes[name];
      else Object.assign(attributes, normalize({ [name]: value }));
    }
    this.#store({ ...object, attributes });
  }

  /** Renames or moves an object. An OU's subtree follows silently (not reported by deltas), as in AD. */
  move(dn: string, newDn: string): void {
    const { object } = this.#find(dn);
    this.#store({ ...object, dn: newDn, parentDn: parentDn(newDn) });
    if (object.type === 'organizationalUnit') {
      for (const [anchor, stored] of this.#objects) {
        const moved = rebaseDn(stored.object.dn, dn, newDn);
        if (moved !== undefined) this.#objects.set(anchor, { object: { ...stored.object, dn: moved, parentDn: parentDn(moved) }, seq: stored.seq });
      }
    }
    // linked attributes follow renames (AD keeps links by GUID)
    for (const [anchor, stored] of this.#objects) {
      let changed = false;
      const attributes: Record<string, Value> = { ...stored.object.attributes };
      for (const name of ['member', 'manager']) {
        const value = attributes[name];
        if (value === undefined || value === null) continue;
        const list = (Array.isArray(value) ? value : [value]) as Value[];
        const next = list.map((v) => {
          const text = typeof v === 'object' && v !== null && 'dn' in (v as object) ? (v as { dn: string }).dn : String(v);
          const rebased = sameDn(text, dn) ? newDn : rebaseDn(text, dn, newDn);
          if (rebased === undefined) return v;
          changed = true;
          return reference(rebased);
        });
        attributes[name] = Array.isArray(value) ? next as Value : next[0] as Value;
      }
      if (changed) this.#objects.set(anchor, { object: { ...stored.object, attributes }, seq: stored.seq });
    }
  }

  /** Deletes (tombstone; deltas report isDeleted). Links to it disappear from groups, as in AD. */
  delete(dn: string): void {
    const { object } = this.#find(dn);
    this.#store({ ...object, isDeleted: true, dn: `CN=${object.anchors.objectGuid}\\0ADEL,CN=Deleted Objects` });
    this.#unlink(object.dn);
  }

  /** Brings a tombstone back under its objectGUID (recycle-bin restore). */
  restore(anchor: string, dn: string): void {
    const stored = this.#objects.get(anchor);
    if (!stored) throw new Error(`no object ${anchor}`);
    this.#store({ ...stored.object, isDeleted: false, dn, parentDn: parentDn(dn) });
  }

  #unlink(dn: string): void {
    for (const [anchor, stored] of this.#objects) {
      const member = stored.object.attributes['member'];
      if (!Array.isArray(member)) continue;
      const kept = member.filter((v) => !sameDn(typeof v === 'string' ? v : (v as { dn: string }).dn, dn));
      if (kept.length !== member.length) {
        const attributes = { ...stored.object.attributes, member: kept };
        if (kept.length === 0) delete (attributes as Record<string, Value>)['member'];
        this.#objects.set(anchor, { object: { ...stored.object, attributes }, seq: ++this.#seq });
      }
    }
  }

  addMember(groupDn: string, memberDn: string): void {
    const { object } = this.#find(groupDn);
    const current = (object.attributes['member'] ?? []) as readonly Value[];
    this.#store({ ...object, attributes: { ...object.attributes, member: [...current, reference(memberDn)] as Value } });
  }

  removeMember(groupDn: string, memberDn: string): void {
    const { object } = this.#find(groupDn);
    const current = (object.attributes['member'] ?? []) as readonly Value[];
    const kept = current.filter((v) => !sameDn((v as { dn: string }).dn, memberDn));
    const attributes: Record<string, Value> = { ...object.attributes, member: kept as Value };
    if (kept.length === 0) delete attributes['member'];
    this.#store({ ...object, attributes });
  }

  #watermark(): Watermark {
    return JSON.stringify({ v: 1, kind: 'memory', seq: this.#seq });
  }

  *#batches(objects: SourceObject[], options: ImportOptions, watermark: Watermark): Generator<ImportBatch> {
    const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const max = options.maxInlineValues;
    const fitted = objects.map((o) => {
      if (max === undefined) return o;
      const deferred: string[] = [];
      const attributes: Record<string, Value> = {};
      for (const [name, value] of Object.entries(o.attributes)) {
        if (Array.isArray(value) && value.length > max) deferred.push(name);
        else attributes[name] = value;
      }
      return deferred.length === 0 ? o : { ...o, attributes, deferredAttributes: deferred };
    });
    if (fitted.length === 0) {
      yield { objects: [], watermark };
      return;
    }
    for (let i = 0; i < fitted.length; i += size) {
      options.signal?.throwIfAborted();
      const last = i + size >= fitted.length;
      yield { objects: fitted.slice(i, i + size), ...(last ? { watermark } : {}) };
    }
  }

  #ordered(filter: (s: Stored) => boolean): SourceObject[] {
    // ancestors first, as DirSync's LDAP_DIRSYNC_ANCESTORS_FIRST_ORDER
    return [...this.#objects.values()].filter(filter).sort((a, b) => depth(a.object.dn) - depth(b.object.dn) || a.seq - b.seq).map((s) => s.object);
  }

  async *fullImport(options: ImportOptions = {}): AsyncGenerator<ImportBatch> {
    const watermark = this.#watermark();
    yield* this.#batches(this.#ordered((s) => !s.object.isDeleted), options, watermark);
  }

  /**
   * Deltas report a deletion by its anchor alone (`ImportBatch.deletedAnchors`, after the changed objects), as a
   * generic LDAP server's RFC 4533 delete phase does, instead of as a tombstone.
   */
  deletionsByAnchor = false;

  async *deltaImport(watermark: Watermark, options: ImportOptions = {}): AsyncGenerator<ImportBatch> {
    const { seq } = JSON.parse(watermark) as { seq: number };
    const current = this.#watermark();
    const changed = this.#ordered((s) => s.seq > seq);
    if (!this.deletionsByAnchor) {
      yield* this.#batches(changed, options, current);
      return;
    }
    const deletedAnchors = changed.filter((o) => o.isDeleted).map(defaultAnchorOf);
    const live = changed.filter((o) => !o.isDeleted);
    if (live.length > 0) for await (const batch of this.#batches(live, options, current)) yield { objects: batch.objects };
    yield { objects: [], ...(deletedAnchors.length === 0 ? {} : { deletedAnchors }), watermark: current };
  }

  async readObject(dn: string): Promise<SourceObject | undefined> {
    for (const stored of this.#objects.values()) if (!stored.object.isDeleted && sameDn(stored.object.dn, dn)) return stored.object;
    return undefined;
  }

  async *readValues(dn: string, attribute: string, options: { chunkSize?: number } = {}): AsyncGenerator<readonly Value[]> {
    const object = await this.readObject(dn);
    const forward = Object.entries(BACK_LINKS).find(([, backLink]) => backLink.toLowerCase() === attribute.toLowerCase())?.[0];
    // A back link is not stored: it is every live object whose forward link names this one, as AD computes it.
    const value = forward === undefined ? object?.attributes[attribute] : object === undefined ? undefined : this.#referrers(object.dn, forward);
    if (value === undefined || value === null) return;
    const all = (Array.isArray(value) ? value : [value]) as Value[];
    const size = options.chunkSize ?? 1000;
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  }

  #referrers(dn: string, forward: string): Value[] {
    const referrers: Value[] = [];
    for (const { object } of this.#objects.values()) {
      if (object.isDeleted) continue;
      const value = object.attributes[forward];
      const list = (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]) as Value[];
      if (list.some((v) => sameDn(typeof v === 'object' && v !== null && 'dn' in (v as object) ? (v as { dn: string }).dn : String(v), dn))) referrers.push(reference(object.dn));
    }
    return referrers;
  }

  async *listAnchors(options: ImportOptions = {}): AsyncGenerator<readonly string[]> {
    const anchors = [...this.#objects.values()].filter((s) => !s.object.isDeleted).map((s) => defaultAnchorOf(s.object));
    const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
    for (let i = 0; i < anchors.length; i += size) yield anchors.slice(i, i + size);
  }

  async close(): Promise<void> {}

  /** objects below a DN (for building fixtures) */
  under(base: string): readonly SourceObject[] {
    return [...this.#objects.values()].map((s) => s.object).filter((o) => !o.isDeleted && isUnder(o.dn, base));
  }
}

function depth(dn: string): number {
  return dn.split(/(?<!\\),/).length;
}

function defaultClasses(type: SourceObjectType): readonly string[] {
  switch (type) {
    case 'user': return ['top', 'person', 'organizationalPerson', 'user'];
    case 'inetOrgPerson': return ['top', 'person', 'organizationalPerson', 'inetOrgPerson'];
    case 'group': return ['top', 'group'];
    case 'contact': return ['top', 'person', 'organizationalPerson', 'contact'];
    case 'organizationalUnit': return ['top', 'organizationalUnit'];
  }
}

function normalize(attributes: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'member') out[name] = ((Array.isArray(value) ? value : [value]) as Value[]).map((v) => (typeof v === 'string' ? reference(v) : v)) as Value;
    else if (name === 'manager' && typeof value === 'string') out[name] = reference(value);
    else out[name] = value;
  }
  return out;
}
