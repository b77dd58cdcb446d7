import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, hostTensor, type HeadPlugin, type ResolvedNode } from '@unfold/core';
import { forwardUnchecked } from '@unfold/architectures';
import { disposeBatch, epochOrder, makeBatch } from './data/batches';
import { readExamples, type DataShape, type SequenceData } from './data/sequence-data';
import { ridgeRegression } from './linalg';
import type { Model } from './model';

export interface ReadoutOptions {
  /** Steps at the start of every sequence whose states are discarded (the reservoir's initial transient). */
  readonly washout: number;
  /** Ridge (Tikhonov) parameter λ (default 1e-6). */
  readonly ridge?: number;
  readonly batchSize?: number;
}

/**
 * Fits the dense output head of a `sequence-model` (readout "sequence") in closed form by ridge regression
 * on the body's states, the echo state network's training (Jaeger 2001): the body is run over the data
 * (teacher forcing: fed-back outputs are data columns), the first `washout` states of each sequence are
 * dropped, and the head's W, b are set to the ridge solution. Returns the number of state rows used.
 */
export function fitReadout(model: Model, data: SequenceData, options: ReadoutOptions): { rows: number } {
  const { root } = model;
  // The model declares an affine output head over a body (semantics.head), e.g. sequence-model with a linear dense head.
  const parts = model.semantics.head;
  const output = parts ? (root.children[parts.slot] as ResolvedNode) : undefined;
  if (!parts || !output || model.readout !== 'sequence') {
    throw new ConfigError('closed-form readout needs a model with readout "sequence" and an affine output head', { where: 'fitReadout', expected: 'sequence-model { body, output: dense (linear) }', got: `${root.plugin.kind}${parts ? ` with readout ${model.semantics.readout}` : ' without an affine output head'}` });
  }
  const bias = `${output.path}.b`;
  if (!model.variables.has(bias)) {
    throw new ConfigError('closed-form readout needs a bias in the output head', { where: 'fitReadout', expected: 'output: dense with bias: true', got: 'bias: false', fix: 'set bias: true on the output head (the ridge solution centres the states)' });
  }
  const washout = options.washout;
  if (!Number.isSafeInteger(washout) || washout < 0) throw new ConfigError('invalid washout', { where: 'fitReadout', expected: 'an integer >= 0', got: String(washout) });
  const hidden = (output.plugin as HeadPlugin).inputSize(output.config);
  const outputs = model.outputSize;
  const shape: DataShape = { input: model.input, target: { readout: 'sequence', kind: 'values', size: outputs } };
  const examples = readExamples(data, shape, 'data');
  const rows = examples.reduce((n, e) => n + Math.max(e.length - washout, 0), 0);
  if (rows <= hidden) {
    throw new ConfigError('too few state rows for the readout', { where: 'fitReadout', expected: `more than ${hidden} steps after washout`, got: `${rows}`, fix: 'use longer sequences, more of them, or a shorter washout' });
  }
  const X = new Float64Array(rows * hidden);
  const Y = new Float64Array(rows * outputs);
  let row = 0;
  const body = model.bound.child(parts.body);
  for (const indices of epochOrder(examples.length, options.batchSize ?? 32, false, 0, 0)) {
    const batch = makeBatch(examples, indices, shape);
    try {
      const states = tf.tidy(() => forwardUnchecked(body, { x: batch.x as tf.Tensor3D, lengths: batch.lengths }).outputs.dataSync());
      const targets = batch.y.dataSync();
      const time = batch.x.shape[1] as number;
      for (let b = 0; b < batch.size; b++) {
        for (let t = washout; t < (batch.lengths[b] as number); t++) {
          X.set(states.subarray((b * time + t) * hidden, (b * time + t + 1) * hidden), row * hidden);
          Y.set(targets.subarray((b * time + t) * outputs, (b * time + t + 1) * outputs), row * outputs);
          row++;
        }
      }
    } finally {
      disposeBatch(batch);
    }
  }
  const { W, b } = ridgeRegression(X, Y, rows, hidden, outputs, options.ridge ?? 1e-6);
  const headW = new Float32Array(outputs * hidden); // dense layout [O, H] = Wᵀ
  for (let h = 0; h < hidden; h++) for (let o = 0; o < outputs; o++) headW[o * hidden + h] = W[h * outputs + o] as number;
  const fitted = { [`${output.path}.W`]: hostTensor([outputs, hidden], headW), [bias]: hostTensor([outputs], Float32Array.from(b)) };
  model.setWeights({ ...model.toModelData().weights, ...fitted });
  return { rows };
}
