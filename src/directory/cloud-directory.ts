/**
 * The cloud directory's public surface: the one thing the Graph API, the CLI and the provisioning service call.
 *
 * Invariants every implementation keeps:
 * - Every call is scoped by `tenantId`; no call reads or writes another tenant's rows. An id that exists only in
 *   another tenant is reported exactly like an id that does not exist (ERR_DIR_NOT_FOUND).
 * - Every write is one transaction: a failed constraint leaves nothing half-written, and every successful write
 *   appends to the tenant's change sequence in the same transaction (which is what makes delta exact).
 * - Uniqueness (userPrincipalName, SMTP addresses, onPremisesImmutableId) is enforced by unique indexes, so
 *   concurrent writers cannot race past a check; the violation is reported as a CloudsyncError naming the
 *   conflicting object (`details.conflictingObjectId`, `details.value`).
 * - Writes default to `actor: 'api'`, which may not change on-premises-mastered properties of objects whose
 *   onPremisesSyncEnabled is true (ERR_DIR_ON_PREMISES_MASTERED naming the property). The provisioning service
 *   passes `actor: 'provisioning'`.
 *
 * Errors: ERR_DIR_* for directory rules, ERR_ODATA_FILTER / ERR_ODATA_SKIPTOKEN for bad list queries,
 * ERR_STORE_* when the database fails. Misuse (a non-positive `top`, an unknown object type) is a TypeError.
 *
 * Construction (the composition root does this once per process):
 *   const store = await openStore({ dataDir }) // or openStore({ databaseUrl: 'postgres://…' })  — src/storage
 *   const directory = createCloudDirectory(store, { clock })                                     — src/directory
 *   … await store.close() at shutdown.
 */
import type { JsonWebKey } from 'node:crypto';
import type { CloudsyncError } from '../errors/index.ts';
import type { AppRole } from './app-roles.ts';
import type {
  Application,
  DirectoryObject,
  Domain,
  ExtensionDataType,
  ExtensionProperty,
  Group,
  Organization,
  OrgContact,
  User,
} from './directory-object.ts';
import type { ObjectType, SoftDeletedType } from './object-types.ts';
import type { ListPage, ListQuery } from './query.ts';

/** Who is writing. Only `provisioning` may change on-premises-mastered properties of synced objects. */
export const WRITE_ACTORS = ['api', 'provisioning'] as const;
export type WriteActor = (typeof WRITE_ACTORS)[number];

export interface WriteOptions {
  /** Default `'api'`. */
  readonly actor?: WriteActor;
}

/** One link of setManagers: `managerId` null removes the user's manager. */
export interface ManagerLink {
  readonly userId: string;
  readonly managerId: string | null;
}

/** What became of one link of setManagers: done (or already so), or the error setManager would have thrown. */
export type ManagerLinkResult = { readonly ok: true } | { readonly ok: false; readonly error: CloudsyncError };

/** What became of one item of createEach (updateEach): the object created (written), or the error `create` (`update`) would have thrown for it. */
export type ObjectWriteResult<T> = { readonly ok: true; readonly object: T } | { readonly ok: false; readonly error: CloudsyncError };

/** The object type each ObjectType reads as. */
export interface ObjectOfType {
  user: User;
  group: Group;
  orgContact: OrgContact;
  application: Application;
}

/**
 * Properties to set, by Graph name. On create, absent properties are null/empty; on update, absent properties
 * are left alone and `null` clears one. Read-only properties (id, createdDateTime, appId, …) are refused with
 * ERR_DIR_READ_ONLY_PROPERTY; unknown ones with ERR_DIR_INVALID_PROPERTY; wrong types with ERR_DIR_INVALID_VALUE.
 * `onPremisesExtensionAttributes` is merged attribute by attribute on update.
 */
export type ObjectProperties = Readonly<Record<string, unknown>>;

/** One item of `updateMany`: the object (by id; a user also by userPrincipalName, as `update` allows) and its patch. */
export interface ObjectUpdate {
  readonly id: string;
  readonly patch: ObjectProperties;
}

export interface CreatedTenant {
  readonly tenantId: string;
  /** The admin application's appId (client id); it holds every role in APP_ROLES. */
  readonly clientId: string;
  /** Shown once; only a scrypt hash is stored. */
  readonly clientSecret: string;
}

export interface ClientCredentialsResult {
  readonly roles: readonly AppRole[];
}

/**
 * The deployment's token-signing key, shared by every service node on the same database. Public and private
 * halves are JWKs (ES256, P-256) carrying `kid` and `alg`.
 */
export interface SigningKey {
  readonly kid: string;
  readonly alg: 'ES256';
  readonly privateJwk: JsonWebKey & { kid: string; alg: 'ES256' };
  readonly publicJwk: JsonWebKey & { kid: string; alg: 'ES256' };
}

export interface DeltaRequest {
  /**
   * Absent: the initial round (every live object of the type, then a delta token). Otherwise a token from a
   * previous DeltaPage (`nextToken` continues paging a round; `deltaToken` starts the next round).
   */
  readonly token?: string;
  /** Page size, 1..999 (default 100). */
  readonly top?: number;
}

/**
 * One entry of a delta page: the latest state of a changed object, or `{ id, '@removed' }` for one deleted
 * since the token (`reason: 'changed'` when it went to deleted items and may come back, `'deleted'` when it is
 * gone for good). Groups whose membership changed carry `members@delta`: the net member changes since the token,
 * each `{ id, '@odata.type' }` or `{ id, '@odata.type', '@removed': { reason: 'deleted' } }`.
 */
export type DeltaEntry =
  | (DirectoryObject & {
      readonly 'members@delta'?: readonly {
        readonly id: string;
        readonly '@odata.type': string;
        readonly '@removed'?: { readonly reason: 'deleted' };
      }[];
    })
  | {
      readonly id: string;
      readonly '@odata.type': string;
      readonly '@removed': { readonly reason: 'changed' | 'deleted' };
      readonly [property: string]: unknown;
    };

export interface DeltaPage {
  readonly items: readonly DeltaEntry[];
  /** Present while the round has more pages (Graph's @odata.nextLink). */
  readonly nextToken?: string;
  /** Present on the last page of a round (Graph's @odata.deltaLink). */
  readonly deltaToken?: string;
}

export interface NewExtensionProperty {
  /** The short name; the registered name becomes `extension_<appIdWithoutDashes>_<name>`. */
  readonly name: string;
  readonly dataType: ExtensionDataType;
  readonly targetObjects: readonly string[];
  readonly isMultiValued?: boolean;
  readonly isSyncedFromOnPremises?: boolean;
}

export interface MemberQuery {
  /** 1..999, default 100. */
  readonly top?: number;
  readonly skipToken?: string;
  readonly count?: boolean;
}

export interface CloudDirectory {
  // ---- tenants, credentials, signing key ------------------------------------------------------------------------

  /**
   * Creates a tenant: its organization object, the verified initial/default domain `<name>.onmicrosoft.example`,
   * and an admin application holding every role in APP_ROLES with a fresh client secret.
   * `name` is a DNS label ([a-z0-9-], 1..63; otherwise ERR_DIR_INVALID_VALUE); a name already taken is
   * ERR_DIR_DOMAIN_CONFLICT.
   */
  createTenant(input: { readonly name: string }): Promise<CreatedTenant>;

  /** The tenant's id if it exists (cheap; for routing and token checks). */
  tenantExists(tenantId: string): Promise<boolean>;

  /**
   * Checks a client secret in constant time against the stored scrypt hash. Returns the roles of the client, or
   * null when the tenant, client or secret does not match (never says which).
   */
  verifyClientCredentials(tenantId: string, clientId: string, clientSecret: string): Promise<ClientCredentialsResult | null>;

  /**
   * Adds a client secret to an application of the tenant (Graph's addPassword) and grants it roles.
   * Returns the secret; only its hash is kept.
   */
  addClientSecret(tenantId: string, applicationId: string, roles: readonly AppRole[]): Promise<{ readonly clientId: string; readonly clientSecret: string }>;

  /** The deployment's signing key; created on first call and persisted, so every node on the database agrees. */
  getOrCreateSigningKey(): Promise<SigningKey>;

  // ---- objects --------------------------------------------------------------------------------------------------

  create<T extends ObjectType>(tenantId: string, type: T, properties: ObjectProperties, options?: WriteOptions): Promise<ObjectOfType[T]>;

  /**
   * Creates many objects of one type in one transaction (all or nothing). For bulk loads and benchmarks; each
   * object is checked exactly as `create` checks it.
   */
  createMany<T extends ObjectType>(tenantId: string, type: T, items: readonly ObjectProperties[], options?: WriteOptions): Promise<readonly ObjectOfType[T][]>;

  /**
   * Creates many objects of one type in one transaction with the outcome of calling `create` once per item, in
   * order: an item `create` would refuse there — an invalid value, a UPN, immutable id or SMTP address held by a
   * stored object or by an earlier item that was created, an unverified domain — is a value at its index carrying
   * create's error, and writes nothing; the others are created (with one change row each, in item order), and a
   * refused item's values stay free for the items after it. Throws only what would fail every item (the store is
   * gone, the tenant does not exist) or for misuse; nothing is written then.
   */
  createEach<T extends ObjectType>(tenantId: string, type: T, items: readonly ObjectProperties[], options?: WriteOptions): Promise<readonly ObjectWriteResult<ObjectOfType[T]>[]>;

  /**
   * A live (not deleted) object by id. For users the id may also be the userPrincipalName, as Graph allows
   * (`/users/{id | userPrincipalName}`). Unknown → ERR_DIR_NOT_FOUND.
   */
  get<T extends ObjectType>(tenantId: string, type: T, idOrUpn: string): Promise<ObjectOfType[T]>;

  /** A live object of any type (users, groups, contacts, applications) by id; for `$ref` bodies. */
  getAny(tenantId: string, id: string): Promise<DirectoryObject>;

  update<T extends ObjectType>(tenantId: string, type: T, id: string, patch: ObjectProperties, options?: WriteOptions): Promise<ObjectOfType[T]>;

  /**
   * Updates many objects of one type in one transaction (all or nothing): the result and the stored state are those
   * of calling `update` once per item, in order — an item sees the items before it (a UPN one of them gave up is
   * free for it, one it took is taken; an id given twice gets both patches), and each changed object gets its own
   * change row. The first item that `update` would refuse there fails the whole call with update's error, and
   * nothing is written. Returns the objects as written, in item order.
   */
  updateMany<T extends ObjectType>(tenantId: string, type: T, items: readonly ObjectUpdate[], options?: WriteOptions): Promise<readonly ObjectOfType[T][]>;

  /**
   * updateMany with the outcome of each item: an item `update` would refuse after the items before it that were
   * written (not found, a read-only or mastered property, an invalid value, a UPN, immutable id or SMTP address held
   * by another object) is a value at its index carrying update's error, and writes nothing; the others are written
   * (one change row per changed object, in item order). When an item refused for a constraint is followed by another
   * item of the same object, or items name users by UPN, what the later items would make cannot be told without it:
   * the call then fails as updateMany does (the first item refused, nothing written).
   */
  updateEach<T extends ObjectType>(tenantId: string, type: T, items: readonly ObjectUpdate[], options?: WriteOptions): Promise<readonly ObjectWriteResult<ObjectOfType[T]>[]>;

  /**
   * Users and groups go to deleted items (restorable for 30 days); contacts and applications are removed at once.
   * The API may not delete objects synced from on-premises (ERR_DIR_ON_PREMISES_MASTERED).
   */
  delete(tenantId: string, type: ObjectType, id: string, options?: WriteOptions): Promise<void>;

  /**
   * Deletes many objects of one type in one transaction (all or nothing): the stored state and change rows are those
   * of calling `delete` once per id, in order — an id given twice, or a user named by id and by UPN, is not found the
   * second time; a group deleted by an earlier id is no longer a live group of a later one (no memberRemoved for it).
   * The first id `delete` would refuse there fails the whole call with delete's error, and nothing is written.
   */
  deleteMany(tenantId: string, type: ObjectType, ids: readonly string[], options?: WriteOptions): Promise<void>;

  /**
   * Lists live objects. Implements every FilterNode of query.ts over the directory's filterable properties;
   * unknown or unfilterable properties → ERR_ODATA_FILTER naming the property; a bad or foreign skip token →
   * ERR_ODATA_SKIPTOKEN. Default order is by id.
   */
  list<T extends ObjectType>(tenantId: string, type: T, query: ListQuery): Promise<ListPage<ObjectOfType[T]>>;
  /**
   * The live users whose onPremisesImmutableId is exactly one of `immutableIds` (the engine's hard match; one
   * index lookup per value, unordered).
   */
  findUsersByImmutableIds(tenantId: string, immutableIds: readonly string[]): Promise<readonly User[]>;

  /**
   * `list`, with each item as the object's stored JSON text instead of a parsed object: for callers that send
   * whole objects on (no `$select`), which can splice the texts into a response without parsing and
   * re-serializing every row (the largest cost of a big listing). Same query semantics, tokens and errors.
   */
  listJson(tenantId: string, type: ObjectType, query: ListQuery): Promise<ListPage<string>>;

  // ---- membership -----------------------------------------------------------------------------------------------

  /**
   * Adds a user, group or contact to a group. Already a member → ERR_DIR_MEMBER_EXISTS; a group that would
   * (transitively) contain itself → ERR_DIR_MEMBERSHIP_CYCLE; a synced group through the API →
   * ERR_DIR_ON_PREMISES_MASTERED (property `members`).
   */
  addMember(tenantId: string, groupId: string, memberId: string, options?: WriteOptions): Promise<void>;

  /** Not a member → ERR_DIR_NOT_FOUND. */
  removeMember(tenantId: string, groupId: string, memberId: string, options?: WriteOptions): Promise<void>;

  /** Direct live members, ordered by id, keyset-paged. */
  listMembers(tenantId: string, groupId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>>;

  /** Live members reachable through nested groups (each object once; nested groups included), ordered by id. */
  listTransitiveMembers(tenantId: string, groupId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>>;

  /**
   * The user's manager (a live user or contact). ERR_DIR_NOT_FOUND when the user is missing or has no manager, as
   * Graph answers 404 for GET /users/{id}/manager.
   */
  getManager(tenantId: string, userId: string): Promise<DirectoryObject>;

  /**
   * Sets (managerId) or removes (null) a user's manager. The manager is a live user or contact other than the user;
   * a chain that comes back to the user is refused (ERR_DIR_MANAGER_CYCLE). Synchronized users' managers are
   * on-premises mastered: only the provisioning actor may change them. Removing an absent manager is
   * ERR_DIR_NOT_FOUND.
   */
  setManager(tenantId: string, userId: string, managerId: string | null, options?: WriteOptions): Promise<void>;

  /**
   * Many setManager calls in one transaction: each link is checked and applied in order, against the state the
   * links before it left (so A→B then B→A in one call refuses the second, as two calls would), with the same change
   * rows. A refused link is a value in the result at its index — the error setManager would have thrown — and
   * writes nothing; the others are applied. Misuse (not an array, a non-string id) is a TypeError and a database
   * failure throws for the whole call; either way nothing is written.
   */
  setManagers(tenantId: string, links: readonly ManagerLink[], options?: WriteOptions): Promise<readonly ManagerLinkResult[]>;

  /** Live users and contacts whose manager is this object, ordered by id. */
  listDirectReports(tenantId: string, objectId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>>;

  /** Live groups the object is a direct member of, ordered by id. */
  listMemberOf(tenantId: string, objectId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>>;

  /** Live groups the object belongs to directly or through nesting. */
  listTransitiveMemberOf(tenantId: string, objectId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>>;

  // ---- deleted items --------------------------------------------------------------------------------------------

  /** Deleted users or groups (with deletedDateTime). The same filters as `list` apply. */
  listDeleted<T extends SoftDeletedType>(tenantId: string, type: T, query: ListQuery): Promise<ListPage<ObjectOfType[T]>>;

  /** One deleted item; not deleted or unknown → ERR_DIR_NOT_FOUND. */
  getDeleted(tenantId: string, id: string): Promise<DirectoryObject>;

  /**
   * Restores a deleted user or group, re-checking every constraint (a UPN or address taken meanwhile fails with
   * the usual conflict error and the item stays deleted). Memberships come back with it.
   */
  restore(tenantId: string, id: string, options?: WriteOptions): Promise<DirectoryObject>;

  /**
   * Restores many deleted items in one transaction (all or nothing): the stored state, SMTP addresses, change rows
   * and returned objects are those of calling `restore` once per id, in order — an object restored earlier in the
   * call holds its UPN, immutable id and addresses for the ids after it, and a group restored earlier is a live group
   * of its members after it (memberAdded once, as with single restores). The first id `restore` would refuse there
   * (not in deleted items, given twice, a value taken) fails the whole call with restore's error, and nothing is written.
   */
  restoreMany(tenantId: string, ids: readonly string[], options?: WriteOptions): Promise<readonly DirectoryObject[]>;

  /** Removes a deleted item for good (with its memberships). */
  permanentlyDelete(tenantId: string, id: string, options?: WriteOptions): Promise<void>;

  /**
   * Permanently deletes, in every tenant, deleted items older than the retention (30 days) at `now`, and drops
   * change-log entries older than the retention (delta tokens from before them are then refused with
   * ERR_ODATA_SKIPTOKEN, `details.reason: 'expired'`). Returns how many objects were purged. Meant to run
   * periodically (e.g. hourly).
   */
  purgeExpired(now?: Date): Promise<number>;

  // ---- change tracking ------------------------------------------------------------------------------------------

  /** Graph delta for users or groups. A token of another tenant or type → ERR_ODATA_SKIPTOKEN. */
  delta(tenantId: string, type: 'user' | 'group', request?: DeltaRequest): Promise<DeltaPage>;

  // ---- applications' extension properties -----------------------------------------------------------------------

  /** Registers a directory extension on an application. Duplicate name → ERR_DIR_EXTENSION_INVALID. */
  createExtensionProperty(tenantId: string, applicationId: string, input: NewExtensionProperty): Promise<ExtensionProperty>;

  listExtensionProperties(tenantId: string, applicationId: string): Promise<readonly ExtensionProperty[]>;

  /** Every extension registered in the tenant (Graph's getAvailableExtensionProperties). */
  listAvailableExtensionProperties(tenantId: string): Promise<readonly ExtensionProperty[]>;

  deleteExtensionProperty(tenantId: string, applicationId: string, extensionPropertyId: string): Promise<void>;

  // ---- domains and organization ---------------------------------------------------------------------------------

  listDomains(tenantId: string): Promise<readonly Domain[]>;
  getDomain(tenantId: string, name: string): Promise<Domain>;
  /** Adds a domain (unverified unless `isVerified`). A name verified in another tenant → ERR_DIR_DOMAIN_CONFLICT. */
  addDomain(tenantId: string, input: { readonly id: string; readonly isVerified?: boolean }): Promise<Domain>;
  /**
   * Marks a domain verified, trusting the caller: for operators, tests and provisioning. The Graph API demands DNS
   * proof before it calls this (src/api/graph/domain-proof.ts).
   */
  verifyDomain(tenantId: string, name: string): Promise<Domain>;
  /** Refused while objects use the domain in their UPN, and for the initial domain. */
  deleteDomain(tenantId: string, name: string): Promise<void>;

  getOrganization(tenantId: string): Promise<Organization>;
  /** Only displayName and onPremises* (by the provisioning actor) are writable. */
  updateOrganization(tenantId: string, patch: ObjectProperties, options?: WriteOptions): Promise<Organization>;
}

export interface CloudDirectoryOptions {
  /** Injected clock (tests pass a fixed one). Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** Deleted-items retention in days. Default 30. */
  readonly retentionDays?: number;
}
