import type { HeadOnnxMapping, HostTensor } from '@unfold/core';
import type { DenseActivation } from '../heads/dense';

const ACTIVATION_OPS: Readonly<Record<Exclude<DenseActivation, 'linear'>, string>> = { tanh: 'Tanh', sigmoid: 'Sigmoid', relu: 'Relu', softmax: 'Softmax' };

/** W [O, I] to Wᵀ [I, O], so the head is a plain MatMul over any leading axes. */
function transpose(w: HostTensor): HostTensor {
  const [rows, cols] = w.shape as [number, number];
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = w.data[r * cols + c] as number;
  return { shape: [cols, rows], data };
}

/**
 * `dense` as ONNX: y = act(x · Wᵀ + b) as MatMul with the transposed weights (`W_t`, [I, O]), Add of `b`,
 * then Tanh / Sigmoid / Relu / Softmax (over the last axis, opset 13+ semantics) or nothing for linear.
 */
export const denseOnnx: HeadOnnxMapping<{ readonly bias: boolean; readonly activation: DenseActivation }> = ({ graph, config, weights, input }) => {
  const [linear] = graph.node('MatMul', [input, graph.constant('W_t', transpose(weights.W as HostTensor))], {}, { stem: 'linear' }) as [string];
  const z = config.bias ? (graph.node('Add', [linear, graph.constant('b', weights.b as HostTensor)], {}, { stem: 'affine' })[0] as string) : linear;
  if (config.activation === 'linear') return z;
  const op = ACTIVATION_OPS[config.activation];
  return graph.node(op, [z], op === 'Softmax' ? { axis: -1 } : {}, { stem: config.activation })[0] as string;
};
