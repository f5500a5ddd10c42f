/**
 * What keeps a synchronization job safe across cycles and service restarts (types in
 * src/synchronization/delete-protection-store.ts and src/notifications/notification-journal.ts):
 *
 * - sync_pending_deletes: per job, the deletions the accidental-delete threshold held back (JSON list, each with
 *   its reason) and the ones an admin approved (anchors). Written by the scheduler, read by the API and the CLI.
 * - notification_journal: per job, the last quarantine event an email went out for, so that a restarted service
 *   does not send it again ("one email per event, not per cycle").
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sync_pending_deletes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('threshold', 'integer', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('deletions', 'text', (c) => c.notNull())
    .addColumn('approved', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_pending_deletes_pk', ['tenant_id', 'job_id'])
    .execute();
  await db.schema
    .createTable('notification_journal')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_journal_pk', ['tenant_id', 'job_id'])
    .execute();
}
