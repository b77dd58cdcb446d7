/**
 * `gru`: gated recurrent unit, ONNX's `GRU` operator for one direction.
 *
 *   (1) z  = σ(Wz x + Wbz + Rz h + Rbz)                       update gate
 *   (2) r  = σ(Wr x + Wbr + Rr h + Rbr)                       reset gate
 *   (3) h̃ = tanh(Wh x + Wbh + r ⊙ (Rh h + Rbh))               linearBeforeReset: true (default)
 *       h̃ = tanh(Wh x + Wbh + Rh (r ⊙ h) + Rbh)               linearBeforeReset: false
 *   (4) h' = (1 − z) ⊙ h̃ + z ⊙ h
 *   output = h'
 *
 * Legend: B batch, T time, I input size, H hidden size; x [B, I], h [B, H]; σ the logistic sigmoid,
 * ⊙ the element-wise product. State: [h] ([B, H]).
 *
 * Where the reset gate applies: `linearBeforeReset: true` is ONNX `linear_before_reset=1`, what PyTorch
 * (nn.GRU), cuDNN and Keras (reset_after=True) compute; it is the default here, so PyTorch weights give
 * PyTorch's outputs. `linearBeforeReset: false` is ONNX's default `linear_before_reset=0`, the form of
 * Cho et al. (2014). The two differ as soon as r ≠ 1; the ONNX export sets the attribute to match.
 *
 * Gate order: ONNX's z, r, h (update, reset, hidden). PyTorch stores r, z, n; importing its weights
 * permutes the H-row blocks ([1, 0, 2]).
 *
 * Weights, ONNX layout without the num_directions axis:
 *   W [3H, I]   rows [Wz; Wr; Wh]
 *   R [3H, H]   rows [Rz; Rr; Rh]
 *   B [6H]      [Wbz, Wbr, Wbh, Rbz, Rbr, Rbh], only with `bias`
 * Initialisation: every weight and bias U(−1/√H, 1/√H), PyTorch's default.
 *
 * Options (defaults): inputSize, hiddenSize, bias (true), linearBeforeReset (true).
 * ONNX: GRU, hidden_size = H, activations [Sigmoid, Tanh], linear_before_reset = 1 or 0.
 * Paper: Cho et al., "Learning phrase representations using RNN encoder-decoder for statistical machine
 * translation", EMNLP 2014.
 *
 * `step` is plain tfjs ops (autodiff); `sequence` is the fused path (fused.ts, backward.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { defineConfig, field, type ConfigInput, type ConfigOf } from '@unfold/core';
import { defineRecurrentCell } from '../shared/define';
import { recurrentFields } from '../shared/fields';
import { inputProjection, onnxParameters, recurrentGate, splitGates } from '../shared/layout';
import { gruRecurrence } from './fused';
import { GRU_GATES } from './layout';
import { gruOnnx } from './onnx';

const gruFields = {
  ...recurrentFields,
  linearBeforeReset: field.boolean({ doc: 'apply r after the recurrent product, r ⊙ (Rh h + Rbh) (PyTorch; ONNX linear_before_reset=1)', default: true }),
};

/** A validated `gru` config (defaults filled in). */
export type GruConfig = ConfigOf<typeof gruFields>;
/** A `gru` config as a user writes it (options with defaults may be left out). */
export type GruConfigInput = ConfigInput<typeof gruFields>;

export const gruConfig = defineConfig(gruFields);

const states = (config: GruConfig) => [{ name: 'h', size: config.hiddenSize }];
const parameters = (config: GruConfig) => onnxParameters(3, config.inputSize, config.hiddenSize, { bias: config.bias, gates: 'z, r, h' });

/** The `gru` cell plugin (ONNX GRU, gates z, r, h); its specification opens this file. */
export const gruCell = defineRecurrentCell({
  kind: 'gru',
  summary: 'GRU with ONNX semantics: gates z, r, h; reset after (PyTorch, default) or before the recurrent product (ONNX GRU)',
  config: gruConfig,
  states,
  parameters,
  step(params, x, state, config) {
    const hPrev = state[0] as Tensor2D;
    const recurrent = (v: Tensor2D, g: number): Tensor2D => recurrentGate(v, params, g, 3); // v · R_gᵀ + Rb_g
    const [xz, xr, xh] = splitGates(inputProjection(x, params), 3) as [Tensor2D, Tensor2D, Tensor2D]; // W_g x + Wb_g, each [B, H]
    const z = tf.sigmoid(tf.add(xz, recurrent(hPrev, GRU_GATES.z))); // (1)
    const r = tf.sigmoid(tf.add(xr, recurrent(hPrev, GRU_GATES.r))); // (2)
    const hTilde = config.linearBeforeReset
      ? tf.tanh(tf.add(xh, tf.mul(r, recurrent(hPrev, GRU_GATES.h)))) // (3) reset after Rh h + Rbh
      : tf.tanh(tf.add(xh, recurrent(tf.mul(r, hPrev), GRU_GATES.h))); // (3) reset before Rh
    const hNext: Tensor2D = tf.add(tf.mul(tf.sub(1, z), hTilde), tf.mul(z, hPrev)); // (4)
    return { output: hNext, state: [hNext] };
  },
  recurrence: gruRecurrence,
  onnx: gruOnnx,
});
