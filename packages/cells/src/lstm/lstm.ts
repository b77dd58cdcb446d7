/**
 * `lstm`: long short-term memory, ONNX's `LSTM` operator for one direction (opset 14 semantics).
 *
 *   (1) i  = σ(clip(Wi x + Wbi + Ri h + Rbi + Pi ⊙ c))
 *   (2) f  = σ(clip(Wf x + Wbf + Rf h + Rbf + Pf ⊙ c))       or, with inputForget, f = 1 − i
 *   (3) ĉ  = tanh(clip(Wc x + Wbc + Rc h + Rbc))
 *   (4) c' = f ⊙ c + i ⊙ ĉ
 *   (5) o  = σ(clip(Wo x + Wbo + Ro h + Rbo + Po ⊙ c'))
 *   (6) h' = o ⊙ tanh(c')
 *   output = h'
 *
 * Legend: B batch, T time, I input size, H hidden size; x [B, I], h and c [B, H]; σ the logistic
 * sigmoid, ⊙ the element-wise product. State: [h, c], each [B, H]. In code the candidate ĉ is `c`
 * (ONNX's name for the cell gate) and the states are hPrev, cPrev, hNext, cNext.
 *
 * Gate order: ONNX's i, o, f, c (input, output, forget, cell). PyTorch stores i, f, g, o and Keras/tfjs
 * i, f, c, o; importing their weights permutes the H-row blocks (PyTorch → ONNX: [0, 3, 1, 2]).
 *
 * Weights, ONNX layout without the num_directions axis:
 *   W [4H, I]   rows [Wi; Wo; Wf; Wc]
 *   R [4H, H]   rows [Ri; Ro; Rf; Rc]
 *   B [8H]      [Wbi, Wbo, Wbf, Wbc, Rbi, Rbo, Rbf, Rbc], only with `bias`
 *   P [3H]      [Pi, Po, Pf] peepholes, only with `peepholes`: i and f look at the previous c,
 *               o at the new c'. With inputForget, Pf (and Wf, Rf, Wbf, Rbf) take no part.
 * Initialisation: every weight and bias (and P) U(−1/√H, 1/√H), PyTorch's default; `forgetBias` is
 * then added to Wbf (Gers et al. 2000; Jozefowicz et al. 2015 recommend 1).
 *
 * Options (defaults): inputSize, hiddenSize, bias (true), peepholes (false), inputForget (false),
 * clip (unset: no clipping), forgetBias (0; needs bias).
 * clip follows ONNX ("applied to the input of activations") as onnxruntime computes it: each gate's
 * pre-activation, after its biases and peephole term, is clamped to [−clip, clip] before σ or tanh;
 * the cell state c' and tanh(c') in (6) are not clipped. Activations are fixed to ONNX's defaults
 * σ, tanh, tanh (tfjs-layers defaults to hardSigmoid; outputs then differ by ~6e-4).
 * ONNX: LSTM, hidden_size = H, activations [Sigmoid, Tanh, Tanh], clip, input_forget, P when peepholes.
 * Paper: Hochreiter & Schmidhuber, "Long short-term memory", Neural Computation 9 (1997); forget gate
 * Gers, Schmidhuber & Cummins (2000); peepholes Gers & Schmidhuber (2000).
 *
 * `step` is plain tfjs ops (autodiff); `sequence` is the fused path (fused.ts, backward.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { ConfigError, defineConfig, field, type ConfigInput, type ConfigOf, type ParamSpec } from '@unfold/core';
import { defineRecurrentCell } from '../shared/define';
import { recurrentFields } from '../shared/fields';
import { recurrentUniform, recurrentUniformPlus } from '../shared/init';
import { inputProjection, onnxParameters, recurrentProjection, splitGates } from '../shared/layout';
import { lstmRecurrence } from './fused';
import { LSTM_GATES, peepholes } from './layout';
import { lstmOnnx } from './onnx';

const lstmFields = {
  ...recurrentFields,
  peepholes: field.boolean({ doc: 'peephole weights P = [Pi, Po, Pf] from the cell state into the gates', default: false }),
  inputForget: field.boolean({ doc: 'couple the forget gate to the input gate, f = 1 − i (ONNX input_forget)', default: false }),
  clip: field.optional(field.number({ doc: 'clamp every gate pre-activation to [−clip, clip] (ONNX clip)', above: 0 })),
  forgetBias: field.number({ doc: 'added to the initial forget-gate bias Wbf', default: 0 }),
};

/** A validated `lstm` config (defaults filled in). */
export type LstmConfig = ConfigOf<typeof lstmFields>;
/** An `lstm` config as a user writes it (options with defaults may be left out). */
export type LstmConfigInput = ConfigInput<typeof lstmFields>;

export const lstmConfig = defineConfig(lstmFields);

const states = (config: LstmConfig) => [
  { name: 'h', size: config.hiddenSize },
  { name: 'c', size: config.hiddenSize },
];

function parameters(config: LstmConfig): ParamSpec[] {
  const H = config.hiddenSize;
  const biasInit = recurrentUniformPlus(H, LSTM_GATES.f * H, H, config.forgetBias);
  const specs = onnxParameters(4, config.inputSize, H, { bias: config.bias, gates: 'i, o, f, c', biasInit });
  if (config.peepholes) specs.push({ name: 'P', shape: [3 * H], init: recurrentUniform(H), doc: 'peepholes [Pi, Po, Pf], [3·H]' });
  return specs;
}

/** The `lstm` cell plugin (ONNX LSTM, gates i, o, f, c); its specification opens this file. */
export const lstmCell = defineRecurrentCell({
  kind: 'lstm',
  summary: 'LSTM with ONNX semantics: gates i, o, f, c; optional peepholes, coupled input-forget gate and clip (ONNX LSTM)',
  config: lstmConfig,
  check(config, where) {
    if (config.forgetBias !== 0 && !config.bias) {
      throw new ConfigError('forgetBias needs a bias to add to', { where, expected: 'bias: true, or forgetBias: 0', got: `bias: false, forgetBias: ${config.forgetBias}`, fix: 'set bias: true, or drop forgetBias' });
    }
  },
  states,
  parameters,
  step(params, x, state, config) {
    const hPrev = state[0] as Tensor2D;
    const cPrev = state[1] as Tensor2D;
    const clip = (pre: Tensor2D): Tensor2D => (config.clip === undefined ? pre : tf.clipByValue(pre, -config.clip, config.clip));
    const { Pi, Po, Pf } = peepholes(params);
    const peep = (pre: Tensor2D, P: Tensor1D | undefined, c: Tensor2D): Tensor2D => (P ? tf.add(pre, tf.mul(P, c)) : pre);
    const pre: Tensor2D = tf.add(inputProjection(x, params), recurrentProjection(hPrev, params)); // [B, 4H]
    const [pi, po, pf, pc] = splitGates(pre, 4) as [Tensor2D, Tensor2D, Tensor2D, Tensor2D]; // each [B, H]
    const i = tf.sigmoid(clip(peep(pi, Pi, cPrev))); // (1)
    const f = config.inputForget ? tf.sub(1, i) : tf.sigmoid(clip(peep(pf, Pf, cPrev))); // (2)
    const c = tf.tanh(clip(pc)); // (3)
    const cNext: Tensor2D = tf.add(tf.mul(f, cPrev), tf.mul(i, c)); // (4)
    const o = tf.sigmoid(clip(peep(po, Po, cNext))); // (5)
    const hNext: Tensor2D = tf.mul(o, tf.tanh(cNext)); // (6)
    return { output: hNext, state: [hNext, cNext] };
  },
  recurrence: lstmRecurrence,
  onnx: lstmOnnx,
});
