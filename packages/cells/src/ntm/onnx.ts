import { int64Constant, type CellOnnxStepMapping, type HostTensor, type OnnxGraphBuilder } from '@unfold/core';
import type { NtmConfig } from './ntm';
import { NTM_NORM_EPSILON, NTM_SHARPEN_EPSILON, ntmSizes, shiftPermutation } from './layout';

/**
 * The per-step ONNX mapping of `ntm` (equations in ntm.ts); the exporter's shared emitter runs it as a
 * Scan (padding, reversal, T = 0, final states), so the memory [B, N, M] streams as state_in / state_out.
 *
 *   prepare:  Px = x · Wc[:, :I]ᵀ + b           [T, B, G·H], the input half of (1) over every step at once
 *             (feed-forward: G = 1, b = bc; LSTM: G = 4, b = Wb + Rb)
 *   step:     feed-forward h = tanh(Pxₜ + rₜ₋₁ · Wc[:, I:]ᵀ); LSTM: the gates Pxₜ + rₜ₋₁ · Wc[:, I:]ᵀ + hₜ₋₁ · Ucᵀ
 *             split in i, o, f, c̃ and (1') as written; then (2)–(10) as written, the shift (6) as one MatMul with
 *             the [N, (2S+1)·N] roll matrix (shiftPermutation) and a weighted sum over the shifts, the
 *             erase product of (8) a ReduceProd over the write heads.
 * Opset 17: Split and ReduceSum take their sizes and axes as inputs, ReduceProd as an attribute.
 */
function columns(m: HostTensor, from: number, to: number): HostTensor {
  // Mᵀ restricted to columns [from, to): [to − from, rows]
  const [rows, cols] = m.shape as [number, number];
  const width = to - from;
  const data = new Float32Array(width * rows);
  for (let r = 0; r < rows; r++) for (let c = from; c < to; c++) data[(c - from) * rows + r] = m.data[r * cols + c] as number;
  return { shape: [width, rows], data };
}

function one(graph: OnnxGraphBuilder, op: string, inputs: readonly string[], stem: string, attributes: Record<string, number | readonly number[]> = {}): string {
  return graph.node(op, inputs, attributes, { stem })[0] as string;
}

/** Gate blocks of the controller's pre-activation: 1 (feed-forward) or 4 (LSTM: i, o, f, c). */
const gatesOf = (config: NtmConfig) => (config.controller === 'lstm' ? 4 : 1);

/** The bias added once in `prepare`: bc (feed-forward) or Wb + Rb (LSTM, bc = [Wb; Rb]). */
function controllerBias(config: NtmConfig, bc: HostTensor): HostTensor {
  if (config.controller !== 'lstm') return bc;
  const size = 4 * config.controllerSize;
  return { shape: [size], data: Float32Array.from({ length: size }, (_, j) => (bc.data[j] as number) + (bc.data[size + j] as number)) };
}

/** (1'): the LSTM controller on its gate drive [B, 4H] (everything but hₜ₋₁ · Ucᵀ): h and [h, c]. */
function lstmController(graph: OnnxGraphBuilder, drive: string, hPrev: string, cPrev: string, Uc: HostTensor, H: number): { h: string; state: string[] } {
  const gates = one(graph, 'Add', [drive, one(graph, 'MatMul', [hPrev, graph.constant('Uc_t', columns(Uc, 0, H))], 'controller_recurrent')], 'controller_gates');
  const [i, o, f, c] = graph.node('Split', [gates, graph.constant('gate_sizes', int64Constant([H, H, H, H]))], { axis: 1 }, { outputs: 4, stem: 'gate' }) as [string, string, string, string];
  const kept = one(graph, 'Mul', [one(graph, 'Sigmoid', [f], 'forget'), cPrev], 'cell_kept');
  const cNext = one(graph, 'Add', [kept, one(graph, 'Mul', [one(graph, 'Sigmoid', [i], 'input_gate'), one(graph, 'Tanh', [c], 'candidate')], 'cell_added')], 'controller_c');
  const hNext = one(graph, 'Mul', [one(graph, 'Sigmoid', [o], 'output_gate'), one(graph, 'Tanh', [cNext], 'cell_tanh')], 'controller_h');
  return { h: hNext, state: [hNext, cNext] };
}

export const ntmOnnxStep: CellOnnxStepMapping<NtmConfig> = {
  prepare({ graph, config, weights, input }) {
    const Wc = weights.Wc as HostTensor;
    const product = one(graph, 'MatMul', [input, graph.constant('Wc_x_t', columns(Wc, 0, config.inputSize))], 'controller_input');
    return { input: one(graph, 'Add', [product, graph.constant('bc_sum', controllerBias(config, weights.bc as HostTensor))], 'controller_drive'), size: gatesOf(config) * config.controllerSize };
  },
  step({ graph, config, weights, input, state }) {
    const z = ntmSizes(config);
    const [memory, readWeights, writeWeights, reads] = state as [string, string, string, string];
    const Wc = weights.Wc as HostTensor;
    const shape = (stem: string, dims: readonly number[]) => graph.constant(stem, int64Constant(dims));
    const axes = (stem: string, values: readonly number[]) => graph.constant(stem, int64Constant(values));
    const scalar = (stem: string, value: number) => graph.constant(stem, { shape: [], data: Float32Array.of(value) });
    // (1) controller, (2) head projection
    const drive = one(graph, 'Add', [input, one(graph, 'MatMul', [reads, graph.constant('Wc_r_t', columns(Wc, config.inputSize, config.inputSize + z.R * z.M))], 'recurrent_drive')], 'controller_pre');
    const controller = config.controller === 'lstm' ? lstmController(graph, drive, state[4] as string, state[5] as string, weights.Uc as HostTensor, z.H) : { h: one(graph, 'Tanh', [drive], 'h'), state: [] };
    const h = controller.h;
    const p = one(graph, 'Add', [one(graph, 'MatMul', [h, graph.constant('Wh_t', columns(weights.Wh as HostTensor, 0, z.H))], 'head_product'), graph.constant('bh', weights.bh as HostTensor)], 'p');
    const order = ['k', 'beta', 'g', 's', 'gamma', 'e', 'a'] as const;
    const parts = graph.node('Split', [p, axes('head_sizes', order.map((name) => z.slices[name][1]))], { axis: 1 }, { outputs: order.length, stem: 'head_part' });
    const [kRaw, betaRaw, gRaw, sRaw, gammaRaw, eRaw, aRaw] = parts as [string, string, string, string, string, string, string];
    const k = one(graph, 'Reshape', [one(graph, 'Tanh', [kRaw], 'k_flat'), shape('k_shape', [-1, z.K, z.M])], 'k'); // [B, K, M]
    const beta = one(graph, 'Unsqueeze', [one(graph, 'Softplus', [betaRaw], 'beta_flat'), axes('axis_2', [2])], 'beta'); // [B, K, 1]
    const g = one(graph, 'Unsqueeze', [one(graph, 'Sigmoid', [gRaw], 'g_flat'), axes('axis_2', [2])], 'g'); // [B, K, 1]
    const s = one(graph, 'Unsqueeze', [one(graph, 'Softmax', [one(graph, 'Reshape', [sRaw, shape('s_shape', [-1, z.K, z.S])], 's_logits')], 's_heads', { axis: -1 }), axes('axis_3', [3])], 's'); // [B, K, S, 1]
    const gamma = one(graph, 'Unsqueeze', [one(graph, 'Add', [one(graph, 'Softplus', [gammaRaw], 'gamma_softplus'), scalar('one', 1)], 'gamma_flat'), axes('axis_2', [2])], 'gamma'); // [B, K, 1]
    const e = one(graph, 'Reshape', [one(graph, 'Sigmoid', [eRaw], 'e_flat'), shape('write_shape', [-1, z.W, z.M])], 'e'); // [B, W, M]
    const a = one(graph, 'Reshape', [one(graph, 'Tanh', [aRaw], 'a_flat'), shape('write_shape', [-1, z.W, z.M])], 'a'); // [B, W, M]
    // (3), (4) content addressing
    const dot = one(graph, 'MatMul', [k, one(graph, 'Transpose', [memory], 'memory_t', { perm: [0, 2, 1] })], 'dot'); // [B, K, N]
    const eps = scalar('norm_epsilon', NTM_NORM_EPSILON);
    const kNorm = one(graph, 'Sqrt', [one(graph, 'Add', [one(graph, 'ReduceSum', [one(graph, 'Mul', [k, k], 'k_sq'), axes('axis_2', [2])], 'k_sq_sum', { keepdims: 1 }), eps], 'k_sq_eps')], 'k_norm'); // [B, K, 1]
    const mSq = one(graph, 'ReduceSum', [one(graph, 'Mul', [memory, memory], 'm_sq'), axes('axis_2', [2])], 'm_sq_sum', { keepdims: 0 }); // [B, N]
    const mNorm = one(graph, 'Unsqueeze', [one(graph, 'Sqrt', [one(graph, 'Add', [mSq, eps], 'm_sq_eps')], 'm_norm_flat'), axes('axis_1', [1])], 'm_norm'); // [B, 1, N]
    const similarity = one(graph, 'Div', [dot, one(graph, 'Mul', [kNorm, mNorm], 'norms')], 'similarity');
    const content = one(graph, 'Softmax', [one(graph, 'Mul', [beta, similarity], 'content_logits')], 'content', { axis: -1 }); // [B, K, N]
    // (5) interpolation with the previous weightings
    const previous = graph.node('Concat', [readWeights, writeWeights], { axis: 1 }, { stem: 'previous' })[0] as string; // [B, K, N]
    const missing = one(graph, 'Sub', [scalar('one', 1), one(graph, 'ReduceSum', [previous, axes('axis_2', [2])], 'previous_mass', { keepdims: 1 })], 'missing_mass'); // [B, K, 1]
    const slot0 = graph.constant('slot_0', { shape: [z.N], data: Float32Array.from({ length: z.N }, (_, n) => (n === 0 ? 1 : 0)) });
    const filled = one(graph, 'Add', [previous, one(graph, 'Mul', [missing, slot0], 'missing_at_slot_0')], 'previous_filled');
    const gated = one(graph, 'Add', [one(graph, 'Mul', [g, content], 'gated_content'), one(graph, 'Mul', [one(graph, 'Sub', [scalar('one', 1), g], 'g_complement'), filled], 'gated_previous')], 'gated');
    // (6) circular shift
    const rolled = one(graph, 'Reshape', [
      one(graph, 'MatMul', [one(graph, 'Reshape', [gated, shape('rows_shape', [-1, z.N])], 'gated_rows'), graph.constant('shift_roll', { shape: [z.N, z.S * z.N], data: shiftPermutation(z.N, config.shiftRange) })], 'rolled_rows'),
      shape('rolled_shape', [-1, z.K, z.S, z.N]),
    ], 'rolled'); // [B, K, S, N]
    const shifted = one(graph, 'ReduceSum', [one(graph, 'Mul', [s, rolled], 'shift_terms'), axes('axis_2', [2])], 'shifted', { keepdims: 0 }); // [B, K, N]
    // (7) sharpening
    const logits = one(graph, 'Mul', [gamma, one(graph, 'Log', [one(graph, 'Add', [one(graph, 'Relu', [shifted], 'shifted_positive'), scalar('sharpen_epsilon', NTM_SHARPEN_EPSILON)], 'shifted_eps')], 'log_shifted')], 'sharpen_logits');
    const weightsNext = one(graph, 'Softmax', [logits], 'weights', { axis: -1 }); // [B, K, N]
    const [wr, ww] = graph.node('Split', [weightsNext, axes('head_split', [z.R, z.W])], { axis: 1 }, { outputs: 2, stem: 'w' }) as [string, string];
    // (8) erase then add
    const outer = one(graph, 'Mul', [one(graph, 'Unsqueeze', [ww, axes('axis_3', [3])], 'ww_column'), one(graph, 'Unsqueeze', [e, axes('axis_2', [2])], 'e_row')], 'erase_outer'); // [B, W, N, M]
    const keep = one(graph, 'ReduceProd', [one(graph, 'Sub', [scalar('one', 1), outer], 'keep_each')], 'keep', { axes: [1], keepdims: 0 }); // [B, N, M]
    const added = one(graph, 'MatMul', [one(graph, 'Transpose', [ww], 'ww_t', { perm: [0, 2, 1] }), a], 'added'); // [B, N, M]
    const nextMemory = one(graph, 'Add', [one(graph, 'Mul', [memory, keep], 'kept'), added], 'memory_next');
    // (9) reads, (10) output
    const nextReads = one(graph, 'Reshape', [one(graph, 'MatMul', [wr, nextMemory], 'read_heads'), shape('reads_shape', [-1, z.R * z.M])], 'reads_next');
    const hr = graph.node('Concat', [h, nextReads], { axis: 1 }, { stem: 'h_reads' })[0] as string;
    const output = one(graph, 'Add', [one(graph, 'MatMul', [hr, graph.constant('Wy_t', columns(weights.Wy as HostTensor, 0, z.H + z.R * z.M))], 'output_product'), graph.constant('by', weights.by as HostTensor)], 'output');
    return { output, state: [nextMemory, wr, ww, nextReads, ...controller.state] };
  },
};
