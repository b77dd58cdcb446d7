import type { LayerOnnxMapping, OnnxGraphBuilder, ResolvedNode } from '@unfold/core';
import type { MergeMode } from '../bidirectional';
import { stateOf } from '@unfold/core';

/**
 * `bidirectional` as ONNX: the forward cell's mapping, the backward cell's mapping reversed within each
 * sequence's length, then the merge as one op per step-wise combination (padded steps stay 0 because both
 * directions output 0 there). States: the forward cell's, then the backward cell's.
 */
export const bidirectionalOnnx: LayerOnnxMapping<{ readonly merge: MergeMode }> = (context) => {
  const forward = context.node.children.forward as ResolvedNode;
  const backward = context.node.children.backward as ResolvedNode;
  const split = stateOf(forward).length;
  const ahead = context.sequence(forward, { input: context.input, initialState: context.initialState.slice(0, split) });
  const behind = context.sequence(backward, { input: context.input, initialState: context.initialState.slice(split), reverse: true });
  return { outputs: merge(context.graph, context.node.config.merge, ahead.outputs, behind.outputs), finalState: [...ahead.finalState, ...behind.finalState] };
};

function merge(graph: OnnxGraphBuilder, mode: MergeMode, ahead: string, behind: string): string {
  switch (mode) {
    case 'concat':
    case 'none':
      return graph.node('Concat', [ahead, behind], { axis: 2 }, { stem: 'merged' })[0] as string;
    case 'sum':
      return graph.node('Add', [ahead, behind], {}, { stem: 'merged' })[0] as string;
    case 'mean': {
      const [sum] = graph.node('Add', [ahead, behind], {}, { stem: 'sum' }) as [string];
      return graph.node('Mul', [sum, graph.constant('half', { shape: [], data: Float32Array.of(0.5) })], {}, { stem: 'merged' })[0] as string;
    }
    case 'product':
      return graph.node('Mul', [ahead, behind], {}, { stem: 'merged' })[0] as string;
  }
}
