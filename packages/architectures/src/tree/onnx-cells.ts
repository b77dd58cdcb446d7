import { int64Constant, type HostTensor, type OnnxGraphBuilder } from '@unfold/core';
import type { TreeCellOnnxContext } from './family';
import type { NaryConfig, TreeCellSizes } from './cells';

/**
 * The tree cells as ONNX nodes (the equations of cells.ts), over n nodes of one height: x [n, I], children
 * [n, K, H] per state. Weights are stored [rows, columns]; the rows a product needs are transposed here,
 * on the host, so every product is a plain MatMul (or Gemm for x).
 */

/** Rows [start, start + count) of a [rows, columns] weight, transposed: [columns, count]. */
function rowsTransposed(w: HostTensor, start: number, count: number): HostTensor {
  const columns = w.shape[1] as number;
  const data = new Float32Array(columns * count);
  for (let r = 0; r < count; r++) for (let c = 0; c < columns; c++) data[c * count + r] = w.data[(start + r) * columns + c] as number;
  return { shape: [columns, count], data };
}

function one(graph: OnnxGraphBuilder, op: string, inputs: readonly string[], stem: string, attributes: Record<string, number | readonly number[]> = {}): string {
  return graph.node(op, inputs, attributes, { stem })[0] as string;
}

/** x Wᵀ + b as one Gemm: [n, rows]. */
function projectX(context: TreeCellOnnxContext<TreeCellSizes>): string {
  const { graph, weights, input } = context;
  return one(graph, 'Gemm', [input, graph.constant('W', weights.W as HostTensor), graph.constant('b', weights.b as HostTensor)], 'xw', { transB: 1 });
}

function sumChildren(graph: OnnxGraphBuilder, h: string): string {
  return one(graph, 'ReduceSum', [h, graph.constant('child_axis', int64Constant([1]))], 'h_sum', { keepdims: 0 });
}

/** Splits [n, G·H] along axis 1 into `parts` sizes. */
function split(graph: OnnxGraphBuilder, value: string, parts: readonly number[], stem: string): string[] {
  return graph.node('Split', [value, graph.constant(`${stem}_sizes`, int64Constant(parts))], { axis: 1 }, { outputs: parts.length, stem });
}

/** c = i ⊙ u + Σ_k f_k ⊙ c_k, h = o ⊙ tanh(c). */
function lstmTail(graph: OnnxGraphBuilder, pre: { i: string; o: string; u: string }, f: string, cChildren: string): string[] {
  const i = one(graph, 'Sigmoid', [pre.i], 'i');
  const o = one(graph, 'Sigmoid', [pre.o], 'o');
  const u = one(graph, 'Tanh', [pre.u], 'u');
  const fc = sumChildren(graph, one(graph, 'Mul', [f, cChildren], 'fc'));
  const c = one(graph, 'Add', [one(graph, 'Mul', [i, u], 'iu'), fc], 'c');
  return [one(graph, 'Mul', [o, one(graph, 'Tanh', [c], 'tanh_c')], 'h'), c];
}

export function treeRnnOnnx(context: TreeCellOnnxContext<TreeCellSizes>): readonly string[] {
  const { graph, weights, config } = context;
  const hSum = sumChildren(graph, context.children[0] as string);
  const uh = one(graph, 'MatMul', [hSum, graph.constant('Ut', rowsTransposed(weights.U as HostTensor, 0, config.hiddenSize))], 'uh');
  return [one(graph, 'Tanh', [one(graph, 'Add', [projectX(context), uh], 'pre')], 'h')];
}

export function childSumOnnx(context: TreeCellOnnxContext<TreeCellSizes>): readonly string[] {
  const { graph, weights, config } = context;
  const H = config.hiddenSize;
  const U = weights.U as HostTensor;
  const [h, c] = context.children as [string, string];
  const [xIou, xF] = split(graph, projectX(context), [3 * H, H], 'xw_parts') as [string, string];
  const iouPre = one(graph, 'Add', [xIou, one(graph, 'MatMul', [sumChildren(graph, h), graph.constant('U_iou_t', rowsTransposed(U, 0, 3 * H))], 'uh')], 'iou');
  const [i, o, u] = split(graph, iouPre, [H, H, H], 'gates') as [string, string, string];
  const fh = one(graph, 'MatMul', [h, graph.constant('U_f_t', rowsTransposed(U, 3 * H, H))], 'fh'); // [n, K, H]
  const fx = one(graph, 'Unsqueeze', [xF, graph.constant('child_axis_u', int64Constant([1]))], 'fx'); // [n, 1, H]
  const f = one(graph, 'Sigmoid', [one(graph, 'Add', [fh, fx], 'f_pre')], 'f');
  return lstmTail(graph, { i, o, u }, f, c);
}

export function naryOnnx(context: TreeCellOnnxContext<NaryConfig>): readonly string[] {
  const { graph, weights, config } = context;
  const H = config.hiddenSize;
  const N = config.arity;
  const U = weights.U as HostTensor;
  const [h, c] = context.children as [string, string];
  const hCat = one(graph, 'Reshape', [h, graph.constant('cat_shape', int64Constant([0, N * H]))], 'h_cat');
  const pre = one(graph, 'Add', [projectX(context), one(graph, 'MatMul', [hCat, graph.constant('Ut', rowsTransposed(U, 0, (3 + N) * H))], 'uh')], 'pre');
  const [i, o, u, fFlat] = split(graph, pre, [H, H, H, N * H], 'gates') as [string, string, string, string];
  const f = one(graph, 'Sigmoid', [one(graph, 'Reshape', [fFlat, graph.constant('f_shape', int64Constant([0, N, H]))], 'f_pre')], 'f');
  return lstmTail(graph, { i, o, u }, f, c);
}
