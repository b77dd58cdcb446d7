import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { defineConfig, defineLayer, isMap, ShapeError, type BoundNode, type ForwardContext, type HeadPlugin, type ResolvedNode, type SequenceInput, type SequenceOutput, type TreeValue } from '@unfold/core';
import { ARCHITECTURES_META } from '../meta';
import { checkTreeValue } from './value';
import { evaluateForest, rowsAt } from './evaluate';
import type { TreeCellPlugin } from './family';
import { buildForestGraph } from './onnx-forest';

/**
 * `recursive` (the tree layer): a recursive network over a forest. Every node is computed from its input and its children's
 * states by the `cell` (a tree-cell), all nodes of one height at once (evaluate.ts); an optional
 * `embedding` maps token ids to the node inputs and an optional `head` maps every node's h to its output.
 *
 *   input   TreeValue: nodes [N] int32 ids (with an embedding) or [N, I] features; children [N·K]; levels; roots [B]
 *   output  [B, 1, O] the root readout (one row per tree: classification or regression of the whole tree)
 *   ports   `nodes`: x [N, O], every node's output (a label at every node, as in sentiment treebanks)
 *   state   the roots' states [B, H] each (`cell.h`, `cell.c`), final only: trees start from their leaves
 *
 * O is the head's output size, or H without a head. Pass the forest as `{ x: tree.nodes, tree }`
 * (`TreeInput`); `runTree` is the same without the sequence wrapper.
 *
 * Export: the layer's `onnxForest` (buildForestGraph, onnx-forest.ts) emits the whole forest graph, which
 * @unfold/onnx's exportTreeModel wraps with the file's interface (a `tree` input port).
 */
export interface TreeInput extends SequenceInput {
  readonly tree: TreeValue;
}

export interface TreeResult {
  /** [B, O] one row per tree. */
  readonly roots: Tensor2D;
  /** [N, O] every node's output. */
  readonly nodes: Tensor2D;
  /** Each cell state at every node, [N, H]. */
  readonly states: readonly Tensor2D[];
}

function child(node: ResolvedNode, slot: string): ResolvedNode | undefined {
  return node.children[slot] as ResolvedNode | undefined;
}
function cellOf(node: ResolvedNode): ResolvedNode<unknown, TreeCellPlugin> {
  return node.children.cell as ResolvedNode<unknown, TreeCellPlugin>;
}
function headOf(node: ResolvedNode, slot: string): ResolvedNode<unknown, HeadPlugin> | undefined {
  const found = child(node, slot);
  return found && isMap(found.plugin) ? (found as ResolvedNode<unknown, HeadPlugin>) : undefined;
}

/** The arity the cell evaluates with: its fixed N, or the forest's own. */
export function cellArity(node: ResolvedNode, forestArity: number): number {
  const cell = cellOf(node);
  return cell.plugin.arity?.(cell.config) ?? forestArity;
}

export function treeOutputSize(node: ResolvedNode): number {
  const head = headOf(node, 'head');
  const cell = cellOf(node);
  return head ? head.plugin.outputSize(head.config) : cell.plugin.hiddenSize(cell.config);
}

/** Runs the layer over a forest (checked first: indices, levels, roots). */
export function runTree(bound: BoundNode, tree: TreeValue, context?: ForwardContext): TreeResult {
  checkTreeValue(tree);
  const node = bound.node;
  const embed = headOf(node, 'embedding');
  const x = (embed ? (embed.plugin.apply(bound.child('embedding').params, tree.nodes, embed.config, context) as Tensor2D) : (tree.nodes as Tensor2D));
  const cell = cellOf(node);
  if (x.rank !== 2 || x.shape[1] !== cell.plugin.inputSize(cell.config)) {
    throw new ShapeError('node inputs have the wrong shape', { where: node.path || 'tree', expected: `[N, ${cell.plugin.inputSize(cell.config)}]${embed ? ' after the embedding' : ''}`, got: `[${x.shape.join(', ')}]` });
  }
  const states = evaluateForest(bound.child('cell'), x, tree, cellArity(node, tree.arity));
  const head = headOf(node, 'head');
  const h = states[0] as Tensor2D;
  const nodes = head ? (head.plugin.apply(bound.child('head').params, h, head.config, context) as Tensor2D) : h;
  return { roots: rowsAt(nodes, tree.roots), nodes, states };
}

/** The forest-graph mapping @unfold/onnx's exportTreeModel looks for on a layer with a tree input port. */
const forestExport = { onnxForest: buildForestGraph };

export const treeLayer = defineLayer({
  ...forestExport,
  kind: 'recursive',
  meta: ARCHITECTURES_META,
  schemaVersion: 1,
  summary: 'a recursive network: a tree cell over every node of a forest, height by height',
  config: defineConfig({}),
  children: () => [
    { name: 'embedding', families: ['head'], list: false, optional: true },
    { name: 'cell', families: ['tree-cell'], list: false },
    { name: 'head', families: ['head'], list: false, optional: true },
  ],
  inputSize: (node) => {
    const embed = headOf(node, 'embedding');
    return embed ? embed.plugin.inputSize(embed.config) : cellOf(node).plugin.inputSize(cellOf(node).config);
  },
  inputKind: (node) => (headOf(node, 'embedding')?.plugin.inputKind === 'tokens' ? 'tokens' : 'features'),
  outputSize: treeOutputSize,
  inputs: (node) => {
    const embed = headOf(node, 'embedding');
    const size = embed ? embed.plugin.inputSize(embed.config) : cellOf(node).plugin.inputSize(cellOf(node).config);
    return [{ name: 'input', kind: 'tree', size, nodes: embed?.plugin.inputKind === 'tokens' ? 'tokens' : 'features', doc: 'a forest: node inputs, child indices, evaluation order' }];
  },
  outputs: (node) => [
    { name: 'output', kind: 'vector', size: treeOutputSize(node), doc: 'the root readout, one row per tree' },
    { name: 'nodes', kind: 'vector', size: treeOutputSize(node), doc: 'every node’s output, in node order' },
  ],
  state: (node) => {
    const cell = cellOf(node);
    return cell.plugin.states(cell.config).map((name) => ({ name: `cell.${name}`, shape: [cell.plugin.hiddenSize(cell.config)], size: cell.plugin.hiddenSize(cell.config) }));
  },
  semantics: (node) => ({ readout: 'pooled', emits: headOf(node, 'head')?.plugin.emits?.(headOf(node, 'head')?.config) === 'probabilities' ? 'probabilities' : 'features' }),
  checkChildren(node) {
    const embed = headOf(node, 'embedding');
    const cell = cellOf(node);
    if (embed && embed.plugin.outputSize(embed.config) !== cell.plugin.inputSize(cell.config)) {
      throw new ShapeError('embedding and cell sizes disagree', { where: `${node.path ? `${node.path}.` : ''}cell`, expected: `inputSize ${embed.plugin.outputSize(embed.config)} (the embedding's size)`, got: String(cell.plugin.inputSize(cell.config)) });
    }
    const head = headOf(node, 'head');
    if (head && head.plugin.inputSize(head.config) !== cell.plugin.hiddenSize(cell.config)) {
      throw new ShapeError('cell and head sizes disagree', { where: `${node.path ? `${node.path}.` : ''}head`, expected: `inputSize ${cell.plugin.hiddenSize(cell.config)} (the cell's hidden size)`, got: String(head.plugin.inputSize(head.config)) });
    }
  },
  forward(bound, input: SequenceInput, context): SequenceOutput {
    const tree = (input as Partial<TreeInput>).tree;
    if (!tree) throw new ShapeError('the tree layer needs a forest', { where: bound.node.path || 'tree', expected: '{ x: tree.nodes, tree } (TreeInput)', got: 'a sequence input', fix: 'flatten the trees with flattenForest and treeValue' });
    const result = runTree(bound, tree, context);
    const B = tree.roots.length;
    const finalState = result.states.map((s) => rowsAt(s, tree.roots));
    return { outputs: tf.reshape(result.roots, [B, 1, -1]) as Tensor3D, finalState, ports: { nodes: { x: result.nodes } } };
  },
});
