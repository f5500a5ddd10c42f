/**
 * The rate limit of provisionOnDemand, per synchronization job: Graph documents "The rate limit for this API is 5
 * requests per 10 seconds". A sliding window per job (tenant + job id), so one tenant's tests never slow another's
 * and a burst cannot straddle two fixed windows to get twice the limit.
 *
 * Counted in this process: several service nodes each allow the limit. That is still "at least as well as Entra"
 * for a caller, and the work it protects (one object through the engine) is small; a shared counter would need
 * the store on every call.
 */
export interface RateDecision {
  readonly allowed: boolean;
  /** when refused: whole seconds until the oldest counted call leaves the window (Retry-After) */
  readonly retryAfterSeconds: number;
}

export class OnDemandRateLimit {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: () => Date;
  /** key → times (ms) of the calls counted in the window, oldest first */
  readonly #calls = new Map<string, number[]>();

  constructor(options: { readonly limit: number; readonly windowSeconds: number; readonly clock: () => Date }) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new TypeError('the on-demand rate limit must be a positive integer');
    if (!(options.windowSeconds > 0)) throw new TypeError('the on-demand rate window must be positive');
    this.#limit = options.limit;
    this.#windowMs = options.windowSeconds * 1000;
    this.#clock = options.clock;
  }

  /** Counts the call when it is allowed; a refused call is not counted (retrying after Retry-After succeeds). */
  take(key: string): RateDecision {
    const now = this.#clock().getTime();
    const calls = (this.#calls.get(key) ?? []).filter((t) => t > now - this.#windowMs);
    if (calls.length >= this.#limit) {
      this.#calls.set(key, calls);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((calls[0]! + this.#windowMs - now) / 1000)) };
    }
    calls.push(now);
    this.#calls.set(key, calls);
    // Keys of jobs nobody calls any more must not accumulate.
    if (this.#calls.size > 10_000) for (const [k, v] of this.#calls) if (v.every((t) => t <= now - this.#windowMs)) this.#calls.delete(k);
    return { allowed: true, retryAfterSeconds: 0 };
  }
}
