import type { HeadOnnxMapping, HostTensor } from '@unfold/core';

/** `embedding` as ONNX: Gather of rows of E [V, D] by int32 ids (any shape) on axis 0, a copy of E. */
export const embeddingOnnx: HeadOnnxMapping<unknown> = ({ graph, weights, input }) =>
  graph.node('Gather', [graph.constant('E', weights.E as HostTensor), input], { axis: 0 }, { stem: 'vectors' })[0] as string;
