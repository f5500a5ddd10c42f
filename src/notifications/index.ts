/**
 * Notifications by email: quarantine and accidental-delete threshold events of synchronization jobs, sent over
 * SMTP to each configuration's SyncNotificationSettings recipients, once per event.
 */
export { createSmtpTransport, parseSmtpSettings, type MailMessage, type MailTransport, type SmtpSettings } from './smtp-transport.ts';
export { createNotificationJournal, type NotificationJournal } from './notification-journal.ts';
export { quarantineNotice, type QuarantineEvent } from './quarantine-notice.ts';
export { createQuarantineNotifier, eventKeyOf, type QuarantineNotifier } from './quarantine-notifier.ts';
