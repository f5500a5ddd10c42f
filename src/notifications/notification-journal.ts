/**
 * What was notified, per job (table notification_journal, migration 0006): the key of the last quarantine event
 * an email went out for. Entra sends "a one-time email when a job enters quarantine; a new email if the
 * quarantine reason changes" — one per event, not per cycle, and not again because the service restarted.
 *
 * The key is written only after the mail server accepted the message, so an SMTP outage delays the email to a
 * later cycle instead of losing it; two service nodes racing could both send it (at-least-once, never zero).
 */
import type { Kysely } from 'kysely';
import type { Store } from '../storage/index.ts';

interface NotificationJournalTable {
  tenant_id: string;
  job_id: string;
  event_key: string;
  sent_at: string;
}

export interface NotificationJournal {
  lastEvent(tenantId: string, jobId: string): Promise<string | undefined>;
  record(tenantId: string, jobId: string, eventKey: string, sentAt: Date): Promise<void>;
}

export function createNotificationJournal(store: Store): NotificationJournal {
  const db = store.db as unknown as Kysely<{ notification_journal: NotificationJournalTable }>;
  return {
    async lastEvent(tenantId, jobId) {
      const row = await db.selectFrom('notification_journal').select('event_key').where('tenant_id', '=', tenantId).where('job_id', '=', jobId).executeTakeFirst();
      return row?.event_key;
    },
    async record(tenantId, jobId, eventKey, sentAt) {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('notification_journal').where('tenant_id', '=', tenantId).where('job_id', '=', jobId).execute();
        await tx.insertInto('notification_journal').values({ tenant_id: tenantId, job_id: jobId, event_key: eventKey, sent_at: sentAt.toISOString() }).execute();
      });
    },
  };
}
