/**
 * The CloudDirectory over the DirectoryStore port (Kysely on SQLite or PostgreSQL).
 *
 * Write protocol (every mutating call goes through `#write`):
 *   1. begin a transaction;
 *   2. `UPDATE tenants SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq` — this proves the tenant
 *      exists, reserves the first sequence number and takes the row lock, so a tenant's writers are serialized
 *      (uniqueness and cycle checks that follow cannot race; on SQLite the single writer already guarantees it);
 *   3. check constraints (naming the conflicting object), write rows;
 *   4. append the changes with consecutive sequence numbers and, when more than the reserved one were used,
 *      store the last one in tenants.change_seq;
 *   5. commit. Because sequence numbers are handed out under the row lock, they become visible in commit order:
 *      a reader that sees seq N has seen every change ≤ N, which is what makes delta tokens exact.
 * Unique indexes back the checks up; their violations are translated by database-error.ts.
 */
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from 'kysely';
import { CloudsyncError } from '../errors/index.ts';
import { APP_ROLES, isAppRole, type AppRole } from './app-roles.ts';
import { burnVerification, generateClientSecret, hashClientSecret, verifyClientSecret } from './client-secret.ts';
import type {
  ClientCredentialsResult,
  CloudDirectory,
  CloudDirectoryOptions,
  CreatedTenant,
  DeltaEntry,
  DeltaPage,
  DeltaRequest,
  ManagerLink,
  ManagerLinkResult,
  MemberQuery,
  NewExtensionProperty,
  ObjectOfType,
  ObjectProperties,
  ObjectUpdate,
  ObjectWriteResult,
  SigningKey,
  WriteActor,
  WriteOptions,
} from './cloud-directory.ts';
import { translateDatabaseError } from './database-error.ts';
import {
  EXTENSION_DATA_TYPES,
  type DirectoryObject,
  type Domain,
  type ExtensionDataType,
  type ExtensionProperty,
  type Organization,
  type User,
} from './directory-object.ts';
import type { DirectoryDatabase, DirectoryStore, SqlDialect } from './directory-store.ts';
import type { ExtensionDefinition } from './extension-definition.ts';
import { compileFilter } from './filter-sql.ts';
import { applyManagerLinks, type LinkedObject, type ManagerGraph } from './manager-links.ts';
import { applyInput, emptyObject, mastered, type StoredObject } from './object-input.ts';
import {
  EXTENSION_TARGET_OBJECTS,
  ODATA_TYPES,
  SOFT_DELETED_TYPES,
  isObjectType,
  type ObjectType,
  type SoftDeletedType,
} from './object-types.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ListPage, type ListQuery } from './query.ts';
import { MEMBERSHIP_CHANGE_KINDS, netMemberChanges } from './member-delta.ts';
import { generateSigningKey } from './signing-key.ts';
import { decodeDeltaPosition, decodeListPosition, encodeDeltaPosition, encodeListPosition } from './skip-token.ts';
import { newObjectId } from './object-id.ts';
import { smtpAddressesOf } from './smtp-addresses.ts';
import { denseJson, denseObject, sparseJson } from './sparse-object.ts';
import { insertRows, type BulkInsert } from '../storage/bulk-insert.ts';
import { updateRows, type BulkUpdate } from '../storage/bulk-update.ts';

type Db = Kysely<DirectoryDatabase>;
type Tx = Transaction<DirectoryDatabase>;
type Executor = Db | Tx;

export const CHANGE_KINDS = ['created', 'updated', 'deleted', 'restored', 'purged', 'memberAdded', 'memberRemoved'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

interface ChangeRecord {
  readonly objectType: ObjectType;
  readonly objectId: string;
  readonly kind: ChangeKind;
  readonly detail?: unknown;
}

type ChangeLog = ChangeRecord[];

/** A row of #holders: `k` the kind of value, `v` the value, `id` and `t` (type) the object holding it ('' for domains). */
interface Holder {
  readonly k: 'domain' | 'upn' | 'immutable' | 'smtp';
  readonly v: string;
  readonly id: string;
  readonly t: string;
}

/**
 * A relation walked upward: from a row's `below` column to its `above` one (member → group, user → manager; the
 * managers chains of setManagers are walked in memory, see manager-links.ts).
 */
interface Edge {
  readonly table: 'memberships' | 'managers';
  readonly below: 'member_id' | 'user_id';
  readonly above: 'group_id' | 'manager_id';
}
const MEMBERSHIP_EDGE: Edge = { table: 'memberships', below: 'member_id', above: 'group_id' };

/** Whether `target` is `start` or above it along `edge`: a link from target down to start would close a cycle. */
async function reachesUpward(tx: Tx, tenantId: string, edge: Edge, start: string, target: string): Promise<boolean> {
  const result = await sql<{ id: string }>`
    WITH RECURSIVE up(id) AS (
      SELECT ${start}
      UNION
      SELECT e.${sql.ref(edge.above)} FROM up CROSS JOIN ${sql.table(edge.table)} e WHERE e.tenant_id = ${tenantId} AND e.${sql.ref(edge.below)} = up.id
    )
    SELECT id FROM up WHERE id = ${target} LIMIT 1`.execute(tx);
  return result.rows.length > 0;
}

const DAY_MS = 86_400_000;
const CHUNK = 500;
const MEMBER_TYPES: readonly ObjectType[] = ['user', 'group', 'orgContact'];
const TENANT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN_NAME = /^(?=.{3,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const EXTENSION_SHORT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,119}$/;
/** Every tenant's initial domain is `<name>` under this; only createTenant hands them out. */
const INITIAL_DOMAIN_SUFFIX = '.onmicrosoft.example';

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** A stored row's object in its full Graph shape (rows are stored sparse, see sparse-object.ts). */
function parseData(data: string): StoredObject {
  return denseObject(data) as StoredObject;
}

const OBJECT_INSERT: BulkInsert = {
  table: 'directory_objects',
  columns: ['tenant_id', 'id', 'type', 'display_name', 'upn_key', 'immutable_id', 'app_id', 'sync_enabled', 'created_at', 'deleted_at', 'data'],
};
/**
 * A fixed statement of the per-object write path, as text for each dialect (`?` numbered for PostgreSQL): the query
 * builder would rebuild, freeze and compile it on every call, a sizeable part of a one-object write's CPU time.
 */
function fixedStatement(text: string): Readonly<Record<SqlDialect, string>> {
  let n = 0;
  return { sqlite: text, postgres: text.replace(/\?/g, () => `$${++n}`) };
}
const RESERVE_CHANGE_SEQ = fixedStatement('update tenants set change_seq = change_seq + 1 where id = ? returning change_seq');
const UPDATE_OBJECT = fixedStatement(
  'update directory_objects set display_name = ?, upn_key = ?, immutable_id = ?, sync_enabled = ?, data = ? where tenant_id = ? and id = ?',
);
/** updateMany's rows in one statement (see passesBetween for when that is safe for the unique indexes). */
const OBJECT_REWRITE: BulkUpdate = {
  table: 'directory_objects',
  key: ['tenant_id', 'id'],
  set: ['display_name', 'upn_key', 'immutable_id', 'sync_enabled', 'data'],
  casts: { sync_enabled: 'integer' },
};
const SOFT_DELETE_OBJECT = fixedStatement('update directory_objects set deleted_at = ?, data = ? where tenant_id = ? and id = ?');
const RESTORE_OBJECT = fixedStatement('update directory_objects set deleted_at = null, data = ? where tenant_id = ? and id = ?');
/**
 * deleteMany's soft deletes (no unique index gains a value: see deleteMany) and restoreMany's restores (deleted_at
 * null; the values they claim were checked free) in one statement.
 */
const OBJECT_DELETION: BulkUpdate = { table: 'directory_objects', key: ['tenant_id', 'id'], set: ['deleted_at', 'data'] };
/** What a restore claims anew (see restoreMany): every unique value #checkRewrites checks. */
const RESTORE_CLAIMS: readonly string[] = ['userPrincipalName', 'onPremisesImmutableId', 'mail', 'proxyAddresses'];
const SMTP_INSERT: BulkInsert = { table: 'smtp_addresses', columns: ['tenant_id', 'address', 'object_id'] };
const MANAGER_INSERT: BulkInsert = { table: 'managers', columns: ['tenant_id', 'user_id', 'manager_id'] };
const CHANGE_INSERT: BulkInsert = {
  table: 'changes',
  columns: ['tenant_id', 'seq', 'object_type', 'object_id', 'kind', 'detail', 'changed_at'],
};

function notFound(what: string, id: string): CloudsyncError {
  return new CloudsyncError('ERR_DIR_NOT_FOUND', `${what} '${id}' does not exist`, { details: { id } });
}

function assertType(type: unknown): asserts type is ObjectType {
  if (!isObjectType(type)) throw new TypeError(`unknown directory object type ${String(type)}`);
}

function pageSize(top: number | undefined): number {
  const value = top ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) throw new TypeError(`top must be an integer in 1..${MAX_PAGE_SIZE}`);
  return value;
}

function actorOf(options: WriteOptions | undefined): WriteActor {
  const actor = options?.actor ?? 'api';
  if (actor !== 'api' && actor !== 'provisioning') throw new TypeError(`unknown actor ${String(actor)}`);
  return actor;
}

/** Who holds a unique value (a UPN key, an immutable id, an SMTP address). */
interface ValueHolder {
  readonly id: string;
  readonly type: string;
}

/** One object's write in updateMany: its state before and after the item, and the properties the item changed. */
interface ObjectRewrite {
  readonly before: PreparedObject;
  readonly after: PreparedObject;
  readonly changed: readonly string[];
}

/**
 * Whether the writes the constraints' walk refused (`walked`, by write index) leave the items after them as they were
 * computed: no later item names an object a refused write was to change (it read that object with the refused
 * change made), and no item names a user by UPN (which a refused UPN change would have resolved otherwise).
 */
function refusalsStandAlone(
  walked: ReadonlyMap<number, unknown>,
  itemOfWrite: readonly number[],
  writes: readonly ObjectRewrite[],
  targets: readonly (string | undefined)[],
  byUpnItems: boolean,
): boolean {
  if (byUpnItems) return false;
  for (const w of walked.keys()) {
    const id = writes[w]!.after.id;
    for (let index = itemOfWrite[w]! + 1; index < targets.length; index++) if (targets[index] === id) return false;
  }
  return true;
}

/** The properties #refusedWrites looks at (SMTP addresses come from mail and proxyAddresses). */
const CONSTRAINED_PROPERTIES: readonly string[] = ['userPrincipalName', 'onPremisesImmutableId', 'mail', 'proxyAddresses'];

/** A new object as #refusedWrites sees it: a write from nothing (no value held) that sets every constrained property. */
function createdRewrite(after: PreparedObject): ObjectRewrite {
  return { before: { ...after, upnKey: null, immutableId: null, smtp: [] }, after, changed: CONSTRAINED_PROPERTIES };
}

/**
 * Whether one of `writes` takes a unique value (`key`) that another of them held before: only then can an order of
 * the writes other than theirs make a unique index see that value twice (the new values are checked unique among
 * the writes and against every other object).
 */
function passesBetween(writes: readonly ObjectRewrite[], key: (o: PreparedObject) => string | null): boolean {
  const heldBefore = new Map<string, string>();
  for (const { before } of writes) {
    const value = key(before);
    if (value !== null) heldBefore.set(value, before.id);
  }
  return writes.some(({ after }) => {
    const value = key(after);
    return value !== null && (heldBefore.get(value) ?? after.id) !== after.id;
  });
}

interface PreparedObject {
  readonly id: string;
  readonly type: ObjectType;
  readonly data: StoredObject;
  readonly upnKey: string | null;
  readonly immutableId: string | null;
  readonly smtp: readonly string[];
}

function prepare(type: ObjectType, data: StoredObject): PreparedObject {
  const upn = type === 'user' && typeof data['userPrincipalName'] === 'string' ? (data['userPrincipalName'] as string) : null;
  const immutableId = type === 'user' && typeof data['onPremisesImmutableId'] === 'string' ? (data['onPremisesImmutableId'] as string) : null;
  return { id: data.id, type, data, upnKey: upn?.toLowerCase() ?? null, immutableId, smtp: smtpAddressesOf(data) };
}

const DELETED_DATE_TIME_MEMBER = ',"deletedDateTime":"';

/**
 * The text a restored row stores: the deleted row's without deletedDateTime, which the delete appended as the last
 * member (writes never reorder members, see sparse-object.ts), so that a restore does not serialize the object
 * again; a text of another form is written anew from `restored` (the object without deletedDateTime).
 */
function restoredText(type: ObjectType, deleted: string, restored: StoredObject): string {
  const at = deleted.lastIndexOf(DELETED_DATE_TIME_MEMBER);
  const end = deleted.indexOf('"', at + DELETED_DATE_TIME_MEMBER.length);
  if (at < 0 || end !== deleted.length - 2 || !deleted.endsWith('"}')) return sparseJson(type, restored);
  return `${deleted.slice(0, at)}}`;
}

function displayNameOf(data: StoredObject): string {
  return typeof data['displayName'] === 'string' ? (data['displayName'] as string) : '';
}

function syncEnabledOf(data: StoredObject): number {
  return data['onPremisesSyncEnabled'] === true ? 1 : 0;
}

/** A new object's row in OBJECT_INSERT column order (written directly, no row object in between). */
function insertRowOf(tenantId: string, prepared: PreparedObject, createdAt: string): unknown[] {
  const { data } = prepared;
  return [
    tenantId,
    prepared.id,
    prepared.type,
    displayNameOf(data),
    prepared.upnKey,
    prepared.immutableId,
    prepared.type === 'application' ? (data['appId'] as string) : null,
    syncEnabledOf(data),
    createdAt,
    null,
    sparseJson(prepared.type, data),
  ];
}

/** Whether one of the item's own property names is a directory extension's (`extension_…`). */
function mentionsExtensionName(item: object): boolean {
  for (const name in item) if (Object.hasOwn(item, name) && name.startsWith('extension_')) return true;
  return false;
}

function smtpRowsOf(tenantId: string, objects: readonly PreparedObject[]): string[][] {
  const rows: string[][] = [];
  for (const o of objects) for (const address of o.smtp) rows.push([tenantId, address, o.id]);
  return rows;
}

function isBool(value: unknown): boolean {
  return value === 1 || value === true || value === '1';
}

export function createCloudDirectory(store: DirectoryStore, options: CloudDirectoryOptions = {}): CloudDirectory {
  return new SqlCloudDirectory(store, options);
}

class SqlCloudDirectory implements CloudDirectory {
  readonly #db: Db;
  readonly #dialect: SqlDialect;
  readonly #clock: () => Date;
  readonly #retentionMs: number;
  #signingKey: SigningKey | undefined;
  #insertedSinceAnalyze = 0;
  #rowsAtLastAnalyze = 0;
  /** SQLite: tenants whose last createEach met a refusal; their next one looks up before it inserts (see #insertEach). */
  readonly #refusingTenants = new Set<string>();

  constructor(store: DirectoryStore, options: CloudDirectoryOptions) {
    if (store === null || typeof store !== 'object' || store.db === undefined) throw new TypeError('createCloudDirectory needs a store');
    this.#db = store.db;
    this.#dialect = store.dialect;
    this.#clock = options.clock ?? (() => new Date());
    const days = options.retentionDays ?? 30;
    if (!(days > 0)) throw new TypeError('retentionDays must be positive');
    this.#retentionMs = days * DAY_MS;
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  // ---- transactions -------------------------------------------------------------------------------------------

  async #write<T>(tenantId: string, fn: (tx: Tx, log: ChangeLog) => Promise<T>): Promise<T> {
    try {
      return await this.#db.transaction().execute((tx) => this.#writeIn(tx, tenantId, fn));
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  async #writeIn<T>(tx: Tx, tenantId: string, fn: (tx: Tx, log: ChangeLog) => Promise<T>): Promise<T> {
    if (typeof tenantId !== 'string') throw new TypeError('tenantId must be a string');
    // Reserves the first sequence number while taking the lock, so the common single-change write needs no
    // second UPDATE. A write that records nothing leaves a gap in the sequence, which delta does not mind.
    const reserved = await tx.executeQuery<{ change_seq: number | string }>(CompiledQuery.raw(RESERVE_CHANGE_SEQ[this.#dialect], [tenantId]));
    const tenant = reserved.rows[0];
    if (tenant === undefined) throw notFound('tenant', tenantId);
    const log: ChangeLog = [];
    const result = await fn(tx, log);
    if (log.length > 0) {
      const base = Number(tenant.change_seq) - 1;
      const changedAt = this.#now();
      const rows = log.map((change, i) => [
        tenantId,
        base + i + 1,
        change.objectType,
        change.objectId,
        change.kind,
        change.detail === undefined ? null : JSON.stringify(change.detail),
        changedAt,
      ]);
      await insertRows(tx, this.#dialect, CHANGE_INSERT, rows);
      if (log.length > 1) await tx.updateTable('tenants').set({ change_seq: base + log.length }).where('id', '=', tenantId).execute();
    }
    return result;
  }

  async #read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  async #requireTenant(tenantId: string): Promise<void> {
    const row = await this.#db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
    if (row === undefined) throw notFound('tenant', tenantId);
  }

  async #extensions(q: Executor, tenantId: string): Promise<Map<string, ExtensionDefinition>> {
    const rows = await q
      .selectFrom('extension_properties')
      .select(['name', 'data_type', 'is_multi_valued', 'is_synced', 'target_objects'])
      .where('tenant_id', '=', tenantId)
      .execute();
    return new Map(
      rows.map((r) => [
        r.name,
        {
          name: r.name,
          dataType: r.data_type as ExtensionDataType,
          isMultiValued: isBool(r.is_multi_valued),
          isSyncedFromOnPremises: isBool(r.is_synced),
          targetObjects: JSON.parse(r.target_objects) as string[],
        },
      ]),
    );
  }

  async #extensionsIfNeeded(q: Executor, tenantId: string, mentions: unknown): Promise<Map<string, ExtensionDefinition>> {
    return JSON.stringify(mentions ?? null).includes('extension_') ? this.#extensions(q, tenantId) : new Map();
  }

  // ---- constraints --------------------------------------------------------------------------------------------

  /**
   * Checks the tenant-wide constraints for objects about to be written (new, updated or restored), against the
   * live objects other than themselves and against each other. All lookups go in one UNION ALL query (per 500
   * values of each kind), so a single-object write pays one round trip for its checks.
   */
  async #checkConstraints(tx: Tx, tenantId: string, objects: readonly PreparedObject[], changed?: ReadonlySet<string>): Promise<void> {
    const selfIds = new Set(objects.map((o) => o.id));
    const checkUpn = changed === undefined || changed.has('userPrincipalName');
    const checkImmutable = changed === undefined || changed.has('onPremisesImmutableId');
    const checkSmtp = changed === undefined || changed.has('mail') || changed.has('proxyAddresses');

    const withUpn = checkUpn ? objects.filter((o) => o.upnKey !== null) : [];
    const domainOf = (o: PreparedObject) => upnDomainOf(o.upnKey!);
    const upnOwner = new Map<string, PreparedObject>();
    const immutableOwner = new Map<string, PreparedObject>();
    const smtpOwner = new Map<string, PreparedObject>();
    // Conflicts inside the request itself, reported in the same order as conflicts with stored objects.
    let upnDuplicate: CloudsyncError | undefined;
    let immutableDuplicate: CloudsyncError | undefined;
    let smtpDuplicate: CloudsyncError | undefined;
    for (const o of withUpn) {
      const other = upnOwner.get(o.upnKey!);
      if (other !== undefined) upnDuplicate ??= uniqueConflict('ERR_DIR_UPN_CONFLICT', 'userPrincipalName', o, other.id, other.type, o.data['userPrincipalName']);
      upnOwner.set(o.upnKey!, o);
    }
    if (checkImmutable) {
      for (const o of objects) {
        if (o.immutableId === null) continue;
        const other = immutableOwner.get(o.immutableId);
        if (other !== undefined) {
          immutableDuplicate ??= uniqueConflict('ERR_DIR_IMMUTABLE_ID_CONFLICT', 'onPremisesImmutableId', o, other.id, other.type, o.immutableId);
        }
        immutableOwner.set(o.immutableId, o);
      }
    }
    if (checkSmtp) {
      for (const o of objects) {
        for (const address of o.smtp) {
          const other = smtpOwner.get(address);
          if (other !== undefined && other.id !== o.id) smtpDuplicate ??= smtpConflict(o, other.id, other.type, address);
          smtpOwner.set(address, o);
        }
      }
    }

    const found = await this.#holders(tx, tenantId, {
      domain: [...new Set(withUpn.map(domainOf))],
      upn: [...upnOwner.keys()],
      immutable: [...immutableOwner.keys()],
      smtp: [...smtpOwner.keys()],
    });

    assertVerifiedDomains(withUpn, new Set(found.filter((r) => r.k === 'domain').map((r) => r.v)));
    // The first value (in the objects' order, each object's SMTP addresses in its own order) held by another object,
    // not the first row the database returned: createEach's walk (#refusedWrites) reports the same one.
    const taken = (kind: Holder['k'], owners: ReadonlyMap<string, PreparedObject>) => {
      const held = new Map<string, Holder>();
      for (const r of found) if (r.k === kind && !selfIds.has(r.id)) held.set(r.v, r);
      if (held.size === 0) return undefined;
      for (const value of owners.keys()) if (held.has(value)) return held.get(value);
      return undefined;
    };
    if (upnDuplicate !== undefined) throw upnDuplicate;
    const upn = taken('upn', upnOwner);
    if (upn !== undefined) {
      const o = upnOwner.get(upn.v)!;
      throw uniqueConflict('ERR_DIR_UPN_CONFLICT', 'userPrincipalName', o, upn.id, upn.t, o.data['userPrincipalName']);
    }
    if (immutableDuplicate !== undefined) throw immutableDuplicate;
    const immutable = taken('immutable', immutableOwner);
    if (immutable !== undefined) {
      const o = immutableOwner.get(immutable.v)!;
      throw uniqueConflict('ERR_DIR_IMMUTABLE_ID_CONFLICT', 'onPremisesImmutableId', o, immutable.id, immutable.t, o.immutableId);
    }
    if (smtpDuplicate !== undefined) throw smtpDuplicate;
    const smtp = taken('smtp', smtpOwner);
    if (smtp !== undefined) throw smtpConflict(smtpOwner.get(smtp.v)!, smtp.id, smtp.t, smtp.v);
  }

  /**
   * Who holds the given values now: verified domains among `domain`, live objects holding a UPN key or immutable id,
   * SMTP addresses' objects. All lookups go in one UNION ALL query per 500 values of each kind.
   */
  async #holders(tx: Tx, tenantId: string, lists: Readonly<Record<'domain' | 'upn' | 'immutable' | 'smtp', readonly string[]>>): Promise<Holder[]> {
    const found: Holder[] = [];
    const rounds = Math.max(...Object.values(lists).map((list) => Math.ceil(list.length / CHUNK)));
    for (let round = 0; round < rounds; round++) {
      const part = (list: readonly string[]) => list.slice(round * CHUNK, (round + 1) * CHUNK);
      const branches: RawBuilder<unknown>[] = [];
      const domains = part(lists.domain);
      if (domains.length > 0) {
        branches.push(sql`SELECT 'domain' AS k, name AS v, '' AS id, '' AS t FROM domains
          WHERE tenant_id = ${tenantId} AND is_verified = 1 AND name IN (${sql.join(domains)})`);
      }
      const upns = part(lists.upn);
      if (upns.length > 0) {
        branches.push(sql`SELECT 'upn' AS k, upn_key AS v, id, type AS t FROM directory_objects
          WHERE tenant_id = ${tenantId} AND deleted_at IS NULL AND upn_key IS NOT NULL AND upn_key IN (${sql.join(upns)})`);
      }
      const immutables = part(lists.immutable);
      if (immutables.length > 0) {
        branches.push(sql`SELECT 'immutable' AS k, immutable_id AS v, id, type AS t FROM directory_objects
          WHERE tenant_id = ${tenantId} AND deleted_at IS NULL AND immutable_id IS NOT NULL AND immutable_id IN (${sql.join(immutables)})`);
      }
      const addresses = part(lists.smtp);
      if (addresses.length > 0) {
        branches.push(sql`SELECT 'smtp' AS k, s.address AS v, s.object_id AS id, o.type AS t
          FROM smtp_addresses s JOIN directory_objects o ON o.tenant_id = s.tenant_id AND o.id = s.object_id
          WHERE s.tenant_id = ${tenantId} AND s.address IN (${sql.join(addresses)})`);
      }
      if (branches.length === 0) continue;
      const result = await sql<Holder>`${sql.join(branches, sql` UNION ALL `)}`.execute(tx);
      found.push(...result.rows);
    }
    return found;
  }

  async #insertObjects(tx: Tx, tenantId: string, objects: readonly PreparedObject[], createdAt: string, log: ChangeLog): Promise<void> {
    const insert = async () => {
      await insertRows(tx, this.#dialect, OBJECT_INSERT, objects.map((o) => insertRowOf(tenantId, o, createdAt)));
      await insertRows(tx, this.#dialect, SMTP_INSERT, smtpRowsOf(tenantId, objects));
    };
    if (this.#dialect === 'postgres') {
      // A failed statement aborts a PostgreSQL transaction: nothing could be asked after it, so the check goes first.
      await this.#checkConstraints(tx, tenantId, objects);
      await insert();
    } else {
      // Insert first, check only when refused. The unique indexes (userPrincipalName and onPremisesImmutableId of
      // live objects, SMTP addresses) enforce exactly what #checkConstraints looks up beforehand, so a batch that
      // goes in had no conflict; the lookups were ~4% of a full synchronization's engine thread. SQLite rolls back
      // only the failed statement, so the transaction can still run the check, which throws the conflict it would
      // have thrown before the write (in-batch duplicates, then conflicts with stored objects, in the same order).
      // Domains have no index to refuse them: they are checked before the write, as before.
      await this.#checkUpnDomains(tx, tenantId, objects);
      try {
        await insert();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        await this.#checkConstraints(tx, tenantId, objects);
        throw error;
      }
    }
    for (const o of objects) log.push({ objectType: o.type, objectId: o.id, kind: 'created' });
  }

  async #checkUpnDomains(tx: Tx, tenantId: string, objects: readonly PreparedObject[]): Promise<void> {
    const withUpn = objects.filter((o) => o.upnKey !== null);
    if (withUpn.length === 0) return;
    assertVerifiedDomains(withUpn, await this.#verifiedDomainsOf(tx, tenantId, withUpn));
  }

  /** The verified domains among those of the objects' userPrincipalNames. */
  async #verifiedDomainsOf(tx: Tx, tenantId: string, objects: readonly PreparedObject[]): Promise<Set<string>> {
    const names = new Set<string>();
    for (const o of objects) if (o.upnKey !== null) names.add(upnDomainOf(o.upnKey));
    const verified = new Set<string>();
    for (const part of chunks([...names])) {
      const rows = await tx.selectFrom('domains').select('name').where('tenant_id', '=', tenantId).where('is_verified', '=', 1).where('name', 'in', part).execute();
      for (const row of rows) verified.add(row.name);
    }
    return verified;
  }

  // ---- tenants, credentials, signing key ----------------------------------------------------------------------

  async createTenant(input: { readonly name: string }): Promise<CreatedTenant> {
    const name = typeof input?.name === 'string' ? input.name.toLowerCase() : '';
    if (!TENANT_NAME.test(name)) {
      throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `tenant name '${String(input?.name)}' must be a DNS label: letters, digits and hyphens, 1 to 63 characters`, {
        path: 'name',
      });
    }
    const tenantId = randomUUID();
    const domain = `${name}${INITIAL_DOMAIN_SUFFIX}`;
    const clientSecret = generateClientSecret();
    const hashed = await hashClientSecret(clientSecret);
    const now = this.#now();
    const appId = randomUUID();
    try {
      await this.#db.transaction().execute(async (tx) => {
        // Write first, check after: on SQLite a transaction that reads before its first write cannot wait for
        // another process's write lock (it fails with SQLITE_BUSY instead), and the unique name is checked by
        // the insert itself anyway.
        const organization = {
          displayName: name,
          createdDateTime: now,
          onPremisesSyncEnabled: null,
          onPremisesLastSyncDateTime: null,
        };
        await tx
          .insertInto('tenants')
          .values({ id: tenantId, name, organization: JSON.stringify(organization), change_seq: 0, change_floor: 0, created_at: now })
          .execute();
        const verifiedElsewhere = await tx.selectFrom('domains').select('tenant_id').where('name', '=', domain).where('is_verified', '=', 1).executeTakeFirst();
        if (verifiedElsewhere !== undefined) throw tenantNameTaken(name, domain);
        await tx
          .insertInto('domains')
          .values({ tenant_id: tenantId, name: domain, is_verified: 1, is_default: 1, is_initial: 1, created_at: now })
          .execute();
        await this.#writeIn(tx, tenantId, async (inner, log) => {
          const data = emptyObject('application', randomUUID(), now);
          data['appId'] = appId;
          data['displayName'] = 'cloudsync administration';
          await this.#insertObjects(inner, tenantId, [prepare('application', data)], now, log);
          await inner
            .insertInto('client_secrets')
            .values({
              key_id: randomUUID(),
              tenant_id: tenantId,
              client_id: appId,
              salt: hashed.salt,
              hash: hashed.hash,
              roles: JSON.stringify(APP_ROLES),
              created_at: now,
            })
            .execute();
        });
      });
    } catch (error) {
      const translated = translateDatabaseError(error);
      if (translated instanceof CloudsyncError && translated.code === 'ERR_DIR_DOMAIN_CONFLICT') throw tenantNameTaken(name, domain);
      throw translated;
    }
    return { tenantId, clientId: appId, clientSecret };
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    if (typeof tenantId !== 'string') return false;
    const row = await this.#read(() => this.#db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst());
    return row !== undefined;
  }

  async verifyClientCredentials(tenantId: string, clientId: string, clientSecret: string): Promise<ClientCredentialsResult | null> {
    if (typeof tenantId !== 'string' || typeof clientId !== 'string' || typeof clientSecret !== 'string') return null;
    const rows = await this.#read(() =>
      this.#db
        .selectFrom('client_secrets')
        .select(['salt', 'hash', 'roles'])
        .where('tenant_id', '=', tenantId)
        .where('client_id', '=', clientId)
        .execute(),
    );
    if (rows.length === 0) {
      await burnVerification(clientSecret);
      return null;
    }
    for (const row of rows) {
      if (await verifyClientSecret(clientSecret, { salt: row.salt, hash: row.hash })) {
        const roles = (JSON.parse(row.roles) as unknown[]).filter(isAppRole);
        return { roles };
      }
    }
    return null;
  }

  async addClientSecret(tenantId: string, applicationId: string, roles: readonly AppRole[]): Promise<{ clientId: string; clientSecret: string }> {
    for (const role of roles) if (!isAppRole(role)) throw new TypeError(`unknown app role ${String(role)}`);
    const clientSecret = generateClientSecret();
    const hashed = await hashClientSecret(clientSecret);
    return this.#write(tenantId, async (tx) => {
      const app = await this.#liveRow(tx, tenantId, applicationId, 'application');
      const clientId = app.app_id!;
      await tx
        .insertInto('client_secrets')
        .values({
          key_id: randomUUID(),
          tenant_id: tenantId,
          client_id: clientId,
          salt: hashed.salt,
          hash: hashed.hash,
          roles: JSON.stringify([...new Set(roles)]),
          created_at: this.#now(),
        })
        .execute();
      return { clientId, clientSecret };
    });
  }

  async getOrCreateSigningKey(): Promise<SigningKey> {
    if (this.#signingKey !== undefined) return this.#signingKey;
    const load = () => this.#db.selectFrom('signing_keys').selectAll().where('slot', '=', 'current').executeTakeFirst();
    let row = await this.#read(load);
    if (row === undefined) {
      const key = generateSigningKey();
      // Several nodes may get here at once: the unique slot lets exactly one insert win, and everyone reads it back.
      await this.#read(() =>
        this.#db
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            slot: 'current',
            alg: key.alg,
            private_jwk: JSON.stringify(key.privateJwk),
            public_jwk: JSON.stringify(key.publicJwk),
            created_at: this.#now(),
          })
          .onConflict((oc) => oc.doNothing())
          .execute(),
      );
      row = await this.#read(load);
      if (row === undefined) throw new CloudsyncError('ERR_STORE_UNAVAILABLE', 'the signing key could not be stored');
    }
    this.#signingKey = Object.freeze({
      kid: row.kid,
      alg: 'ES256',
      privateJwk: JSON.parse(row.private_jwk),
      publicJwk: JSON.parse(row.public_jwk),
    });
    return this.#signingKey;
  }

  // ---- objects ------------------------------------------------------------------------------------------------

  async create<T extends ObjectType>(tenantId: string, type: T, properties: ObjectProperties, options?: WriteOptions): Promise<ObjectOfType[T]> {
    const [created] = await this.createMany(tenantId, type, [properties], options);
    return created!;
  }

  async createMany<T extends ObjectType>(
    tenantId: string,
    type: T,
    items: readonly ObjectProperties[],
    options?: WriteOptions,
  ): Promise<readonly ObjectOfType[T][]> {
    assertType(type);
    if (!Array.isArray(items)) throw new TypeError('items must be an array');
    const actor = actorOf(options);
    const now = this.#now();
    const created = await this.#write(tenantId, async (tx, log) => {
      // Scanning the names rather than serializing them: this runs for every batch of a full synchronization.
      const mentionsExtension = items.some((item) => item !== null && typeof item === 'object' && mentionsExtensionName(item));
      const extensions = mentionsExtension ? await this.#extensions(tx, tenantId) : new Map<string, ExtensionDefinition>();
      const prepared = items.map((input) => {
        const base = emptyObject(type, newObjectId(), now);
        if (type === 'application') base['appId'] = randomUUID();
        return prepare(type, applyInput(type, base, input, { actor, extensions }, true).data);
      });
      await this.#insertObjects(tx, tenantId, prepared, now, log);
      return prepared.map((p) => p.data as unknown as ObjectOfType[T]);
    });
    await this.#refreshStatisticsAfter(items.length);
    return created;
  }

  async createEach<T extends ObjectType>(
    tenantId: string,
    type: T,
    items: readonly ObjectProperties[],
    options?: WriteOptions,
  ): Promise<readonly ObjectWriteResult<ObjectOfType[T]>[]> {
    assertType(type);
    if (!Array.isArray(items)) throw new TypeError('items must be an array');
    const actor = actorOf(options);
    const now = this.#now();
    let inserted = 0;
    const results = await this.#write(tenantId, async (tx, log) => {
      const mentionsExtension = items.some((item) => item !== null && typeof item === 'object' && mentionsExtensionName(item));
      const extensions = mentionsExtension ? await this.#extensions(tx, tenantId) : new Map<string, ExtensionDefinition>();
      // An invalid item is refused by `create` before any lookup, whatever the items around it.
      const prepared = items.map((input): PreparedObject | CloudsyncError => {
        const base = emptyObject(type, newObjectId(), now);
        if (type === 'application') base['appId'] = randomUUID();
        try {
          return prepare(type, applyInput(type, base, input, { actor, extensions }, true).data);
        } catch (error) {
          if (error instanceof CloudsyncError) return error;
          throw error;
        }
      });
      const valid = prepared.filter((p): p is PreparedObject => !(p instanceof CloudsyncError));
      const refused = await this.#insertEach(tx, tenantId, valid, now, log);
      inserted = valid.length - refused.size;
      let next = 0;
      return prepared.map((p): ObjectWriteResult<ObjectOfType[T]> => {
        if (p instanceof CloudsyncError) return { ok: false, error: p };
        const error = refused.get(next++);
        return error === undefined ? { ok: true, object: p.data as unknown as ObjectOfType[T] } : { ok: false, error };
      });
    });
    await this.#refreshStatisticsAfter(inserted);
    return results;
  }

  /**
   * Inserts the objects that a `create` of each, in order, would insert; returns (by index in `objects`) the error
   * create would throw for each of the others. On SQLite, as #insertObjects, everything goes in first and the walk
   * (#refusedWrites) runs only when a unique index refused a row: under a savepoint, so that the rows already in
   * (the objects' before their SMTP addresses', or earlier chunks) go with the refusal and the accepted ones are
   * inserted again. An unverified domain has no index to refuse it, so domains are looked up before, per object.
   * A refused attempt costs the batch's inserts twice (~10 ms for 1,000 users), the lookups a fifth of that: while a
   * tenant's runs meet refusals (a directory with a UPN conflict in every batch of a full sync), SQLite too looks up
   * first, until a run passes.
   */
  async #insertEach(tx: Tx, tenantId: string, objects: readonly PreparedObject[], createdAt: string, log: ChangeLog): Promise<Map<number, CloudsyncError>> {
    const insert = async (accepted: readonly PreparedObject[]) => {
      await insertRows(tx, this.#dialect, OBJECT_INSERT, accepted.map((o) => insertRowOf(tenantId, o, createdAt)));
      await insertRows(tx, this.#dialect, SMTP_INSERT, smtpRowsOf(tenantId, accepted));
      for (const o of accepted) log.push({ objectType: o.type, objectId: o.id, kind: 'created' });
    };
    if (this.#dialect === 'sqlite' && !this.#refusingTenants.has(tenantId)) {
      const verified = await this.#verifiedDomainsOf(tx, tenantId, objects);
      const refused = new Map<number, CloudsyncError>();
      objects.forEach((o, index) => {
        const refusal = o.upnKey === null ? undefined : unverifiedDomain(o, verified);
        if (refusal !== undefined) refused.set(index, refusal);
      });
      await sql`SAVEPOINT create_each`.execute(tx);
      try {
        await insert(refused.size === 0 ? objects : objects.filter((_, index) => !refused.has(index)));
        await sql`RELEASE create_each`.execute(tx);
        return refused;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // (the change rows are logged after both inserts: none of this attempt's is in `log`)
        await sql`ROLLBACK TO create_each`.execute(tx);
        await sql`RELEASE create_each`.execute(tx);
      }
    }
    // PostgreSQL: a failed statement aborts the transaction, so the walk goes first there.
    const refused = await this.#refusedWrites(tx, tenantId, objects.map(createdRewrite));
    await insert(refused.size === 0 ? objects : objects.filter((_, index) => !refused.has(index)));
    if (this.#dialect === 'sqlite') {
      if (refused.size > 0) this.#refusingTenants.add(tenantId);
      else this.#refusingTenants.delete(tenantId);
    }
    return refused;
  }

  /**
   * PostgreSQL plans from statistics that autovacuum refreshes only every minute or so; right after a bulk load
   * a planner that still thinks the table is empty may pick a tenant-wide index scan over the UPN index. Each time
   * this process has grown the table by half since the last refresh, it runs ANALYZE (which blocks no reader or
   * writer), so a load of N rows costs O(log N) refreshes.
   */
  async #refreshStatisticsAfter(inserted: number): Promise<void> {
    if (this.#dialect !== 'postgres') return;
    this.#insertedSinceAnalyze += inserted;
    if (this.#insertedSinceAnalyze < 1000 || this.#insertedSinceAnalyze < this.#rowsAtLastAnalyze / 2) return;
    this.#rowsAtLastAnalyze += this.#insertedSinceAnalyze;
    this.#insertedSinceAnalyze = 0;
    await this.#read(() => sql`ANALYZE directory_objects`.execute(this.#db));
  }

  async #liveRow(q: Executor, tenantId: string, idOrUpn: string, type?: ObjectType) {
    if (typeof idOrUpn !== 'string') throw new TypeError('id must be a string');
    let query = q.selectFrom('directory_objects').selectAll().where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
    query =
      type === 'user' && idOrUpn.includes('@') ? query.where('upn_key', '=', idOrUpn.toLowerCase()) : query.where('id', '=', idOrUpn);
    if (type !== undefined) query = query.where('type', '=', type);
    const row = await query.executeTakeFirst();
    if (row === undefined) throw notFound(type ?? 'directory object', idOrUpn);
    return row;
  }

  async get<T extends ObjectType>(tenantId: string, type: T, idOrUpn: string): Promise<ObjectOfType[T]> {
    assertType(type);
    const row = await this.#read(() => this.#liveRow(this.#db, tenantId, idOrUpn, type));
    return parseData(row.data) as unknown as ObjectOfType[T];
  }

  async getAny(tenantId: string, id: string): Promise<DirectoryObject> {
    const row = await this.#read(() => this.#liveRow(this.#db, tenantId, id));
    return parseData(row.data);
  }

  async update<T extends ObjectType>(tenantId: string, type: T, id: string, patch: ObjectProperties, options?: WriteOptions): Promise<ObjectOfType[T]> {
    assertType(type);
    const actor = actorOf(options);
    return this.#write(tenantId, async (tx, log) => {
      const row = await this.#liveRow(tx, tenantId, id, type);
      const extensions = await this.#extensionsIfNeeded(tx, tenantId, Object.keys(patch ?? {}));
      const { data, changed } = applyInput(type, parseData(row.data), patch, { actor, extensions }, false);
      if (changed.length === 0) return data as unknown as ObjectOfType[T];
      const prepared = prepare(type, data);
      const changedSet = new Set(changed);
      await this.#checkConstraints(tx, tenantId, [prepared], changedSet);
      await tx.executeQuery(
        CompiledQuery.raw(UPDATE_OBJECT[this.#dialect], [displayNameOf(data), prepared.upnKey, prepared.immutableId, syncEnabledOf(data), sparseJson(type, data), tenantId, row.id]),
      );
      if (changedSet.has('mail') || changedSet.has('proxyAddresses')) {
        await tx.deleteFrom('smtp_addresses').where('tenant_id', '=', tenantId).where('object_id', '=', row.id).execute();
        await insertRows(tx, this.#dialect, SMTP_INSERT, smtpRowsOf(tenantId, [prepared]));
      }
      log.push({ objectType: type, objectId: row.id, kind: 'updated', detail: changed });
      return data as unknown as ObjectOfType[T];
    });
  }

  async updateMany<T extends ObjectType>(tenantId: string, type: T, items: readonly ObjectUpdate[], options?: WriteOptions): Promise<readonly ObjectOfType[T][]> {
    const results = await this.#updateItems(tenantId, type, items, options, 'all');
    return results.map((r) => (r as { readonly object: ObjectOfType[T] }).object);
  }

  async updateEach<T extends ObjectType>(tenantId: string, type: T, items: readonly ObjectUpdate[], options?: WriteOptions): Promise<readonly ObjectWriteResult<ObjectOfType[T]>[]> {
    return this.#updateItems(tenantId, type, items, options, 'each');
  }

  /**
   * updateMany (`all`: the first item refused fails the call) and updateEach (`each`: refused items are values). Each
   * item is what `update` makes of it after the items before it that were written: an item refused for itself (not
   * found, a read-only or mastered property, an invalid value) changes nothing for the ones after it; one refused
   * by the constraints' walk (#refusedWrites) does not either, as long as no later item writes the same object or
   * names a user by UPN — their state was computed with it, so `each` then fails the call as `all` does (and the
   * engine writes one by one).
   */
  async #updateItems<T extends ObjectType>(
    tenantId: string,
    type: T,
    items: readonly ObjectUpdate[],
    options: WriteOptions | undefined,
    refusals: 'all' | 'each',
  ): Promise<readonly ObjectWriteResult<ObjectOfType[T]>[]> {
    assertType(type);
    if (!Array.isArray(items)) throw new TypeError('items must be an array');
    for (const item of items) if (typeof item?.id !== 'string') throw new TypeError('id must be a string');
    const actor = actorOf(options);
    if (items.length === 0) return [];
    return this.#write(tenantId, async (tx, log) => {
      const stored = await this.#liveRowsOf(tx, tenantId, type, items.map((i) => i.id));
      const mentionsExtension = items.some((item) => item.patch !== null && typeof item.patch === 'object' && mentionsExtensionName(item.patch));
      const extensions = mentionsExtension ? await this.#extensions(tx, tenantId) : new Map<string, ExtensionDefinition>();
      // Each object's data after the items so far, and the UPNs those items moved: what the next `update` would read.
      const latest = new Map<string, StoredObject>();
      const movedUpns = new Map<string, string | null>();
      const results: (StoredObject | CloudsyncError)[] = [];
      const writes: ObjectRewrite[] = [];
      /** per write, its item's index */
      const itemOfWrite: number[] = [];
      /** per item, the object it names (undefined: not found) */
      const targets: (string | undefined)[] = [];
      let byUpnItems = false;
      let firstRefused = items.length;
      for (let index = 0; index < items.length; index++) {
        const item = items[index]!;
        targets.push(undefined);
        try {
          const byUpn = type === 'user' && item.id.includes('@');
          byUpnItems ||= byUpn;
          const key = byUpn ? item.id.toLowerCase() : item.id;
          const id = byUpn ? (movedUpns.has(key) ? movedUpns.get(key) : stored.idByUpn.get(key)) : key;
          const current = id === undefined || id === null ? undefined : latest.get(id) ?? stored.dataById.get(id);
          if (current === undefined) throw notFound(type, item.id);
          targets[index] = current.id;
          const { data, changed } = applyInput(type, current, item.patch, { actor, extensions }, false);
          results.push(data);
          if (changed.length === 0) continue;
          const before = prepare(type, current);
          const after = prepare(type, data);
          latest.set(after.id, data);
          if (before.upnKey !== after.upnKey) {
            if (before.upnKey !== null) movedUpns.set(before.upnKey, null);
            if (after.upnKey !== null) movedUpns.set(after.upnKey, after.id);
          }
          writes.push({ before, after, changed });
          itemOfWrite.push(index);
        } catch (error) {
          // What `update` would throw for this item. Misuse (a TypeError) fails the call.
          if (!(error instanceof CloudsyncError)) throw error;
          results.push(error);
          firstRefused = Math.min(firstRefused, index);
          if (refusals === 'all') break;
        }
      }
      const walked = await this.#refusedWrites(tx, tenantId, writes);
      for (const [w, error] of walked) {
        const index = itemOfWrite[w]!;
        results[index] = error;
        firstRefused = Math.min(firstRefused, index);
      }
      if (firstRefused < items.length && (refusals === 'all' || (walked.size > 0 && !refusalsStandAlone(walked, itemOfWrite, writes, targets, byUpnItems)))) {
        throw results[firstRefused];
      }
      const accepted = walked.size === 0 ? writes : writes.filter((_, w) => !walked.has(w));
      const smtpChanged = new Set<string>();
      const final = new Map<string, PreparedObject>();
      for (const { after, changed } of accepted) {
        if (changed.includes('mail') || changed.includes('proxyAddresses')) smtpChanged.add(after.id);
        final.set(after.id, after);
        log.push({ objectType: type, objectId: after.id, kind: 'updated', detail: changed });
      }
      // One statement per 500 rows unless a UPN or immutable id passes from one object of the call to another, or an
      // object is written twice: the rows of one statement are updated in no order, and only then could a unique
      // index see a value held twice in between (the checks above allowed the sequence, not any order of it). A
      // schema's re-evaluation, UPN changes included, takes the single statement; otherwise row by row in item order.
      const keysStay = final.size === accepted.length && !passesBetween(accepted, (o) => o.upnKey) && !passesBetween(accepted, (o) => o.immutableId);
      if (keysStay) {
        await updateRows(tx, this.#dialect, OBJECT_REWRITE, accepted.map(({ after }) => [tenantId, after.id, displayNameOf(after.data), after.upnKey, after.immutableId, syncEnabledOf(after.data), sparseJson(type, after.data)]));
      } else {
        for (const { after } of accepted) {
          await tx.executeQuery(
            CompiledQuery.raw(UPDATE_OBJECT[this.#dialect], [displayNameOf(after.data), after.upnKey, after.immutableId, syncEnabledOf(after.data), sparseJson(type, after.data), tenantId, after.id]),
          );
        }
      }
      for (const ids of chunks([...smtpChanged])) await tx.deleteFrom('smtp_addresses').where('tenant_id', '=', tenantId).where('object_id', 'in', ids).execute();
      await insertRows(tx, this.#dialect, SMTP_INSERT, smtpRowsOf(tenantId, [...smtpChanged].map((id) => final.get(id)!)));
      return results.map((r): ObjectWriteResult<ObjectOfType[T]> => (r instanceof CloudsyncError ? { ok: false, error: r } : { ok: true, object: r as unknown as ObjectOfType[T] }));
    });
  }

  /**
   * The live objects of `type` that `ids` name (by id; users also by UPN), as `update` and `delete` would find them:
   * their data, and the columns delete needs (the sync flag, an application's appId).
   */
  async #liveRowsOf(tx: Tx, tenantId: string, type: ObjectType, ids: readonly string[]) {
    const upns = type === 'user' ? [...new Set(ids.filter((id) => id.includes('@')).map((id) => id.toLowerCase()))] : [];
    const plain = [...new Set(ids.filter((id) => type !== 'user' || !id.includes('@')))];
    const dataById = new Map<string, StoredObject>();
    const rowById = new Map<string, { readonly syncEnabled: number; readonly appId: string | null }>();
    const idByUpn = new Map<string, string>();
    const live = sql`tenant_id = ${tenantId} AND type = ${type} AND deleted_at IS NULL`;
    for (const [column, values] of [['id', plain], ['upn_key', upns]] as const) {
      for (const part of chunks(values)) {
        const { rows } = await sql<{ id: string; upn_key: string | null; sync_enabled: number | string; app_id: string | null; data: string }>`
          SELECT id, upn_key, sync_enabled, app_id, data FROM directory_objects WHERE ${live} AND ${sql.ref(column)} IN (${sql.join(part)})`.execute(tx);
        for (const row of rows) {
          if (!dataById.has(row.id)) {
            dataById.set(row.id, parseData(row.data));
            rowById.set(row.id, { syncEnabled: Number(row.sync_enabled), appId: row.app_id });
          }
          if (column === 'upn_key' && row.upn_key !== null) idByUpn.set(row.upn_key, row.id);
        }
      }
    }
    return { dataById, rowById, idByUpn };
  }

  /**
   * #checkConstraints for a sequence of updates, each checked against the directory as the updates before it left
   * it. Throws what `update` would throw for the first update that fails.
   */
  async #checkRewrites(tx: Tx, tenantId: string, writes: readonly ObjectRewrite[]): Promise<void> {
    const refused = await this.#refusedWrites(tx, tenantId, writes);
    // the walk visits the writes in order: the first refusal is the first key
    for (const error of refused.values()) throw error;
  }

  /**
   * The writes (updates, or creates: see createdRewrite) that a call of their own, one after the other, would refuse
   * for the tenant-wide constraints: one lookup of every value the sequence claims, then a walk that hands values
   * over as each write would. By index, the error that call would throw, in the same order of checks (domain, UPN,
   * immutable id, SMTP addresses in the object's order); a refused write hands nothing over, as a refused call leaves
   * the directory as it was, so its values stay free for the writes after it.
   */
  async #refusedWrites(tx: Tx, tenantId: string, writes: readonly ObjectRewrite[]): Promise<Map<number, CloudsyncError>> {
    const refused = new Map<number, CloudsyncError>();
    const claims = { domain: new Set<string>(), upn: new Set<string>(), immutable: new Set<string>(), smtp: new Set<string>() };
    for (const { after, changed } of writes) {
      if (after.upnKey !== null && changed.includes('userPrincipalName')) {
        claims.domain.add(upnDomainOf(after.upnKey));
        claims.upn.add(after.upnKey);
      }
      if (after.immutableId !== null && changed.includes('onPremisesImmutableId')) claims.immutable.add(after.immutableId);
      if (changed.includes('mail') || changed.includes('proxyAddresses')) for (const address of after.smtp) claims.smtp.add(address);
    }
    if (claims.domain.size + claims.immutable.size + claims.smtp.size === 0) return refused;
    const found = await this.#holders(tx, tenantId, { domain: [...claims.domain], upn: [...claims.upn], immutable: [...claims.immutable], smtp: [...claims.smtp] });
    const verified = new Set<string>();
    const held = { upn: new Map<string, ValueHolder>(), immutable: new Map<string, ValueHolder>(), smtp: new Map<string, ValueHolder>() };
    for (const row of found) {
      if (row.k === 'domain') verified.add(row.v);
      else held[row.k].set(row.v, { id: row.id, type: row.t });
    }
    const other = (map: Map<string, ValueHolder>, value: string, self: string) => {
      const holder = map.get(value);
      return holder !== undefined && holder.id !== self ? holder : undefined;
    };
    const handOver = (map: Map<string, ValueHolder>, given: readonly string[], taken: readonly string[], self: ValueHolder) => {
      for (const value of given) if (map.get(value)?.id === self.id) map.delete(value);
      for (const value of taken) map.set(value, self);
    };
    const refusalOf = ({ after, changed }: ObjectRewrite): CloudsyncError | undefined => {
      if (changed.includes('userPrincipalName') && after.upnKey !== null) {
        const unverified = unverifiedDomain(after, verified);
        if (unverified !== undefined) return unverified;
        const holder = other(held.upn, after.upnKey, after.id);
        if (holder !== undefined) return uniqueConflict('ERR_DIR_UPN_CONFLICT', 'userPrincipalName', after, holder.id, holder.type, after.data['userPrincipalName']);
      }
      if (changed.includes('onPremisesImmutableId') && after.immutableId !== null) {
        const holder = other(held.immutable, after.immutableId, after.id);
        if (holder !== undefined) return uniqueConflict('ERR_DIR_IMMUTABLE_ID_CONFLICT', 'onPremisesImmutableId', after, holder.id, holder.type, after.immutableId);
      }
      if (changed.includes('mail') || changed.includes('proxyAddresses')) {
        for (const address of after.smtp) {
          const holder = other(held.smtp, address, after.id);
          if (holder !== undefined) return smtpConflict(after, holder.id, holder.type, address);
        }
      }
      return undefined;
    };
    for (let index = 0; index < writes.length; index++) {
      const write = writes[index]!;
      const refusal = refusalOf(write);
      if (refusal !== undefined) {
        refused.set(index, refusal);
        continue;
      }
      const { before, after, changed } = write;
      const self = { id: after.id, type: after.type };
      const upnChanged = changed.includes('userPrincipalName');
      const immutableChanged = changed.includes('onPremisesImmutableId');
      const smtpChanged = changed.includes('mail') || changed.includes('proxyAddresses');
      if (upnChanged) handOver(held.upn, before.upnKey === null ? [] : [before.upnKey], after.upnKey === null ? [] : [after.upnKey], self);
      if (immutableChanged) handOver(held.immutable, before.immutableId === null ? [] : [before.immutableId], after.immutableId === null ? [] : [after.immutableId], self);
      if (smtpChanged) handOver(held.smtp, before.smtp, after.smtp, self);
    }
    return refused;
  }

  async delete(tenantId: string, type: ObjectType, id: string, options?: WriteOptions): Promise<void> {
    if (typeof id !== 'string') throw new TypeError('id must be a string');
    await this.deleteMany(tenantId, type, [id], options);
  }

  async deleteMany(tenantId: string, type: ObjectType, ids: readonly string[], options?: WriteOptions): Promise<void> {
    assertType(type);
    if (!Array.isArray(ids)) throw new TypeError('ids must be an array');
    for (const id of ids) if (typeof id !== 'string') throw new TypeError('id must be a string');
    const actor = actorOf(options);
    if (ids.length === 0) return;
    await this.#write(tenantId, async (tx, log) => {
      const stored = await this.#liveRowsOf(tx, tenantId, type, ids);
      // Each id as `delete` would find it after the ids before it: an object deleted by one of them is gone.
      const doomed: { readonly id: string; readonly appId: string | null; readonly data: StoredObject }[] = [];
      const gone = new Set<string>();
      for (const given of ids) {
        const id = type === 'user' && given.includes('@') ? stored.idByUpn.get(given.toLowerCase()) : given;
        const row = id === undefined || gone.has(id) ? undefined : stored.rowById.get(id);
        if (row === undefined) throw notFound(type, given);
        if (actor === 'api' && row.syncEnabled === 1) {
          throw new CloudsyncError(
            'ERR_DIR_ON_PREMISES_MASTERED',
            `${type} ${id} is synced from on-premises (onPremisesSyncEnabled is true): delete it in the on-premises directory or take it out of sync scope`,
            { details: { property: 'onPremisesSyncEnabled', objectId: id } },
          );
        }
        gone.add(id!);
        doomed.push({ id: id!, appId: row.appId, data: stored.dataById.get(id!)! });
      }
      const objectIds = doomed.map((o) => o.id);
      // Groups that contained an object lose a member now (and regain it on restore): delta reports both. A group
      // an earlier id of this call deleted is no longer live for the ids after it, as with one delete per id.
      const groupsOf = await this.#liveGroupsOf(tx, tenantId, objectIds);
      const soft = (SOFT_DELETED_TYPES as readonly string[]).includes(type);
      const deletedBefore = new Set<string>();
      for (const { id } of doomed) {
        for (const groupId of groupsOf.get(id) ?? []) {
          if (!deletedBefore.has(groupId)) log.push({ objectType: 'group', objectId: groupId, kind: 'memberRemoved', detail: { id, type } });
        }
        log.push({ objectType: type, objectId: id, kind: soft ? 'deleted' : 'purged' });
        if (type === 'group') deletedBefore.add(id);
      }
      if (!soft) {
        await this.#removeForGood(tx, tenantId, doomed.map((o) => ({ id: o.id, type, appId: o.appId })));
        return;
      }
      for (const part of chunks(objectIds)) await tx.deleteFrom('smtp_addresses').where('tenant_id', '=', tenantId).where('object_id', 'in', part).execute();
      // Only deleted_at and data change: the partial unique indexes (live objects) lose rows and gain none, so the
      // rows of one statement may be written in any order.
      const now = this.#now();
      const rows = doomed.map(({ id, data }) => {
        data['deletedDateTime'] = now;
        return [tenantId, id, now, sparseJson(type, data)];
      });
      // One object (delete, the API's, the engine's one-by-one fallback): the fixed statement, which SQLite ran faster
      // than the one-row UPDATE … FROM (3,100 against 2,100 deletes/s in a loop of single deletes).
      if (rows.length === 1) await tx.executeQuery(CompiledQuery.raw(SOFT_DELETE_OBJECT[this.#dialect], [now, rows[0]![3], tenantId, rows[0]![1]]));
      else await updateRows(tx, this.#dialect, OBJECT_DELETION, rows);
    });
  }

  /** Removes objects and everything that refers to them (memberships both ways, addresses, manager links). */
  async #removeForGood(tx: Tx, tenantId: string, objects: readonly { readonly id: string; readonly type: string; readonly appId: string | null }[]): Promise<void> {
    for (const part of chunks(objects)) {
      const ids = part.map((o) => o.id);
      await tx
        .deleteFrom('memberships')
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('group_id', 'in', ids), eb('member_id', 'in', ids)]))
        .execute();
      await tx.deleteFrom('smtp_addresses').where('tenant_id', '=', tenantId).where('object_id', 'in', ids).execute();
      await tx.deleteFrom('managers').where('tenant_id', '=', tenantId).where((eb) => eb.or([eb('user_id', 'in', ids), eb('manager_id', 'in', ids)])).execute();
      const applications = part.filter((o) => o.type === 'application');
      if (applications.length > 0) {
        await tx.deleteFrom('extension_properties').where('tenant_id', '=', tenantId).where('application_id', 'in', applications.map((o) => o.id)).execute();
        const appIds = applications.map((o) => o.appId).filter((a): a is string => a !== null);
        if (appIds.length > 0) await tx.deleteFrom('client_secrets').where('tenant_id', '=', tenantId).where('client_id', 'in', appIds).execute();
      }
      await tx.deleteFrom('directory_objects').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
    }
  }

  /** The live groups that hold each of `memberIds` as a direct member (member id → group ids, by group id). */
  async #liveGroupsOf(tx: Tx, tenantId: string, memberIds: readonly string[]): Promise<Map<string, string[]>> {
    const groups = new Map<string, string[]>();
    for (const part of chunks(memberIds)) {
      // fixed text per chunk size rather than the builder, whose compilation was half of a one-object delete's reads
      const text = fixedStatement('select m.member_id, m.group_id from memberships m join directory_objects g on g.tenant_id = m.tenant_id and g.id = m.group_id'
        + ` where m.tenant_id = ? and m.member_id in (${part.map(() => '?').join(', ')}) and g.deleted_at is null order by m.member_id, m.group_id`);
      const { rows } = await tx.executeQuery<{ member_id: string; group_id: string }>(CompiledQuery.raw(text[this.#dialect], [tenantId, ...part]));
      for (const row of rows) {
        const list = groups.get(row.member_id);
        if (list === undefined) groups.set(row.member_id, [row.group_id]);
        else list.push(row.group_id);
      }
    }
    return groups;
  }

  // ---- listing ------------------------------------------------------------------------------------------------

  async list<T extends ObjectType>(tenantId: string, type: T, query: ListQuery): Promise<ListPage<ObjectOfType[T]>> {
    assertType(type);
    return this.#list(tenantId, type, query, false, parseData) as Promise<ListPage<ObjectOfType[T]>>;
  }

  async findUsersByImmutableIds(tenantId: string, immutableIds: readonly string[]): Promise<readonly User[]> {
    const found: User[] = [];
    const unique = [...new Set(immutableIds)];
    // No ORDER BY: with one, the planner walks the (tenant, type, id) index and filters, a scan per call.
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      // `immutable_id IS NOT NULL` spelled out: SQLite uses the partial unique index only when the query names its condition
      const rows = await this.#read(() => this.#db.selectFrom('directory_objects').select(['data', 'type'])
        .where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).where('immutable_id', 'is not', null).where('immutable_id', 'in', chunk).execute());
      for (const row of rows) if (row.type === 'user') found.push(parseData(row.data) as unknown as User);
    }
    return found;
  }

  async listJson(tenantId: string, type: ObjectType, query: ListQuery): Promise<ListPage<string>> {
    assertType(type);
    return this.#list(tenantId, type, query, false, denseJson);
  }

  async listDeleted<T extends SoftDeletedType>(tenantId: string, type: T, query: ListQuery): Promise<ListPage<ObjectOfType[T]>> {
    if (!(SOFT_DELETED_TYPES as readonly string[]).includes(type)) throw new TypeError(`${String(type)} objects are not soft-deleted`);
    return this.#list(tenantId, type, query, true, parseData) as Promise<ListPage<ObjectOfType[T]>>;
  }

  async #list<Item>(tenantId: string, type: ObjectType, query: ListQuery, deleted: boolean, read: (data: string) => Item): Promise<ListPage<Item>> {
    const top = pageSize(query.top);
    const orderBy = query.orderBy;
    let keyColumn: 'display_name' | 'upn_key' | undefined;
    if (orderBy !== undefined) {
      if (orderBy.property === 'displayName') keyColumn = 'display_name';
      else if (orderBy.property === 'userPrincipalName' && type === 'user') keyColumn = 'upn_key';
      else throw new CloudsyncError('ERR_ODATA_ORDERBY', `${type} cannot be ordered by ${String(orderBy.property)}`, { path: '$orderby' });
      if (orderBy.direction !== 'asc' && orderBy.direction !== 'desc') throw new TypeError('orderBy.direction must be asc or desc');
    }
    const order = orderBy === undefined ? 'id' : `${orderBy.property} ${orderBy.direction}`;
    const descending = orderBy?.direction === 'desc';
    const position = query.skipToken === undefined ? undefined : decodeListPosition(query.skipToken, order);
    return this.#read(async () => {
      const extensions = await this.#extensionsIfNeeded(this.#db, tenantId, query.filter);
      const filter = query.filter === undefined ? undefined : compileFilter({ dialect: this.#dialect, type, extensions }, query.filter);
      const base = () => {
        let q = this.#db
          .selectFrom('directory_objects as o')
          .where('o.tenant_id', '=', tenantId)
          .where('o.type', '=', type)
          .where('o.deleted_at', deleted ? 'is not' : 'is', null);
        if (filter !== undefined) q = q.where(filter);
        return q;
      };
      let page = base().select(['o.id', 'o.data']);
      if (keyColumn === undefined) {
        if (position !== undefined) page = page.where('o.id', '>', position.id);
        page = page.orderBy('o.id', 'asc');
      } else {
        const keyRef = sql.ref(`o.${keyColumn}`);
        page = page.select(sql<string>`${keyRef}`.as('sort_key'));
        // Users always have a UPN; saying so lets the planner use the partial unique index (… IS NOT NULL) for order.
        if (keyColumn === 'upn_key') page = page.where('o.upn_key', 'is not', null);
        // UPNs are unique among live users, so the UPN alone is the keyset and matches its index exactly; display
        // names repeat, so id breaks ties.
        const unique = keyColumn === 'upn_key';
        if (position !== undefined) {
          const key = position.key ?? '';
          if (unique) page = page.where(`o.${keyColumn}`, descending ? '<' : '>', key);
          else {
            page = page.where(
              descending ? sql<SqlBool>`(${keyRef}, o.id) < (${key}, ${position.id})` : sql<SqlBool>`(${keyRef}, o.id) > (${key}, ${position.id})`,
            );
          }
        }
        page = page.orderBy(`o.${keyColumn}`, descending ? 'desc' : 'asc');
        if (!unique) page = page.orderBy('o.id', descending ? 'desc' : 'asc');
      }
      const rows = (await page.limit(top + 1).execute()) as { id: string; data: string; sort_key?: string }[];
      const more = rows.length > top;
      const visible = more ? rows.slice(0, top) : rows;
      const items = visible.map((r) => read(r.data));
      const last = visible[visible.length - 1];
      let count: number | undefined;
      if (query.count === true) {
        const result = await base().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
        count = Number(result?.n ?? 0);
      }
      return {
        items,
        ...(more && last !== undefined
          ? { nextSkipToken: encodeListPosition({ order, id: last.id, ...(keyColumn === undefined ? {} : { key: last.sort_key ?? '' }) }) }
          : {}),
        ...(count === undefined ? {} : { count }),
      };
    });
  }

  // ---- membership ---------------------------------------------------------------------------------------------

  async addMember(tenantId: string, groupId: string, memberId: string, options?: WriteOptions): Promise<void> {
    const actor = actorOf(options);
    await this.#write(tenantId, async (tx, log) => {
      const group = await this.#liveRow(tx, tenantId, groupId, 'group');
      if (actor === 'api' && group.sync_enabled === 1) throw mastered('group', group.id, 'members');
      const member = await this.#liveRow(tx, tenantId, memberId);
      if (!MEMBER_TYPES.includes(member.type as ObjectType)) {
        throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `${member.type} ${member.id} cannot be a group member (members are users, groups and contacts)`, {
          details: { memberId: member.id },
        });
      }
      const existing = await tx
        .selectFrom('memberships')
        .select('member_id')
        .where('tenant_id', '=', tenantId)
        .where('group_id', '=', group.id)
        .where('member_id', '=', member.id)
        .executeTakeFirst();
      if (existing !== undefined) {
        throw new CloudsyncError('ERR_DIR_MEMBER_EXISTS', `${member.type} ${member.id} is already a member of group ${group.id}`, {
          details: { groupId: group.id, memberId: member.id },
        });
      }
      if (member.type === 'group') {
        // Walks every membership row, deleted groups included: a deleted group comes back with its memberships on
        // restore, and must not bring a cycle with it. Upward from the group (its containing groups) rather than
        // down from the member, which is the same question but does not visit the member's users: a group of
        // 20,000 users nested 2,000 deep took 5 s to check.
        if (await reachesUpward(tx, tenantId, MEMBERSHIP_EDGE, group.id, member.id)) {
          throw new CloudsyncError(
            'ERR_DIR_MEMBERSHIP_CYCLE',
            `adding group ${member.id} to group ${group.id} would make group ${group.id} a member of itself`,
            { details: { groupId: group.id, memberId: member.id } },
          );
        }
      }
      await tx.insertInto('memberships').values({ tenant_id: tenantId, group_id: group.id, member_id: member.id }).execute();
      log.push({ objectType: 'group', objectId: group.id, kind: 'memberAdded', detail: { id: member.id, type: member.type } });
    });
  }

  async removeMember(tenantId: string, groupId: string, memberId: string, options?: WriteOptions): Promise<void> {
    const actor = actorOf(options);
    await this.#write(tenantId, async (tx, log) => {
      const group = await this.#liveRow(tx, tenantId, groupId, 'group');
      if (actor === 'api' && group.sync_enabled === 1) throw mastered('group', group.id, 'members');
      const member = await this.#liveRow(tx, tenantId, memberId).catch(() => undefined);
      if (member === undefined && actor === 'provisioning') {
        // A deleted object's memberships are kept for its restore. When the source removed the link meanwhile (AD
        // drops the links of an object it deletes, and an undelete does not bring them back), the kept membership
        // must go too, or restoring the object would put it back into a group it is no longer in.
        const kept = await tx.deleteFrom('memberships').where('tenant_id', '=', tenantId).where('group_id', '=', group.id).where('member_id', '=', memberId).executeTakeFirst();
        if (Number(kept.numDeletedRows) > 0) return;
      }
      const removed = member === undefined
        ? 0
        : Number(
            (
              await tx
                .deleteFrom('memberships')
                .where('tenant_id', '=', tenantId)
                .where('group_id', '=', group.id)
                .where('member_id', '=', member.id)
                .executeTakeFirst()
            ).numDeletedRows,
          );
      if (removed === 0 || member === undefined) {
        throw new CloudsyncError('ERR_DIR_NOT_FOUND', `'${memberId}' is not a member of group ${group.id}`, { details: { groupId: group.id, memberId } });
      }
      log.push({ objectType: 'group', objectId: group.id, kind: 'memberRemoved', detail: { id: member.id, type: member.type } });
    });
  }

  async #memberPage(tenantId: string, query: MemberQuery | undefined, source: RawBuilder<unknown>): Promise<ListPage<DirectoryObject>> {
    const top = pageSize(query?.top);
    const position = query?.skipToken === undefined ? undefined : decodeListPosition(query.skipToken, 'id');
    return this.#read(async () => {
      const after = position === undefined ? sql`` : sql` AND o.id > ${position.id}`;
      const { rows } = await sql<{ id: string; data: string }>`
        WITH ${source}
        SELECT o.id, o.data FROM directory_objects o
        WHERE o.tenant_id = ${tenantId} AND o.deleted_at IS NULL AND o.id IN (SELECT id FROM rel)${after}
        ORDER BY o.id LIMIT ${top + 1}`.execute(this.#db);
      const more = rows.length > top;
      const visible = more ? rows.slice(0, top) : rows;
      let count: number | undefined;
      if (query?.count === true) {
        const counted = await sql<{ n: number }>`
          WITH ${source}
          SELECT count(*) AS n FROM directory_objects o
          WHERE o.tenant_id = ${tenantId} AND o.deleted_at IS NULL AND o.id IN (SELECT id FROM rel)`.execute(this.#db);
        count = Number(counted.rows[0]?.n ?? 0);
      }
      const last = visible[visible.length - 1];
      return {
        items: visible.map((r) => parseData(r.data)),
        ...(more && last !== undefined ? { nextSkipToken: encodeListPosition({ order: 'id', id: last.id }) } : {}),
        ...(count === undefined ? {} : { count }),
      };
    });
  }

  async listMembers(tenantId: string, groupId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>> {
    const group = await this.#read(() => this.#liveRow(this.#db, tenantId, groupId, 'group'));
    return this.#memberPage(tenantId, query, sql`rel(id) AS (SELECT member_id FROM memberships WHERE tenant_id = ${tenantId} AND group_id = ${group.id})`);
  }

  async listTransitiveMembers(tenantId: string, groupId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>> {
    const group = await this.#read(() => this.#liveRow(this.#db, tenantId, groupId, 'group'));
    // Descends only through live groups: a deleted nested group hides its members, as it is not a member itself.
    return this.#memberPage(
      tenantId,
      query,
      sql`RECURSIVE rel(id) AS (
        SELECT m.member_id FROM memberships m WHERE m.tenant_id = ${tenantId} AND m.group_id = ${group.id}
        UNION
        SELECT m.member_id FROM rel CROSS JOIN memberships m
        WHERE m.tenant_id = ${tenantId} AND m.group_id = rel.id
          AND EXISTS (SELECT 1 FROM directory_objects g WHERE g.tenant_id = ${tenantId} AND g.id = rel.id AND g.deleted_at IS NULL)
      )`,
    );
  }

  async listMemberOf(tenantId: string, objectId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>> {
    const object = await this.#read(() => this.#liveRow(this.#db, tenantId, objectId));
    return this.#memberPage(tenantId, query, sql`rel(id) AS (SELECT group_id FROM memberships WHERE tenant_id = ${tenantId} AND member_id = ${object.id})`);
  }

  // ---- manager ------------------------------------------------------------------------------------------------

  async getManager(tenantId: string, userId: string): Promise<DirectoryObject> {
    return this.#read(async () => {
      const user = await this.#liveRow(this.#db, tenantId, userId, 'user');
      const row = await this.#db
        .selectFrom('managers as m')
        .innerJoin('directory_objects as o', (j) => j.onRef('o.tenant_id', '=', 'm.tenant_id').onRef('o.id', '=', 'm.manager_id'))
        .select('o.data')
        .where('m.tenant_id', '=', tenantId)
        .where('m.user_id', '=', user.id)
        .where('o.deleted_at', 'is', null)
        .executeTakeFirst();
      if (row === undefined) throw new CloudsyncError('ERR_DIR_NOT_FOUND', `user ${user.id} has no manager`, { details: { userId: user.id } });
      return parseData(row.data);
    });
  }

  async setManager(tenantId: string, userId: string, managerId: string | null, options?: WriteOptions): Promise<void> {
    const [result] = await this.setManagers(tenantId, [{ userId, managerId }], options);
    if (!result!.ok) throw result!.error;
  }

  async setManagers(tenantId: string, links: readonly ManagerLink[], options?: WriteOptions): Promise<readonly ManagerLinkResult[]> {
    const actor = actorOf(options);
    if (!Array.isArray(links)) throw new TypeError('links must be an array');
    links.forEach((link: ManagerLink | undefined, i) => {
      if (typeof link?.userId !== 'string') throw new TypeError(`links[${i}].userId must be a string`);
      if (link.managerId !== null && typeof link.managerId !== 'string') throw new TypeError(`links[${i}].managerId must be a string or null`);
    });
    return this.#write(tenantId, async (tx, log) => {
      const graph = await this.#managerGraph(tx, tenantId, links);
      // the graph holds the row of every user a link names (see ManagerGraph): users without one have nothing to
      // delete — in a first synchronization, none of them
      const stored = new Set(graph.managerOf.keys());
      const applied = applyManagerLinks(graph, links, actor);
      const users = [...applied.finalManagers.keys()];
      for (const chunk of chunks(users.filter((user) => stored.has(user)))) await tx.deleteFrom('managers').where('tenant_id', '=', tenantId).where('user_id', 'in', chunk).execute();
      const rows = users.flatMap((user) => {
        const manager = applied.finalManagers.get(user)!;
        return manager === null ? [] : [[tenantId, user, manager]];
      });
      await insertRows(tx, this.#dialect, MANAGER_INSERT, rows);
      for (const user of applied.updatedUsers) log.push({ objectType: 'user', objectId: user, kind: 'updated', detail: ['manager'] });
      return applied.results;
    });
  }

  /**
   * What setManagers' links can meet (see manager-links.ts): the live objects they name, and the managers rows of
   * the named objects and of every object above them — chains, one recursive query per 500 names.
   */
  async #managerGraph(tx: Tx, tenantId: string, links: readonly ManagerLink[]): Promise<ManagerGraph> {
    const ids = new Set<string>();
    const upns = new Set<string>();
    for (const { userId, managerId } of links) {
      if (userId.includes('@')) upns.add(userId.toLowerCase());
      else ids.add(userId);
      if (managerId !== null) ids.add(managerId);
    }
    const byId = new Map<string, LinkedObject>();
    const usersByUpn = new Map<string, LinkedObject>();
    const live = tx.selectFrom('directory_objects').select(['id', 'type', 'sync_enabled', 'upn_key']).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
    const linked = (row: { id: string; type: string; sync_enabled: number }): LinkedObject => ({ id: row.id, type: row.type, syncEnabled: row.sync_enabled === 1 });
    for (const chunk of chunks([...ids])) for (const row of await live.where('id', 'in', chunk).execute()) byId.set(row.id, linked(row));
    for (const chunk of chunks([...upns])) for (const row of await live.where('type', '=', 'user').where('upn_key', 'in', chunk).execute()) usersByUpn.set(row.upn_key!, linked(row));
    const managerOf = new Map<string, string>();
    const named = [...byId.keys(), ...[...usersByUpn.values()].map((user) => user.id)];
    for (const chunk of chunks(named)) {
      // Seeded with (id, id) pairs from the objects' primary key, so that every step up is a primary-key lookup of
      // managers: seeded from managers with `user_id IN (…)`, SQLite scanned the tenant's whole manager index
      // (ix_managers_manager covers both columns), O(users) per call. No row pairs an object with itself.
      const chains = await sql<{ user_id: string; manager_id: string }>`
        WITH RECURSIVE up(user_id, manager_id) AS (
          SELECT o.id, o.id FROM directory_objects o WHERE o.tenant_id = ${tenantId} AND o.id IN (${sql.join(chunk)})
          UNION
          SELECT m.user_id, m.manager_id FROM up CROSS JOIN managers m WHERE m.tenant_id = ${tenantId} AND m.user_id = up.manager_id
        )
        SELECT user_id, manager_id FROM up WHERE user_id <> manager_id`.execute(tx);
      for (const row of chains.rows) managerOf.set(row.user_id, row.manager_id);
    }
    return { byId, usersByUpn, managerOf };
  }

  async listDirectReports(tenantId: string, objectId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>> {
    const object = await this.#read(() => this.#liveRow(this.#db, tenantId, objectId));
    return this.#memberPage(tenantId, query, sql`rel(id) AS (SELECT user_id FROM managers WHERE tenant_id = ${tenantId} AND manager_id = ${object.id})`);
  }

  async listTransitiveMemberOf(tenantId: string, objectId: string, query?: MemberQuery): Promise<ListPage<DirectoryObject>> {
    const object = await this.#read(() => this.#liveRow(this.#db, tenantId, objectId));
    return this.#memberPage(
      tenantId,
      query,
      sql`RECURSIVE rel(id) AS (
        SELECT m.group_id FROM memberships m
          JOIN directory_objects g ON g.tenant_id = m.tenant_id AND g.id = m.group_id AND g.deleted_at IS NULL
        WHERE m.tenant_id = ${tenantId} AND m.member_id = ${object.id}
        UNION
        SELECT m.group_id FROM rel CROSS JOIN memberships m
        WHERE m.tenant_id = ${tenantId} AND m.member_id = rel.id
          AND EXISTS (SELECT 1 FROM directory_objects g WHERE g.tenant_id = ${tenantId} AND g.id = m.group_id AND g.deleted_at IS NULL)
      )`,
    );
  }

  // ---- deleted items ------------------------------------------------------------------------------------------

  async #deletedRow(q: Executor, tenantId: string, id: string) {
    if (typeof id !== 'string') throw new TypeError('id must be a string');
    const row = await q
      .selectFrom('directory_objects')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is not', null)
      .executeTakeFirst();
    if (row === undefined) throw notFound('deleted item', id);
    return row;
  }

  async getDeleted(tenantId: string, id: string): Promise<DirectoryObject> {
    const row = await this.#read(() => this.#deletedRow(this.#db, tenantId, id));
    return parseData(row.data);
  }

  async restore(tenantId: string, id: string, options?: WriteOptions): Promise<DirectoryObject> {
    if (typeof id !== 'string') throw new TypeError('id must be a string');
    const [restored] = await this.restoreMany(tenantId, [id], options);
    return restored!;
  }

  async restoreMany(tenantId: string, ids: readonly string[], options?: WriteOptions): Promise<readonly DirectoryObject[]> {
    if (!Array.isArray(ids)) throw new TypeError('ids must be an array');
    for (const id of ids) if (typeof id !== 'string') throw new TypeError('id must be a string');
    actorOf(options);
    if (ids.length === 0) return [];
    return this.#write(tenantId, async (tx, log) => {
      const stored = await this.#deletedRowsOf(tx, tenantId, ids);
      // Each id as `restore` would find it after the ids before it: one restored earlier in the call is live again.
      const restores: ObjectRewrite[] = [];
      const texts: string[] = [];
      const back = new Set<string>();
      let refusal: CloudsyncError | undefined;
      for (const id of ids) {
        const row = back.has(id) ? undefined : stored.get(id);
        if (row === undefined) {
          refusal = notFound('deleted item', id);
          break;
        }
        back.add(id);
        const data = parseData(row.data);
        delete data['deletedDateTime'];
        const after = prepare(row.type, data);
        restores.push({ before: { id, type: row.type, data, upnKey: null, immutableId: null, smtp: [] }, after, changed: RESTORE_CLAIMS });
        texts.push(restoredText(row.type, row.data, data));
      }
      // A deleted item holds no unique value (the indexes are partial, its addresses were released): restoring it
      // claims all of its values anew, checked as updates claiming them would be, each after the restores before it.
      await this.#checkRewrites(tx, tenantId, restores);
      if (refusal !== undefined) throw refusal;

      const objects = restores.map((r) => r.after);
      const objectIds = objects.map((o) => o.id);
      // Change rows as one restore per id: the object, then memberAdded for each group it is in that is live at that
      // moment (live before the call, or restored earlier in it), then for a group each member live at that moment.
      const groupsOf = await this.#liveGroupsOf(tx, tenantId, objectIds);
      const membersOf = await this.#membersOf(tx, tenantId, objects.filter((o) => o.type === 'group').map((o) => o.id), 'all');
      const restoredGroupsOf = new Map<string, string[]>();
      for (const [groupId, members] of membersOf) for (const m of members) restoredGroupsOf.set(m.id, [...(restoredGroupsOf.get(m.id) ?? []), groupId]);
      const live = new Set<string>();
      for (const { id, type } of objects) {
        log.push({ objectType: type, objectId: id, kind: 'restored' });
        const restoredGroups = restoredGroupsOf.get(id)?.filter((groupId) => live.has(groupId)) ?? [];
        const groups = restoredGroups.length === 0 ? groupsOf.get(id) ?? [] : [...(groupsOf.get(id) ?? []), ...restoredGroups].sort();
        for (const groupId of groups) log.push({ objectType: 'group', objectId: groupId, kind: 'memberAdded', detail: { id, type } });
        for (const m of membersOf.get(id) ?? []) {
          if (m.live || live.has(m.id)) log.push({ objectType: 'group', objectId: id, kind: 'memberAdded', detail: { id: m.id, type: m.type } });
        }
        live.add(id);
      }

      // Only deleted_at and data change. The partial unique indexes (live objects) gain the restored values, which
      // the checks above found held by no live object and by no two of the call: the rows may be written in any order.
      const rows = objects.map((o, index) => [tenantId, o.id, null, texts[index]!]);
      if (rows.length === 1) await tx.executeQuery(CompiledQuery.raw(RESTORE_OBJECT[this.#dialect], [rows[0]![3], tenantId, rows[0]![1]]));
      else await updateRows(tx, this.#dialect, OBJECT_DELETION, rows);
      await insertRows(tx, this.#dialect, SMTP_INSERT, smtpRowsOf(tenantId, objects));
      return objects.map((o) => o.data);
    });
  }

  /** The deleted items among `ids` (type and stored data), by id. */
  async #deletedRowsOf(tx: Tx, tenantId: string, ids: readonly string[]): Promise<Map<string, { readonly type: ObjectType; readonly data: string }>> {
    const rows = new Map<string, { readonly type: ObjectType; readonly data: string }>();
    for (const part of chunks([...new Set(ids)])) {
      const text = fixedStatement(`select id, type, data from directory_objects where tenant_id = ? and deleted_at is not null and id in (${part.map(() => '?').join(', ')})`);
      const result = await tx.executeQuery<{ id: string; type: ObjectType; data: string }>(CompiledQuery.raw(text[this.#dialect], [tenantId, ...part]));
      for (const row of result.rows) rows.set(row.id, { type: row.type, data: row.data });
    }
    return rows;
  }

  /**
   * The direct members of each of `groupIds` (group id → members, by member id): every one (`all`, with whether it is
   * live: restoreMany's change rows) or the live ones only (`live`: a delta round's members@delta).
   */
  async #membersOf(q: Executor, tenantId: string, groupIds: readonly string[], which: 'all' | 'live'): Promise<Map<string, { readonly id: string; readonly type: string; readonly live: boolean }[]>> {
    const members = new Map<string, { readonly id: string; readonly type: string; readonly live: boolean }[]>();
    for (const part of chunks(groupIds)) {
      if (part.length === 0) continue;
      const text = fixedStatement('select m.group_id, o.id, o.type, o.deleted_at from memberships m join directory_objects o on o.tenant_id = m.tenant_id and o.id = m.member_id'
        + ` where m.tenant_id = ? and m.group_id in (${part.map(() => '?').join(', ')})${which === 'live' ? ' and o.deleted_at is null' : ''} order by m.group_id, o.id`);
      const { rows } = await q.executeQuery<{ group_id: string; id: string; type: string; deleted_at: string | null }>(CompiledQuery.raw(text[this.#dialect], [tenantId, ...part]));
      for (const row of rows) {
        const member = { id: row.id, type: row.type, live: row.deleted_at === null };
        const list = members.get(row.group_id);
        if (list === undefined) members.set(row.group_id, [member]);
        else list.push(member);
      }
    }
    return members;
  }

  async permanentlyDelete(tenantId: string, id: string, options?: WriteOptions): Promise<void> {
    actorOf(options);
    await this.#write(tenantId, async (tx, log) => {
      const row = await this.#deletedRow(tx, tenantId, id);
      await this.#removeForGood(tx, tenantId, [{ id: row.id, type: row.type, appId: row.app_id }]);
      log.push({ objectType: row.type as ObjectType, objectId: row.id, kind: 'purged' });
    });
  }

  async purgeExpired(now: Date = this.#clock()): Promise<number> {
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
    const cutoff = new Date(now.getTime() - this.#retentionMs).toISOString();
    const expired = await this.#read(() =>
      this.#db
        .selectFrom('directory_objects')
        .select(['tenant_id', 'id'])
        .where('deleted_at', 'is not', null)
        .where('deleted_at', '<', cutoff)
        .execute(),
    );
    const byTenant = new Map<string, string[]>();
    for (const row of expired) byTenant.set(row.tenant_id, [...(byTenant.get(row.tenant_id) ?? []), row.id]);
    let purged = 0;
    for (const [tenantId, ids] of byTenant) {
      for (const part of chunks(ids, 200)) {
        purged += await this.#write(tenantId, async (tx, log) => {
          let n = 0;
          for (const id of part) {
            // Re-read inside the transaction: the item may have been restored since the scan.
            const row = await tx
              .selectFrom('directory_objects')
              .select(['id', 'type', 'app_id', 'deleted_at'])
              .where('tenant_id', '=', tenantId)
              .where('id', '=', id)
              .executeTakeFirst();
            if (row === undefined || row.deleted_at === null || row.deleted_at >= cutoff) continue;
            await this.#removeForGood(tx, tenantId, [{ id: row.id, type: row.type, appId: row.app_id }]);
            log.push({ objectType: row.type as ObjectType, objectId: row.id, kind: 'purged' });
            n++;
          }
          return n;
        });
      }
    }
    await this.#compactChanges(cutoff);
    return purged;
  }

  /**
   * Drops change-log entries older than the retention, tenant by tenant, and raises the tenant's change floor to
   * the last one dropped: a delta token from before the floor can no longer be answered exactly and is refused
   * (the client starts a new round), rather than silently missing changes.
   *
   * The old entries of a tenant are the start of its log in sequence order: a sequence number is taken in the
   * same write transaction that stamps `changed_at`, and a tenant's writes are serialized, so times rise with the
   * sequence. The walk from the tenant's first entry to its first young one runs on the primary key and reads only
   * the entries it is about to drop (plus one), so no index on `changed_at` alone is kept up on every change of a
   * sync for a pass that runs once in a while (migration 0014 dropped it). Were the clock ever set back, an old
   * entry after a young one stays until a later pass: the floor never passes a change still within the retention.
   */
  async #compactChanges(cutoff: string): Promise<void> {
    const tenants = await this.#read(() => this.#db.selectFrom('tenants').select('id').orderBy('id').execute());
    for (const { id: tenantId } of tenants) {
      const last = await this.#read(async () => {
        const young = await this.#db
          .selectFrom('changes')
          .select('seq')
          .where('tenant_id', '=', tenantId)
          .where('changed_at', '>=', cutoff)
          .orderBy('seq')
          .limit(1)
          .executeTakeFirst();
        let old = this.#db.selectFrom('changes').select((eb) => eb.fn.max<number>('seq').as('last')).where('tenant_id', '=', tenantId);
        if (young !== undefined) old = old.where('seq', '<', young.seq);
        return (await old.executeTakeFirst())?.last ?? null;
      });
      if (last === null) continue;
      const floor = Number(last);
      await this.#write(tenantId, async (tx) => {
        await tx.deleteFrom('changes').where('tenant_id', '=', tenantId).where('seq', '<=', floor).execute();
        await tx
          .updateTable('tenants')
          .set({ change_floor: floor })
          .where('id', '=', tenantId)
          .where('change_floor', '<', floor)
          .execute();
      });
    }
  }

  // ---- change tracking ----------------------------------------------------------------------------------------

  async delta(tenantId: string, type: 'user' | 'group', request: DeltaRequest = {}): Promise<DeltaPage> {
    if (type !== 'user' && type !== 'group') throw new TypeError('delta applies to users and groups');
    const top = pageSize(request.top);
    const position = request.token === undefined ? undefined : decodeDeltaPosition(request.token, tenantId, type);
    return this.#read(async () => {
      const tenant = await this.#db.selectFrom('tenants').select(['change_seq', 'change_floor']).where('id', '=', tenantId).executeTakeFirst();
      if (tenant === undefined) throw notFound('tenant', tenantId);
      if (position !== undefined && position.initial !== true && position.from < Number(tenant.change_floor)) {
        throw new CloudsyncError('ERR_ODATA_SKIPTOKEN', 'the delta token has expired; start a new delta round without a token', {
          path: '$deltatoken',
          details: { reason: 'expired' },
        });
      }
      const high = position?.high ?? Number(tenant.change_seq);
      const initial = position === undefined || position.initial === true;
      const from = position?.from ?? 0;
      const after = position?.after; // initial rounds only
      const items: DeltaEntry[] = [];
      let more: boolean;
      let lastId: string | undefined;
      let lastSeq: number | undefined;
      if (initial) {
        let q = this.#db
          .selectFrom('directory_objects')
          .select(['id', 'data'])
          .where('tenant_id', '=', tenantId)
          .where('type', '=', type)
          .where('deleted_at', 'is', null);
        if (after !== undefined) q = q.where('id', '>', after);
        const rows = await q.orderBy('id').limit(top + 1).execute();
        more = rows.length > top;
        const visible = more ? rows.slice(0, top) : rows;
        lastId = visible[visible.length - 1]?.id;
        const members = type === 'group' ? await this.#membersOf(this.#db, tenantId, visible.map((r) => r.id), 'live') : new Map<string, { id: string; type: string }[]>();
        for (const row of visible) {
          const data: Record<string, unknown> = parseData(row.data);
          if (type === 'group') {
            data['members@delta'] = (members.get(row.id) ?? []).map((m) => ({ id: m.id, '@odata.type': ODATA_TYPES[m.type as ObjectType] }));
          }
          items.push(data as DeltaEntry);
        }
      } else {
        // Each changed object is reported once, at its last change within (from, high]: walking the changes in
        // sequence order and keeping only those without a later change in the round makes every page an index
        // range scan from the cursor, so a round costs O(its changes) however many pages it has.
        const found = await this.#db
          .selectFrom('changes as c')
          .select(['c.seq', 'c.object_id'])
          .where('c.tenant_id', '=', tenantId)
          .where('c.object_type', '=', type)
          .where('c.seq', '>', position?.cursor ?? from)
          .where('c.seq', '<=', high)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('changes as later')
                  .select('later.seq')
                  .whereRef('later.tenant_id', '=', 'c.tenant_id')
                  .whereRef('later.object_id', '=', 'c.object_id')
                  .whereRef('later.seq', '>', 'c.seq')
                  .where('later.seq', '<=', high),
              ),
            ),
          )
          .orderBy('c.seq')
          .limit(top + 1)
          .execute();
        more = found.length > top;
        const visible = more ? found.slice(0, top) : found;
        const visibleIds = visible.map((r) => r.object_id);
        lastSeq = visible.length === 0 ? undefined : Number(visible[visible.length - 1]!.seq);
        const rows = new Map<string, { data: string; deleted_at: string | null }>();
        const memberChanges = new Map<string, { kind: string; member: { id: string; type: string } }[]>();
        for (const part of chunks(visibleIds)) {
          for (const row of await this.#db
            .selectFrom('directory_objects')
            .select(['id', 'data', 'deleted_at'])
            .where('tenant_id', '=', tenantId)
            .where('id', 'in', part)
            .execute()) {
            rows.set(row.id, row);
          }
          if (type === 'group') {
            const changes = await this.#db
              .selectFrom('changes')
              .select(['object_id', 'kind', 'detail'])
              .where('tenant_id', '=', tenantId)
              .where('object_type', '=', 'group')
              .where('object_id', 'in', part)
              .where('kind', 'in', [...MEMBERSHIP_CHANGE_KINDS])
              .where('seq', '>', from)
              .where('seq', '<=', high)
              .orderBy('seq')
              .execute();
            for (const change of changes) {
              const list = memberChanges.get(change.object_id) ?? [];
              list.push({ kind: change.kind, member: JSON.parse(change.detail ?? '{}') as { id: string; type: string } });
              memberChanges.set(change.object_id, list);
            }
          }
        }
        for (const id of visibleIds) {
          const row = rows.get(id);
          const odataType = ODATA_TYPES[type];
          if (row === undefined) {
            items.push({ id, '@odata.type': odataType, '@removed': { reason: 'deleted' } });
            continue;
          }
          if (row.deleted_at !== null) {
            items.push({ id, '@odata.type': odataType, '@removed': { reason: 'changed' } });
            continue;
          }
          const data: Record<string, unknown> = parseData(row.data);
          const net = netMemberChanges(memberChanges.get(id) ?? []);
          if (net.length > 0) data['members@delta'] = net;
          items.push(data as DeltaEntry);
        }
      }
      if (more && initial && lastId !== undefined) {
        return { items, nextToken: encodeDeltaPosition({ tenantId, type, from, high, after: lastId, initial: true }) };
      }
      if (more && !initial && lastSeq !== undefined) {
        return { items, nextToken: encodeDeltaPosition({ tenantId, type, from, high, cursor: lastSeq }) };
      }
      return { items, deltaToken: encodeDeltaPosition({ tenantId, type, from: high }) };
    });
  }

  // ---- extension properties -----------------------------------------------------------------------------------

  async createExtensionProperty(tenantId: string, applicationId: string, input: NewExtensionProperty): Promise<ExtensionProperty> {
    const shortName = input?.name;
    if (typeof shortName !== 'string' || !EXTENSION_SHORT_NAME.test(shortName)) {
      throw new CloudsyncError('ERR_DIR_EXTENSION_INVALID', `extension name '${String(shortName)}' must start with a letter and use letters, digits and _ (at most 120)`, {
        path: 'name',
      });
    }
    if (!(EXTENSION_DATA_TYPES as readonly string[]).includes(input.dataType)) {
      throw new CloudsyncError('ERR_DIR_EXTENSION_INVALID', `dataType must be one of ${EXTENSION_DATA_TYPES.join(', ')}`, {
        path: 'dataType',
        details: { allowed: EXTENSION_DATA_TYPES },
      });
    }
    const targets = input.targetObjects;
    if (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => !(EXTENSION_TARGET_OBJECTS as readonly string[]).includes(t))) {
      throw new CloudsyncError('ERR_DIR_EXTENSION_INVALID', `targetObjects must be a non-empty list of ${EXTENSION_TARGET_OBJECTS.join(', ')}`, {
        path: 'targetObjects',
        details: { allowed: EXTENSION_TARGET_OBJECTS },
      });
    }
    return this.#write(tenantId, async (tx) => {
      const app = await this.#liveRow(tx, tenantId, applicationId, 'application');
      const appData = parseData(app.data);
      const name = `extension_${app.app_id!.replace(/-/g, '')}_${shortName}`;
      const existing = await tx.selectFrom('extension_properties').select('id').where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      if (existing !== undefined) {
        throw new CloudsyncError('ERR_DIR_EXTENSION_INVALID', `extension property ${name} already exists (id ${existing.id})`, {
          path: 'name',
          details: { conflictingObjectId: existing.id, value: name },
        });
      }
      const row = {
        tenant_id: tenantId,
        id: randomUUID(),
        application_id: app.id,
        name,
        data_type: input.dataType,
        is_multi_valued: input.isMultiValued === true ? 1 : 0,
        is_synced: input.isSyncedFromOnPremises === true ? 1 : 0,
        target_objects: JSON.stringify([...new Set(targets)]),
        app_display_name: typeof appData['displayName'] === 'string' ? (appData['displayName'] as string) : null,
      };
      await tx.insertInto('extension_properties').values(row).execute();
      return extensionPropertyOf(row);
    });
  }

  async listExtensionProperties(tenantId: string, applicationId: string): Promise<readonly ExtensionProperty[]> {
    return this.#read(async () => {
      const app = await this.#liveRow(this.#db, tenantId, applicationId, 'application');
      const rows = await this.#db
        .selectFrom('extension_properties')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('application_id', '=', app.id)
        .orderBy('name')
        .execute();
      return rows.map(extensionPropertyOf);
    });
  }

  async listAvailableExtensionProperties(tenantId: string): Promise<readonly ExtensionProperty[]> {
    return this.#read(async () => {
      await this.#requireTenant(tenantId);
      const rows = await this.#db.selectFrom('extension_properties').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
      return rows.map(extensionPropertyOf);
    });
  }

  async deleteExtensionProperty(tenantId: string, applicationId: string, extensionPropertyId: string): Promise<void> {
    await this.#write(tenantId, async (tx) => {
      const app = await this.#liveRow(tx, tenantId, applicationId, 'application');
      const result = await tx
        .deleteFrom('extension_properties')
        .where('tenant_id', '=', tenantId)
        .where('application_id', '=', app.id)
        .where('id', '=', extensionPropertyId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound('extension property', extensionPropertyId);
    });
  }

  // ---- domains and organization -------------------------------------------------------------------------------

  async listDomains(tenantId: string): Promise<readonly Domain[]> {
    return this.#read(async () => {
      await this.#requireTenant(tenantId);
      const rows = await this.#db.selectFrom('domains').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
      return rows.map(domainOf);
    });
  }

  async getDomain(tenantId: string, name: string): Promise<Domain> {
    return this.#read(async () => {
      const row = await this.#db
        .selectFrom('domains')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('name', '=', String(name).toLowerCase())
        .executeTakeFirst();
      if (row === undefined) throw notFound('domain', name);
      return domainOf(row);
    });
  }

  async addDomain(tenantId: string, input: { readonly id: string; readonly isVerified?: boolean }): Promise<Domain> {
    const name = typeof input?.id === 'string' ? input.id.toLowerCase() : '';
    if (!DOMAIN_NAME.test(name)) {
      throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `'${String(input?.id)}' is not a domain name`, { path: 'id', details: { value: input?.id } });
    }
    // As Entra keeps onmicrosoft.com: otherwise a tenant could verify `<name>.onmicrosoft.example` first and so
    // block the tenant of that name from ever being created, or learn from the conflict which tenants exist.
    if (name.endsWith(INITIAL_DOMAIN_SUFFIX)) {
      throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `'${name}' is under ${INITIAL_DOMAIN_SUFFIX.slice(1)}, which is reserved for the initial domains of tenants`, {
        path: 'id',
        details: { value: name },
      });
    }
    return this.#write(tenantId, async (tx) => {
      const mine = await tx.selectFrom('domains').select('name').where('tenant_id', '=', tenantId).where('name', '=', name).executeTakeFirst();
      if (mine !== undefined) {
        throw new CloudsyncError('ERR_DIR_DOMAIN_CONFLICT', `domain ${name} already exists in this tenant`, { path: 'id', details: { value: name } });
      }
      if (input.isVerified === true) await this.#checkNotVerifiedElsewhere(tx, tenantId, name);
      const row = { tenant_id: tenantId, name, is_verified: input.isVerified === true ? 1 : 0, is_default: 0, is_initial: 0, created_at: this.#now() };
      await tx.insertInto('domains').values(row).execute();
      return domainOf(row);
    });
  }

  async #checkNotVerifiedElsewhere(tx: Tx, tenantId: string, name: string): Promise<void> {
    const other = await tx
      .selectFrom('domains')
      .select('tenant_id')
      .where('name', '=', name)
      .where('is_verified', '=', 1)
      .where('tenant_id', '<>', tenantId)
      .executeTakeFirst();
    if (other !== undefined) {
      // Never name the other tenant: that would leak another customer's existence.
      throw new CloudsyncError('ERR_DIR_DOMAIN_CONFLICT', `domain ${name} is already verified by another tenant`, { path: 'id', details: { value: name } });
    }
  }

  async verifyDomain(tenantId: string, name: string): Promise<Domain> {
    const key = String(name).toLowerCase();
    return this.#write(tenantId, async (tx) => {
      const row = await tx.selectFrom('domains').selectAll().where('tenant_id', '=', tenantId).where('name', '=', key).executeTakeFirst();
      if (row === undefined) throw notFound('domain', name);
      if (row.is_verified === 1) return domainOf(row);
      await this.#checkNotVerifiedElsewhere(tx, tenantId, key);
      await tx.updateTable('domains').set({ is_verified: 1 }).where('tenant_id', '=', tenantId).where('name', '=', key).execute();
      return domainOf({ ...row, is_verified: 1 });
    });
  }

  async deleteDomain(tenantId: string, name: string): Promise<void> {
    const key = String(name).toLowerCase();
    await this.#write(tenantId, async (tx) => {
      const row = await tx.selectFrom('domains').selectAll().where('tenant_id', '=', tenantId).where('name', '=', key).executeTakeFirst();
      if (row === undefined) throw notFound('domain', name);
      if (row.is_initial === 1 || row.is_default === 1) {
        throw new CloudsyncError('ERR_DIR_DOMAIN_CONFLICT', `domain ${key} is the tenant's initial or default domain and cannot be removed`, {
          details: { value: key },
        });
      }
      const user = await tx
        .selectFrom('directory_objects')
        .select(['id', 'type'])
        .where('tenant_id', '=', tenantId)
        .where('upn_key', 'like', `%@${key}`)
        .limit(1)
        .executeTakeFirst();
      if (user !== undefined) {
        throw new CloudsyncError('ERR_DIR_DOMAIN_CONFLICT', `domain ${key} is still used by ${user.type} ${user.id} (userPrincipalName)`, {
          details: { value: key, conflictingObjectId: user.id },
        });
      }
      await tx.deleteFrom('domains').where('tenant_id', '=', tenantId).where('name', '=', key).execute();
    });
  }

  async getOrganization(tenantId: string): Promise<Organization> {
    return this.#read(async () => {
      const tenant = await this.#db.selectFrom('tenants').select(['id', 'organization']).where('id', '=', tenantId).executeTakeFirst();
      if (tenant === undefined) throw notFound('tenant', tenantId);
      const domains = await this.#db
        .selectFrom('domains')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('is_verified', '=', 1)
        .orderBy('name')
        .execute();
      return organizationOf(tenant.id, JSON.parse(tenant.organization) as Record<string, unknown>, domains);
    });
  }

  async updateOrganization(tenantId: string, patch: ObjectProperties, options?: WriteOptions): Promise<Organization> {
    const actor = actorOf(options);
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new CloudsyncError('ERR_DIR_INVALID_VALUE', 'the request body must be a JSON object');
    await this.#write(tenantId, async (tx) => {
      const tenant = await tx.selectFrom('tenants').select('organization').where('id', '=', tenantId).executeTakeFirstOrThrow();
      const organization = JSON.parse(tenant.organization) as Record<string, unknown>;
      for (const [name, value] of Object.entries(patch)) {
        if (name.startsWith('@odata.')) continue;
        if (name === 'displayName') {
          if (typeof value !== 'string' || value === '' || value.length > 256) {
            throw new CloudsyncError('ERR_DIR_INVALID_VALUE', 'displayName: expected a non-empty string', { path: name, details: { property: name } });
          }
          organization[name] = value;
        } else if (name === 'onPremisesSyncEnabled' || name === 'onPremisesLastSyncDateTime') {
          if (actor !== 'provisioning') {
            throw new CloudsyncError('ERR_DIR_READ_ONLY_PROPERTY', `${name} is set only by the provisioning service`, { path: name, details: { property: name } });
          }
          if (name === 'onPremisesSyncEnabled' && value !== null && typeof value !== 'boolean') {
            throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `${name}: expected true or false`, { path: name, details: { property: name } });
          }
          if (name === 'onPremisesLastSyncDateTime' && value !== null && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
            throw new CloudsyncError('ERR_DIR_INVALID_VALUE', `${name}: expected an ISO 8601 date and time`, { path: name, details: { property: name } });
          }
          organization[name] = name === 'onPremisesLastSyncDateTime' && value !== null ? new Date(value as string).toISOString() : value;
        } else if (['id', 'createdDateTime', 'verifiedDomains'].includes(name)) {
          throw new CloudsyncError('ERR_DIR_READ_ONLY_PROPERTY', `${name} is read-only`, { path: name, details: { property: name } });
        } else {
          throw new CloudsyncError('ERR_DIR_INVALID_PROPERTY', `${name} is not a property of organization`, { path: name, details: { property: name } });
        }
      }
      await tx.updateTable('tenants').set({ organization: JSON.stringify(organization) }).where('id', '=', tenantId).execute();
    });
    return this.getOrganization(tenantId);
  }
}

function tenantNameTaken(name: string, domain: string): CloudsyncError {
  return new CloudsyncError('ERR_DIR_DOMAIN_CONFLICT', `a tenant named '${name}' (domain ${domain}) already exists`, {
    path: 'name',
    details: { value: name, domain },
  });
}

function uniqueConflict(
  code: 'ERR_DIR_UPN_CONFLICT' | 'ERR_DIR_IMMUTABLE_ID_CONFLICT',
  property: string,
  object: PreparedObject,
  conflictingId: string,
  conflictingType: string,
  value: unknown,
): CloudsyncError {
  const subject = object.id === conflictingId ? 'another object in the same request' : `${conflictingType} ${conflictingId}`;
  return new CloudsyncError(code, `${property} '${String(value)}' is already used by ${subject}`, {
    path: property,
    details: { property, value, conflictingObjectId: conflictingId, conflictingObjectType: conflictingType, objectId: object.id },
  });
}

function upnDomainOf(upnKey: string): string {
  return upnKey.slice(upnKey.lastIndexOf('@') + 1);
}

/** ERR_DIR_UNVERIFIED_DOMAIN for the first object (in order) whose userPrincipalName domain is not in `verified`. */
function assertVerifiedDomains(withUpn: readonly PreparedObject[], verified: ReadonlySet<string>): void {
  for (const o of withUpn) {
    const refusal = unverifiedDomain(o, verified);
    if (refusal !== undefined) throw refusal;
  }
}

/** ERR_DIR_UNVERIFIED_DOMAIN if the object's userPrincipalName (it has one) is not under a domain in `verified`. */
function unverifiedDomain(o: PreparedObject, verified: ReadonlySet<string>): CloudsyncError | undefined {
  const domain = upnDomainOf(o.upnKey!);
  if (verified.has(domain)) return undefined;
  return new CloudsyncError(
    'ERR_DIR_UNVERIFIED_DOMAIN',
    `userPrincipalName '${String(o.data['userPrincipalName'])}' of ${o.type} ${o.id} uses domain '${domain}', which is not a verified domain of this tenant`,
    { path: 'userPrincipalName', details: { objectId: o.id, value: o.data['userPrincipalName'], domain } },
  );
}

/** SQLite's refusal of a row by a UNIQUE index or PRIMARY KEY (SQLITE_CONSTRAINT_UNIQUE 2067, _PRIMARYKEY 1555). */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown };
  return e?.code === 'ERR_SQLITE_ERROR' && (e.errcode === 2067 || e.errcode === 1555);
}

function smtpConflict(object: PreparedObject, conflictingId: string, conflictingType: string, address: string): CloudsyncError {
  return new CloudsyncError(
    'ERR_DIR_PROXY_ADDRESS_CONFLICT',
    `SMTP address '${address}' (mail or proxyAddresses) is already used by ${conflictingType} ${conflictingId}`,
    {
      path: 'proxyAddresses',
      details: { property: 'proxyAddresses', value: address, conflictingObjectId: conflictingId, conflictingObjectType: conflictingType, objectId: object.id },
    },
  );
}

function extensionPropertyOf(row: {
  id: string;
  name: string;
  data_type: string;
  is_multi_valued: number;
  is_synced: number;
  target_objects: string;
  app_display_name: string | null;
}): ExtensionProperty {
  return {
    id: row.id,
    '@odata.type': '#microsoft.graph.extensionProperty',
    name: row.name,
    appDisplayName: row.app_display_name,
    dataType: row.data_type as ExtensionDataType,
    isMultiValued: isBool(row.is_multi_valued),
    isSyncedFromOnPremises: isBool(row.is_synced),
    targetObjects: JSON.parse(row.target_objects) as string[],
  };
}

function domainOf(row: { name: string; is_verified: number; is_default: number; is_initial: number }): Domain {
  return {
    id: row.name,
    isDefault: isBool(row.is_default),
    isInitial: isBool(row.is_initial),
    isVerified: isBool(row.is_verified),
    authenticationType: 'Managed',
    supportedServices: isBool(row.is_verified) ? ['Email', 'OfficeCommunicationsOnline'] : [],
  };
}

function organizationOf(
  tenantId: string,
  organization: Record<string, unknown>,
  domains: readonly { name: string; is_default: number; is_initial: number }[],
): Organization {
  return {
    id: tenantId,
    '@odata.type': '#microsoft.graph.organization',
    displayName: String(organization['displayName'] ?? ''),
    createdDateTime: String(organization['createdDateTime'] ?? ''),
    onPremisesSyncEnabled: (organization['onPremisesSyncEnabled'] as boolean | null | undefined) ?? null,
    onPremisesLastSyncDateTime: (organization['onPremisesLastSyncDateTime'] as string | null | undefined) ?? null,
    verifiedDomains: domains.map((d) => ({
      name: d.name,
      isDefault: isBool(d.is_default),
      isInitial: isBool(d.is_initial),
      type: 'Managed' as const,
      capabilities: 'Email, OfficeCommunicationsOnline',
    })),
  };
}
