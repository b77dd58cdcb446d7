import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { DataError } from '@unfold/core';
import type { Forest } from '@unfold/core/tree';

/**
 * Masked losses for tree outputs: targets with NaN where a row has no label (a node without a label in a
 * treebank) count nothing; the loss is the mean over labelled rows (0 when none is).
 *
 *   classes  −log softmax(outputs)[target]   outputs are logits [M, C], targets class ids
 *   values   Σ_j (outputs_j − target_j)² / O  outputs [M, O], targets [M·O] (O = 1: one value per row)
 */
export function maskedTreeLoss(outputs: Tensor2D, targets: ArrayLike<number>, kind: 'classes' | 'values'): Scalar {
  const [M, O] = outputs.shape;
  const perRow = kind === 'classes' ? 1 : O;
  if (targets.length !== M * perRow) throw new DataError('targets do not match the outputs', { where: 'maskedTreeLoss', expected: `${M * perRow} targets (NaN where unlabelled)`, got: String(targets.length) });
  const mask = new Float32Array(M);
  const clean = new Float32Array(targets.length);
  for (let m = 0; m < M; m++) {
    let labelled = true;
    for (let j = 0; j < perRow; j++) if (Number.isNaN(targets[m * perRow + j] as number)) labelled = false;
    mask[m] = labelled ? 1 : 0;
    for (let j = 0; j < perRow; j++) clean[m * perRow + j] = labelled ? (targets[m * perRow + j] as number) : 0;
    if (labelled && kind === 'classes') {
      const c = targets[m] as number;
      if (!Number.isInteger(c) || c < 0 || c >= O) throw new DataError('class label out of range', { where: `maskedTreeLoss: row ${m}`, expected: `an integer in [0, ${O})`, got: String(c) });
    }
  }
  const count = mask.reduce((s, v) => s + v, 0);
  return tf.tidy(() => {
    const weights = tf.tensor1d(mask);
    const rows = kind === 'classes'
      ? tf.neg(tf.sum(tf.mul(tf.logSoftmax(outputs), tf.oneHot(tf.tensor1d(clean, 'int32'), O)), 1))
      : tf.mean(tf.square(tf.sub(outputs, tf.tensor2d(clean, [M, O]))), 1);
    return tf.div(tf.sum(tf.mul(rows, weights)), Math.max(count, 1)) as Scalar;
  });
}

/** The per-node labels of a forest (NaN where a node has none), for `maskedTreeLoss` over `nodes`. */
export function nodeTargets(forest: Forest): Float64Array {
  return forest.labels;
}

/** The root labels of a forest (tree b's root label, NaN when it has none). */
export function rootTargets(forest: Forest): Float64Array {
  return Float64Array.from(forest.roots, (root) => forest.labels[root] as number);
}
