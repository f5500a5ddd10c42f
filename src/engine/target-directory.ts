/**
 * The target port: the subset of the cloud directory the engine writes through, bound to one tenant and written
 * as the provisioning actor (cloud-directory-target.ts adapts CloudDirectory to it).
 *
 * Values are plain JSON (strings, booleans, string arrays). Errors are CloudsyncErrors with the directory's codes
 * (ERR_DIR_NOT_FOUND, ERR_DIR_MEMBER_EXISTS, ERR_DIR_*_CONFLICT, …): the engine decides which of them mean "already
 * done" (see synchronization-cycle.ts) and which are per-object failures.
 */
import type { CloudsyncError } from '../errors/index.ts';

export const TARGET_TYPES = ['user', 'group', 'orgContact'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export type TargetValue = string | boolean | number | readonly string[] | null | Readonly<Record<string, string | null>>;

export interface TargetObject {
  readonly id: string;
  readonly [property: string]: unknown;
}

/** One item of updateMany: the object's id and the properties to write (absent ones are left alone). */
export interface TargetUpdate {
  readonly id: string;
  readonly patch: Readonly<Record<string, TargetValue>>;
}

export interface TenantDomains {
  /** verified domain names, lower case */
  readonly verified: readonly string[];
  /** the tenant's initial domain (<name>.onmicrosoft.…) */
  readonly initial: string;
}

/** One single-valued reference write of setReferences: `targetId` null removes the reference. */
export interface ReferenceLink {
  readonly type: TargetType;
  readonly id: string;
  readonly attribute: string;
  readonly targetId: string | null;
}

/** What became of one item of createEach (updateEach): the object created (written), or the error `create` (`update`) would have thrown for it. */
export type TargetWriteResult = { readonly ok: true; readonly object: TargetObject } | { readonly ok: false; readonly error: CloudsyncError };

/** What became of one link of setReferences: done, or the error setReference would have thrown for it. */
export type ReferenceLinkResult = { readonly ok: true } | { readonly ok: false; readonly error: CloudsyncError };

export interface TargetDirectory {
  domains(): Promise<TenantDomains>;
  /**
   * Whether a mapped target attribute can be written for this type. extensionAttribute1…15 are supported where
   * the type has onPremisesExtensionAttributes; reference attributes (members, manager) are asked for separately.
   */
  supportsAttribute(type: TargetType, attribute: string): boolean;
  /** `members` of groups; `manager` only when the directory models it */
  supportsReference(type: TargetType, attribute: string): boolean;
  /** live objects whose `property` (a scalar) equals one of `values` (case-insensitively) */
  findBy(type: TargetType, property: string, values: readonly string[]): Promise<readonly TargetObject[]>;
  /** live users or groups carrying this SMTP address in proxyAddresses */
  findByProxyAddress(type: TargetType, address: string): Promise<readonly TargetObject[]>;
  /** a live object, or undefined */
  get(type: TargetType, id: string): Promise<TargetObject | undefined>;
  create(type: TargetType, properties: Readonly<Record<string, TargetValue>>): Promise<TargetObject>;
  /** all or nothing */
  createMany(type: TargetType, items: readonly Readonly<Record<string, TargetValue>>[]): Promise<readonly TargetObject[]>;
  /**
   * Many creates of one type as one write, each as `create` would make it after the ones before it: a refused item
   * is a value at its index carrying create's error, and writes nothing; the others are created. Throws only for
   * what would fail every item (the store is gone) or for misuse. Optional: without it the engine calls createMany,
   * and creates object by object when that refuses one.
   */
  createEach?(type: TargetType, items: readonly Readonly<Record<string, TargetValue>>[]): Promise<readonly TargetWriteResult[]>;
  update(type: TargetType, id: string, patch: Readonly<Record<string, TargetValue>>): Promise<TargetObject>;
  /**
   * Many updates of one type, all or nothing, each as `update` would make it after the ones before it; a refusal
   * throws the error `update` would throw for the first item refused. Optional: without it the engine updates
   * object by object.
   */
  updateMany?(type: TargetType, items: readonly TargetUpdate[]): Promise<readonly TargetObject[]>;
  /**
   * Many updates of one type as one write, each as `update` would make it after the ones before it that were written:
   * a refused item is a value at its index carrying update's error, and writes nothing; the others are written. May
   * fail the whole call as updateMany does when it cannot tell (see CloudDirectory.updateEach). Optional: without it
   * the engine calls updateMany, and updates object by object when that refuses one.
   */
  updateEach?(type: TargetType, items: readonly TargetUpdate[]): Promise<readonly TargetWriteResult[]>;
  /** `get` of many ids: the live objects in `ids` order, undefined where there is none */
  getMany?(type: TargetType, ids: readonly string[]): Promise<readonly (TargetObject | undefined)[]>;
  /** users and groups go to deleted items; contacts are removed */
  delete(type: TargetType, id: string): Promise<void>;
  /**
   * Many deletes of one type, all or nothing, each as `delete` would make it after the ones before it; a refusal
   * (an id not found among them) throws the error `delete` would throw for the first item refused. Optional: without
   * it the engine deletes object by object.
   */
  deleteMany?(type: TargetType, ids: readonly string[]): Promise<void>;
  restore(id: string): Promise<TargetObject>;
  /**
   * Many restores, all or nothing, each as `restore` would make it after the ones before it, returning the restored
   * objects in `ids` order; a refusal (an id not among the deleted items, a value now taken) throws the error
   * `restore` would throw for the first item refused. Optional: without it the engine restores object by object.
   */
  restoreMany?(ids: readonly string[]): Promise<readonly TargetObject[]>;
  addMember(groupId: string, memberId: string): Promise<void>;
  removeMember(groupId: string, memberId: string): Promise<void>;
  setReference?(type: TargetType, id: string, attribute: string, targetId: string | null): Promise<void>;
  /**
   * Many setReference calls as one write, applied in order (each sees the links before it). A refused link is a
   * value at its index and writes nothing; the others are applied. Throws only for what would fail every link
   * (the store is gone) or for misuse. Targets without it get one setReference call per link.
   */
  setReferences?(links: readonly ReferenceLink[]): Promise<readonly ReferenceLinkResult[]>;
}
