/**
 * `ntm`: a Neural Turing Machine (Graves, Wayne & Danihelka, "Neural Turing Machines", arXiv:1410.5401,
 * 2014) with a feed-forward or LSTM controller, R read heads and W write heads over a memory of N slots × M.
 *
 * One step, for x [B, I] and the state (memory Mₜ₋₁, read weightings w^rₜ₋₁, write weightings w^wₜ₋₁,
 * read vectors rₜ₋₁, and with the LSTM controller its hₜ₋₁, cₜ₋₁):
 *
 *   controller, on u = [x, rₜ₋₁]                                           [B, I + R·M]
 *   (1)  feed-forward:  h = tanh(Wc u + bc)                                 [B, H]
 *   (1') lstm:          [i, o, f, c̃] = Wc u + Uc hₜ₋₁ + Wb + Rb  (bc = [Wb; Rb], gates in ONNX order)
 *                       cₜ = σ(f) ⊙ cₜ₋₁ + σ(i) ⊙ tanh(c̃),  h = hₜ = σ(o) ⊙ tanh(cₜ)   (the `lstm` cell's step)
 *   (2)  p  = Wh h + bh                                                   [B, P], split per quantity:
 *        kᵢ = tanh(p_k,i)  βᵢ = softplus(p_β,i)  gᵢ = σ(p_g,i)  sᵢ = softmax(p_s,i)  γᵢ = 1 + softplus(p_γ,i)
 *        for every head i = 1..K (K = R + W, read heads first); write heads also eⱼ = σ(p_e,j), aⱼ = tanh(p_a,j)
 *   addressing, per head i over slots n, all heads on Mₜ₋₁
 *   (3)  Kᵢ(n) = kᵢ · Mₜ₋₁(n) / (√(‖kᵢ‖² + ε) · √(‖Mₜ₋₁(n)‖² + ε))        cosine similarity, ε = 1e-8
 *   (4)  w^cᵢ = softmax_n(βᵢ Kᵢ)                                         content weighting
 *   (5)  w^gᵢ = gᵢ w^cᵢ + (1 − gᵢ) w̄ᵢ,ₜ₋₁,  w̄ = w + (1 − Σ_n w(n)) e₀     interpolation; e₀ = one-hot slot 0
 *   (6)  w̃ᵢ(n) = Σ_{δ=−S..S} sᵢ(δ) w^gᵢ((n − δ) mod N)                  circular shift
 *   (7)  wᵢ = softmax_n(γᵢ log(max(w̃ᵢ, 0) + ε_w)) = (w̃ᵢ⁺ + ε_w)^γᵢ / Σ_n (…)  sharpening, ε_w = 1e-6
 *   memory, write heads j (erase then add), then the read heads on the new memory
 *   (8)  Mₜ = Mₜ₋₁ ⊙ Π_j (1 − w^wⱼ e_jᵀ) + Σ_j w^wⱼ a_jᵀ                   [B, N, M]
 *   (9)  rₜ,ᵢ = Σ_n w^rᵢ(n) Mₜ(n)                                         [B, M] per read head, rₜ [B, R·M]
 *   output
 *   (10) y = Wy [h, rₜ] + by                                              [B, O], linear
 *
 * Legend: B batch, I input size, O output size, H controller size, N memory slots, M slot width, R read
 * heads, W write heads, K = R + W, S shift range (shifts −S..S, 2S+1 of them); σ the logistic sigmoid,
 * softplus(z) = log(1 + eᶻ), ⊙ element-wise, u vᵀ an outer product. The reads are fed back to the
 * controller at the next step (1). ε keeps (3) finite and differentiable on all-zero memory or keys
 * (then Kᵢ = 0 and (4) is uniform); ε_w keeps the log in (7) finite when w̃ has zeros. The max(·, 0) in
 * (7) changes nothing on the states the cell produces (weightings are >= 0 and (5), (6) keep them so); it
 * keeps the step finite on any state a caller passes in (a random state_in, say).
 *
 * State, in this order: memory [B, N, M], read_weights [B, R, N], write_weights [B, W, N], reads [B, R·M],
 * then with the LSTM controller controller_h [B, H], controller_c [B, H] (the feed-forward controller has
 * no state). Initial state: all zeros (M₀ = 0, w₀ = 0, r₀ = 0, h₀ = c₀ = 0), the
 * zero state every engine starts from when none is given (the tfjs time loop, the exported ONNX model's
 * default state_in, the runtime and the edge), so a fresh stream and a one-call run start alike. Constant,
 * not learned. In (5) a weighting's missing mass 1 − Σ w sits at slot 0 (w̄; a no-op on the weightings the
 * cell produces, which sum to 1), so the zero state means every head focused on slot 0: the one-hot start
 * of Graves et al., which breaks the symmetry between slots (from a uniform weighting on a constant memory
 * no shift or content lookup could ever tell slots apart). On M₀ = 0, (3) gives Kᵢ = 0 and (4) a uniform w^c.
 *
 * Controller (option `controller`): 'feedforward' (one tanh layer, the default), the controller with which
 * Graves et al. report the better generalisation on copy, its whole recurrence being the memory; or
 * 'lstm', the package's `lstm` cell (its step and initialisation, called with the weights below) on u.
 *
 * Weights:
 *   Wc [H, I + R·M], bc [H]   feed-forward controller; columns [x | rₜ₋₁]
 *   Wc [4H, I + R·M], Uc [4H, H], bc [8H]   LSTM controller: the `lstm` cell's W, R, B (rows i, o, f, c)
 *   Wh [P, H], bh [P]         heads, P = K·M + 3K + K·(2S+1) + 2·W·M; rows grouped by quantity, each
 *                             head-major: keys k [K·M], β [K], g [K], shift logits s [K·(2S+1), shift −S
 *                             first], γ [K], erase e [W·M], add a [W·M]
 *   Wy [O, H + R·M], by [O]   output; columns [h | rₜ]
 * Initialisation: weights U(−1/√fan_in, 1/√fan_in) (PyTorch's Linear), biases 0 except bh on every head's
 * gate g (option gateBias) and γ (option sharpenBias); the LSTM controller's as the `lstm` cell's
 * (U(−1/√H, 1/√H), biases included).
 *
 * Options (defaults): inputSize, outputSize, controller ('feedforward'), controllerSize (100), memorySlots
 * (128), memoryWidth (20), readHeads (1), writeHeads (1), shiftRange (1), gateBias (0), sharpenBias (0). A shift range with 2S+1 > N is a ConfigError.
 * ONNX: per-step mapping (onnx.ts), run by the exporter as a Scan; the memory streams as state_in/out.
 *
 * `step` is plain tfjs ops (autodiff); there is no fused path.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { ConfigError, defineCell, defineConfig, field, formatShape, sameShape, ShapeError, uniform, zeros, type ConfigInput, type ConfigOf, type Initializer, type ParamSpec, type ParamTensors, type StateDeclaration } from '@unfold/core';
import { lstmCell, lstmConfig, type LstmConfig } from '../lstm';
import { checkParams } from '../shared/checks';
import { CELLS_META } from '../shared/meta';
import { NTM_NORM_EPSILON, NTM_SHARPEN_EPSILON, ntmSizes, shiftPermutation, type NtmSizes } from './layout';
import { ntmOnnxStep } from './onnx';

const ntmFields = {
  inputSize: field.int({ doc: 'input features I', min: 1 }),
  outputSize: field.int({ doc: 'output features O (y = Wy [h, r] + by)', min: 1 }),
  controller: field.oneOf(['feedforward', 'lstm'] as const, { doc: "controller: 'feedforward' (tanh layer) or 'lstm' (the lstm cell)", default: 'feedforward' }),
  controllerSize: field.int({ doc: 'controller units H', min: 1, default: 100 }),
  memorySlots: field.int({ doc: 'memory slots N', min: 1, default: 128 }),
  memoryWidth: field.int({ doc: 'width of a memory slot M', min: 1, default: 20 }),
  readHeads: field.int({ doc: 'read heads R', min: 1, default: 1 }),
  writeHeads: field.int({ doc: 'write heads W', min: 1, default: 1 }),
  shiftRange: field.int({ doc: 'largest circular shift S (shifts −S..S); 2S+1 <= N', min: 0, default: 1 }),
  gateBias: field.number({ doc: 'initial bias of every head gate g (negative: start by keeping the previous weighting)', default: 0 }),
  sharpenBias: field.number({ doc: 'initial bias of every head γ (γ = 1 + softplus(bias) at a zero drive)', default: 0 }),
};

/** A validated `ntm` config (defaults filled in). */
export type NtmConfig = ConfigOf<typeof ntmFields>;
/** An `ntm` config as a user writes it. */
export type NtmConfigInput = ConfigInput<typeof ntmFields>;

export const ntmConfig = defineConfig(ntmFields);

/** Cross-option checks: the shift kernel fits the memory. */
export function checkNtmConfig(config: NtmConfig, where: string): void {
  if (2 * config.shiftRange + 1 > config.memorySlots) {
    throw new ConfigError('invalid option "shiftRange" (the shift kernel is wider than the memory)', {
      where,
      expected: `2·shiftRange + 1 <= memorySlots (${config.memorySlots})`,
      got: `shiftRange ${config.shiftRange}: ${2 * config.shiftRange + 1} shifts`,
      fix: `use shiftRange <= ${Math.floor((config.memorySlots - 1) / 2)} or more memory slots`,
    });
  }
}

const states = (config: NtmConfig): StateDeclaration[] => [
  { name: 'memory', shape: [config.memorySlots, config.memoryWidth] },
  { name: 'read_weights', shape: [config.readHeads, config.memorySlots] },
  { name: 'write_weights', shape: [config.writeHeads, config.memorySlots] },
  { name: 'reads', size: config.readHeads * config.memoryWidth },
  ...(config.controller === 'lstm' ? [{ name: 'controller_h', size: config.controllerSize }, { name: 'controller_c', size: config.controllerSize }] : []),
];

/** The LSTM controller's own config: the `lstm` cell on u = [x, rₜ₋₁] with H units. */
export function ntmLstmController(config: NtmConfig): LstmConfig {
  return lstmConfig.validate({ inputSize: config.inputSize + config.readHeads * config.memoryWidth, hiddenSize: config.controllerSize }, 'ntm.controller');
}

/** The `lstm` cell's parameter names → the NTM's (W → Wc, R → Uc, B → bc). */
const LSTM_CONTROLLER_NAMES: Readonly<Record<string, string>> = { W: 'Wc', R: 'Uc', B: 'bc' };

function controllerParameters(config: NtmConfig): ParamSpec[] {
  const { I, H, R, M } = ntmSizes(config);
  if (config.controller === 'lstm') {
    return lstmCell.parameters(ntmLstmController(config)).map((spec) => ({ ...spec, name: LSTM_CONTROLLER_NAMES[spec.name] as string, doc: `LSTM controller ${spec.doc ?? ''}`.trim() }));
  }
  return [
    { name: 'Wc', shape: [H, I + R * M], init: uniform(-1 / Math.sqrt(I + R * M), 1 / Math.sqrt(I + R * M)), doc: 'controller weights [H, I + R·M], columns [x | previous reads]' },
    { name: 'bc', shape: [H], init: zeros(), doc: 'controller bias [H]' },
  ];
}

/** bh's initial values: zeros, but `gateBias` on every head's g and `sharpenBias` on every head's γ. */
function headBias(config: NtmConfig): Initializer {
  const { slices } = ntmSizes(config);
  return (shape) => {
    const data = new Float32Array(shape[0] as number);
    data.fill(config.gateBias, slices.g[0], slices.g[0] + slices.g[1]);
    data.fill(config.sharpenBias, slices.gamma[0], slices.gamma[0] + slices.gamma[1]);
    return data;
  };
}

function parameters(config: NtmConfig): ParamSpec[] {
  const { O, H, R, M, P } = ntmSizes(config);
  const bound = (fanIn: number) => uniform(-1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
  return [
    ...controllerParameters(config),
    { name: 'Wh', shape: [P, H], init: bound(H), doc: 'head weights [P, H], rows k, β, g, s, γ (every head), e, a (write heads)' },
    { name: 'bh', shape: [P], init: headBias(config), doc: 'head bias [P]: 0, but gateBias on g and sharpenBias on γ' },
    { name: 'Wy', shape: [O, H + R * M], init: bound(H + R * M), doc: 'output weights [O, H + R·M], columns [h | reads]' },
    { name: 'by', shape: [O], init: zeros(), doc: 'output bias [O]' },
  ];
}

function checkInputs(where: string, config: NtmConfig, x: Tensor, state: readonly Tensor[]): void {
  if (x.rank !== 2 || x.shape[1] !== config.inputSize) {
    throw new ShapeError('x has the wrong shape', { where, expected: `[B, ${config.inputSize}]`, got: formatShape(x.shape), fix: 'pass one step of the input, [batch, inputSize]' });
  }
  const specs = states(config);
  if (state.length !== specs.length) {
    throw new ShapeError(`got ${state.length} state tensor(s)`, { where, expected: `${specs.length}: ${specs.map((spec) => spec.name).join(', ')}`, got: `${state.length}`, fix: 'pass the states in the order state(config) lists them (zeros for a fresh sequence)' });
  }
  specs.forEach((spec, i) => {
    const expected = [x.shape[0] as number, ...(spec.shape ?? [spec.size as number])];
    const tensor = state[i] as Tensor;
    if (!sameShape(tensor.shape, expected)) {
      throw new ShapeError(`state ${spec.name} has the wrong shape`, { where, expected: formatShape(expected), got: formatShape(tensor.shape), fix: 'give each state one row per sequence in the batch and the declared shape' });
    }
  });
}

/** The addressing stages (3)–(7) on a batch of heads, exported for the stage-by-stage tests. */
export const ntmAddressing = {
  /** (3)–(4): k [B, K, M], memory [B, N, M], β [B, K] → w^c [B, K, N]. */
  content(k: Tensor3D, memory: Tensor3D, beta: Tensor2D): Tensor3D {
    return tf.tidy(() => {
      const dot = tf.matMul(k, memory, false, true); // [B, K, N]
      const kNorm = tf.sqrt(tf.add(tf.sum(tf.square(k), 2, true), NTM_NORM_EPSILON)); // [B, K, 1]
      const mNorm = tf.expandDims(tf.sqrt(tf.add(tf.sum(tf.square(memory), 2), NTM_NORM_EPSILON)), 1); // [B, 1, N]
      const similarity = tf.div(dot, tf.mul(kNorm, mNorm)); // [B, K, N]
      return tf.softmax(tf.mul(tf.expandDims(beta, 2), similarity)) as Tensor3D;
    });
  },
  /** (5): g [B, K], w^c and the previous w [B, K, N] (its missing mass 1 − Σ w put at slot 0). */
  interpolate(g: Tensor2D, content: Tensor3D, previous: Tensor3D): Tensor3D {
    return tf.tidy(() => {
      const gate = tf.expandDims(g, 2); // [B, K, 1]
      const N = previous.shape[2];
      const missing = tf.sub(1, tf.sum(previous, 2, true)); // [B, K, 1]
      const filled = tf.add(previous, tf.mul(missing, tf.oneHot(tf.tensor1d([0], 'int32'), N).reshape([N]))); // w̄ [B, K, N]
      return tf.add(tf.mul(gate, content), tf.mul(tf.sub(1, gate), filled)) as Tensor3D;
    });
  },
  /** (6): w^g [B, K, N], s [B, K, 2S+1] (a distribution over shifts −S..S). */
  shift(w: Tensor3D, s: Tensor3D, permutation: Tensor2D): Tensor3D {
    return tf.tidy(() => {
      const [B, K, N] = w.shape;
      const S = s.shape[2];
      const rolled = tf.reshape(tf.matMul(tf.reshape(w, [B * K, N]), permutation), [B, K, S, N]);
      return tf.sum(tf.mul(tf.expandDims(s, 3), rolled), 2) as Tensor3D;
    });
  },
  /** (7): w̃ [B, K, N], γ [B, K] (>= 1). */
  sharpen(w: Tensor3D, gamma: Tensor2D): Tensor3D {
    return tf.tidy(() => tf.softmax(tf.mul(tf.expandDims(gamma, 2), tf.log(tf.add(tf.relu(w), NTM_SHARPEN_EPSILON)))) as Tensor3D);
  },
};

/** The head quantities of (2) from the projection p [B, P]. */
function headsOf(p: Tensor2D, z: NtmSizes) {
  const B = p.shape[0];
  const part = (name: keyof NtmSizes['slices']) => {
    const [start, size] = z.slices[name];
    return tf.slice(p, [0, start], [B, size]);
  };
  return {
    k: tf.reshape(tf.tanh(part('k')), [B, z.K, z.M]) as Tensor3D,
    beta: tf.softplus(part('beta')) as Tensor2D,
    g: tf.sigmoid(part('g')) as Tensor2D,
    s: tf.softmax(tf.reshape(part('s'), [B, z.K, z.S])) as Tensor3D,
    gamma: tf.add(1, tf.softplus(part('gamma'))) as Tensor2D,
    e: tf.reshape(tf.sigmoid(part('e')), [B, z.W, z.M]) as Tensor3D,
    a: tf.reshape(tf.tanh(part('a')), [B, z.W, z.M]) as Tensor3D,
  };
}

/** (1) or (1'): the controller's output h [B, H] and its next state (none for the feed-forward one) on u [B, I + R·M]. */
function controllerStep(params: ParamTensors, u: Tensor2D, state: readonly Tensor2D[], config: NtmConfig): { h: Tensor2D; controllerState: Tensor[] } {
  if (config.controller === 'lstm') {
    const result = lstmCell.step({ W: params.Wc as Tensor, R: params.Uc as Tensor, B: params.bc as Tensor }, u, state, ntmLstmController(config));
    return { h: result.output as Tensor2D, controllerState: [...result.state] };
  }
  return { h: tf.tanh(tf.add(tf.matMul(u, params.Wc as Tensor2D, false, true), params.bc as Tensor1D)) as Tensor2D, controllerState: [] };
}

/** The `ntm` cell plugin; its specification opens this file. */
export const ntmCell = defineCell({
  kind: 'ntm',
  meta: CELLS_META,
  schemaVersion: 1,
  summary: 'Neural Turing Machine: a feed-forward or LSTM controller with content/location-addressed read and write heads over an N × M memory',
  config: ntmConfig,
  check: checkNtmConfig,
  inputSize: (config) => config.inputSize,
  outputSize: (config) => config.outputSize,
  state: states,
  parameters,
  step(params, x, state, config) {
    const where = 'ntm.step';
    checkParams(where, parameters(config), params);
    checkInputs(where, config, x, state);
    return tf.tidy(() => {
      const z = ntmSizes(config);
      const B = x.shape[0];
      // An empty batch has nothing to compute (and tfjs-wasm's transposes inside a Sum trap on empty tensors).
      if (B === 0) return { output: tf.zeros([0, config.outputSize]) as Tensor2D, state: state.map((s) => tf.zeros(s.shape)) };
      const [memory, readWeights, writeWeights, reads] = state as [Tensor3D, Tensor3D, Tensor3D, Tensor2D];
      const { h, controllerState } = controllerStep(params, tf.concat([x, reads], 1), state.slice(4) as Tensor2D[], config); // (1)
      const p = tf.add(tf.matMul(h, params.Wh as Tensor2D, false, true), params.bh as Tensor1D) as Tensor2D; // (2)
      const heads = headsOf(p, z);
      const previous = tf.concat([readWeights, writeWeights], 1) as Tensor3D; // [B, K, N]
      const content = ntmAddressing.content(heads.k, memory, heads.beta); // (3), (4)
      const gated = ntmAddressing.interpolate(heads.g, content, previous); // (5)
      const shifted = ntmAddressing.shift(gated, heads.s, tf.tensor2d(shiftPermutation(z.N, config.shiftRange), [z.N, z.S * z.N])); // (6)
      const weights = ntmAddressing.sharpen(shifted, heads.gamma); // (7)
      const [wr, ww] = tf.split(weights, [z.R, z.W], 1) as [Tensor3D, Tensor3D];
      let kept: Tensor3D = memory; // (8) erase, one write head at a time
      for (let j = 0; j < z.W; j++) {
        const wj = tf.slice(ww, [0, j, 0], [B, 1, z.N]); // [B, 1, N]
        const ej = tf.slice(heads.e, [0, j, 0], [B, 1, z.M]); // [B, 1, M]
        kept = tf.mul(kept, tf.sub(1, tf.matMul(wj, ej, true, false))) as Tensor3D; // [B, N, M]
      }
      const nextMemory = tf.add(kept, tf.matMul(ww, heads.a, true, false)) as Tensor3D; // (8) add
      const nextReads = tf.reshape(tf.matMul(wr, nextMemory), [B, z.R * z.M]) as Tensor2D; // (9)
      const output = tf.add(tf.matMul(tf.concat([h, nextReads], 1), params.Wy as Tensor2D, false, true), params.by as Tensor1D) as Tensor2D; // (10)
      return { output, state: [nextMemory, wr, ww, nextReads, ...controllerState] };
    });
  },
  onnxStep: ntmOnnxStep,
});
