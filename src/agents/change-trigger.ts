/**
 * Near real time: an agent that sees changes in its directory (src/agent/change-watch.ts) tells the service, and
 * the service asks for a cycle of every job of that tenant and domain now instead of at its next interval — Graph's
 * `POST …/jobs/{id}/start` on a running job ("run now"). The data still flows through the normal cycle from the
 * service's own watermark: the agent's report is only a hint, and a hint cannot make a cycle skip or repeat anything.
 *
 * A paused or quarantined job is left alone (start would resume it or lift the quarantine, which only an admin may
 * do). Hints for one (tenant, domain) are taken at most once per `minIntervalMs`. One that comes sooner is not
 * dropped but deferred to the end of that window (several coalesce into one): the cycle the earlier hint asked for
 * may already have read its watermark before this change, and the agent, having reported, waits for a cycle before
 * it reports again — a dropped hint left a change waiting a minute for the agent's re-report.
 */
import type { SynchronizationConfigurations } from '../synchronization/index.ts';

export type ChangeTrigger = (tenantId: string, domain: string) => Promise<number>;

export function createChangeTrigger(
  configurations: Pick<SynchronizationConfigurations, 'listServicePrincipals' | 'listJobs' | 'startJob'> & { readJob(tenantId: string, jobId: string): Promise<{ readonly domain?: string | undefined }> },
  options: { readonly minIntervalMs: number; readonly now?: () => number },
): ChangeTrigger {
  const now = options.now ?? Date.now;
  const lastTaken = new Map<string, number>();
  const deferred = new Set<string>();
  const trigger: ChangeTrigger = async (tenantId, domain) => {
    const key = `${tenantId}\u0000${domain.toLowerCase()}`;
    const last = lastTaken.get(key);
    if (last !== undefined && now() - last < options.minIntervalMs) {
      if (!deferred.has(key)) {
        deferred.add(key);
        // unref: a deferred hint never keeps a stopping service alive; a failure (the store closing) is a lost hint,
        // which the agent's own re-report covers.
        setTimeout(() => {
          deferred.delete(key);
          trigger(tenantId, domain).catch(() => {});
        }, Math.max(0, last + options.minIntervalMs - now())).unref();
      }
      return 0;
    }
    lastTaken.set(key, now());
    let started = 0;
    for (const principal of await configurations.listServicePrincipals(tenantId)) {
      for (const job of await configurations.listJobs(tenantId, principal.id)) {
        if (job.schedule.state !== 'Active' || job.status.code === 'Quarantine') continue;
        if ((await configurations.readJob(tenantId, job.id)).domain?.toLowerCase() !== domain.toLowerCase()) continue;
        await configurations.startJob(tenantId, principal.id, job.id);
        started++;
      }
    }
    return started;
  };
  return trigger;
}
