import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { defineCell, type ParamSpec } from '@unfold/core';
import { checkParams, checkStepInputs } from '../shared/checks';
import { fusedSequence } from '../shared/fused-sequence';
import { inputProjection, onnxParameters, recurrentProjection } from '../shared/layout';
import { CELLS_META } from '../shared/meta';
import { alphaLogits, checkLeakyConfig, leakyConfig, type LeakyConfig } from './config';
import { elmanGradients, elmanIntegrator, integratorRecurrence, type IntegratorLayout } from './integrator';
import { leakyOnnxStep } from './onnx';

/**
 * `leaky`: leaky-integrator units, an Elman RNN whose units integrate at their own speeds.
 *
 *   g  = act(W x + Wb + R h + Rb)          act = tanh (default) or relu
 *   h' = (1 − α) ⊙ h + α ⊙ g               α = σ(A) ∈ (0, 1], one leak rate per unit
 *   output = h'
 *
 * Legend: B batch, T time, I input size, H hidden size; x [B, I], h [B, H]; products act on each row;
 * σ the logistic sigmoid, ⊙ the element-wise product. State: [h] ([B, H]).
 * A unit with leak rate α keeps (1 − α) of its state each step: its memory decays like (1 − α)^t, a time
 * constant of about τ = 1/α steps. α = 1 is a plain Elman unit; α → 0 integrates its input over long spans.
 *
 * Weights, ONNX RNN layout without the num_directions axis, plus the rates:
 *   W [H, I]     input weights
 *   R [H, H]     recurrent weights
 *   B [2H]       [Wb; Rb], only with `bias`
 *   A [H]        logit of the leak rates, α = σ(A); trainable only with `learnAlpha`
 * Initialisation: W, R, B U(−1/√H, 1/√H) (PyTorch's RNN default); A = logit(α) of the configured rates,
 * exactly (α = 1 is stored as logit(1 − 1e-9) ≈ 20.7, whose float32 σ is 1).
 *
 * Why α = σ(A): any A is valid, so plain gradient steps keep α in (0, 1) with no clipping, and
 * ∂ln α/∂A = 1 − α: for the slow units (small α) a step on A changes α by a fixed *ratio*, the natural
 * scale for a spectrum of time constants. Units near α = 1 saturate (∂α/∂A = α(1 − α) → 0), so with
 * `learnAlpha` a unit configured at α = 1 stays a plain Elman unit; use rates below 1 to let it adapt.
 *
 * Options (defaults): inputSize, hiddenSize, activation 'tanh' | 'relu' ('tanh'), bias (true), the rates
 * as one of alpha | alphaRange [min, max] | alphas (default alphaRange [0.01, 1], geometric from unit 0 at
 * α = 1 to unit H−1 at α = 0.01; see config.ts), learnAlpha (false).
 *
 * Papers: I. Goodfellow, Y. Bengio, A. Courville, "Deep Learning" (2016), §10.9 "Leaky units and other
 * strategies for multiple time scales"; H. Jaeger, M. Lukoševičius, D. Popovici, U. Siewert, "Optimization
 * and applications of echo state networks with leaky-integrator neurons", Neural Networks 20 (2007).
 *
 * `step` is plain tfjs ops (autodiff); `sequence` is the fused path with a hand-derived BPTT
 * (./integrator.ts on ../shared/fused-sequence.ts).
 */
const states = (config: LeakyConfig) => [{ name: 'h', size: config.hiddenSize }];

function parameters(config: LeakyConfig): ParamSpec[] {
  return [
    ...onnxParameters(1, config.inputSize, config.hiddenSize, { bias: config.bias, gates: 'h' }),
    { name: 'A', shape: [config.hiddenSize], init: alphaLogits(config), trainable: config.learnAlpha, doc: 'logit of the leak rates α = σ(A), [H]' },
  ];
}

/** The leaky cell as an integrator: U = W, b = Wb + Rb, α = σ(A); and the gradients back. */
const leakyLayout: IntegratorLayout<LeakyConfig> = {
  weights: (params, config) => elmanIntegrator(params, config.hiddenSize, config.activation, tf.sigmoid(params.A as Tensor1D)),
  parameterGradients(params, gradients, config) {
    const alpha = tf.sigmoid(params.A as Tensor1D);
    const dAlpha = gradients.alpha as Tensor1D;
    return {
      ...elmanGradients(gradients, config.bias),
      A: tf.mul(dAlpha, tf.mul(alpha, tf.sub(1, alpha))), // dα ⊙ σ'(A)
    };
  },
};

const leakyRecurrence = integratorRecurrence(leakyLayout);

export const leakyCell = defineCell({
  kind: 'leaky',
  meta: CELLS_META,
  schemaVersion: 1,
  summary: "leaky-integrator units: h' = (1 − α) ⊙ h + α ⊙ act(W x + R h + b), a time scale per unit",
  config: leakyConfig,
  check: checkLeakyConfig,
  inputSize: (config) => config.inputSize,
  outputSize: (config) => config.hiddenSize,
  state: states,
  parameters,
  step(params, x, state, config) {
    const where = 'leaky.step';
    checkParams(where, parameters(config), params);
    checkStepInputs(where, { inputSize: config.inputSize, states: states(config) }, x, state);
    const h = state[0] as Tensor2D;
    const pre: Tensor2D = tf.add(inputProjection(x, params), recurrentProjection(h, params)); // [B, H]
    const g: Tensor2D = config.activation === 'relu' ? tf.relu(pre) : tf.tanh(pre); // [B, H]
    const alpha = tf.sigmoid(params.A as Tensor1D); // [H]
    const hNext: Tensor2D = tf.add(tf.mul(tf.sub(1, alpha), h), tf.mul(alpha, g)); // [B, H]
    return { output: hNext, state: [hNext] };
  },
  sequence(params, x, state, config, options) {
    const cell = { where: 'leaky.sequence', inputSize: config.inputSize, states: states(config), parameters: parameters(config), config };
    return fusedSequence(leakyRecurrence, cell, params, x, state, options.mask);
  },
  onnxStep: leakyOnnxStep,
});
