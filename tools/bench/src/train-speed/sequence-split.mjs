// Where a training step's time goes: the step as the bench times it, against the cell's sequence op alone
// (the whole-sequence forward and backward: on the kernel path, the kernels plus the copies between tfjs
// tensors and WebAssembly memory; on the tfjs path, the fused tfjs op). The rest of the step is the head,
// the loss, Adam and the tfjs bookkeeping around them. Timed in the contender's own process, alternating
// the two so both see the same machine, and the best of the repetitions kept for each: other load on a
// shared machine only ever adds time, and a median could put the part above the whole.
import * as tf from '@tensorflow/tfjs';
import { trainingContext } from '@unfold/core';
import { createModel } from '@unfold/training';
import { benchBatch } from './data.mjs';

const WARM_PASSES = 2;

/**
 * One forward and backward of the cell alone on the bench's batch: a model whose root is the cell (spec),
 * the gradient of the sum of its last step's outputs (where the training step's head reads) with respect
 * to its weights through tf.variableGrads, the value read back as a training step reads its loss. Returns
 * a function running one such pass.
 */
export function sequenceOnly(registry, spec, { batch: B, steps: T, input: I }) {
  const model = createModel(registry, spec, { seed: 1 });
  const x = tf.tensor3d(benchBatch(B, T, I).x);
  const context = trainingContext();
  const pass = () =>
    tf.tidy(() => {
      const last = () => tf.slice(model.forward(x, { checked: false, context }).outputs, [0, T - 1, 0], [B, 1, -1]);
      const { value } = tf.variableGrads(() => tf.sum(last()), [...model.trainable]);
      value.dataSync();
    });
  for (let i = 0; i < WARM_PASSES; i++) pass();
  return pass;
}

/**
 * Alternates `repeats` times: `steps` training steps (timeSteps(), in seconds), then `steps` sequence
 * passes. Returns the best per step: { stepSeconds, sequenceSeconds, repeats }.
 */
export async function timeSplit(timeSteps, pass, { steps, repeats }) {
  const stepTimes = [], sequenceTimes = [];
  for (let r = 0; r < repeats; r++) {
    stepTimes.push((await timeSteps()) / steps);
    const start = performance.now();
    for (let i = 0; i < steps; i++) pass();
    sequenceTimes.push((performance.now() - start) / 1000 / steps);
  }
  return { stepSeconds: Math.min(...stepTimes), sequenceSeconds: Math.min(...sequenceTimes), repeats };
}
