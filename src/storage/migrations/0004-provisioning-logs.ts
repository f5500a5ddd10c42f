/**
 * The provisioning log and the directory audit log (types in src/provisioning-logs/log-tables.ts), the two
 * collections Graph serves under /auditLogs: `provisioning` (provisioningObjectSummary, one row per object per
 * action of a cycle) and `directoryAudits` (directoryAudit, one row per configuration change).
 *
 * Both are append-only: rows are inserted and, once older than the retention, deleted; nothing updates them.
 * The columns beside `data` (the entry as JSON) are what `$filter` and paging read, so every filterable property
 * has a column and the list order (activity time, then id, newest first) has an index per tenant.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('provisioning_logs')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('activity_date_time', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('service_principal_id', 'text')
    .addColumn('cycle_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('provisioning_logs_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('ix_provisioning_logs_time').on('provisioning_logs').columns(['tenant_id', 'activity_date_time', 'id']).execute();
  await db.schema.createIndex('ix_provisioning_logs_job').on('provisioning_logs').columns(['tenant_id', 'job_id', 'activity_date_time']).execute();
  await db.schema.createIndex('ix_provisioning_logs_source').on('provisioning_logs').columns(['tenant_id', 'source_id']).execute();
  // "What failed lately" is the log's most common question; failures are a small share of the entries.
  await db.schema.createIndex('ix_provisioning_logs_status').on('provisioning_logs').columns(['tenant_id', 'status', 'activity_date_time']).execute();
  // Retention prunes across tenants by age.
  await db.schema.createIndex('ix_provisioning_logs_age').on('provisioning_logs').columns(['activity_date_time']).execute();

  await db.schema
    .createTable('directory_audits')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('activity_date_time', 'text', (c) => c.notNull())
    .addColumn('activity_display_name', 'text', (c) => c.notNull())
    .addColumn('operation_type', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('initiated_by_app_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_audits_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('ix_directory_audits_time').on('directory_audits').columns(['tenant_id', 'activity_date_time', 'id']).execute();
  await db.schema.createIndex('ix_directory_audits_age').on('directory_audits').columns(['activity_date_time']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('directory_audits').execute();
  await db.schema.dropTable('provisioning_logs').execute();
}
