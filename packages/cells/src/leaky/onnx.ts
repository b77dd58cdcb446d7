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
 *   step:     g  = act(hₜ₋₁ · Rᵀ + Pₜ)   act tanh | relu
 *             hₜ = κ ⊙ hₜ₋₁ + α ⊙ g      κ = 1 − α [H];  output hₜ
 *           = κ ⊙ hₜ₋₁ + α ⊙ act(U xₜ + R hₜ₋₁ + b): the cell's step (leaky.ts, esn.ts)
 *
 * The step is MatMul, Add, Tanh | Relu, Mul, Mul, Add; with every α = 1 it is hₜ = g (MatMul, Add, act).
 * For relu α is folded into the weights, since α ⊙ relu(z) = relu(α ⊙ z) for α > 0: R̃ = Rᵀ diag(α) and
 * P̃ = α ⊙ P (U and b scaled by α), so the step is MatMul, Add, Relu, Mul, Add with no Mul by α.
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

/** (diag(s) · Mᵀ) [C, R] for M [R, C], i.e. Mᵀ with column c scaled by s[c] (s omitted: plain Mᵀ), in float32. */
function scaledTranspose(m: HostTensor, columnScale?: Float32Array): HostTensor {
  const [rows, cols] = m.shape as [number, number];
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = (m.data[r * cols + c] as number) * (columnScale ? (columnScale[r] as number) : 1);
  return { shape: [cols, rows], data };
}

/** How α enters the graph: not at all (every α = 1), folded into the weights (relu), or as κ and α in the step. */
type Leak = { readonly kind: 'none' } | { readonly kind: 'folded'; readonly alpha: Float32Array } | { readonly kind: 'step'; readonly alpha: Float32Array };

function leakOf(weights: IntegratorOnnxWeights): Leak {
  const alpha = Float32Array.from(weights.alpha);
  if (alpha.every((a) => a === 1)) return { kind: 'none' };
  return { kind: weights.activation === 'relu' ? 'folded' : 'step', alpha };
}

/** b [H] times s [H] (element-wise), in float32. */
function scaled(vector: HostTensor, scale: Float32Array | undefined): HostTensor {
  return scale ? { shape: vector.shape, data: Float32Array.from(vector.data, (v, i) => v * (scale[i] as number)) } : vector;
}

/** The integrator's per-step mapping, given the cell's view of its weights (one call per export of the cell). */
export function integratorStep<C>(weightsOf: (weights: Readonly<Record<string, HostTensor>>, config: C) => IntegratorOnnxWeights): CellOnnxStepMapping<C> {
  return {
    prepare({ graph, config, weights, input }) {
      const w = weightsOf(weights, config);
      const leak = leakOf(w);
      const fold = leak.kind === 'folded' ? leak.alpha : undefined;
      const [product] = graph.node('MatMul', [input, graph.constant(fold ? 'U_scaled_t' : 'U_t', scaledTranspose(w.input, fold))], {}, { stem: 'input_projection' }) as [string];
      const projected = w.bias ? (graph.node('Add', [product, graph.constant('b', scaled(w.bias, fold))], {}, { stem: 'projected' })[0] as string) : product; // P [T, B, H]
      return { input: projected, size: w.alpha.length };
    },
    step({ graph, config, weights, input, state }) {
      const w = weightsOf(weights, config);
      const leak = leakOf(w);
      const fold = leak.kind === 'folded' ? leak.alpha : undefined;
      const h = state[0] as string;
      const R = graph.constant(fold ? 'R_scaled_t' : 'R_t', scaledTranspose(w.recurrent, fold));
      const [recurrent] = graph.node('MatMul', [h, R], {}, { stem: 'recurrent' }) as [string]; // [B, H]
      const [pre] = graph.node('Add', [recurrent, input], {}, { stem: 'pre' }) as [string];
      const [g] = graph.node(ACTIVATION_OPS[w.activation], [pre], {}, { stem: 'g' }) as [string]; // g, or α ⊙ g when folded
      if (leak.kind === 'none') return { output: g, state: [g] };
      const [kept] = graph.node('Mul', [h, graph.constant('keep', { shape: [leak.alpha.length], data: Float32Array.from(w.alpha, (a) => 1 - a) })], {}, { stem: 'kept' }) as [string]; // κ ⊙ h
      const drive = fold ? g : (graph.node('Mul', [g, graph.constant('alpha', { shape: [leak.alpha.length], data: leak.alpha })], {}, { stem: 'drive' })[0] as string); // α ⊙ g
      const [next] = graph.node('Add', [kept, drive], {}, { stem: 'h_next' }) as [string];
      return { output: next, state: [next] };
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
