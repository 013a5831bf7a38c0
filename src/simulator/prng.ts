/**
 * A tiny seeded PRNG (mulberry32). The simulator must be reproducible run after run, so nothing in
 * it may call `Math.random()`: every random choice goes through one of these, seeded from the
 * simulator's `seed` option.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** `true` with probability `p`. */
  chance(p: number): boolean;
  /** A fresh, independent generator derived from this one (so sub-systems do not disturb each other). */
  fork(): Prng;
}

/** A generator seeded with `seed` (any number; its low 32 bits are used): the same seed gives the same sequence. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const prng: Prng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick() from an empty array');
      return items[Math.floor(next() * items.length)];
    },
    chance: (p) => next() < p,
    fork: () => createPrng(Math.floor(next() * 4294967296)),
  };
  return prng;
}
