/**
 * The default EvaluationContext: the real clock and a cryptographically strong random source. Expressions
 * reach the clock and randomness only through a context, so the engine, tests and documentation examples
 * can fix them.
 */
import type { EvaluationContext } from './function-definition.ts';

const UINT32_RANGE = 2 ** 32;

/** Uniform integer in [0, maxExclusive); rejection sampling so that no value is favoured. */
function cryptoRandomInt(maxExclusive: number): number {
  if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > UINT32_RANGE) {
    throw new TypeError(`randomInt: maxExclusive must be an integer in [1, 2^32], got ${maxExclusive}`);
  }
  const limit = UINT32_RANGE - (UINT32_RANGE % maxExclusive);
  const buffer = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(buffer);
    const sample = buffer[0] as number;
    if (sample < limit) return sample % maxExclusive;
  }
}

export const DEFAULT_EVALUATION_CONTEXT: EvaluationContext = Object.freeze({
  now: () => new Date(),
  randomInt: cryptoRandomInt,
});

export function resolveContext(partial: Partial<EvaluationContext> | undefined): EvaluationContext {
  if (partial === undefined) return DEFAULT_EVALUATION_CONTEXT;
  // A complete context is used as it is: the engine passes one per object, and merging would allocate each time.
  if (typeof partial.now === 'function' && typeof partial.randomInt === 'function') return partial as EvaluationContext;
  const context: EvaluationContext = {
    now: partial.now ?? DEFAULT_EVALUATION_CONTEXT.now,
    randomInt: partial.randomInt ?? DEFAULT_EVALUATION_CONTEXT.randomInt,
  };
  if (partial.isUnique !== undefined) context.isUnique = partial.isUnique;
  return context;
}

/**
 * A deterministic context for tests, examples and the docs: a fixed clock and a seeded PRNG (mulberry32).
 * Not for production: the sequence is predictable by design.
 */
export function fixedContext(options: { now?: Date; seed?: number; isUnique?: EvaluationContext['isUnique'] } = {}): EvaluationContext {
  const now = options.now ?? new Date(Date.UTC(2024, 0, 1));
  let state = (options.seed ?? 1) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / UINT32_RANGE;
  };
  const context: EvaluationContext = {
    now: () => new Date(now.getTime()),
    randomInt: (maxExclusive) => {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1) throw new TypeError(`randomInt: bad maxExclusive ${maxExclusive}`);
      return Math.floor(next() * maxExclusive);
    },
  };
  if (options.isUnique !== undefined) context.isUnique = options.isUnique;
  return context;
}
