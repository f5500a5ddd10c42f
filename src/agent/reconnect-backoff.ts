/**
 * Reconnect delays: exponential backoff with "full jitter" (a random delay between 0 and the capped exponential),
 * so that agents cut off by the same outage do not all come back in the same second.
 */
export class ReconnectBackoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(options: { readonly baseMs?: number; readonly maxMs?: number; readonly random?: () => number } = {}) {
    this.#baseMs = options.baseMs ?? 500;
    this.#maxMs = options.maxMs ?? 10_000;
    this.#random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts one more failure. Never below 100 ms. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(this.#failures, 20));
    this.#failures++;
    return Math.max(100, Math.round(this.#random() * ceiling));
  }

  reset(): void {
    this.#failures = 0;
  }

  get failures(): number {
    return this.#failures;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
