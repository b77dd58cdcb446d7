import * as tf from '@tensorflow/tfjs-core';
import { Rng, type PortValue } from '@unfold/core';
import type { DataShape, Example } from './sequence-data';

/** A padded batch on the tensor backend. Dispose after use. */
export interface Batch {
  /** [B, T, I] float32 or [B, T] int32, zero-padded to the longest sequence. */
  readonly x: tf.Tensor;
  readonly lengths: Int32Array;
  /** [B, T, O] / [B, T] ids (readout sequence) or [B, 1, O] / [B, 1] ids (readout last). */
  readonly y: tf.Tensor;
  /** [B, T] or [B, 1]: 1 where the target counts. */
  readonly mask: tf.Tensor;
  readonly size: number;
  /** Further model inputs by port name (a seq2seq model's decoder inputs, `target`). */
  readonly ports?: Readonly<Record<string, PortValue>>;
}

/** Pads the chosen examples into one batch. */
export function makeBatch(examples: readonly Example[], indices: ArrayLike<number>, shape: DataShape): Batch {
  const batch = indices.length;
  const chosen = Array.from(indices, (i) => examples[i] as Example);
  const time = Math.max(...chosen.map((e) => e.length));
  const lengths = Int32Array.from(chosen, (e) => e.length);
  const tokens = shape.input.kind === 'tokens';
  const inputSize = tokens ? 1 : shape.input.size;
  const x = tokens ? new Int32Array(batch * time) : new Float32Array(batch * time * inputSize);
  chosen.forEach((e, b) => x.set(e.x, b * time * inputSize));
  const steps = shape.target.readout === 'sequence' ? time : 1;
  const classes = shape.target.kind === 'classes';
  const targetSize = classes ? 1 : shape.target.size;
  const y = classes ? new Int32Array(batch * steps) : new Float32Array(batch * steps * targetSize);
  const mask = new Float32Array(batch * steps);
  chosen.forEach((e, b) => {
    y.set(e.y, b * steps * targetSize);
    if (e.mask && shape.target.readout === 'sequence') mask.set(e.mask, b * steps); // per-step weights (null targets: 0)
    else mask.fill(1, b * steps, b * steps + (steps === 1 ? 1 : e.length));
  });
  return {
    x: tokens ? tf.tensor2d(x, [batch, time], 'int32') : tf.tensor3d(x as Float32Array, [batch, time, inputSize]),
    lengths,
    y: classes ? tf.tensor2d(y, [batch, steps], 'int32') : tf.tensor3d(y as Float32Array, [batch, steps, targetSize]),
    mask: tf.tensor2d(mask, [batch, steps]),
    size: batch,
  };
}

/** Batches of example indices for one epoch: shuffled by (seed, epoch) when asked, the last one possibly smaller. */
export function epochOrder(count: number, batchSize: number, shuffle: boolean, seed: number, epoch: number): Int32Array[] {
  const order = shuffle ? new Rng(seed).fork('shuffle').fork(String(epoch)).permutation(count) : Int32Array.from({ length: count }, (_, i) => i);
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += batchSize) batches.push(order.slice(start, start + batchSize));
  return batches;
}

export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.x, batch.y, batch.mask, ...Object.values(batch.ports ?? {}).map((port) => port.x)]);
}
