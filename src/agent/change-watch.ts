/**
 * Near real time on the agent's side: every few seconds, a delta read of the local directory from the latest
 * watermark the service's own imports went through (DirSync on Active Directory; the connector's delta elsewhere).
 * When something changed, the agent tells the service, which runs the domain's jobs now (src/agents/change-trigger.ts).
 *
 * The agent keeps no watermark of its own: it borrows the one its last import operation ended with, so it watches
 * from where the service stands. Until the first import after a start it has none and watches nothing (the next
 * scheduled cycle gives it one). After reporting, it waits for the cycle it asked for (a new watermark) before
 * reporting again, so one change is one hint, not one every interval.
 */
import type { EngineSource } from '../engine/index.ts';
import { pause } from './reconnect-backoff.ts';

/** A reported change whose cycle never came (the service did not run one) is reported again after this long. */
const REPORT_AGAIN_AFTER_MS = 60_000;

export class ChangeWatch {
  readonly domain: string;
  readonly #source: EngineSource;
  readonly #intervalMs: number;
  readonly #report: (domain: string) => Promise<void>;
  readonly #warn: (fields: Record<string, unknown>, message: string) => void;
  #watermark: string | undefined;
  #busy = 0;
  #reportedAt: number | undefined;

  constructor(options: {
    readonly domain: string;
    readonly source: EngineSource;
    readonly intervalMs: number;
    readonly report: (domain: string) => Promise<void>;
    readonly warn: (fields: Record<string, unknown>, message: string) => void;
  }) {
    this.domain = options.domain;
    this.#source = options.source;
    this.#intervalMs = options.intervalMs;
    this.#report = options.report;
    this.#warn = options.warn;
  }

  /** An import operation of the service ended with this watermark. */
  observe(watermark: string): void {
    this.#watermark = watermark;
    this.#reportedAt = undefined;
  }

  /** While the service runs an operation for the domain, there is nothing to hint. */
  busy(delta: 1 | -1): void {
    this.#busy += delta;
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!this.#source.capabilities.deltaImport) return;
    while (!signal.aborted) {
      await pause(this.#intervalMs, signal);
      const watermark = this.#watermark;
      if (signal.aborted || watermark === undefined || this.#busy > 0) continue;
      if (this.#reportedAt !== undefined && Date.now() - this.#reportedAt < REPORT_AGAIN_AFTER_MS) continue;
      try {
        let changed = false;
        for await (const batch of this.#source.deltaImport(watermark, { batchSize: 1, signal })) {
          if (batch.objects.length > 0 || (batch.deletedAnchors?.length ?? 0) > 0) {
            changed = true;
            break;
          }
        }
        if (changed && !signal.aborted && this.#watermark === watermark) {
          this.#reportedAt = Date.now();
          await this.#report(this.domain);
        }
      } catch (error) {
        if (!signal.aborted) this.#warn({ domain: this.domain, reason: (error as Error).message }, 'change watch: could not read changes; trying again');
      }
    }
  }
}
