import { checkWeights, ExportError, portsOf, resolveModel, type ModelData, type PortSpec, type Registry, type ResolvedNode, type WeightMap } from '@unfold/core';
import { FOREST_TENSORS, INTERFACE_VERSION, MAIN_ENTRY, type EntryInterface, type InterfaceTensor } from '@unfold/core/interface';
import { interfaceSemantics } from './export-entries';
import { checkMappings } from './mapping';
import { checkExtraMetadata, modelMetadata } from './metadata';
import { createModelBuilder, type OnnxModelBuilder } from './model-graph';
import { serializeGraph } from './serialize';

/*
 * Exporting a model whose root reads a `tree` port (a recursive network over a forest) to one
 * self-describing ONNX file: the whole forest in one onnxruntime call. The root's plugin gives the graph
 * through `onnxForest` (the `recursive` layer of @unfold/architectures: a Loop over heights with
 * Gather/ScatterND, see its tree/onnx-forest.ts); this module owns the file around it: the interface (v2,
 * one entry `main`, task `predict`), the metadata and the checks.
 *
 * The interface, N nodes in the forest, B trees, L heights:
 *
 *   nodes          int32 [nodes] token ids (a model with an embedding) or float32 [nodes, I] features
 *   children       int32 [nodes, K] child indices, −1 for none (K fixed for an N-ary cell, else symbolic)
 *   order          int32 [nodes] the nodes sorted by height (levels concatenated)
 *   level_offsets  int32 [levels_plus_1] where each height starts in `order`: 0, |level 0|, …, N
 *   roots          int32 [trees] each tree's root
 *   →  output        float32 [trees, O]  the root readout
 *      node_outputs  float32 [nodes, O]  every node's output, in node order
 *
 * Ports: input `input` (kind `tree`, carried by `nodes`; size the vocabulary or I), outputs `output` and
 * `nodes` (kind `vector`). A runtime flattens trees to these tensors (post-order numbering, levels by height).
 */

/**
 * A layer reading a tree port exports through this member: it declares the forest tensors as the graph's
 * inputs and outputs, emits the graph between them, and returns the children's fixed arity K (an N-ary
 * cell's N), or null when any K works.
 */
export type ForestOnnxMapping = (graph: OnnxModelBuilder, root: ResolvedNode, weights: WeightMap) => { readonly arity: number | null };

function forestMapping(root: ResolvedNode): ForestOnnxMapping | undefined {
  const member = (root.plugin as unknown as { readonly onnxForest?: unknown }).onnxForest;
  return typeof member === 'function' ? (member as ForestOnnxMapping) : undefined;
}

/** The root's tree input port, when it reads one. */
export function treeInputOf(root: ResolvedNode): PortSpec | undefined {
  const input = portsOf(root).inputs[0];
  return input?.kind === 'tree' ? input : undefined;
}

/** True when the model's root reads a tree port: `exportModel` then writes the forest interface. */
export function isTreeRoot(root: ResolvedNode): boolean {
  return treeInputOf(root) !== undefined;
}

/** The interface of a tree model's file (see the module comment). `arity` is the fixed K, or null. */
export function describeTreeInterface(root: ResolvedNode, arity: number | null): EntryInterface {
  const input = treeInputOf(root) as PortSpec;
  const output = portsOf(root).outputs[0] as PortSpec;
  const tokens = input.nodes !== 'features';
  const O = output.size;
  const t = FOREST_TENSORS;
  const inputs: InterfaceTensor[] = [
    tokens
      ? { name: t.nodes, dtype: 'int32', shape: ['nodes'], doc: `each node's token id in [0, ${input.size}), nodes numbered tree by tree in post-order (children before parents)` }
      : { name: t.nodes, dtype: 'float32', shape: ['nodes', input.size], doc: "each node's features, nodes numbered tree by tree in post-order (children before parents)" },
    { name: t.children, dtype: 'int32', shape: ['nodes', arity ?? 'arity'], doc: `node n's k-th child at [n, k], −1 for none${arity === null ? '' : ` (the cell's fixed ${arity} positions)`}` },
    { name: t.order, dtype: 'int32', shape: ['nodes'], doc: 'the nodes sorted by height (0 for a leaf, 1 + the largest child height otherwise): the levels concatenated' },
    { name: t.levelOffsets, dtype: 'int32', shape: ['levels_plus_1'], doc: 'where each height starts in order: 0, |level 0|, |level 0| + |level 1|, …, nodes' },
    { name: t.roots, dtype: 'int32', shape: ['trees'], doc: "each tree's root node" },
  ];
  const outputs: InterfaceTensor[] = [
    { name: t.output, dtype: 'float32', shape: ['trees', O], doc: "each tree's root output (the readout of the whole tree)" },
    { name: t.nodeOutputs, dtype: 'float32', shape: ['nodes', O], doc: "every node's output, in node order" },
  ];
  return {
    version: INTERFACE_VERSION as 2,
    entry: MAIN_ENTRY,
    tasks: ['predict'],
    ports: {
      inputs: [{ name: input.name, kind: 'tree', size: input.size, tensor: t.nodes }],
      outputs: [
        { name: output.name, kind: 'vector', size: O, tensor: t.output },
        { name: 'nodes', kind: 'vector', size: O, tensor: t.nodeOutputs },
      ],
    },
    semantics: interfaceSemantics(root),
    inputs,
    outputs,
    states: [],
  };
}

/** Options of exportTreeModel: those of exportModel that apply to a forest graph. */
export interface TreeExportOptions {
  readonly name?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Exports a tree model (a root reading a `tree` port whose plugin has `onnxForest`) to the bytes of one
 * ONNX file (opset 17, IR 8) carrying interface v2. Everything is checked first: the spec, the weights,
 * every part's mapping.
 */
export function exportTreeModel(registry: Registry, model: ModelData, options: TreeExportOptions = {}): Uint8Array {
  const root = resolveModel(registry, model.spec);
  return exportTreeRoot(root, model, options);
}

/** exportTreeModel for a resolved root (exportModel calls it for a tree root). */
export function exportTreeRoot(root: ResolvedNode, model: ModelData, options: TreeExportOptions = {}): Uint8Array {
  const where = root.path || 'model';
  if (!isTreeRoot(root)) throw new ExportError('not a tree model', { where, expected: 'a root reading a tree port (the recursive layer)', got: `${root.plugin.family} ${JSON.stringify(root.plugin.kind)}`, fix: 'export sequence models with exportModel' });
  const mapping = forestMapping(root);
  if (!mapping) throw new ExportError(`${root.plugin.family} ${JSON.stringify(root.plugin.kind)} has no forest mapping`, { where, expected: 'an `onnxForest` member on the plugin (the graph of a whole forest)', got: `none in ${root.plugin.meta.package}@${root.plugin.meta.version}` });
  checkWeights(root, model.weights, 'exportTreeModel weights');
  for (const child of Object.values(root.children)) (Array.isArray(child) ? child : [child as ResolvedNode]).forEach(checkMappings);
  checkExtraMetadata(options.metadata ?? {}, 'exportTreeModel options.metadata');
  const t = FOREST_TENSORS;
  const graph = createModelBuilder([t.nodes, t.children, t.order, t.levelOffsets, t.roots, t.output, t.nodeOutputs]);
  const { arity } = mapping(graph, root, model.weights);
  const described = describeTreeInterface(root, arity);
  const metadata = modelMetadata(root, model.spec, described, options.metadata);
  return serializeGraph(graph, { name: options.name ?? root.plugin.kind, docString: options.docString ?? `${root.plugin.kind}: ${root.plugin.summary}`, metadata });
}
