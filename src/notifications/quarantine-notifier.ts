/**
 * Sends the quarantine email once per event: entering quarantine (a new series) and each change of reason within
 * it. The event's key — series start and reason — goes to the journal after the mail server took the message, so
 * neither the next cycle nor a restarted service sends it again.
 */
import type { MailTransport } from './smtp-transport.ts';
import type { NotificationJournal } from './notification-journal.ts';
import { quarantineNotice, type QuarantineEvent } from './quarantine-notice.ts';

export interface QuarantineNotifier {
  /** true when an email went out for this event now; false when it had been sent already */
  quarantined(event: QuarantineEvent): Promise<boolean>;
}

export function eventKeyOf(event: QuarantineEvent): string {
  return `${event.quarantine.seriesBegan}|${event.quarantine.reason}`;
}

export function createQuarantineNotifier(options: { readonly transport: MailTransport; readonly journal: NotificationJournal; readonly clock?: () => Date }): QuarantineNotifier {
  const clock = options.clock ?? (() => new Date());
  return {
    async quarantined(event) {
      const key = eventKeyOf(event);
      if ((await options.journal.lastEvent(event.tenantId, event.jobId)) === key) return false;
      await options.transport.send(quarantineNotice(event));
      await options.journal.record(event.tenantId, event.jobId, key, clock());
      return true;
    },
  };
}
