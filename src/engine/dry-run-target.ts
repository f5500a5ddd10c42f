/**
 * A target directory that reads through to the real one and writes nowhere: what a dry run of on-demand
 * provisioning exports into. The engine's export step runs unchanged against it, so a dry run plans exactly what a
 * real run would write (the same creates, the same old → new differences), and the writes it would have made are
 * kept as a list to show.
 *
 * Invariant: no method of the real target that changes anything is ever called. Objects "created" here get ids
 * `dry-run:<uuid>`, which exist only in this instance; reads of them, and of objects "updated" or "deleted" here,
 * answer from this instance, so that later steps of the same run (reference resolution) see a consistent world.
 *
 * The directory's uniqueness rules (src/directory: userPrincipalName and onPremisesImmutableId among users, SMTP
 * proxy addresses among users and groups) are checked against the real directory before a planned create or
 * update, and a conflict fails the write with the directory's error code, so a dry run shows the failure the real
 * run would meet. Other refusals (property formats, limits) are not predicted.
 */
import { CloudsyncError } from '../errors/index.ts';
import type { ReferenceLink, ReferenceLinkResult, TargetDirectory, TargetObject, TargetType, TargetUpdate, TargetValue, TargetWriteResult, TenantDomains } from './target-directory.ts';

export const DRY_RUN_ID_PREFIX = 'dry-run:';

export const PLANNED_WRITE_OPERATIONS = ['create', 'update', 'delete', 'restore', 'addMember', 'removeMember', 'setReference'] as const;
export type PlannedWriteOperation = (typeof PLANNED_WRITE_OPERATIONS)[number];

/** A write the dry run did not make. `id` is the object written (a `dry-run:` id for one it would create). */
export interface PlannedWrite {
  readonly operation: PlannedWriteOperation;
  readonly type: TargetType | null;
  readonly id: string;
  /** the property names written (never their values: they may be redacted ones) */
  readonly properties?: readonly string[];
  /** the member or referenced object of a link write */
  readonly targetId?: string | null;
}

export class DryRunTarget implements TargetDirectory {
  readonly #base: TargetDirectory;
  readonly #newId: () => string;
  /** objects created, updated or restored in this run (latest state); null: deleted in this run */
  readonly #objects = new Map<string, TargetObject | null>();
  readonly #types = new Map<string, TargetType>();
  readonly writes: PlannedWrite[] = [];

  constructor(base: TargetDirectory, newId: () => string) {
    this.#base = base;
    this.#newId = newId;
  }

  domains(): Promise<TenantDomains> {
    return this.#base.domains();
  }

  supportsAttribute(type: TargetType, attribute: string): boolean {
    return this.#base.supportsAttribute(type, attribute);
  }

  supportsReference(type: TargetType, attribute: string): boolean {
    return this.#base.supportsReference(type, attribute);
  }

  async findBy(type: TargetType, property: string, values: readonly string[]): Promise<readonly TargetObject[]> {
    return (await this.#base.findBy(type, property, values)).filter((object) => this.#objects.get(object.id) !== null);
  }

  async findByProxyAddress(type: TargetType, address: string): Promise<readonly TargetObject[]> {
    return (await this.#base.findByProxyAddress(type, address)).filter((object) => this.#objects.get(object.id) !== null);
  }

  async get(type: TargetType, id: string): Promise<TargetObject | undefined> {
    const local = this.#objects.get(id);
    if (local === null) return undefined;
    if (local !== undefined) return this.#types.get(id) === type ? local : undefined;
    return id.startsWith(DRY_RUN_ID_PREFIX) ? undefined : this.#base.get(type, id);
  }

  async #checkUnique(type: TargetType, id: string | undefined, properties: Readonly<Record<string, TargetValue>>): Promise<void> {
    const refuse = (code: 'ERR_DIR_UPN_CONFLICT' | 'ERR_DIR_IMMUTABLE_ID_CONFLICT' | 'ERR_DIR_PROXY_ADDRESS_CONFLICT', what: string, other: TargetObject) =>
      new CloudsyncError(code, `${what} is already used by ${String(other['displayName'] ?? other.id)} (${other.id}): the cloud directory would refuse this write`, {
        details: { conflictingObjectId: other.id },
      });
    const others = (found: readonly TargetObject[]) => found.filter((o) => o.id !== id && this.#objects.get(o.id) !== null);
    if (type === 'user') {
      const upn = properties['userPrincipalName'];
      if (typeof upn === 'string' && upn !== '') {
        const other = others(await this.#base.findBy('user', 'userPrincipalName', [upn])).find((o) => String(o['userPrincipalName']).toLowerCase() === upn.toLowerCase());
        if (other !== undefined) throw refuse('ERR_DIR_UPN_CONFLICT', `userPrincipalName ${upn}`, other);
      }
      const immutableId = properties['onPremisesImmutableId'];
      if (typeof immutableId === 'string' && immutableId !== '') {
        const other = others(await this.#base.findBy('user', 'onPremisesImmutableId', [immutableId])).find((o) => o['onPremisesImmutableId'] === immutableId);
        if (other !== undefined) throw refuse('ERR_DIR_IMMUTABLE_ID_CONFLICT', `onPremisesImmutableId ${immutableId}`, other);
      }
    }
    const addresses = properties['proxyAddresses'];
    if ((type === 'user' || type === 'group') && Array.isArray(addresses)) {
      for (const address of addresses as readonly string[]) {
        if (!/^smtp:/i.test(address)) continue;
        const smtp = address.slice(5);
        for (const otherType of ['user', 'group'] as const) {
          const other = others(await this.#base.findByProxyAddress(otherType, smtp))[0];
          if (other !== undefined) throw refuse('ERR_DIR_PROXY_ADDRESS_CONFLICT', `SMTP address ${smtp}`, other);
        }
      }
    }
  }

  async create(type: TargetType, properties: Readonly<Record<string, TargetValue>>): Promise<TargetObject> {
    await this.#checkUnique(type, undefined, properties);
    const object: TargetObject = { ...properties, id: `${DRY_RUN_ID_PREFIX}${this.#newId()}` };
    this.#objects.set(object.id, object);
    this.#types.set(object.id, type);
    this.writes.push({ operation: 'create', type, id: object.id, properties: Object.keys(properties) });
    return object;
  }

  async createMany(type: TargetType, items: readonly Readonly<Record<string, TargetValue>>[]): Promise<readonly TargetObject[]> {
    const created: TargetObject[] = [];
    for (const item of items) created.push(await this.create(type, item));
    return created;
  }

  async createEach(type: TargetType, items: readonly Readonly<Record<string, TargetValue>>[]): Promise<readonly TargetWriteResult[]> {
    const results: TargetWriteResult[] = [];
    for (const item of items) {
      try {
        results.push({ ok: true, object: await this.create(type, item) });
      } catch (error) {
        if (!(error instanceof CloudsyncError)) throw error;
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  async update(type: TargetType, id: string, patch: Readonly<Record<string, TargetValue>>): Promise<TargetObject> {
    await this.#checkUnique(type, id, patch);
    return this.#planUpdate(type, id, patch);
  }

  /** All or nothing as the real one: every item is checked before any is planned (a refusal plans none). */
  async updateMany(type: TargetType, items: readonly TargetUpdate[]): Promise<readonly TargetObject[]> {
    for (const { id, patch } of items) await this.#checkUnique(type, id, patch);
    const updated: TargetObject[] = [];
    for (const { id, patch } of items) updated.push(await this.#planUpdate(type, id, patch));
    return updated;
  }

  async updateEach(type: TargetType, items: readonly TargetUpdate[]): Promise<readonly TargetWriteResult[]> {
    const results: TargetWriteResult[] = [];
    for (const { id, patch } of items) {
      try {
        results.push({ ok: true, object: await this.update(type, id, patch) });
      } catch (error) {
        if (!(error instanceof CloudsyncError)) throw error;
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  async getMany(type: TargetType, ids: readonly string[]): Promise<readonly (TargetObject | undefined)[]> {
    const found: (TargetObject | undefined)[] = [];
    for (const id of ids) found.push(await this.get(type, id));
    return found;
  }

  async #planUpdate(type: TargetType, id: string, patch: Readonly<Record<string, TargetValue>>): Promise<TargetObject> {
    const current = (await this.get(type, id)) ?? { id };
    const object: TargetObject = { ...current, ...patch, id };
    this.#objects.set(id, object);
    this.#types.set(id, type);
    this.writes.push({ operation: 'update', type, id, properties: Object.keys(patch) });
    return object;
  }

  async delete(type: TargetType, id: string): Promise<void> {
    this.#objects.set(id, null);
    this.writes.push({ operation: 'delete', type, id });
  }

  /** The same planned writes as one delete per id (a dry run predicts no refusal of a delete). */
  async deleteMany(type: TargetType, ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.delete(type, id);
  }

  /**
   * The real target has no read of deleted items, so the restored object is known only by its id: the export
   * then shows every mapped value as written, which is what a restore followed by the update would write at most.
   */
  async restore(id: string): Promise<TargetObject> {
    const object: TargetObject = { id };
    this.#objects.set(id, object);
    this.writes.push({ operation: 'restore', type: null, id });
    return object;
  }

  /** The same planned writes as one restore per id (a dry run predicts no refusal of a restore). */
  async restoreMany(ids: readonly string[]): Promise<readonly TargetObject[]> {
    const restored: TargetObject[] = [];
    for (const id of ids) restored.push(await this.restore(id));
    return restored;
  }

  async addMember(groupId: string, memberId: string): Promise<void> {
    this.writes.push({ operation: 'addMember', type: 'group', id: groupId, targetId: memberId });
  }

  async removeMember(groupId: string, memberId: string): Promise<void> {
    this.writes.push({ operation: 'removeMember', type: 'group', id: groupId, targetId: memberId });
  }

  async setReference(type: TargetType, id: string, attribute: string, targetId: string | null): Promise<void> {
    this.writes.push({ operation: 'setReference', type, id, properties: [attribute], targetId });
  }

  /** The same planned writes as one setReference per link; the real directory's refusals are not predicted. */
  async setReferences(links: readonly ReferenceLink[]): Promise<readonly ReferenceLinkResult[]> {
    for (const { type, id, attribute, targetId } of links) await this.setReference(type, id, attribute, targetId);
    return links.map(() => ({ ok: true }));
  }
}
