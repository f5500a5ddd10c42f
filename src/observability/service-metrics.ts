/**
 * The service's Prometheus metrics (prom-client), on a registry of its own so several services in one process
 * (tests) do not share counters. Every series is tenant-free by design: no tenant id, job id, DN or attribute
 * value appears as a label, so /metrics can be scraped without exposing one tenant's data to another's operator.
 *
 *   cloudsync_synchronization_cycle_duration_seconds{state,mode}   histogram of cycle wall-clock durations
 *   cloudsync_provisioning_objects_total{action,status}           provisioning log entries written
 *   cloudsync_change_latency_seconds{action}                      see observeEntries
 *   cloudsync_escrowed_objects                                    objects waiting for a retry, summed over jobs
 *   cloudsync_synchronization_jobs{status}                        jobs by status code (read from the store at scrape)
 *   cloudsync_quarantined_jobs                                    jobs in quarantine (idem)
 *   cloudsync_agents{state}                                       provisioning agents by state
 *   cloudsync_process_*, cloudsync_nodejs_*                       prom-client's default process metrics
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Kysely } from 'kysely';
import { PROVISIONING_ACTIONS, PROVISIONING_STATUSES, type ProvisioningLogEntry } from '../engine/index.ts';
import { STATUS_CODES, connectorSpaceIdOf, type CycleOutcome, type StatusCode } from '../synchronization/index.ts';

/** What the metrics read of a provisioning log entry. */
export type ObservedEntry = Pick<ProvisioningLogEntry, 'action' | 'status' | 'configurationId' | 'activityDateTime'>;

/** States of a provisioning agent as Entra's portal shows them (agent-counts.ts counts them). */
export const AGENT_STATES = ['active', 'inactive'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** Actions that change the cloud directory: their entries measure change latency. */
const EXPORTING_ACTIONS = new Set<string>(['Create', 'Update', 'Delete', 'Disable']);

export interface ServiceMetrics {
  readonly registry: Registry;
  /** A recorded cycle (the scheduler's onCycle). */
  observeCycle(outcome: CycleOutcome): void;
  /** Entries the engine wrote to the provisioning log. */
  observeEntries(entries: readonly ObservedEntry[]): void;
}

export interface ServiceMetricsOptions {
  /** The store, to count jobs by status at scrape time; without it those gauges stay empty. */
  readonly store?: { readonly db: Kysely<any> };
  /** Agents by state, asked at each scrape (agent-counts.ts); without it the gauge shows zeros. */
  readonly countAgents?: () => Promise<Readonly<Record<AgentState, number>>>;
  /** prom-client's process metrics (CPU, memory, event loop lag). Default true. */
  readonly processMetrics?: boolean;
}

export function createServiceMetrics(options: ServiceMetricsOptions = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'cloudsync_' });

  const cycleDuration = new Histogram({
    name: 'cloudsync_synchronization_cycle_duration_seconds',
    help: 'Wall-clock duration of synchronization cycles, by execution state and mode (full, delta, or none when the cycle failed before importing).',
    labelNames: ['state', 'mode'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [registry],
  });
  const objects = new Counter({
    name: 'cloudsync_provisioning_objects_total',
    help: 'Provisioning log entries written, by action and status.',
    labelNames: ['action', 'status'] as const,
    registers: [registry],
  });
  const changeLatency = new Histogram({
    name: 'cloudsync_change_latency_seconds',
    help:
      'For each object change exported, seconds from the end of the previous cycle of its job (the last moment the ' +
      'change could have been seen without being picked up) to its export: an upper bound of how long a source change waited.',
    labelNames: ['action'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 86400],
    registers: [registry],
  });
  const escrowed = new Gauge({
    name: 'cloudsync_escrowed_objects',
    help: 'Objects whose last attempt failed and that wait for a retry (escrows), summed over the jobs this process ran.',
    registers: [registry],
  });
  const countAgents = options.countAgents;
  new Gauge({
    name: 'cloudsync_agents',
    help: 'Provisioning agents by state: embedded agents and registered on-premises agents heard from recently are active; the other registered ones inactive.',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = countAgents === undefined ? undefined : await countAgents();
      for (const state of AGENT_STATES) this.set({ state }, counts?.[state] ?? 0);
    },
  });
  for (const action of PROVISIONING_ACTIONS) for (const status of PROVISIONING_STATUSES) objects.inc({ action, status }, 0);

  const store = options.store;
  const countJobs = async (): Promise<Map<StatusCode, number>> => {
    const counts = new Map<StatusCode, number>(STATUS_CODES.map((code) => [code, 0]));
    if (store === undefined) return counts;
    const rows = (await store.db.selectFrom('sync_jobs').select('status').execute()) as { status: string }[];
    for (const row of rows) {
      const code = (JSON.parse(row.status) as { code: StatusCode }).code;
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    return counts;
  };
  new Gauge({
    name: 'cloudsync_synchronization_jobs',
    help: 'Synchronization jobs by status code (NotConfigured, NotRun, Active, Paused, Quarantine), across tenants.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      for (const [status, count] of await countJobs()) this.set({ status }, count);
    },
  });
  new Gauge({
    name: 'cloudsync_quarantined_jobs',
    help: 'Synchronization jobs in quarantine, across tenants.',
    registers: [registry],
    async collect() {
      this.set((await countJobs()).get('Quarantine') ?? 0);
    },
  });

  const escrowsByJob = new Map<string, number>();
  const lastCycleEnd = new Map<string, number>();

  return {
    registry,
    observeCycle(outcome) {
      const { execution, report } = outcome;
      const seconds = (Date.parse(execution.timeEnded) - Date.parse(execution.timeBegan)) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0) cycleDuration.observe({ state: execution.state, mode: report?.mode ?? 'none' }, seconds);
      const job = connectorSpaceIdOf(outcome.tenantId, outcome.jobId);
      escrowsByJob.set(job, execution.countEscrowed);
      escrowed.set([...escrowsByJob.values()].reduce((sum, count) => sum + count, 0));
      const ended = Date.parse(execution.timeEnded);
      if (Number.isFinite(ended)) lastCycleEnd.set(job, ended);
    },
    observeEntries(entries) {
      for (const entry of entries) {
        objects.inc({ action: entry.action, status: entry.status });
        if (entry.status !== 'Success' || !EXPORTING_ACTIONS.has(entry.action)) continue;
        // The first cycle of a job has no previous end: an initial load is not a change latency.
        const previous = lastCycleEnd.get(entry.configurationId);
        const at = Date.parse(entry.activityDateTime);
        if (previous !== undefined && Number.isFinite(at) && at >= previous) changeLatency.observe({ action: entry.action }, (at - previous) / 1000);
      }
    },
  };
}
