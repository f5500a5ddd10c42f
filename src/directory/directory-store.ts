/**
 * The port through which the directory reaches its database: a Kysely instance over the tables below and the
 * dialect's name (JSON access and a few statements differ between SQLite and PostgreSQL). Declared here, by its
 * consumer; src/storage provides it. The directory imports no other I/O.
 *
 * Table layout (see docs/storage.md): each directory object is one row holding its whole Graph JSON in `data`
 * (one JSON.parse per row read) plus typed copies of the properties that must be indexed or unique.
 * Booleans are stored as 0/1 integers on both backends.
 */
import type { Kysely } from 'kysely';

export const SQL_DIALECTS = ['sqlite', 'postgres'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

export interface TenantsTable {
  id: string;
  name: string;
  /** The organization object's JSON (without id). */
  organization: string;
  /** The last change sequence number used; every write transaction increments it first, which also serializes a tenant's writers. */
  change_seq: number;
  /** Changes up to this sequence number have been compacted away: delta tokens older than it are refused. */
  change_floor: number;
  created_at: string;
}

export interface DirectoryObjectsTable {
  tenant_id: string;
  id: string;
  type: string;
  /** '' when the object has no displayName, so ordering and keyset paging never meet NULL. */
  display_name: string;
  /** lower(userPrincipalName); unique among live objects of a tenant. */
  upn_key: string | null;
  /** Unique among live objects of a tenant. */
  immutable_id: string | null;
  /** Applications' appId (client id); unique in the deployment. */
  app_id: string | null;
  sync_enabled: number;
  created_at: string;
  deleted_at: string | null;
  data: string;
}

/** Every SMTP address (lower case, no `smtp:` prefix) of every live object: the primary key makes them unique per tenant. */
export interface SmtpAddressesTable {
  tenant_id: string;
  address: string;
  object_id: string;
}

export interface MembershipsTable {
  tenant_id: string;
  group_id: string;
  member_id: string;
}

export interface ManagersTable {
  tenant_id: string;
  user_id: string;
  manager_id: string;
}

export interface ChangesTable {
  tenant_id: string;
  seq: number;
  object_type: string;
  object_id: string;
  kind: string;
  /** JSON: changed property names, or the member for membership changes. */
  detail: string | null;
  changed_at: string;
}

export interface ExtensionPropertiesTable {
  tenant_id: string;
  id: string;
  application_id: string;
  name: string;
  data_type: string;
  is_multi_valued: number;
  is_synced: number;
  target_objects: string;
  app_display_name: string | null;
}

export interface DomainsTable {
  tenant_id: string;
  name: string;
  is_verified: number;
  is_default: number;
  is_initial: number;
  created_at: string;
}

export interface ClientSecretsTable {
  key_id: string;
  tenant_id: string;
  client_id: string;
  salt: string;
  hash: string;
  roles: string;
  created_at: string;
}

export interface SigningKeysTable {
  kid: string;
  /** 'current': a unique slot, so concurrent first calls on several nodes agree on one key. */
  slot: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
}

export interface DirectoryDatabase {
  tenants: TenantsTable;
  directory_objects: DirectoryObjectsTable;
  smtp_addresses: SmtpAddressesTable;
  memberships: MembershipsTable;
  managers: ManagersTable;
  changes: ChangesTable;
  extension_properties: ExtensionPropertiesTable;
  domains: DomainsTable;
  client_secrets: ClientSecretsTable;
  signing_keys: SigningKeysTable;
}

export interface DirectoryStore {
  readonly db: Kysely<DirectoryDatabase>;
  readonly dialect: SqlDialect;
}
