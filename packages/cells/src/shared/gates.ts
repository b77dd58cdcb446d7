/**
 * Gate weights for the fused forward steps. The cells store ONNX's layout: W [G·H, I], R [G·H, H] and
 * B [2·G·H] = [Wb; Rb], gate g in rows [g·H, (g+1)·H). A fused step evaluates each gate with one product
 * whose input projection is folded into the recurrent one:
 *
 *   pre_g = [x, h] · [W_g | R_g]ᵀ + (Wb_g + Rb_g)        [B, I+H] · [I+H, H] + [H]
 *
 * with the transposed copy [W_g | R_g]ᵀ made once per call (tfjs-wasm runs only non-transposed matMuls
 * on XNNPACK) and the bias, and σ or relu when the gate has nothing else to add, fused into the matMul.
 *
 * Why per gate and folded, measured here (wasm, B 32, H 128, I 32, one LSTM step, medians):
 *   one [B, H]·[H, 4H] product + add + tf.split into 4 gates  ~520 µs (the split is the wasm Slice
 *   kernel, see time-steps.ts); four [B, H]·[H, H] products + adds ~275 µs. Hoisting x·Wᵀ for all steps
 *   then needs its [T·B, 4H] result split per step (one tensor write per gate and step); folding x into
 *   the per-step product needs one concat and lets the bias and σ fuse, and was as fast or faster.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import type { ParamTensors } from '@unfold/core';

export interface FoldedGate {
  /** [1, K, H]: the gate's weight blocks, concatenated along their input axis, transposed (3-D, as the kernel takes it). */
  readonly weight: Tensor3D;
  /** [H], the sum of the gate's biases; undefined for a cell without bias. */
  readonly bias: Tensor1D | undefined;
}

/** The ONNX-layout weights of a cell with G gates of H units (B absent without bias). */
export interface OnnxWeights {
  readonly W: Tensor2D;
  readonly R: Tensor2D;
  readonly B: Tensor1D | undefined;
  readonly G: number;
  readonly H: number;
}

export function onnxWeights(params: ParamTensors, G: number, H: number): OnnxWeights {
  return { W: params.W as Tensor2D, R: params.R as Tensor2D, B: params.B as Tensor1D | undefined, G, H };
}

/** Rows [first·H, (first + count)·H) of a [G·H, K] weight: gates first … first + count − 1. */
export function gateRows(weight: Tensor2D, first: number, H: number, count = 1): Tensor2D {
  return tf.slice(weight, [first * H, 0], [count * H, weight.shape[1]]);
}

/** Wb_g [H], gate g's input bias, or undefined without bias. */
export function inputBias(w: OnnxWeights, g: number): Tensor1D | undefined {
  return w.B && tf.slice(w.B, [g * w.H], [w.H]);
}

/** Rb_g [H], gate g's recurrent bias, or undefined without bias. */
export function recurrentBias(w: OnnxWeights, g: number): Tensor1D | undefined {
  return w.B && tf.slice(w.B, [(w.G + g) * w.H], [w.H]);
}

/** [blocks[0] | blocks[1] | …]ᵀ and the sum of the defined biases. */
export function foldGate(blocks: readonly Tensor2D[], biases: readonly (Tensor1D | undefined)[]): FoldedGate {
  const defined = biases.filter((b): b is Tensor1D => b !== undefined);
  const weight = tf.transpose(blocks.length === 1 ? (blocks[0] as Tensor2D) : tf.concat([...blocks], 1)); // [K, H]
  return {
    weight: tf.expandDims(weight, 0),
    bias: defined.length === 0 ? undefined : defined.length === 1 ? defined[0] : (tf.addN(defined) as Tensor1D),
  };
}

/** Gate g with x and h folded: [W_g | R_g]ᵀ and Wb_g + Rb_g. Takes the input [x, h]. */
export function foldInputAndRecurrent(w: OnnxWeights, g: number): FoldedGate {
  return foldGate([gateRows(w.W, g, w.H), gateRows(w.R, g, w.H)], [inputBias(w, g), recurrentBias(w, g)]);
}

/**
 * act(input · weight + bias) as one `_FusedMatMul` kernel. `tf.fused.matMul` itself splits into
 * matMul + add + act whenever a gradient tape is recording (it cannot differentiate a fused σ), which
 * is always the case while a fused sequence trains; the fused forward runs inside `tf.customGrad`,
 * where no tape records and the backward is hand-written, so the kernel is called directly, with the
 * [1, M, K] operands it expects. Only for the fused paths: `step` must stay differentiable.
 */
function fusedProduct(input: Tensor2D, gate: FoldedGate, activation: 'linear' | 'sigmoid' | 'relu'): Tensor2D {
  const [M, K] = input.shape;
  const N = gate.weight.shape[2];
  const inputs = { a: tf.reshape(input, [1, M, K]), b: gate.weight, ...(gate.bias ? { bias: gate.bias } : {}) };
  const out = tf.engine().runKernel('_FusedMatMul', inputs, { transposeA: false, transposeB: false, activation }) as Tensor;
  return tf.reshape(out, [M, N]);
}

/** input · weight + bias: the gate's pre-activation [B, H]. */
export function preActivation(input: Tensor2D, gate: FoldedGate): Tensor2D {
  return fusedProduct(input, gate, 'linear');
}

/** σ(input · weight + bias) in one kernel. */
export function sigmoidGate(input: Tensor2D, gate: FoldedGate): Tensor2D {
  return fusedProduct(input, gate, 'sigmoid');
}

/** relu(input · weight + bias) in one kernel. */
export function reluGate(input: Tensor2D, gate: FoldedGate): Tensor2D {
  return fusedProduct(input, gate, 'relu');
}
