/**
 * `cloudsync logs [--config C] [--status S] [--action A] [--top N] [--follow] [--json]`: the provisioning log
 * over the service's `GET /v1.0/auditLogs/provisioning` (Graph's provisioningObjectSummary), so what it shows a
 * script can read too. Needs a client with AuditLog.Read.All.
 *
 * Entries are printed oldest first, like a log file: the newest `--top` of them, then, with `--follow`, every new
 * one as cycles write it (polling `activityDateTime ge <last seen>` every `--interval` seconds; entries at the
 * boundary instant are recognized by id so none is printed twice). `--json` prints one provisioningObjectSummary
 * per line (NDJSON).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { CloudsyncError } from '../../errors/index.ts';
import type { ServiceConnection, ServiceFlags } from '../service-connection.ts';
import { connect, resolveConfiguration, withServiceOptions } from './config.ts';

/** The fields of provisioningObjectSummary this command prints. */
interface ProvisioningObjectSummary {
  readonly id: string;
  readonly activityDateTime: string;
  readonly cycleId: string;
  readonly provisioningAction: string;
  readonly provisioningStatusInfo: {
    readonly status: string;
    readonly errorInformation: { readonly errorCode: string; readonly reason: string | null; readonly recommendedAction: string } | null;
  };
  readonly modifiedProperties: readonly { readonly displayName: string; readonly oldValue: string | null; readonly newValue: string | null }[];
  readonly sourceIdentity: { readonly id: string; readonly displayName: string | null; readonly identityType: string; readonly details: { readonly distinguishedName?: string } };
  readonly targetIdentity: { readonly id: string | null; readonly identityType: string | null };
}

interface Page {
  readonly value: readonly ProvisioningObjectSummary[];
  readonly '@odata.nextLink'?: string;
}

/** Graph's values, as `--status` and `--action` accept them (any case). */
export const LOG_STATUSES = ['success', 'failure', 'skipped', 'warning'] as const;
export const LOG_ACTIONS = ['create', 'update', 'delete', 'disable', 'stagedDelete', 'other'] as const;

interface LogsFlags extends ServiceFlags {
  readonly config?: string;
  readonly status?: string;
  readonly action?: string;
  readonly top: string;
  readonly follow?: boolean;
  readonly interval: string;
  readonly json?: boolean;
}

function oneOf(flag: string, value: string, allowed: readonly string[]): string {
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (match === undefined) throw new CloudsyncError('ERR_CLI_USAGE', `${flag} ${value}: expected one of ${allowed.join(', ')}`, { path: flag });
  return match;
}

function positive(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max) throw new CloudsyncError('ERR_CLI_USAGE', `${flag} ${text}: expected a whole number from 1 to ${max}`, { path: flag });
  return value;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** One entry as a line (or a few, for failures): time, action, status, object, what changed or why it failed. */
export function describeEntry(entry: ProvisioningObjectSummary): string {
  const { provisioningStatusInfo: status, sourceIdentity: source } = entry;
  const object = source.details.distinguishedName ?? source.displayName ?? source.id;
  const target = entry.targetIdentity.id === null ? '' : ` → ${entry.targetIdentity.identityType ?? 'object'} ${entry.targetIdentity.id}`;
  const changed = entry.modifiedProperties.length === 0 ? '' : ` (${entry.modifiedProperties.map((property) => property.displayName).join(', ')})`;
  let text = `${entry.activityDateTime}  ${entry.provisioningAction.padEnd(12)} ${status.status.padEnd(8)} ${source.identityType} ${object}${target}${changed}\n`;
  const error = status.errorInformation;
  if (error !== null) {
    text += `    ${error.errorCode}: ${error.reason ?? ''}\n`;
    text += `    what to do: ${error.recommendedAction}\n`;
  }
  return text;
}

function relative(link: string): string {
  const url = new URL(link);
  return url.pathname + url.search;
}

/** The newest `top` entries matching `filter`, oldest first. */
async function newest(connection: ServiceConnection, filter: string | undefined, top: number): Promise<ProvisioningObjectSummary[]> {
  const query = new URLSearchParams({ $top: String(top), ...(filter === undefined ? {} : { $filter: filter }) });
  const page = await connection.request<Page>('GET', `/v1.0/auditLogs/provisioning?${query.toString()}`);
  return [...page.value].reverse();
}

/** Every entry matching `filter` (all pages), oldest first. */
async function all(connection: ServiceConnection, filter: string): Promise<ProvisioningObjectSummary[]> {
  const entries: ProvisioningObjectSummary[] = [];
  let next: string | undefined = `/v1.0/auditLogs/provisioning?${new URLSearchParams({ $top: '999', $filter: filter }).toString()}`;
  while (next !== undefined) {
    const page: Page = await connection.request<Page>('GET', next);
    entries.push(...page.value);
    next = page['@odata.nextLink'] === undefined ? undefined : relative(page['@odata.nextLink']);
  }
  return entries.reverse();
}

export function logsCommand(): Command {
  return withServiceOptions(
    new Command('logs')
      .description('show the provisioning log (GET /v1.0/auditLogs/provisioning; needs AuditLog.Read.All)')
      .option('--config <configuration>', 'only this configuration (its service principal id or display name)')
      .option('--status <status>', `only entries with this status: ${LOG_STATUSES.join(', ')}`)
      .option('--action <action>', `only entries with this action: ${LOG_ACTIONS.join(', ')}`)
      .option('--top <n>', 'how many of the newest entries to show first (1–999)', '50')
      .option('--follow', 'keep printing new entries as cycles write them (Ctrl-C to stop)')
      .option('--interval <seconds>', 'with --follow: seconds between polls', '2')
      .option('--json', 'one provisioningObjectSummary JSON object per line'),
  ).action(async (flags: LogsFlags) => {
    const top = positive('--top', flags.top, 999);
    const interval = positive('--interval', flags.interval, 3600);
    const connection = await connect(flags);
    const clauses: string[] = [];
    if (flags.config !== undefined) {
      const configuration = await resolveConfiguration(connection, flags.config);
      clauses.push(`servicePrincipal/id eq ${quote(configuration.servicePrincipal.id)}`);
    }
    if (flags.status !== undefined) clauses.push(`provisioningStatusInfo/status eq ${quote(oneOf('--status', flags.status, LOG_STATUSES))}`);
    if (flags.action !== undefined) clauses.push(`provisioningAction eq ${quote(oneOf('--action', flags.action, LOG_ACTIONS))}`);
    const filter = clauses.length === 0 ? undefined : clauses.join(' and ');

    const print = (entry: ProvisioningObjectSummary) => process.stdout.write(flags.json === true ? `${JSON.stringify(entry)}\n` : describeEntry(entry));
    const shown = await newest(connection, filter, top);
    shown.forEach(print);
    if (flags.follow !== true) return;

    // The boundary: the newest time printed and the ids printed at exactly that time.
    let since = shown.at(-1)?.activityDateTime ?? new Date().toISOString();
    let atSince = new Set(shown.filter((entry) => entry.activityDateTime === since).map((entry) => entry.id));
    for (;;) {
      await sleep(interval * 1000);
      const fresh = (await all(connection, [`activityDateTime ge ${since}`, ...(filter === undefined ? [] : [`(${filter})`])].join(' and '))).filter((entry) => !atSince.has(entry.id));
      if (fresh.length === 0) continue;
      fresh.forEach(print);
      const latest = fresh.at(-1)!.activityDateTime;
      atSince = latest === since ? new Set([...atSince, ...fresh.map((entry) => entry.id)]) : new Set(fresh.filter((entry) => entry.activityDateTime === latest).map((entry) => entry.id));
      since = latest;
    }
  });
}
