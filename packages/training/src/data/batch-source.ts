import { disposeBatch, epochOrder, makeBatch, type Batch } from './batches';
import type { DataShape, Example } from './sequence-data';

/**
 * What the fit loop draws batches from: the number of examples, a length per example (for length buckets)
 * and a function that pads the chosen examples into a batch. Sequence data (`exampleSource`) and seq2seq
 * pairs (pairs.ts) are two sources; the loop, validation and buckets work on either.
 */
export interface BatchSource {
  readonly count: number;
  /** The length buckets sort by: a sequence's steps, or a pair's longer side. */
  readonly lengths: Int32Array;
  /** A padded batch of the examples at `indices`; the caller disposes it. */
  batch(indices: ArrayLike<number>): Batch;
}

/** Validated sequence examples as a batch source. */
export function exampleSource(examples: readonly Example[], shape: DataShape): BatchSource {
  return {
    count: examples.length,
    lengths: Int32Array.from(examples, (e) => e.length),
    batch: (indices) => makeBatch(examples, indices, shape),
  };
}

/** Every example once, in order, in batches of `batchSize`; each batch is disposed when the consumer moves on. */
export function* batchesOf(source: BatchSource, batchSize: number): Generator<Batch> {
  for (const indices of epochOrder(source.count, batchSize, false, 0, 0)) {
    const batch = source.batch(indices);
    try {
      yield batch;
    } finally {
      disposeBatch(batch);
    }
  }
}
