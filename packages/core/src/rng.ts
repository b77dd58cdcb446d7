/**
 * A seeded, splittable pseudo-random generator (xoshiro128**, seeded through SplitMix32).
 *
 * `fork(label)` derives an independent stream from this stream's *key* and the label without consuming
 * anything from this stream, so the weights of `layers.1.cell.W` depend only on the seed and that path:
 * adding a layer or reordering initialisation never changes the other weights. Results are bit-for-bit
 * identical on every JavaScript engine (only 32-bit integer arithmetic and exact float conversions).
 */
export class Rng {
  private readonly key: number;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number | string) {
    this.key = typeof seed === 'string' ? hashString(seed, 0x9e3779b9) : normaliseSeed(seed);
    let x = this.key;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      return mix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent generator for `label`, determined by this generator's seed and the label only. */
  fork(label: string): Rng {
    return new Rng(hashString(label, this.key) >>> 0);
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform double in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: expected a positive integer bound, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal sample (Box–Muller, the second value cached). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const order = Array.from({ length: n }, (_, i) => i);
    return Int32Array.from(this.shuffle(order));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A 32-bit finaliser (from MurmurHash3 fmix32 / SplitMix32): good avalanche in 5 operations. */
function mix32(value: number): number {
  let z = value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

function normaliseSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`Rng: expected a finite numeric seed, got ${seed}`);
  const integer = Math.trunc(seed);
  // Fold integers beyond 32 bits so that 1 and 2**32 + 1 give different streams.
  const high = Math.floor(integer / 4294967296);
  return mix32((integer >>> 0) ^ mix32(high | 0));
}

function hashString(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) {
    h = mix32(h ^ text.charCodeAt(i)) + 0x6d2b79f5;
    h |= 0;
  }
  return mix32(h ^ text.length);
}
