import type { LayerOnnxMapping, ResolvedNode } from '@unfold/core';

/** `recurrent` as ONNX: its cell's own mapping, run forward or reversed within each sequence's length. */
export const recurrentOnnx: LayerOnnxMapping<{ readonly reverse: boolean }> = (context) =>
  context.sequence(context.node.children.cell as ResolvedNode, { input: context.input, initialState: context.initialState, reverse: context.node.config.reverse });
