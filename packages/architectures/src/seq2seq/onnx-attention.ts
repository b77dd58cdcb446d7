import type { HostTensor, OnnxGraphBuilder } from '@unfold/core';
import type { AdditiveConfig, AttentionOnnxContext, DotConfig } from './attention';

/**
 * The attention scorers as ONNX nodes (the equations of attention.ts). Shapes: memory [B, S, E], keys
 * [B, S, K], query [B, 1, Q], scores [B, 1, S]. Weights [rows, columns] are transposed on the host so
 * every product is a plain MatMul.
 */

function one(graph: OnnxGraphBuilder, op: string, inputs: readonly string[], stem: string, attributes: Record<string, number | readonly number[]> = {}): string {
  return graph.node(op, inputs, attributes, { stem })[0] as string;
}

/** A [rows, columns] weight transposed to [columns, rows]. */
export function transposed(w: HostTensor): HostTensor {
  const [rows, columns] = w.shape as [number, number];
  const data = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) data[c * rows + r] = w.data[r * columns + c] as number;
  return { shape: [columns, rows], data };
}

/** query · keysᵀ: [B, 1, K] × [B, K, S] → [B, 1, S]. */
function dotScores(graph: OnnxGraphBuilder, query: string, keys: string): string {
  return one(graph, 'MatMul', [query, one(graph, 'Transpose', [keys], 'keys_t', { perm: [0, 2, 1] })], 'scores');
}

export const dotOnnx = {
  keys: (_context: AttentionOnnxContext<DotConfig>, memory: string) => memory,
  score: (context: AttentionOnnxContext<DotConfig>, query: string, keys: string) => dotScores(context.graph, query, keys),
};

export const generalOnnx = {
  keys: ({ graph, weights }: AttentionOnnxContext<DotConfig>, memory: string) => one(graph, 'MatMul', [memory, graph.constant('W_t', transposed(weights.W as HostTensor))], 'keys'),
  score: (context: AttentionOnnxContext<DotConfig>, query: string, keys: string) => dotScores(context.graph, query, keys),
};

export const additiveOnnx = {
  keys: ({ graph, weights }: AttentionOnnxContext<AdditiveConfig>, memory: string) =>
    one(graph, 'Add', [one(graph, 'MatMul', [memory, graph.constant('Wm_t', transposed(weights.Wm as HostTensor))], 'memory_projected'), graph.constant('b', weights.b as HostTensor)], 'keys'),
  score({ graph, weights, config }: AttentionOnnxContext<AdditiveConfig>, query: string, keys: string): string {
    const A = config.attentionSize;
    const q = one(graph, 'MatMul', [query, graph.constant('Wq_t', transposed(weights.Wq as HostTensor))], 'query_projected'); // [B, 1, A]
    const hidden = one(graph, 'Tanh', [one(graph, 'Add', [q, keys], 'hidden_pre')], 'hidden'); // [B, S, A] by broadcasting
    const v = graph.constant('v', { shape: [A, 1], data: (weights.v as HostTensor).data });
    const scores = one(graph, 'MatMul', [hidden, v], 'scores_column'); // [B, S, 1]
    return one(graph, 'Transpose', [scores], 'scores', { perm: [0, 2, 1] }); // [B, 1, S]
  },
};

