/**
 * The engine's connector space (src/engine/sql-connector-space.ts): per configuration and source object, what
 * the engine knows about it (anchor → cloud object, last exported values, escrow), the references it exported
 * (group members, manager) and the delta watermark. Kysely's schema builder only, so it runs unchanged on SQLite
 * and PostgreSQL.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('connector_space_objects')
    .addColumn('configuration_id', 'text', (c) => c.notNull())
    .addColumn('anchor', 'text', (c) => c.notNull())
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('dn', 'text', (c) => c.notNull())
    .addColumn('dn_key', 'text', (c) => c.notNull())
    .addColumn('object_guid', 'text')
    .addColumn('cloud_id', 'text')
    .addColumn('exported', 'text')
    .addColumn('digest', 'text')
    .addColumn('refs_digest', 'text')
    .addColumn('refs_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('seen_mark', 'text')
    .addColumn('failure_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_retry_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('connector_space_objects_pk', ['configuration_id', 'anchor'])
    .execute();
  await db.schema.createIndex('ix_connector_space_dn').on('connector_space_objects').columns(['configuration_id', 'dn_key']).execute();
  await db.schema.createIndex('ix_connector_space_guid').on('connector_space_objects').columns(['configuration_id', 'object_guid']).execute();
  await db.schema.createIndex('ix_connector_space_cloud_id').on('connector_space_objects').columns(['configuration_id', 'cloud_id']).execute();
  await db.schema.createIndex('ix_connector_space_retry').on('connector_space_objects').columns(['configuration_id', 'next_retry_at']).execute();
  await db.schema.createIndex('ix_connector_space_refs_pending').on('connector_space_objects').columns(['configuration_id', 'refs_pending']).execute();

  await db.schema
    .createTable('connector_space_references')
    .addColumn('configuration_id', 'text', (c) => c.notNull())
    .addColumn('anchor', 'text', (c) => c.notNull())
    .addColumn('attribute', 'text', (c) => c.notNull())
    .addColumn('target_anchor', 'text', (c) => c.notNull())
    .addColumn('seen_mark', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('connector_space_references_pk', ['configuration_id', 'anchor', 'attribute', 'target_anchor'])
    .execute();
  await db.schema.createIndex('ix_connector_space_references_target').on('connector_space_references').columns(['configuration_id', 'target_anchor']).execute();

  await db.schema
    .createTable('connector_space_state')
    .addColumn('configuration_id', 'text', (c) => c.primaryKey())
    .addColumn('watermark', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('connector_space_state').execute();
  await db.schema.dropTable('connector_space_references').execute();
  await db.schema.dropTable('connector_space_objects').execute();
}
