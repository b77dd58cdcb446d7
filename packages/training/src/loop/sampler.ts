import { bucketedOrder } from '../data/buckets';
import { epochOrder } from '../data/batches';

/**
 * A batch sampler: the order of one epoch, as batches of example indices. The loop keeps the position
 * (epoch, index of the next batch) and a training state records it, so `batches(epoch)` must depend on
 * the epoch only (seeded, not on how many times it was called): a resumed run then sees the same batches.
 */
export interface BatchSampler {
  /** Batches of example indices for `epoch` (1-based). */
  batches(epoch: number): readonly Int32Array[];
}

/** Examples in their order, cut into batches (the last one possibly smaller). */
export function sequentialSampler(count: number, batchSize: number): BatchSampler {
  return { batches: (epoch) => epochOrder(count, batchSize, false, 0, epoch) };
}

/** A fresh permutation every epoch, seeded by (seed, epoch). */
export function shuffledSampler(count: number, batchSize: number, seed: number): BatchSampler {
  return { batches: (epoch) => epochOrder(count, batchSize, true, seed, epoch) };
}

/** Length buckets (data/buckets.ts): each batch from one bucket, batches shuffled across buckets by (seed, epoch). */
export function bucketSampler(lengths: ArrayLike<number>, batchSize: number, boundaries: readonly number[], seed: number): BatchSampler {
  return { batches: (epoch) => bucketedOrder(lengths, batchSize, boundaries, seed, epoch) };
}
