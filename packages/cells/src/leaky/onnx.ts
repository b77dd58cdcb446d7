import type { CellOnnxStepMapping, HostTensor } from '@unfold/core';
import type { LeakyConfig } from './config';
import type { Activation } from './integrator';

/**
 * The per-step ONNX mapping of a leaky integrator, shared by `leaky` and `esn` (as ./integrator.ts is): no
 * native ONNX op computes (1 − α) ⊙ h + α ⊙ act(·), so the cell gives its step as plain ops and the
 * exporter's shared emitter (@unfold/onnx, step-scan.ts) runs it as a `Scan`, owning padding, reversal
 * within each length, T = 0 and the final state.
 *
 * What the mapping computes, for the cell input x [T, B, In] (time-major) and the state h [B, H]:
 *
 *   prepare:  P = x · Uᵀ + b             [T, B, H]  one MatMul (+ Add) over every step, before the loop;
 *                                                   U [H, In], b [H]
 *   step:     hₜ = κ ⊙ hₜ₋₁ + α ⊙ act(hₜ₋₁ · Rᵀ + Pₜ)    κ = 1 − α [H], act tanh | relu;  output hₜ
 *           = κ ⊙ hₜ₋₁ + α ⊙ act(U xₜ + R hₜ₋₁ + b): the cell's step (leaky.ts, esn.ts)
 *
 * α is folded into the weights so the step has no Mul by α: MatMul, Add, act, Mul (κ), Add, the last Add's
 * terms (κ ⊙ h and the drive) scanned out and added once after the loop (`outputTerms`), so the body needs
 * no Identity to emit hₜ as both its state and its output (~20% faster at batch 1; step-scan.ts).
 * - **tanh: scaled state.** The loop carries v = h ⊘ α (`carry`: v₀ = h₀ ⊘ α before it, h = α ⊙ v after):
 *   vₜ = κ ⊙ vₜ₋₁ + tanh(vₜ₋₁ · R̃ + Pₜ) with R̃ = diag(α) Rᵀ. When some α < 2⁻¹⁴ (a time constant beyond
 *   16k steps) v could overflow where h does not, so the state is carried plain with a Mul by α in the step.
 * - **relu: α inside.** α ⊙ relu(z) = relu(α ⊙ z) for α > 0, so R̃ = Rᵀ diag(α) and P̃ = α ⊙ P (U and b
 *   scaled by α): hₜ = κ ⊙ hₜ₋₁ + relu(hₜ₋₁ · R̃ + P̃ₜ), h carried as it is.
 * - **Every α = 1**: hₜ = act(·) (MatMul, Add, act; the emitter adds the Identity).
 * Measured against the hand-written Scan this mapping replaced (git 3d6b585^, same body and ~the same work
 * outside the loop): tools/bench/src/onnx-speed.mjs.
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

const ACTIVATION_OPS: Readonly<Record<Activation, string>> = { tanh: 'Tanh', relu: 'Relu' };

/** The smallest α for which a tanh state is carried scaled (v = h ⊘ α); see the module comment. */
const SCALED_STATE_MIN_ALPHA = 2 ** -14;

/**
 * Mᵀ [C, R] for M [R, C], in float32, scaled by s: `rows` of Mᵀ (diag(s) Mᵀ, s [C]) or its `columns`
 * (Mᵀ diag(s), s [R]); s omitted: plain Mᵀ.
 */
function scaledTranspose(m: HostTensor, scale?: { readonly by: Float32Array; readonly on: 'rows' | 'columns' }): HostTensor {
  const [rows, cols] = m.shape as [number, number];
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) data[c * rows + r] = (m.data[r * cols + c] as number) * (scale ? (scale.by[scale.on === 'rows' ? c : r] as number) : 1);
  }
  return { shape: [cols, rows], data };
}

/**
 * How α enters the graph: not at all (every α = 1), folded into U, b and R (relu), carried in the state
 * (tanh, v = h ⊘ α), or as a Mul in the step (tanh with a tiny α).
 */
type Leak = { readonly kind: 'none' } | { readonly kind: 'folded' | 'scaled' | 'step'; readonly alpha: Float32Array };

function leakOf(weights: IntegratorOnnxWeights): Leak {
  const alpha = Float32Array.from(weights.alpha);
  if (alpha.every((a) => a === 1)) return { kind: 'none' };
  if (weights.activation === 'relu') return { kind: 'folded', alpha };
  return { kind: alpha.every((a) => a >= SCALED_STATE_MIN_ALPHA) ? 'scaled' : 'step', alpha };
}

/** b [H] times s [H] (element-wise), in float32. */
function scaled(vector: HostTensor, scale: Float32Array | undefined): HostTensor {
  return scale ? { shape: vector.shape, data: Float32Array.from(vector.data, (v, i) => v * (scale[i] as number)) } : vector;
}

/** The integrator's per-step mapping, given the cell's view of its weights (one call per export of the cell). */
export function integratorStep<C>(weightsOf: (weights: Readonly<Record<string, HostTensor>>, config: C) => IntegratorOnnxWeights): CellOnnxStepMapping<C> {
  /** v = h ⊘ α (encode) or h = α ⊙ v (decode) when the state is carried scaled; else the state as it is. */
  const rescale = (op: 'Div' | 'Mul', stem: string): NonNullable<CellOnnxStepMapping<C>['carry']>['encode'] => ({ graph, config, weights, value }) => {
    const leak = leakOf(weightsOf(weights, config));
    if (leak.kind !== 'scaled') return value;
    return graph.node(op, [value, graph.constant('alpha', { shape: [leak.alpha.length], data: leak.alpha })], {}, { stem })[0] as string;
  };
  return {
    prepare({ graph, config, weights, input }) {
      const w = weightsOf(weights, config);
      const leak = leakOf(w);
      const fold = leak.kind === 'folded' ? leak.alpha : undefined;
      const U = graph.constant(fold ? 'U_scaled_t' : 'U_t', scaledTranspose(w.input, fold && { by: fold, on: 'columns' }));
      const [product] = graph.node('MatMul', [input, U], {}, { stem: 'input_projection' }) as [string];
      const projected = w.bias ? (graph.node('Add', [product, graph.constant('b', scaled(w.bias, fold))], {}, { stem: 'projected' })[0] as string) : product; // P [T, B, H]
      return { input: projected, size: w.alpha.length };
    },
    carry: { encode: rescale('Div', 'v_initial'), decode: rescale('Mul', 'h_decoded') },
    step({ graph, config, weights, input, state }) {
      const w = weightsOf(weights, config);
      const leak = leakOf(w);
      const h = state[0] as string; // v = h ⊘ α when scaled
      const R = graph.constant(
        leak.kind === 'folded' || leak.kind === 'scaled' ? 'R_scaled_t' : 'R_t',
        scaledTranspose(w.recurrent, leak.kind === 'folded' ? { by: leak.alpha, on: 'columns' } : leak.kind === 'scaled' ? { by: leak.alpha, on: 'rows' } : undefined),
      );
      const [recurrent] = graph.node('MatMul', [h, R], {}, { stem: 'recurrent' }) as [string]; // [B, H]
      const [pre] = graph.node('Add', [recurrent, input], {}, { stem: 'pre' }) as [string];
      const [g] = graph.node(ACTIVATION_OPS[w.activation], [pre], {}, { stem: 'g' }) as [string]; // g; α ⊙ g when folded
      if (leak.kind === 'none') return { output: g, state: [g] };
      const [kept] = graph.node('Mul', [h, graph.constant('keep', { shape: [leak.alpha.length], data: Float32Array.from(w.alpha, (a) => 1 - a) })], {}, { stem: 'kept' }) as [string]; // κ ⊙ h
      const drive = leak.kind === 'step' ? (graph.node('Mul', [g, graph.constant('alpha', { shape: [leak.alpha.length], data: leak.alpha })], {}, { stem: 'drive' })[0] as string) : g; // α ⊙ g
      const [next] = graph.node('Add', [kept, drive], {}, { stem: 'h_next' }) as [string];
      return { output: next, state: [next], outputTerms: [kept, drive] };
    },
  };
}

/** b = Wb + Rb [H] from B [2H], in float32 as the cell adds them. */
function summedBias(B: HostTensor, H: number): HostTensor {
  return { shape: [H], data: Float32Array.from({ length: H }, (_, j) => (B.data[j] as number) + (B.data[H + j] as number)) };
}

/** α = σ(A) in float32, as the cell computes it. */
function leakRatesOf(A: HostTensor): Float32Array {
  return Float32Array.from(A.data, (a) => 1 / (1 + Math.exp(-a)));
}

/** `leaky` → the integrator step: U = W, R = R, b = Wb + Rb (when `bias`), α = σ(A) fixed at export. */
export const leakyOnnxStep: CellOnnxStepMapping<LeakyConfig> = integratorStep((weights, config) => {
  const B = weights.B;
  return {
    input: weights.W as HostTensor,
    recurrent: weights.R as HostTensor,
    bias: B && summedBias(B, config.hiddenSize),
    alpha: leakRatesOf(weights.A as HostTensor),
    activation: config.activation,
  };
});
