/**
 * Delivery of notification emails over SMTP (nodemailer), configured by one URL:
 *
 *   cloudsync server --smtp-url smtp[s]://[user:password@]host:port --smtp-from ADDRESS
 *
 * smtps:// is TLS from the first byte (RFC 8314 implicit TLS, port 465 by default); smtp:// upgrades with STARTTLS
 * when the server offers it (port 587 by default). The password is a secret: it goes to nodemailer's auth option
 * and nowhere else — description() and every error name the server without it.
 */
import nodemailer from 'nodemailer';
import { CloudsyncError } from '../errors/index.ts';

export interface MailMessage {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** What the notifier needs of a mail service; tests may pass any complete implementation. */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
  /** The server without credentials, for logs. */
  readonly description: string;
  close(): void;
}

export interface SmtpSettings {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly from: string;
}

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;

/** Checks the flags; every refusal names the flag and never repeats the password. */
export function parseSmtpSettings(url: string, from: string | undefined): SmtpSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CloudsyncError('ERR_CLI_USAGE', '--smtp-url: not a URL; expected smtp[s]://[user:password@]host:port', { path: '--smtp-url' });
  }
  if ((parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || parsed.hostname === '' || (parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '') {
    throw new CloudsyncError('ERR_CLI_USAGE', `--smtp-url ${redactedUrl(parsed)}: expected smtp[s]://[user:password@]host:port (no path or query)`, { path: '--smtp-url' });
  }
  if (from === undefined || !ADDRESS.test(from)) {
    throw new CloudsyncError('ERR_CLI_USAGE', `--smtp-from: ${from === undefined ? 'required with --smtp-url' : `${JSON.stringify(from)} is not an email address`} (the sender of notification emails, e.g. cloudsync@corp.example.com)`, { path: '--smtp-from' });
  }
  const secure = parsed.protocol === 'smtps:';
  return {
    secure,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port),
    user: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    from,
  };
}

function redactedUrl(url: URL): string {
  return `${url.protocol}//${url.username === '' ? '' : `${decodeURIComponent(url.username)}@`}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

export function createSmtpTransport(settings: SmtpSettings, options: { readonly tls?: { readonly rejectUnauthorized?: boolean; readonly ca?: string | Buffer } } = {}): MailTransport {
  const description = `${settings.secure ? 'smtps' : 'smtp'}://${settings.user === undefined ? '' : `${settings.user}@`}${settings.host}:${settings.port}`;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user === undefined ? {} : { auth: { user: settings.user, pass: settings.password ?? '' } }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  const settingsPassword = () => settings.password ?? '\u0000';
  return {
    description,
    async send(message) {
      try {
        await transport.sendMail({ from: settings.from, to: [...message.to], subject: message.subject, text: message.text });
      } catch (error) {
        // nodemailer's messages carry the server's reply, never the configured password.
        const reason = error instanceof Error ? error.message : String(error);
        // No cause attached: nodemailer's error object may echo the SMTP dialogue, which is not ours to vet for secrets.
        throw new CloudsyncError('ERR_NOTIFY_SMTP', `sending "${message.subject}" through ${description} failed: ${reason.replaceAll(settingsPassword(), '[Redacted]')}`);
      }
    },
    close: () => transport.close(),
  };
}
