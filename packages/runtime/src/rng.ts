/**
 * A small seeded generator for sampling, the same on every JavaScript engine: SFC32 (Chris Doty-Humphrey's
 * Small Fast Counting generator, 32-bit) with its 128-bit state filled by SplitMix32 from the seed. The
 * seed is any safe non-negative integer; its low and high 32-bit halves are both mixed in.
 *
 * `next()` returns a float in [0, 1) with 32 random bits (x / 2³²). Reproducing a stream elsewhere takes
 * these twenty lines; nothing depends on Math.random.
 */
export interface Rng {
  next(): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const low = splitmix32(seed >>> 0);
  const high = splitmix32(Math.floor(seed / 2 ** 32) ^ 0x5bd1e995);
  let a = low() ^ high();
  let b = low();
  let c = low();
  let d = 1; // SFC32's counter
  const step = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) step(); // discard the first outputs, which still echo the seed
  return { next: () => step() / 4294967296 };
}
