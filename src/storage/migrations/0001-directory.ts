/**
 * The cloud directory's tables (types in src/directory/directory-store.ts, layout in docs/storage.md).
 * Written with Kysely's schema builder only, so the one migration runs unchanged on SQLite and PostgreSQL.
 * Partial unique indexes (`WHERE deleted_at IS NULL`) make deleted items release their unique values, which
 * is why restore re-checks them. They also say `… IS NOT NULL`: without it, a planner with stale statistics may
 * use e.g. the immutable-id index as a plain tenant_id index (every row NULL) and scan a whole tenant.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('organization', 'text', (c) => c.notNull())
    .addColumn('change_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('change_floor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('directory_objects')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('upn_key', 'text')
    .addColumn('immutable_id', 'text')
    .addColumn('app_id', 'text')
    .addColumn('sync_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_objects_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('ux_directory_objects_upn')
    .unique()
    .on('directory_objects')
    .columns(['tenant_id', 'upn_key'])
    .where(sql<boolean>`deleted_at IS NULL AND upn_key IS NOT NULL`)
    .execute();
  await db.schema
    .createIndex('ux_directory_objects_immutable_id')
    .unique()
    .on('directory_objects')
    .columns(['tenant_id', 'immutable_id'])
    .where(sql<boolean>`deleted_at IS NULL AND immutable_id IS NOT NULL`)
    .execute();
  await db.schema.createIndex('ux_directory_objects_app_id').unique().on('directory_objects').column('app_id').execute();
  await db.schema
    .createIndex('ix_directory_objects_live')
    .on('directory_objects')
    .columns(['tenant_id', 'type', 'id'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('ix_directory_objects_display_name')
    .on('directory_objects')
    .columns(['tenant_id', 'type', 'display_name', 'id'])
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('ix_directory_objects_deleted')
    .on('directory_objects')
    .columns(['tenant_id', 'type', 'id'])
    .where(sql.ref('deleted_at'), 'is not', null)
    .execute();
  // purgeExpired scans by deletion time across tenants.
  await db.schema
    .createIndex('ix_directory_objects_deleted_at')
    .on('directory_objects')
    .column('deleted_at')
    .where(sql.ref('deleted_at'), 'is not', null)
    .execute();

  await db.schema
    .createTable('smtp_addresses')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('smtp_addresses_pk', ['tenant_id', 'address'])
    .execute();
  await db.schema.createIndex('ix_smtp_addresses_object').on('smtp_addresses').columns(['tenant_id', 'object_id']).execute();

  await db.schema
    .createTable('memberships')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['tenant_id', 'group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('ix_memberships_member').on('memberships').columns(['tenant_id', 'member_id', 'group_id']).execute();

  await db.schema
    .createTable('changes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('changes_pk', ['tenant_id', 'seq'])
    .execute();
  await db.schema.createIndex('ix_changes_type').on('changes').columns(['tenant_id', 'object_type', 'seq']).execute();
  // "Has this object a later change in the round?" — one probe per change when paging a delta round.
  await db.schema.createIndex('ix_changes_object').on('changes').columns(['tenant_id', 'object_id', 'seq']).execute();
  // Compaction finds the changes older than the retention without scanning the log.
  await db.schema.createIndex('ix_changes_changed_at').on('changes').column('changed_at').execute();

  await db.schema
    .createTable('extension_properties')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data_type', 'text', (c) => c.notNull())
    .addColumn('is_multi_valued', 'integer', (c) => c.notNull())
    .addColumn('is_synced', 'integer', (c) => c.notNull())
    .addColumn('target_objects', 'text', (c) => c.notNull())
    .addColumn('app_display_name', 'text')
    .addPrimaryKeyConstraint('extension_properties_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('ux_extension_properties_name').unique().on('extension_properties').columns(['tenant_id', 'name']).execute();

  await db.schema
    .createTable('domains')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_verified', 'integer', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('is_initial', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('domains_pk', ['tenant_id', 'name'])
    .execute();
  // A domain can be verified by one tenant only.
  await db.schema
    .createIndex('ux_domains_verified')
    .unique()
    .on('domains')
    .column('name')
    .where(sql.ref('is_verified'), '=', 1)
    .execute();

  await db.schema
    .createTable('client_secrets')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ix_client_secrets_client').on('client_secrets').columns(['tenant_id', 'client_id']).execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('slot', 'text', (c) => c.notNull().unique())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'signing_keys',
    'client_secrets',
    'domains',
    'extension_properties',
    'changes',
    'memberships',
    'smtp_addresses',
    'directory_objects',
    'tenants',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
