import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { defineCell, type ParamSpec } from '@unfold/core';
import { integratorRecurrence, type IntegratorLayout } from '../leaky/integrator';
import { checkParams, checkStepInputs } from '../shared/checks';
import { fusedSequence } from '../shared/fused-sequence';
import { CELLS_META } from '../shared/meta';
import { checkEsnConfig, connectionsPerUnit, esnConfig, feedbackScaling, type EsnConfig } from './config';
import { esnOnnxStep } from './onnx';
import { scaledUniform, sparseReservoir } from './reservoir';

/**
 * `esn`: an echo state network reservoir, a fixed random recurrent network whose states a linear readout
 * (trained afterwards in closed form by ridge regression, not by this cell) maps to the targets.
 *
 *   x̃  = tanh(W_in u + W x + b + W_fb y_prev)      (W_fb y_prev only with feedbackSize > 0)
 *   x' = (1 − a) x + a x̃                           a = leakRate ∈ (0, 1]
 *   output = x'
 *
 * Legend: B batch, T time, K = inputSize external inputs, L = feedbackSize fed-back outputs, H = hiddenSize
 * reservoir units; products act on each row. State: [x] ([B, H]).
 * The cell input is [u_t, y_{t−1}], [B, K + L] (so inputSize(config) = K + L): output feedback is data.
 * Teacher forcing feeds the true previous target; free-running generation feeds back the readout's previous
 * prediction through `step`; y_{−1} is the caller's choice (zeros by convention).
 *
 * Weights, all fixed (ParamSpec.trainable = false; gradients w.r.t. x, the states and the inputs exist):
 *   Win [H, K]   input weights, U(−inputScaling, inputScaling)
 *   W   [H, H]   reservoir, stored dense: round(connectivity · H) (>= 1) non-zeros per row in random
 *                columns, U(−1, 1), then scaled so its spectral radius max|λ(W)| is `spectralRadius`
 *                (computed in float64: Hessenberg + Francis QR up to H = 256, restarted Arnoldi above;
 *                ./spectral-radius.ts)
 *   B   [H]      bias, U(−biasScaling, biasScaling)
 *   Wfb [H, L]   feedback weights, U(−feedbackScaling, feedbackScaling), only with feedbackSize > 0
 * Every draw comes from the generator of its parameter, so the reservoir is a function of the seed.
 *
 * Options (defaults): inputSize, hiddenSize, connectivity (min(1, 10/H): ~10 connections per unit),
 * spectralRadius (0.9; < 1 is the usual start for the echo state property, tune per task), inputScaling
 * (1), biasScaling (0.1: breaks the odd symmetry x(−u) = −x(u) of a bias-free tanh reservoir, so the
 * readout can fit even functions of the input), leakRate (1), feedbackSize (0), feedbackScaling (1, only
 * with feedback).
 *
 * Papers: H. Jaeger, "The 'echo state' approach to analysing and training recurrent neural networks",
 * GMD Report 148 (2001); M. Lukoševičius, "A Practical Guide to Applying Echo State Networks", Neural
 * Networks: Tricks of the Trade, 2nd ed. (2012), eq. (2)–(3) and §3.2.
 *
 * `step` is plain tfjs ops; `sequence` runs the leaky-integrator fused path (../leaky/integrator.ts).
 */
const states = (config: EsnConfig) => [{ name: 'x', size: config.hiddenSize }];

function parameters(config: EsnConfig): ParamSpec[] {
  const { inputSize: K, hiddenSize: H, feedbackSize: L } = config;
  const specs: ParamSpec[] = [
    { name: 'Win', shape: [H, K], init: scaledUniform(config.inputScaling), trainable: false, doc: 'input weights [H, K]' },
    { name: 'W', shape: [H, H], init: sparseReservoir(connectionsPerUnit(config), config.spectralRadius), trainable: false, doc: 'sparse reservoir [H, H] scaled to the spectral radius' },
    { name: 'B', shape: [H], init: scaledUniform(config.biasScaling), trainable: false, doc: 'bias [H]' },
  ];
  if (L > 0) specs.push({ name: 'Wfb', shape: [H, L], init: scaledUniform(feedbackScaling(config)), trainable: false, doc: 'output feedback weights [H, L]' });
  return specs;
}

/** The reservoir as an integrator: U = [Win | Wfb] on [u, y_prev], R = W, α = a; gradients split back. */
const esnLayout: IntegratorLayout<EsnConfig> = {
  weights(params, config) {
    const Win = params.Win as Tensor2D;
    return {
      input: config.feedbackSize > 0 ? tf.concat([Win, params.Wfb as Tensor2D], 1) : Win,
      recurrent: params.W as Tensor2D,
      bias: params.B as Tensor1D,
      alpha: config.leakRate,
      activation: 'tanh',
    };
  },
  parameterGradients(_params, gradients, config) {
    const { inputSize: K, hiddenSize: H, feedbackSize: L } = config;
    return {
      Win: L > 0 ? tf.slice(gradients.input, [0, 0], [H, K]) : gradients.input,
      W: gradients.recurrent,
      B: gradients.bias,
      ...(L > 0 ? { Wfb: tf.slice(gradients.input, [0, K], [H, L]) } : {}),
    };
  },
};

const esnRecurrence = integratorRecurrence(esnLayout);

/** a · Mᵀ as a plain product (tfjs-wasm runs only non-transposed matMuls on XNNPACK). */
function project(a: Tensor2D, M: Tensor2D): Tensor2D {
  return tf.matMul(a, tf.transpose(M));
}

export const esnCell = defineCell({
  kind: 'esn',
  meta: CELLS_META,
  schemaVersion: 1,
  summary: "echo state reservoir: x' = (1 − a) x + a tanh(W_in u + W x + b + W_fb y_prev), fixed weights, ρ(W) set",
  config: esnConfig,
  check: checkEsnConfig,
  inputSize: (config) => config.inputSize + config.feedbackSize,
  outputSize: (config) => config.hiddenSize,
  state: states,
  parameters,
  step(params, input, state, config) {
    const where = 'esn.step';
    checkParams(where, parameters(config), params);
    checkStepInputs(where, { inputSize: config.inputSize + config.feedbackSize, states: states(config) }, input, state);
    const { inputSize: K, feedbackSize: L } = config;
    const x = state[0] as Tensor2D;
    const batch = input.shape[0];
    const u = L > 0 ? tf.slice(input, [0, 0], [batch, K]) : input; // [B, K]
    let pre: Tensor2D = tf.add(tf.add(project(u, params.Win as Tensor2D), project(x, params.W as Tensor2D)), params.B as Tensor1D); // [B, H]
    if (L > 0) pre = tf.add(pre, project(tf.slice(input, [0, K], [batch, L]), params.Wfb as Tensor2D)); // + W_fb y_prev
    const xTilde: Tensor2D = tf.tanh(pre); // [B, H]
    const a = config.leakRate;
    const xNext: Tensor2D = a === 1 ? xTilde : tf.add(tf.mul(1 - a, x), tf.mul(a, xTilde)); // [B, H]
    return { output: xNext, state: [xNext] };
  },
  sequence(params, x, state, config, options) {
    const cell = { where: 'esn.sequence', inputSize: config.inputSize + config.feedbackSize, states: states(config), parameters: parameters(config), config };
    return fusedSequence(esnRecurrence, cell, params, x, state, options.mask);
  },
  onnxStep: esnOnnxStep,
});
