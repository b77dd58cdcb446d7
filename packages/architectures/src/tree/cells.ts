/**
 * Tree cells (Tai, Socher & Manning, "Improved semantic representations from tree-structured long
 * short-term memory networks", ACL 2015; the Tree-RNN after Socher et al. 2011, Goodfellow et al. 10.6).
 *
 * Legend: n nodes of one height, I input size, H hidden size, K arity; x [n, I]; child k's states
 * h_k, c_k [n, H] (zero rows for a missing child); σ the logistic sigmoid, ⊙ the element-wise product.
 *
 * `tree-rnn`
 *   h = tanh(W x + U Σ_k h_k + b)                 W [H, I], U [H, H], b [H]
 *
 * `child-sum-tree-lstm` (Tai et al. eqs. 2–8), children unordered, any number:
 *   h̃   = Σ_k h_k
 *   i   = σ(W_i x + U_i h̃ + b_i)
 *   o   = σ(W_o x + U_o h̃ + b_o)
 *   u   = tanh(W_u x + U_u h̃ + b_u)
 *   f_k = σ(W_f x + U_f h_k + b_f)                one forget gate per child
 *   c   = i ⊙ u + Σ_k f_k ⊙ c_k
 *   h   = o ⊙ tanh(c)
 *   W [4H, I] rows [W_i; W_o; W_u; W_f], U [4H, H] rows alike, b [4H]
 *
 * `nary-tree-lstm` (Tai et al. eqs. 9–14), children at positions ℓ = 1..N:
 *   i   = σ(W_i x + Σ_ℓ U_i^ℓ h_ℓ + b_i)          (o, u alike; u with tanh)
 *   f_k = σ(W_f x + Σ_ℓ U_f^{kℓ} h_ℓ + b_f^k)      a forget gate per child position k
 *   c   = i ⊙ u + Σ_ℓ f_ℓ ⊙ c_ℓ,   h = o ⊙ tanh(c)
 *   W [(3+N)H, I] rows [W_i; W_o; W_u; W_f (N times)], U [(3+N)H, N·H] (columns: h_1 … h_N), b [(3+N)H]
 *
 * States: [h] (tree-rnn) or [h, c]. Initialisation: U(−1/√H, 1/√H) for all, as the sequence cells.
 * Gradients: autodiff through these tfjs ops (checked by finite differences in the tests).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { defineConfig, field, uniform, type ParamSpec } from '@unfold/core';
import { ARCHITECTURES_META } from '../meta';
import { treeCellFamily, type TreeCellPlugin } from './family';
import { childSumOnnx, naryOnnx, treeRnnOnnx } from './onnx-cells';

const sizes = {
  inputSize: field.int({ doc: 'node input size I', min: 1 }),
  hiddenSize: field.int({ doc: 'hidden size H', min: 1 }),
};
const basicConfig = defineConfig(sizes);
const naryConfig = defineConfig({ ...sizes, arity: field.int({ doc: 'children positions N', min: 1, max: 16 }) });

export interface TreeCellSizes {
  readonly inputSize: number;
  readonly hiddenSize: number;
}
export interface NaryConfig extends TreeCellSizes {
  readonly arity: number;
}

function weights(rows: number, inputSize: number, columns: number, hiddenSize: number): ParamSpec[] {
  const init = uniform(-1 / Math.sqrt(hiddenSize), 1 / Math.sqrt(hiddenSize));
  return [
    { name: 'W', shape: [rows, inputSize], init, doc: 'input weights [G·H, I]' },
    { name: 'U', shape: [rows, columns], init, doc: 'child weights [G·H, C]' },
    { name: 'b', shape: [rows], init, doc: 'bias [G·H]' },
  ];
}

/** x Wᵀ + b: [n, rows]. */
function project(x: Tensor2D, W: Tensor2D, b: Tensor1D): Tensor2D {
  return tf.add(tf.matMul(x, W, false, true), b);
}

/**
 * From the pre-activations (columns [i | o | u | …]) and the forget gates f [n, K, H]:
 * c = σ(i) ⊙ tanh(u) + Σ_k f_k ⊙ c_k, h = σ(o) ⊙ tanh(c). Returns [h, c].
 */
function lstmTail(pre: Tensor2D, f: Tensor3D, cChildren: Tensor3D, H: number): Tensor2D[] {
  const n = pre.shape[0];
  const i = tf.sigmoid(tf.slice(pre, [0, 0], [n, H]));
  const o = tf.sigmoid(tf.slice(pre, [0, H], [n, H]));
  const u = tf.tanh(tf.slice(pre, [0, 2 * H], [n, H]));
  const c = tf.add(tf.mul(i, u), tf.sum(tf.mul(f, cChildren), 1)) as Tensor2D;
  return [tf.mul(o, tf.tanh(c)), c];
}

export const treeRnn = treeCellFamily.define<TreeCellPlugin<'tree-rnn', TreeCellSizes>>({
  kind: 'tree-rnn',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'h = tanh(W x + U Σ children h + b)',
  config: basicConfig,
  inputSize: (c) => c.inputSize,
  hiddenSize: (c) => c.hiddenSize,
  states: () => ['h'],
  parameters: (c) => weights(c.hiddenSize, c.inputSize, c.hiddenSize, c.hiddenSize),
  apply(params, x, children) {
    const hSum = tf.sum(children[0] as Tensor3D, 1) as Tensor2D; // [n, H]
    const pre = tf.add(project(x, params.W as Tensor2D, params.b as Tensor1D), tf.matMul(hSum, params.U as Tensor2D, false, true));
    return [tf.tanh(pre) as Tensor2D];
  },
  onnx: treeRnnOnnx,
});

export const childSumTreeLstm = treeCellFamily.define<TreeCellPlugin<'child-sum-tree-lstm', TreeCellSizes>>({
  kind: 'child-sum-tree-lstm',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'child-sum Tree-LSTM (Tai et al. 2015): summed children, one forget gate per child',
  config: basicConfig,
  inputSize: (c) => c.inputSize,
  hiddenSize: (c) => c.hiddenSize,
  states: () => ['h', 'c'],
  parameters: (c) => weights(4 * c.hiddenSize, c.inputSize, c.hiddenSize, c.hiddenSize),
  apply(params, x, children, config) {
    const H = config.hiddenSize;
    const h = children[0] as Tensor3D; // [n, K, H]
    const c = children[1] as Tensor3D;
    const [n, K] = h.shape;
    const U = params.U as Tensor2D;
    const xw = project(x, params.W as Tensor2D, params.b as Tensor1D); // [n, 4H]
    const iou = tf.add(tf.slice(xw, [0, 0], [n, 3 * H]), tf.matMul(tf.sum(h, 1) as Tensor2D, tf.slice(U, [0, 0], [3 * H, H]), false, true));
    const fx = tf.reshape(tf.slice(xw, [0, 3 * H], [n, H]), [n, 1, H]);
    const fh = tf.reshape(tf.matMul(tf.reshape(h, [n * K, H]), tf.slice(U, [3 * H, 0], [H, H]), false, true), [n, K, H]);
    return lstmTail(iou as Tensor2D, tf.sigmoid(tf.add(fx, fh)) as Tensor3D, c, H);
  },
  onnx: childSumOnnx,
});

export const naryTreeLstm = treeCellFamily.define<TreeCellPlugin<'nary-tree-lstm', NaryConfig>>({
  kind: 'nary-tree-lstm',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'N-ary Tree-LSTM (Tai et al. 2015): ordered child positions, a forget gate per position',
  config: naryConfig,
  inputSize: (c) => c.inputSize,
  hiddenSize: (c) => c.hiddenSize,
  states: () => ['h', 'c'],
  arity: (c) => c.arity,
  parameters: (c) => weights((3 + c.arity) * c.hiddenSize, c.inputSize, c.arity * c.hiddenSize, c.hiddenSize),
  apply(params, x, children, config) {
    const H = config.hiddenSize;
    const N = config.arity;
    const h = children[0] as Tensor3D; // [n, N, H]
    const c = children[1] as Tensor3D;
    const n = h.shape[0];
    const pre = tf.add(project(x, params.W as Tensor2D, params.b as Tensor1D), tf.matMul(tf.reshape(h, [n, N * H]), params.U as Tensor2D, false, true)); // [n, (3+N)H]
    const f = tf.sigmoid(tf.reshape(tf.slice(pre, [0, 3 * H], [n, N * H]), [n, N, H]));
    return lstmTail(pre as Tensor2D, f as Tensor3D, c, H);
  },
  onnx: naryOnnx,
});

/** The tree cells of this package. */
export const treeCells = Object.freeze([treeRnn, childSumTreeLstm, naryTreeLstm] as const);
