import { ConfigError, Rng } from '@unfold/core';

/**
 * Bucketing: sequences grouped by length so that a batch pads to its own longest member rather than the
 * data's, which saves the work of the padded steps (masks keep padding out of the loss and gradients either
 * way). Buckets are `[b₀, b₁)`, `[b₁, b₂)`, …: boundaries given, or `auto`: at the length quantiles, with
 * as many buckets as keep each at about four batches (at most 8). Within a bucket the order is shuffled, the
 * bucket is cut into batches, and the batches of all buckets are shuffled together, seeded by (seed, epoch).
 */
export type BucketSpec = 'auto' | readonly number[];

/** Sorted, distinct upper boundaries (exclusive) splitting `lengths` into buckets; the last bucket is open. */
export function bucketBoundaries(lengths: ArrayLike<number>, spec: BucketSpec, batchSize: number): number[] {
  if (spec !== 'auto') {
    const bad = spec.findIndex((b, i) => !Number.isSafeInteger(b) || b < 1 || (i > 0 && b <= (spec[i - 1] as number)));
    if (bad >= 0) throw new ConfigError('invalid bucket boundaries', { where: 'buckets', expected: 'increasing integers >= 1, e.g. [10, 20, 40]', got: JSON.stringify(spec), fix: 'list the boundaries in increasing order, or use "auto"' });
    return [...spec];
  }
  const sorted = Float64Array.from(lengths).sort();
  const count = Math.max(1, Math.min(8, Math.floor(sorted.length / (4 * batchSize))));
  const boundaries = new Set<number>();
  for (let q = 1; q < count; q++) boundaries.add((sorted[Math.floor((q * sorted.length) / count)] as number) + 1);
  return [...boundaries].filter((b) => b <= (sorted[sorted.length - 1] as number)).sort((a, b) => a - b);
}

/** The index of the bucket a length falls in. */
function bucketOf(length: number, boundaries: readonly number[]): number {
  const index = boundaries.findIndex((b) => length < b);
  return index < 0 ? boundaries.length : index;
}

/** One epoch's batches of example indices: each batch from one bucket; see the module comment. */
export function bucketedOrder(lengths: ArrayLike<number>, batchSize: number, boundaries: readonly number[], seed: number, epoch: number): Int32Array[] {
  const rng = new Rng(seed).fork('buckets').fork(String(epoch));
  const buckets: number[][] = Array.from({ length: boundaries.length + 1 }, () => []);
  for (let i = 0; i < lengths.length; i++) (buckets[bucketOf(lengths[i] as number, boundaries)] as number[]).push(i);
  const batches: Int32Array[] = [];
  buckets.forEach((members, b) => {
    const order = rng.fork(`bucket ${b}`).permutation(members.length);
    for (let start = 0; start < members.length; start += batchSize) batches.push(Int32Array.from(order.subarray(start, start + batchSize), (k) => members[k] as number));
  });
  const shuffled = rng.fork('batches').permutation(batches.length);
  return Array.from(shuffled, (k) => batches[k] as Int32Array);
}

/** Padded steps per epoch with these batches, against padding every batch to the data's longest sequence. */
export function paddingReport(lengths: ArrayLike<number>, batches: readonly Int32Array[]): { readonly real: number; readonly padded: number; readonly paddedToMax: number; readonly savedFraction: number } {
  let real = 0;
  let padded = 0;
  let longest = 0;
  for (let i = 0; i < lengths.length; i++) longest = Math.max(longest, lengths[i] as number);
  for (const batch of batches) {
    const max = Math.max(...Array.from(batch, (i) => lengths[i] as number));
    for (const i of batch) {
      real += lengths[i] as number;
      padded += max - (lengths[i] as number);
    }
  }
  const paddedToMax = longest * lengths.length - real;
  return { real, padded, paddedToMax, savedFraction: paddedToMax > 0 ? 1 - padded / paddedToMax : 0 };
}
