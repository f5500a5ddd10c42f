/**
 * Synchronization configurations (types in src/synchronization/synchronization-tables.ts): the service principal
 * that `applicationTemplates/{id}/instantiate` creates next to its application, the principal's secrets (sealed),
 * and its jobs with their schedule, status, schema and pending requests for the engine.
 *
 * `domain_key` is the lower-cased AD domain from the `Domain` secret; the partial unique index is what makes
 * "one configuration per AD domain" hold even when two writers race.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sync_service_principals')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('domain_key', 'text')
    .addColumn('password_hash_sync', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('secrets_sealed', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_service_principals_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('ux_sync_service_principals_domain')
    .unique()
    .on('sync_service_principals')
    .columns(['tenant_id', 'domain_key'])
    .where(sql<boolean>`domain_key IS NOT NULL`)
    .execute();

  await db.schema
    .createTable('sync_jobs')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('service_principal_id', 'text', (c) => c.notNull())
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('schedule_state', 'text', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('schema_json', 'text', (c) => c.notNull())
    .addColumn('requests', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_jobs_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint('sync_jobs_service_principal_fk', ['tenant_id', 'service_principal_id'], 'sync_service_principals', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('ux_sync_jobs_template')
    .unique()
    .on('sync_jobs')
    .columns(['tenant_id', 'service_principal_id', 'template_id'])
    .execute();
  await db.schema.createIndex('ix_sync_jobs_state').on('sync_jobs').columns(['schedule_state', 'tenant_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sync_jobs').execute();
  await db.schema.dropTable('sync_service_principals').execute();
}
