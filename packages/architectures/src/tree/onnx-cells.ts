import { int64Constant, type HostTensor, type OnnxGraphBuilder } from '@unfold/core';
import type { TreeCellOnnxContext } from './family';
import type { NaryConfig, TreeCellSizes } from './cells';

/**
 * The tree cells as ONNX nodes (the equations of cells.ts), over n nodes of one height: x [n, I], children
 * [n, K, H] per state. W and b are stored as they are (x goes through a Gemm with transB); U is stored
 * transposed once on the host (`U_t`, [columns, rows]), so every product is a plain MatMul and the file
 * holds each weight under its path (or its transpose under `<path>_t`), as `readUnfoldModel` reads them.
 */

/** A [rows, columns] weight transposed: [columns, rows]. */
function transposed(w: HostTensor): HostTensor {
  const [rows = 0, columns = 0] = w.shape;
  const data = new Float32Array(columns * rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) data[c * rows + r] = w.data[r * columns + c] as number;
  return { shape: [columns, rows], data };
}

/** Columns [start, end) of a constant [rows, columns] as a Slice node. */
function columns(graph: OnnxGraphBuilder, value: string, start: number, end: number, stem: string): string {
  return one(graph, 'Slice', [value, graph.constant(`${stem}_start`, int64Constant([start])), graph.constant(`${stem}_end`, int64Constant([end])), graph.constant(`${stem}_axis`, int64Constant([1]))], stem);
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
  const { graph, weights } = context;
  const hSum = sumChildren(graph, context.children[0] as string);
  const uh = one(graph, 'MatMul', [hSum, graph.constant('U_t', transposed(weights.U as HostTensor))], 'uh');
  return [one(graph, 'Tanh', [one(graph, 'Add', [projectX(context), uh], 'pre')], 'h')];
}

export function childSumOnnx(context: TreeCellOnnxContext<TreeCellSizes>): readonly string[] {
  const { graph, weights, config } = context;
  const H = config.hiddenSize;
  const Ut = graph.constant('U_t', transposed(weights.U as HostTensor)); // [H, 4H]
  const [h, c] = context.children as [string, string];
  const [xIou, xF] = split(graph, projectX(context), [3 * H, H], 'xw_parts') as [string, string];
  const iouPre = one(graph, 'Add', [xIou, one(graph, 'MatMul', [sumChildren(graph, h), columns(graph, Ut, 0, 3 * H, 'U_iou_t')], 'uh')], 'iou');
  const [i, o, u] = split(graph, iouPre, [H, H, H], 'gates') as [string, string, string];
  const fh = one(graph, 'MatMul', [h, columns(graph, Ut, 3 * H, 4 * H, 'U_f_t')], 'fh'); // [n, K, H]
  const fx = one(graph, 'Unsqueeze', [xF, graph.constant('child_axis_u', int64Constant([1]))], 'fx'); // [n, 1, H]
  const f = one(graph, 'Sigmoid', [one(graph, 'Add', [fh, fx], 'f_pre')], 'f');
  return lstmTail(graph, { i, o, u }, f, c);
}

export function naryOnnx(context: TreeCellOnnxContext<NaryConfig>): readonly string[] {
  const { graph, weights, config } = context;
  const H = config.hiddenSize;
  const N = config.arity;
  const [h, c] = context.children as [string, string];
  const hCat = one(graph, 'Reshape', [h, graph.constant('cat_shape', int64Constant([0, N * H]))], 'h_cat');
  const pre = one(graph, 'Add', [projectX(context), one(graph, 'MatMul', [hCat, graph.constant('U_t', transposed(weights.U as HostTensor))], 'uh')], 'pre');
  const [i, o, u, fFlat] = split(graph, pre, [H, H, H, N * H], 'gates') as [string, string, string, string];
  const f = one(graph, 'Sigmoid', [one(graph, 'Reshape', [fFlat, graph.constant('f_shape', int64Constant([0, N, H]))], 'f_pre')], 'f');
  return lstmTail(graph, { i, o, u }, f, c);
}
