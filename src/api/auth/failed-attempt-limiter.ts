/**
 * Counts failed client authentications per key (a client id, a source address) in fixed windows, and refuses
 * further attempts once a key passes its limit until the window ends.
 *
 * Why: every token request costs a deliberately slow scrypt check (tens of milliseconds and 16 MiB), and unknown
 * clients spend the same work so they cannot be told apart by timing. Without a limit, anyone who can reach the
 * endpoint can guess secrets at full speed or keep both cores busy. Only failures count, so a correctly
 * configured client is never slowed; a blocked key is refused before any hashing happens.
 *
 * Invariant: memory is bounded by `maxKeys`; when full, expired windows are dropped first, then everything (which
 * at worst forgives some attackers early, never blocks a legitimate client wrongly).
 */
export interface FailedAttemptLimiterOptions {
  /** Failures allowed per key and window. */
  readonly limit: number;
  readonly windowMs: number;
  readonly clock: () => Date;
  readonly maxKeys?: number;
}

interface Window {
  start: number;
  failures: number;
}

export class FailedAttemptLimiter {
  readonly #options: Required<FailedAttemptLimiterOptions>;
  readonly #windows = new Map<string, Window>();

  constructor(options: FailedAttemptLimiterOptions) {
    if (!(options.limit >= 1) || !(options.windowMs > 0)) throw new TypeError('limit must be ≥ 1 and windowMs > 0');
    this.#options = { maxKeys: 10_000, ...options };
  }

  /** Seconds the caller must wait before `key` may try again; 0 when it may try now. */
  retryAfterSeconds(key: string): number {
    const window = this.#windows.get(key);
    if (window === undefined) return 0;
    const now = this.#options.clock().getTime();
    const end = window.start + this.#options.windowMs;
    if (now >= end) {
      this.#windows.delete(key);
      return 0;
    }
    return window.failures >= this.#options.limit ? Math.ceil((end - now) / 1000) : 0;
  }

  recordFailure(key: string): void {
    const now = this.#options.clock().getTime();
    const window = this.#windows.get(key);
    if (window !== undefined && now < window.start + this.#options.windowMs) {
      window.failures += 1;
      return;
    }
    if (this.#windows.size >= this.#options.maxKeys) this.#prune(now);
    this.#windows.set(key, { start: now, failures: 1 });
  }

  #prune(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now >= window.start + this.#options.windowMs) this.#windows.delete(key);
    }
    if (this.#windows.size >= this.#options.maxKeys) this.#windows.clear();
  }
}
