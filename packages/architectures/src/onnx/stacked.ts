import type { LayerOnnxMapping, ResolvedNode } from '@unfold/core';
import { stateOf } from '@unfold/core';

/**
 * `stacked` as ONNX: each entry's mapping reads the previous entry's outputs (a bare cell runs forward);
 * with `residual`, an Add of each layer's input from the second layer on. States: layer by layer.
 */
export const stackedOnnx: LayerOnnxMapping<{ readonly residual: boolean }> = (context) => {
  const layers = context.node.children.layers as readonly ResolvedNode[];
  let x = context.input;
  let offset = 0;
  const finalState: string[] = [];
  layers.forEach((layer, l) => {
    const count = stateOf(layer).length;
    const result = context.sequence(layer, { input: x, initialState: context.initialState.slice(offset, offset + count) });
    offset += count;
    x = context.node.config.residual && l > 0 ? (context.graph.node('Add', [result.outputs, x], {}, { stem: `layers.${l}.residual` })[0] as string) : result.outputs;
    finalState.push(...result.finalState);
  });
  return { outputs: x, finalState };
};
