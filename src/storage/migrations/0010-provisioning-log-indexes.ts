/**
 * Drops `ix_provisioning_logs_age` (activity_date_time alone). Every row of a full synchronization paid for six
 * indexes; this one served only the retention pass, which now deletes tenant by tenant on
 * `ix_provisioning_logs_time` (tenant_id, activity_date_time, id) — see pruneLog in
 * src/provisioning-logs/log-page.ts. The indexes `$filter`, paging and `ON CONFLICT` use all stay.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ix_provisioning_logs_age').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('ix_provisioning_logs_age').on('provisioning_logs').columns(['activity_date_time']).execute();
}
