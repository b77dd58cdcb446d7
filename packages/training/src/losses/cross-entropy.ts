import * as tf from '@tensorflow/tfjs-core';
import { defineConfig, defineLoss, formatShape, ShapeError } from '@unfold/core';
import { TRAINING_META } from '../meta';
import { maskedMean } from './masked-mean';

/**
 * `cross-entropy`: softmax cross-entropy from logits against integer class ids, averaged over unmasked
 * positions.
 *
 *   L = Σₚ mₚ · (−log softmax(zₚ)[yₚ]) / Σₚ mₚ      logits z [..., C]; class ids y [...] int32 in [0, C)
 *
 * The model's output head should be `linear` (logits): log-softmax here is computed stably.
 * Class ids are range-checked by the data pipeline before training (a DataError names the row).
 */
export const crossEntropy = defineLoss({
  kind: 'cross-entropy',
  meta: TRAINING_META,
  schemaVersion: 1,
  summary: 'softmax cross-entropy from logits against class ids, over unmasked positions',
  targets: 'classes',
  config: defineConfig({}),
  compute(logits, targets, mask) {
    const classes = logits.shape.at(-1) as number;
    const positions = logits.shape.slice(0, -1);
    if (targets.dtype !== 'int32' || targets.shape.length !== positions.length || !targets.shape.every((d, i) => d === positions[i])) {
      throw new ShapeError('class ids do not match the logits', { where: 'cross-entropy', expected: `int32 class ids of shape ${formatShape(positions)}`, got: `${targets.dtype} ${formatShape(targets.shape)}`, fix: 'give one integer class id per position' });
    }
    return tf.tidy(() => {
      const logProbabilities = tf.logSoftmax(logits); // [..., C]
      const picked = tf.sum(tf.mul(logProbabilities, tf.oneHot(targets as tf.Tensor1D, classes)), -1); // [...]
      return maskedMean(tf.neg(picked), mask);
    });
  },
});
