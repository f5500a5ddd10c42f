/**
 * A provisioning log sink that counts what it stores: entries reach the metrics only once the sink below has
 * written them, so /metrics never counts an entry the log does not hold.
 */
import type { ProvisioningLogSink } from '../engine/index.ts';
import type { ObservedEntry, ServiceMetrics } from './service-metrics.ts';

export function meteredProvisioningLog(sink: ProvisioningLogSink, metrics: Pick<ServiceMetrics, 'observeEntries'>): ProvisioningLogSink {
  return {
    write(entries) {
      // Only what the metrics read waits for the commit, not the entries with their steps and values: the engine
      // keeps writes in flight, and entries held until then are garbage the engine's thread scavenges twice.
      const observed: ObservedEntry[] = entries.map(({ action, status, configurationId, activityDateTime }) => ({ action, status, configurationId, activityDateTime }));
      let written: Promise<void>;
      try {
        written = sink.write(entries);
      } catch (error) {
        return Promise.reject(error);
      }
      return written.then(() => metrics.observeEntries(observed));
    },
  };
}
