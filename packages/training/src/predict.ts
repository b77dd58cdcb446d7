import * as tf from '@tensorflow/tfjs-core';
import { disposeBatch, epochOrder, makeBatch } from './data/batches';
import { readExamples, type DataShape, type SequenceData } from './data/sequence-data';
import type { Model } from './model';

/**
 * Runs a model over input sequences (validated like training data) and returns plain arrays, [N][steps][O]
 * as the runtime's `predict` answers: every step of each sequence (cut to its length) for readout
 * "sequence", one row per sequence for a last-step readout.
 */
export function predict(model: Model, x: SequenceData['x'], options: { batchSize?: number } = {}): number[][][] {
  const shape: DataShape = { input: model.input, target: { readout: model.readout, kind: 'values', size: model.outputSize } };
  const placeholder = model.readout === 'last' ? new Array(model.outputSize).fill(0) : undefined;
  const examples = readExamples({ x, y: x.map((sequence) => placeholder ?? sequence.map(() => new Array(model.outputSize).fill(0))) }, shape, 'inputs');
  const results: number[][][] = [];
  for (const indices of epochOrder(examples.length, options.batchSize ?? 64, false, 0, 0)) {
    const batch = makeBatch(examples, indices, shape);
    try {
      const outputs = tf.tidy(() => model.forward(batch.x, { lengths: batch.lengths, checked: false }).outputs.arraySync());
      outputs.forEach((sequence, b) => {
        results.push(sequence.slice(0, model.readout === 'last' ? 1 : batch.lengths[b]));
      });
    } finally {
      disposeBatch(batch);
    }
  }
  return results;
}
