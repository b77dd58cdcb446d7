import type { CellOnnxContext, CellOnnxMapping, CellOnnxResult, HostTensor, OnnxConstant, OnnxGraphBuilder } from '@unfold/core';
import type { LeakyConfig } from './config';
import type { Activation } from './integrator';

/**
 * The ONNX mapping of a leaky integrator, shared by `leaky` and `esn` (as ./integrator.ts is): no native
 * ONNX op computes (1 − α) ⊙ h + α ⊙ act(·), so the recurrence is a `Scan` of plain ops.
 *
 * What the graph computes, for the cell input x [T, B, In] (time-major), lengths ℓ [B], initial state h₀ [B, H]:
 *
 *   P  = [x; 0] · Uᵀ + b           [T + 1, B, H]  one MatMul (+ Add) before the loop; U [H, In], b [H];
 *                                  one zero step appended, so the Scan never sees an empty time axis
 *   reversed cells: P reversed within each ℓ (ReverseSequence), so real steps come first
 *   v₀ = h₀ ⊘ α                    the state is carried scaled, v = h ⊘ α
 *   Scan over t:  vₜ = κ ⊙ vₜ₋₁ + act(vₜ₋₁ · R̃ + Pₜ)     R̃ = diag(α) Rᵀ [H, H], κ = 1 − α [H], act tanh | relu
 *   hₜ = α ⊙ vₜ                    = κ ⊙ hₜ₋₁ + α ⊙ act(U xₜ + R hₜ₋₁ + b): the cell's step (leaky.ts, esn.ts)
 *   output[t] = hₜ for t < ℓ, exactly 0 after (Where), t < T; reversed back for reversed cells
 *   final     = h at step max(ℓ − 1, 0) (GatherElements); for ℓ = 0 the exporter keeps h₀
 *
 * When some α < 2⁻¹⁴ (a time constant beyond 16k steps) v = h ⊘ α could overflow where h does not, so the
 * state is carried plain: R̃ = Rᵀ, hₜ = κ ⊙ hₜ₋₁ + α ⊙ act(hₜ₋₁ · Rᵀ + Pₜ). When every α = 1: hₜ = act(·).
 *
 * The Scan body is MatMul, Add, Tanh | Relu, Mul, Add (the scaled form; + Mul for the plain one; MatMul,
 * Add, act when every α = 1). Choices, measured in onnxruntime-node 1.30 on 1 thread at the benchmark size
 * (input 32, hidden 128, 64 steps; tools/bench/src/onnx-speed.mjs), batch 1 unless said:
 * - **Scaled state.** Folding α into R̃ saves the body's Mul by α, one of ~5 nodes per step.
 * - **No masking inside the loop.** The body runs every step, padding included; the final state is read
 *   at ℓ − 1 and padded outputs are zeroed once over [T, B, H]. A per-step Where, with the mask as a second
 *   scanned input, made the body 1.6× slower. Outputs are selected with Where, not multiplied, so not even
 *   an overflow in a padded relu step reaches a real value.
 * - **Two scanned outputs** (κ ⊙ vₜ₋₁ and the drive, summed once afterwards) instead of vₜ twice: ONNX
 *   needs an Identity per step to emit one value as both the state and a scanned output; ~13% faster.
 * - **A named batch dimension.** The body's values are declared [batch, H], not [?, H]. When the initial
 *   state's batch size cannot be inferred (the exporter broadcasts it with Expand), onnxruntime otherwise
 *   plans the body's memory anew every step: ~1.6 µs more per step, a third of the body.
 * - **T = 0.** onnxruntime's Scan rejects an empty scan axis (`Invalid dim0_offset of 0`). The appended
 *   zero step (one step more of compute, discarded) beat an If(T > 0) around the Scan (~15 µs per call at
 *   batch 1, and ~10% at batch 64, where the If's outputs were copied out of its subgraph). A Loop handles
 *   zero trips but ran at 4.9× the RNN op (a Gather per step) and returned its scanned output as [0, 0, H]
 *   at zero trips, losing the batch axis.
 */
export interface IntegratorOnnxWeights {
  /** U [H, In]: the weights of every input column. */
  readonly input: HostTensor;
  /** R [H, H]. */
  readonly recurrent: HostTensor;
  /** b [H], or undefined without a bias. */
  readonly bias: HostTensor | undefined;
  /** α per unit [H], as the cell computes it; the graph uses float32 α and κ = float32(1 − α). */
  readonly alpha: ArrayLike<number>;
  readonly activation: Activation;
}

/** The smallest α for which the state is carried scaled (v = h ⊘ α); see the module comment. */
const SCALED_STATE_MIN_ALPHA = 2 ** -14;

const ACTIVATION_OPS: Readonly<Record<Activation, string>> = { tanh: 'Tanh', relu: 'Relu' };
/** ONNX TensorProto element types, for Cast. */
const INT32 = 6;
const INT64 = 7;

function int64(values: readonly number[], shape: readonly number[] = [values.length]): OnnxConstant {
  return { dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** (diag(s) · Mᵀ) [C, R] for M [R, C] and s [C] (s omitted: plain Mᵀ), in float32. */
function scaledTranspose(m: HostTensor, rowScale?: Float32Array): HostTensor {
  const [rows, cols] = m.shape as [number, number];
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = (m.data[r * cols + c] as number) * (rowScale ? (rowScale[c] as number) : 1);
  return { shape: [cols, rows], data };
}

/** int32 [B] lengths, all T, for a time-major input [T, B, In] (a mapping called without lengths). */
function fullLengths(graph: OnnxGraphBuilder, input: string): string {
  const [shape] = graph.node('Shape', [input], {}, { stem: 'input_shape' }) as [string];
  const [time] = graph.node('Slice', [shape, graph.constant('time_from', int64([0])), graph.constant('time_to', int64([1]))], {}, { stem: 'time' }) as [string];
  const [batch] = graph.node('Slice', [shape, graph.constant('batch_from', int64([1])), graph.constant('batch_to', int64([2]))], {}, { stem: 'batch' }) as [string];
  const [time32] = graph.node('Cast', [time], { to: INT32 }, { stem: 'time_int32' }) as [string];
  return graph.node('Expand', [time32, batch], {}, { stem: 'full_lengths' })[0] as string;
}

/** The graph constants of an integrator: R̃ (α folded in when the state is carried scaled), and κ and α. */
interface IntegratorConstants {
  readonly hiddenSize: number;
  readonly activation: Activation;
  /** R̃ [H, H] = diag(α) Rᵀ (scaled) or Rᵀ. */
  readonly recurrent: string;
  /** κ = 1 − α and α, each [H]; undefined when every α is 1 (h' = g). `scaled`: the state is v = h ⊘ α. */
  readonly leak: { readonly keep: string; readonly alpha: string; readonly scaled: boolean } | undefined;
}

function integratorConstants(graph: OnnxGraphBuilder, weights: IntegratorOnnxWeights): IntegratorConstants {
  const alpha = Float32Array.from(weights.alpha);
  const H = alpha.length;
  const allOne = alpha.every((a) => a === 1);
  const scaled = !allOne && alpha.every((a) => a >= SCALED_STATE_MIN_ALPHA);
  const leak = allOne
    ? undefined
    : { keep: graph.constant('keep', { shape: [H], data: Float32Array.from(weights.alpha, (a) => 1 - a) }), alpha: graph.constant('alpha', { shape: [H], data: alpha }), scaled };
  return { hiddenSize: H, activation: weights.activation, recurrent: graph.constant(scaled ? 'R_scaled_t' : 'R_t', scaledTranspose(weights.recurrent, scaled ? alpha : undefined)), leak };
}

/**
 * The Scan: v [T + 1, B, H] from v₀ and P [T + 1, B, H]. With a leak, the body emits κ ⊙ vₜ₋₁ and its
 * drive (g, or α ⊙ g unscaled) as two scanned outputs and vₜ is their sum, added once over the whole
 * sequence; without one it emits g as both the state and the scanned output.
 */
function scanSteps(graph: OnnxGraphBuilder, w: IntegratorConstants, v0: string, P: string): string {
  const H = w.hiddenSize;
  const row = { dtype: 'float32', shape: ['batch', H] } as const; // named, not null: see the module comment
  const body = graph.subgraph('step', { inputs: [{ ...row, stem: 'v' }, { ...row, stem: 'p_t' }], outputs: w.leak ? [row, row, row] : [row, row] }, (step, [v, pt]) => {
    const [recurrent] = step.node('MatMul', [v as string, w.recurrent], {}, { stem: 'recurrent' }) as [string]; // [B, H]
    const [pre] = step.node('Add', [recurrent, pt as string], {}, { stem: 'pre' }) as [string];
    const [g] = step.node(ACTIVATION_OPS[w.activation], [pre], {}, { stem: 'g' }) as [string];
    if (!w.leak) return [g, g]; // every α = 1: h' = g
    const [kept] = step.node('Mul', [v as string, w.leak.keep], {}, { stem: 'kept' }) as [string]; // κ ⊙ v
    const drive = w.leak.scaled ? g : (step.node('Mul', [g, w.leak.alpha], {}, { stem: 'drive' })[0] as string); // g (scaled), or α ⊙ g
    const [vNext] = step.node('Add', [kept, drive], {}, { stem: 'v_next' }) as [string];
    return [vNext, kept, drive];
  });
  const scanned = graph.node('Scan', [v0, P], { body, num_scan_inputs: 1 }, { outputs: w.leak ? 3 : 2, stem: 'scan' });
  if (!w.leak) return scanned[1] as string;
  return graph.node('Add', [scanned[1] as string, scanned[2] as string], {}, { stem: 'v_all' })[0] as string;
}

/** h [T + 1, B, H] at step max(ℓ − 1, 0) of each sequence, [B, H]: GatherElements over time. */
function lastRealStep(graph: OnnxGraphBuilder, hs: string, lengths: string, H: number): string {
  const [last] = graph.node('Sub', [lengths, graph.constant('one_step', int64([1], []))], {}, { stem: 'last_step' }) as [string];
  const [lastClipped] = graph.node('Max', [last, graph.constant('first_step', int64([0], []))], {}, { stem: 'last_step_clipped' }) as [string];
  const [column] = graph.node('Reshape', [lastClipped, graph.constant('last_column_shape', int64([1, -1, 1]))], {}, { stem: 'last_step_column' }) as [string]; // [1, B, 1]
  const [index] = graph.node('Expand', [column, graph.constant('last_index_shape', int64([1, 1, H]))], {}, { stem: 'last_step_index' }) as [string]; // [1, B, H]
  const [picked] = graph.node('GatherElements', [hs, index], { axis: 0 }, { stem: 'final_picked' }) as [string];
  return graph.node('Squeeze', [picked, graph.constant('time_axis', int64([0]))], {}, { stem: 'final' })[0] as string;
}

/** The first T steps of h [T + 1, B, H], exactly 0 at padded steps (t >= ℓ). */
function realOutputs(graph: OnnxGraphBuilder, hs: string, lengths: string, input: string): string {
  const [steps] = graph.node('Slice', [hs, graph.constant('outputs_from', int64([0])), graph.constant('outputs_to', int64([-1]))], {}, { stem: 'h_steps' }) as [string]; // [T, B, H]
  const [shape] = graph.node('Shape', [input], {}, { stem: 'time_shape' }) as [string];
  const [time] = graph.node('Gather', [shape, graph.constant('time_index', int64([0], []))], { axis: 0 }, { stem: 'time_steps' }) as [string]; // scalar T
  const [range] = graph.node('Range', [graph.constant('step_from', int64([0], [])), time, graph.constant('step_delta', int64([1], []))], {}, { stem: 'steps' }) as [string]; // [T]
  const [stepColumn] = graph.node('Unsqueeze', [range, graph.constant('axis_1', int64([1]))], {}, { stem: 'step_column' }) as [string]; // [T, 1]
  const [real] = graph.node('Less', [stepColumn, lengths], {}, { stem: 'real_steps' }) as [string]; // [T, B]
  const [realColumn] = graph.node('Unsqueeze', [real, graph.constant('axis_2', int64([2]))], {}, { stem: 'real_column' }) as [string]; // [T, B, 1]
  return graph.node('Where', [realColumn, steps, graph.constant('zero', { shape: [], data: new Float32Array(1) })], {}, { stem: 'outputs_masked' })[0] as string;
}

/** Emits the leaky integrator over the whole sequence (what the graph computes: the module comment). */
export function emitIntegratorScan<C>(context: CellOnnxContext<C>, weights: IntegratorOnnxWeights): CellOnnxResult {
  const { graph, input } = context;
  const w = integratorConstants(graph, weights);
  const [lengths] = graph.node('Cast', [context.sequenceLens ?? fullLengths(graph, input)], { to: INT64 }, { stem: 'lengths_int64' }) as [string]; // ℓ [B]
  const reverse = (sequence: string, stem: string): string => graph.node('ReverseSequence', [sequence, lengths], { batch_axis: 1, time_axis: 0 }, { stem })[0] as string;
  const [xPadded] = graph.node('Pad', [input, graph.constant('one_more_step', int64([0, 0, 0, 1, 0, 0]))], {}, { stem: 'input_padded' }) as [string]; // [T + 1, B, In]
  const [product] = graph.node('MatMul', [xPadded, graph.constant('U_t', scaledTranspose(weights.input))], {}, { stem: 'input_projection' }) as [string];
  const projected = weights.bias ? (graph.node('Add', [product, graph.constant('b', weights.bias)], {}, { stem: 'projected' })[0] as string) : product; // P [T + 1, B, H]
  const P = context.reverse ? reverse(projected, 'projected_reversed') : projected;
  const initial = context.initialState[0] as string;
  const scale = w.leak?.scaled ? w.leak.alpha : undefined;
  const v0 = scale ? (graph.node('Div', [initial, scale], {}, { stem: 'v0' })[0] as string) : initial; // [B, H]
  const vs = scanSteps(graph, w, v0, P);
  const hs = scale ? (graph.node('Mul', [vs, scale], {}, { stem: 'h_all' })[0] as string) : vs; // [T + 1, B, H]
  const ys = realOutputs(graph, hs, lengths, input);
  return { outputs: context.reverse ? reverse(ys, 'outputs') : ys, finalState: [lastRealStep(graph, hs, lengths, w.hiddenSize)] };
}

/** b = Wb + Rb [H] from B [2H], in float32 as the cell adds them. */
function summedBias(B: HostTensor, H: number): HostTensor {
  return { shape: [H], data: Float32Array.from({ length: H }, (_, j) => (B.data[j] as number) + (B.data[H + j] as number)) };
}

/** α = σ(A) in float32, as the cell computes it. */
function leakRatesOf(A: HostTensor): Float32Array {
  return Float32Array.from(A.data, (a) => 1 / (1 + Math.exp(-a)));
}

/** `leaky` → the integrator Scan: U = W, R = R, b = Wb + Rb (when `bias`), α = σ(A) fixed at export. */
export const leakyOnnx: CellOnnxMapping<LeakyConfig> = (context) => {
  const { weights, config } = context;
  const B = weights.B;
  return emitIntegratorScan(context, {
    input: weights.W as HostTensor,
    recurrent: weights.R as HostTensor,
    bias: B && summedBias(B, config.hiddenSize),
    alpha: leakRatesOf(weights.A as HostTensor),
    activation: config.activation,
  });
};
