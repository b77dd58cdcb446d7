import * as tf from '@tensorflow/tfjs-core';
import { weightsToTensors, type CellCase } from './cell-case';
import { cellLoss } from './cell-gradients';
import { disposeResult, runCellPath, type CellPath } from './cell-run';

/**
 * Tensor-leak check. Cells may rely on the caller's `tf.tidy` for their intermediates (architectures
 * call them inside one); what must never happen is a tensor escaping a tidy: `tf.keep`-ed per-step
 * tensors a forward-only call never releases, saved activations a `customGrad` forgets, caches on the
 * plugin. The check counts `tf.memory().numTensors` around repeated forward passes (both paths, with
 * and without the mask) and repeated training steps (variableGrads plus an SGD update), after disposing
 * everything the check itself created, and throws when the count grew.
 */
export function checkNoLeaks(c: CellCase, options: { repeats?: number } = {}): void {
  const repeats = options.repeats ?? 3;
  const paths: CellPath[] = c.plugin.sequence ? ['sequence', 'step-loop'] : ['step-loop'];
  const trainable = new Set(c.trainable);
  const constants = weightsToTensors(c.weights);
  const variables: Record<string, tf.Variable> = {};
  for (const name of c.trainable) variables[name] = tf.variable(constants[name] as tf.Tensor, true);
  const params: Record<string, tf.Tensor> = {};
  for (const [name, tensor] of Object.entries(constants)) params[name] = trainable.has(name) ? (variables[name] as tf.Variable) : tensor;
  const x = tf.tensor3d(c.x.data, c.x.shape as [number, number, number]);
  const state = c.state0.map((s) => tf.tensor(s.data, s.shape as number[]));
  const mask = tf.tensor2d(c.mask.data, c.mask.shape as [number, number]);
  const inputs = [x, ...state, mask];
  try {
    const before = tf.memory().numTensors;
    for (let r = 0; r < repeats; r++) {
      for (const path of paths) {
        for (const withMask of [undefined, mask]) {
          const result = runCellPath(c.plugin, path, params, x, state, c.config, withMask);
          disposeResult(result, inputs);
        }
      }
    }
    const afterForward = tf.memory().numTensors;
    if (afterForward !== before) {
      throw new Error(`${c.plugin.kind}: ${afterForward - before} tensors leaked by ${repeats} forward passes (${paths.join(' and ')}, with and without mask). Fix: release tf.keep-ed or cached tensors; a forward-only call must not hold on to anything`);
    }
    const varList = Object.values(variables);
    for (let r = 0; r < repeats; r++) {
      for (const path of paths) {
        tf.tidy(() => {
          if (varList.length === 0) return;
          const { grads } = tf.variableGrads(() => cellLoss(runCellPath(c.plugin, path, params, x, state, c.config, mask), c.lossWeights), varList);
          for (const [name, variable] of Object.entries(variables)) {
            const gradient = grads[variable.name];
            if (!gradient) throw new Error(`${c.plugin.kind} ${path}: variableGrads gave no gradient for ${name}`);
            variable.assign(tf.sub(variable, tf.mul(gradient, tf.scalar(1e-3))));
          }
        });
      }
    }
    const afterTraining = tf.memory().numTensors;
    if (afterTraining !== before) {
      throw new Error(`${c.plugin.kind}: ${afterTraining - before} tensors leaked by ${repeats} training steps (variableGrads + update on ${paths.join(' and ')}). Fix: dispose what customGrad saves once the gradient is computed, and never keep tensors past the step`);
    }
  } finally {
    tf.dispose([...Object.values(constants), ...Object.values(variables), ...inputs]);
  }
}
