/**
 * A provisioning log sink that counts what it stores: entries reach the metrics only once the sink below has
 * written them, so /metrics never counts an entry the log does not hold.
 */
import type { ProvisioningLogSink } from '../engine/index.ts';
import type { ServiceMetrics } from './service-metrics.ts';

export function meteredProvisioningLog(sink: ProvisioningLogSink, metrics: Pick<ServiceMetrics, 'observeEntries'>): ProvisioningLogSink {
  return {
    async write(entries) {
      await sink.write(entries);
      metrics.observeEntries(entries);
    },
  };
}
