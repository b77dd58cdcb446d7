import type { Tensor2D, Tensor3D } from '@tensorflow/tfjs-core';
import { defineFamily, type HostTensor, type OnnxGraphBuilder, type ParamSpec, type ParamTensors, type Plugin } from '@unfold/core';

/**
 * The `tree-cell` family (role `component`): the computation of one node from its input and its children's
 * states, run by the `tree` layer over all nodes of one height at once. Its contract:
 *
 *   apply(params, x [n, I], children [n, K, H] per state, config) → the node's states, each [n, H]
 *
 * n nodes of one height, K the arity (a missing child's states are zero rows, so a sum over children
 * needs no mask), H the hidden size; the first state is the node's output h. A third party defines a
 * tree cell with `treeCellFamily.define({...})` and registers it like any plugin.
 */
export interface TreeCellOnnxContext<C> {
  readonly graph: OnnxGraphBuilder;
  readonly config: C;
  readonly weights: Readonly<Record<string, HostTensor>>;
  /** The nodes' inputs, float32 [n, I]. */
  readonly input: string;
  /** The children's states, one per state, each float32 [n, K, H]. */
  readonly children: readonly string[];
  /** K, fixed when exporting. */
  readonly arity: number;
}

export interface TreeCellPlugin<K extends string = string, C = any> extends Plugin<'tree-cell', K, C> {
  inputSize(config: C): number;
  hiddenSize(config: C): number;
  /** Names of the node states, output first: ['h'] or ['h', 'c']. */
  states(config: C): readonly string[];
  /** A fixed arity N (children are positions 0..N−1), or undefined for any number of children. */
  arity?(config: C): number | undefined;
  parameters(config: C): readonly ParamSpec[];
  apply(params: ParamTensors, x: Tensor2D, children: readonly Tensor3D[], config: C): Tensor2D[];
  /** The same as ONNX nodes: returns the node states' value names, each [n, H]. */
  readonly onnx?: (context: TreeCellOnnxContext<C>) => readonly string[];
}

export const treeCellFamily = defineFamily({
  name: 'tree-cell',
  summary: 'one node of a recursive network from its input and its children’s states',
  role: 'component',
  required: ['inputSize', 'hiddenSize', 'states', 'parameters', 'apply'],
  exportedBy: ['onnx'],
});
