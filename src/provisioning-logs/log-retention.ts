/**
 * Retention of the audit logs: entries older than the retention (DEFAULTS.logRetention, 30 days as Entra keeps
 * provisioning and audit logs) are deleted by a periodic pass. Deleting by age is the only way an entry leaves
 * the log; the pass is idempotent, so several service nodes running it at once is harmless.
 */
export interface Prunable {
  prune(before: Date): Promise<number>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function pruneExpiredLogs(logs: readonly Prunable[], now: Date, retentionDays: number): Promise<number> {
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) throw new TypeError('retentionDays must be a positive number');
  const before = new Date(now.getTime() - retentionDays * DAY_MS);
  let pruned = 0;
  for (const log of logs) pruned += await log.prune(before);
  return pruned;
}
