import { ExportError, int64Constant, ONNX_INT64, type HeadPlugin, type HostTensor, type OnnxGraphBuilder, type OnnxValueType, type ResolvedNode, type WeightMap } from '@unfold/core';
import { FOREST_TENSORS } from '@unfold/core/interface';
import type { TreeCellPlugin } from './family';

/**
 * A whole forest in one ONNX graph (one onnxruntime call), the `recursive` layer's equivalent of
 * `runTree`. Graph inputs (all int32 but `nodes` with features):
 *
 *   nodes          [N] token ids (with an embedding) or [N, I] float32 features
 *   children       [N, K] child indices, −1 for none (K = the cell's N for an N-ary cell)
 *   order          [N] the nodes sorted by height (levels concatenated)
 *   level_offsets  [L + 1] where each level starts in `order` (0, |level 0|, …, N)
 *   roots          [B] each tree's root
 *
 * outputs `output` [B, O] (the roots' outputs) and `node_outputs` [N, O]. The graph keeps one state table
 * per cell state, [N + 1, H], row 0 zeros (the missing child), row 1 + n node n, and runs a `Loop` over the
 * L heights; iteration h gathers the level's nodes (`Slice` of `order`), their inputs and their children's
 * rows (`Gather`), applies the cell's own mapping to all of them at once, and writes their rows
 * (`ScatterND`). Children always come from earlier levels, so every row read is already written.
 */
export interface ForestGraphBuilder extends OnnxGraphBuilder {
  input(name: string, type: OnnxValueType): string;
  output(name: string, value: string, type: OnnxValueType): void;
}

const T = FOREST_TENSORS;
export const FOREST_INPUTS = [T.nodes, T.children, T.order, T.levelOffsets, T.roots] as const;
export const FOREST_OUTPUTS = [T.output, T.nodeOutputs] as const;

function localWeights(weights: WeightMap, path: string): Record<string, HostTensor> {
  const prefix = `${path}.`;
  return Object.fromEntries(Object.entries(weights).filter(([name]) => name.startsWith(prefix)).map(([name, w]) => [name.slice(prefix.length), w]));
}

function one(graph: OnnxGraphBuilder, op: string, inputs: readonly string[], stem: string, attributes: Record<string, number | readonly number[]> = {}): string {
  return graph.node(op, inputs, attributes, { stem })[0] as string;
}

/**
 * The graph as a plugin at `path` sees it: every stem prefixed with the path, so the plugin's weights are
 * initializers named by their parameter paths (`cell.W`, `head.W_t`), which `readUnfoldModel` reads back.
 */
export function underPath(graph: OnnxGraphBuilder, path: string): OnnxGraphBuilder {
  if (!path) return graph;
  const qualify = (stem: string): string => `${path}.${stem}`;
  return {
    constant: (stem, value) => graph.constant(qualify(stem), value),
    node: (op, inputs, attributes, options = {}) => graph.node(op, inputs, attributes, { ...options, stem: qualify(options.stem ?? op) }),
    subgraph: (stem, signature, body) => graph.subgraph(qualify(stem), signature, (inner, inputs) => body(underPath(inner, path), inputs)),
  };
}

function head(graph: OnnxGraphBuilder, node: ResolvedNode | undefined, weights: WeightMap, input: string): string {
  if (!node) return input;
  const plugin = node.plugin as HeadPlugin;
  if (!plugin.onnx) throw new ExportError(`head "${plugin.kind}" has no ONNX mapping`, { where: node.path, expected: 'a head with onnx', got: 'none' });
  return plugin.onnx({ graph: underPath(graph, node.path), config: node.config, weights: localWeights(weights, node.path), input });
}

/**
 * Emits the forest graph of a `recursive` root (resolved) with its weights into `graph`; returns the
 * children input's fixed arity (the N of an N-ary cell), or null when it takes any.
 */
export function buildForestGraph(graph: ForestGraphBuilder, root: ResolvedNode, weights: WeightMap): { readonly arity: number | null } {
  const cellNode = root.children.cell as ResolvedNode<unknown, TreeCellPlugin>;
  const cell = cellNode.plugin;
  if (!cell.onnx) throw new ExportError(`tree-cell "${cell.kind}" has no ONNX mapping`, { where: cellNode.path, expected: 'a tree cell with onnx', got: 'none' });
  const embedding = root.children.embedding as ResolvedNode<unknown, HeadPlugin> | undefined;
  const output = root.children.head as ResolvedNode<unknown, HeadPlugin> | undefined;
  const H = cell.hiddenSize(cellNode.config);
  const I = cell.inputSize(cellNode.config);
  const fixed = cell.arity?.(cellNode.config);
  const O = output ? output.plugin.outputSize(output.config) : H;
  const states = cell.states(cellNode.config);
  const nodes = graph.input(T.nodes, embedding ? { dtype: 'int32', shape: ['nodes'] } : { dtype: 'float32', shape: ['nodes', I] });
  const children = graph.input(T.children, { dtype: 'int32', shape: ['nodes', fixed ?? 'arity'] });
  const order = graph.input(T.order, { dtype: 'int32', shape: ['nodes'] });
  const offsets = graph.input(T.levelOffsets, { dtype: 'int32', shape: ['levels_plus_1'] });
  const roots = graph.input(T.roots, { dtype: 'int32', shape: ['trees'] });
  const cast = (value: string, stem: string): string => one(graph, 'Cast', [value], stem, { to: ONNX_INT64 });
  const x = head(graph, embedding, weights, nodes); // [N, I]
  const children64 = cast(children, 'children64');
  const order64 = cast(order, 'order64');
  const offsets64 = cast(offsets, 'offsets64');
  const one64 = graph.constant('one', int64Constant([1], []));
  const count = one(graph, 'Sub', [one(graph, 'Size', [offsets], 'offsets_size'), one64], 'levels');
  const N = one(graph, 'Slice', [one(graph, 'Shape', [order], 'order_shape'), graph.constant('zero_1', int64Constant([0])), graph.constant('one_1', int64Constant([1]))], 'n');
  const tableShape = one(graph, 'Concat', [one(graph, 'Add', [N, graph.constant('one_v', int64Constant([1]))], 'rows'), graph.constant('hidden', int64Constant([H]))], 'table_shape', { axis: 0 });
  const zeros = graph.node('ConstantOfShape', [tableShape], { value: { tensor: { shape: [1], data: new Float32Array(1) } } }, { stem: 'table0' })[0] as string;
  const tableType: OnnxValueType = { dtype: 'float32', shape: [null, H], stem: 'table' };
  const body = graph.subgraph('heights', {
    inputs: [{ dtype: 'int64', shape: [], stem: 'height' }, { dtype: 'bool', shape: [], stem: 'cond' }, ...states.map(() => tableType)],
    outputs: [{ dtype: 'bool', shape: [] }, ...states.map(() => tableType)],
  }, (g, [height, , ...tables]) => {
    const at = one(g, 'Unsqueeze', [height as string, g.constant('axis0', int64Constant([0]))], 'at'); // [1]
    const start = one(g, 'Gather', [offsets64, at], 'start', { axis: 0 });
    const end = one(g, 'Gather', [offsets64, one(g, 'Add', [at, g.constant('next', int64Constant([1]))], 'at_next')], 'end', { axis: 0 });
    const level = one(g, 'Slice', [order64, start, end], 'level'); // [n]
    const xs = one(g, 'Gather', [x, level], 'level_x', { axis: 0 });
    const rows = one(g, 'Add', [one(g, 'Gather', [children64, level], 'level_children', { axis: 0 }), g.constant('shift', int64Constant([1], []))], 'child_rows'); // [n, K]
    const kids = (tables as string[]).map((table, s) => one(g, 'Gather', [table, rows], `children_${states[s]}`, { axis: 0 })); // [n, K, H]
    const next = (cell.onnx as NonNullable<TreeCellPlugin['onnx']>)({ graph: underPath(g, cellNode.path), config: cellNode.config, weights: localWeights(weights, cellNode.path), input: xs, children: kids, arity: fixed ?? 0 });
    const target = one(g, 'Unsqueeze', [one(g, 'Add', [level, g.constant('shift_rows', int64Constant([1], []))], 'level_rows'), g.constant('axis1', int64Constant([1]))], 'targets'); // [n, 1]
    const written = (tables as string[]).map((table, s) => one(g, 'ScatterND', [table, target, next[s] as string], `table_${states[s]}`));
    const keep = g.constant('keep_going', { dtype: 'int32', shape: [], data: Int32Array.from([1]) });
    return [one(g, 'Cast', [keep], 'cond_out', { to: 9 }), ...written];
  });
  const finals = graph.node('Loop', [count, '', ...states.map(() => zeros)], { body }, { outputs: states.length, stem: 'tables' });
  const h = one(graph, 'Slice', [finals[0] as string, graph.constant('from_row', int64Constant([1])), graph.constant('to_end', int64Constant([2 ** 31 - 1]))], 'node_h'); // [N, H]
  const perNode = head(graph, output, weights, h);
  graph.output(T.nodeOutputs, perNode, { dtype: 'float32', shape: ['nodes', O] });
  graph.output(T.output, one(graph, 'Gather', [perNode, roots], 'root_outputs', { axis: 0 }), { dtype: 'float32', shape: ['trees', O] });
  return { arity: fixed ?? null };
}
