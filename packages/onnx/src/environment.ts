import { int32Constant, int64Constant, stateOf, type CellPlugin, type ResolvedNode, type SequenceOnnxResult, type WeightMap } from '@unfold/core';
import type { GraphWriter } from './graph-builder';

/**
 * What the mapping walk shares: the model's graph, its weights, the sequence lengths, and values made once
 * on first use. Also the one correction the exporter applies after every whole-sequence cell mapping (see
 * keepStateWhenEmpty).
 */
export interface MappingEnvironment {
  /** The model's main graph, or a subgraph (a Loop body) the mappings emit into. */
  readonly graph: GraphWriter;
  readonly weights: WeightMap;
  /** int32 [B], each in [0, T]. */
  readonly sequenceLens: string;
  /**
   * bool [B, 1, ...] of the given rank (default 2: [B, 1]): true for sequences with at least one real step,
   * shaped to broadcast against a state [B, ...shape] of that rank (made on first use per rank).
   */
  nonEmpty(rank?: number): string;
}

export function mappingEnvironment(graph: GraphWriter, weights: WeightMap, sequenceLens: string): MappingEnvironment {
  let positive: string | undefined;
  const byRank = new Map<number, string>();
  return {
    graph,
    weights,
    sequenceLens,
    nonEmpty(rank = 2) {
      let made = byRank.get(rank);
      if (made === undefined) {
        positive ??= graph.node('Greater', [sequenceLens, graph.constant('zero_length', int32Constant([0]))], {}, { stem: 'non_empty' })[0] as string; // [B]
        const axes = int64Constant(Array.from({ length: rank - 1 }, (_, i) => 1 + i));
        made = graph.node('Unsqueeze', [positive, graph.constant(rank === 2 ? 'non_empty_axis' : `non_empty_axes_${rank}`, axes)], {}, { stem: rank === 2 ? 'non_empty_column' : `non_empty_rank_${rank}` })[0] as string;
        byRank.set(rank, made);
      }
      return made;
    },
  };
}

/**
 * A cell's final states with the initial state kept for empty sequences: onnxruntime's RNN, GRU and LSTM
 * ops return zeros as the final state of a sequence of length 0, where unfold carries the initial state
 * (as a stream chunk past a sequence's end needs). States of any rank [B, ...shape].
 */
export function keepStateWhenEmpty(env: MappingEnvironment, node: ResolvedNode, result: SequenceOnnxResult, initialState: readonly string[]): SequenceOnnxResult {
  const graph = viewFor(env, node);
  const names = (node.plugin as CellPlugin).state(node.config).map((s) => s.name);
  const ranks = stateOf(node).map((s) => 1 + s.shape.length);
  const finalState = result.finalState.map((state, i) => graph.node('Where', [env.nonEmpty(ranks[i]), state, initialState[i] as string], {}, { stem: `${names[i]}.final` })[0] as string);
  return { ...result, finalState };
}

/** The graph as a plugin at `node` sees it: stems prefixed with the node's path. */
export function viewFor(env: MappingEnvironment, node: ResolvedNode): GraphWriter {
  return node.path ? env.graph.scoped(node.path) : env.graph;
}
