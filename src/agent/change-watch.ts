/**
 * Near real time on the agent's side: every few seconds, a delta read of the local directory from the latest
 * watermark the service's own imports went through (DirSync on Active Directory; the connector's delta elsewhere).
 * When something changed, the agent tells the service, which runs the domain's jobs now (src/agents/change-trigger.ts).
 *
 * The agent keeps no watermark of its own: it borrows the one its last import operation ended with, so it watches
 * from where the service stands. Until the first import after a start it has none and watches nothing (the next
 * scheduled cycle gives it one). After reporting, it waits for the cycle it asked for (a new watermark) before
 * reporting again, so one change is one hint, not one every interval.
 *
 * Sources that push (`changeNotifications`: OpenLDAP's RFC 4533 refreshAndPersist) wake the watch the moment a change
 * commits, and while their push is live the delta read runs every PUSHED_INTERVAL_MS at most otherwise, as a safety
 * net. A push only wakes the watch: the delta read still decides whether anything changed, from the borrowed
 * watermark. Invariant: a wake that arrives while the watch may not report (a cycle running, a hint awaiting its
 * cycle, no watermark yet) is kept, and the delta read runs as soon as it may — otherwise a change committed after
 * the asked-for cycle's import would wait for the safety net.
 */
import type { EngineSource } from '../engine/index.ts';
import { pause } from './reconnect-backoff.ts';

/** A reported change whose cycle never came (the service did not run one) is reported again after this long. */
const REPORT_AGAIN_AFTER_MS = 60_000;
/** With a live push, the delta is also read this often: what the push could miss (a dropped message, a bug). */
const PUSHED_INTERVAL_MS = 30_000;
/** A push that failed or ended is asked for again after this long (polling goes on meanwhile). */
const PUSH_RETRY_MS = 10_000;

export class ChangeWatch {
  readonly domain: string;
  readonly #source: EngineSource;
  readonly #intervalMs: number;
  readonly #report: (domain: string) => Promise<void>;
  readonly #warn: (fields: Record<string, unknown>, message: string) => void;
  #watermark: string | undefined;
  #busy = 0;
  #reportedAt: number | undefined;
  /** the source's push is live: the delta read is the safety net only */
  #pushed = false;
  /** a change was pushed and no delta read has looked since */
  #woken = false;
  /** ends the current sleep early */
  #alarm: (() => void) | undefined;

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
    if (this.#woken) this.#alarm?.();
  }

  /** While the service runs an operation for the domain, there is nothing to hint. */
  busy(delta: 1 | -1): void {
    this.#busy += delta;
    if (this.#busy === 0 && this.#woken) this.#alarm?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!this.#source.capabilities.deltaImport) return;
    const listening = this.#listen(signal);
    try {
      await this.#poll(signal);
    } finally {
      await listening;
    }
  }

  async #poll(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#sleep(this.#pushed ? Math.max(this.#intervalMs, PUSHED_INTERVAL_MS) : this.#intervalMs, signal);
      const watermark = this.#watermark;
      if (signal.aborted || watermark === undefined || this.#busy > 0) continue;
      if (this.#reportedAt !== undefined && Date.now() - this.#reportedAt < REPORT_AGAIN_AFTER_MS) continue;
      // what is pushed from here on is after this read began: it wakes the next one
      this.#woken = false;
      try {
        let changed = false;
        for await (const batch of this.#source.deltaImport(watermark, { batchSize: 1, signal })) {
          // a delta that cannot name its deletions may hide some: the service's cycle lists anchors to find them
          if (batch.objects.length > 0 || (batch.deletedAnchors?.length ?? 0) > 0 || batch.reconcileDeletions === true) {
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

  /** Resolves after `ms`, when a pushed change may be looked at, or when `signal` aborts. */
  async #sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#woken && this.#busy === 0 && this.#reportedAt === undefined && this.#watermark !== undefined) return;
    const woken = new Promise<void>((resolve) => { this.#alarm = resolve; });
    const stop = new AbortController();
    const abort = () => stop.abort();
    signal.addEventListener('abort', abort, { once: true });
    try {
      await Promise.race([pause(ms, stop.signal), woken]);
    } finally {
      signal.removeEventListener('abort', abort);
      stop.abort();
      this.#alarm = undefined;
    }
  }

  /** The source's push, for as long as the agent runs; polling alone while there is none. */
  async #listen(signal: AbortSignal): Promise<void> {
    const notifications = this.#source.changeNotifications?.bind(this.#source);
    if (notifications === undefined) return;
    let failing = false;
    while (!signal.aborted) {
      let offered = true;
      try {
        offered = await notifications({
          signal,
          onReady: () => {
            this.#pushed = true;
            failing = false;
          },
          onChange: () => {
            this.#woken = true;
            this.#alarm?.();
          },
        });
      } catch (error) {
        // once per failure streak: a server that keeps refusing must not fill the log
        if (!signal.aborted && !failing) this.#warn({ domain: this.domain, reason: (error as Error).message }, 'change watch: the directory stopped pushing changes; looking every interval until it is back');
        failing = true;
      }
      this.#pushed = false;
      if (!offered) return;
      await pause(PUSH_RETRY_MS, signal);
    }
  }
}
