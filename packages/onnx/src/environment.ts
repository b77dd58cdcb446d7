import type { CellPlugin, ResolvedNode, SequenceOnnxResult, WeightMap } from '@unfold/core';
import type { GraphWriter } from './graph-builder';
import type { ModelGraph } from './model-graph';

/**
 * What the mapping walk shares: the model's graph, its weights, the sequence lengths, and values made once
 * on first use. Also the one correction the exporter applies after every cell (see keepStateWhenEmpty).
 */
export interface MappingEnvironment {
  readonly graph: ModelGraph;
  readonly weights: WeightMap;
  /** int32 [B], each in [0, T]. */
  readonly sequenceLens: string;
  /** bool [B, 1]: true for sequences with at least one real step (made on first use). */
  nonEmpty(): string;
}

export function mappingEnvironment(graph: ModelGraph, weights: WeightMap, sequenceLens: string): MappingEnvironment {
  let nonEmpty: string | undefined;
  return {
    graph,
    weights,
    sequenceLens,
    nonEmpty() {
      if (nonEmpty === undefined) {
        const [positive] = graph.node('Greater', [sequenceLens, graph.constant('zero_length', { dtype: 'int32', shape: [1], data: new Int32Array(1) })], {}, { stem: 'non_empty' }) as [string];
        [nonEmpty] = graph.node('Unsqueeze', [positive, graph.constant('non_empty_axis', { dtype: 'int64', shape: [1], data: BigInt64Array.of(1n) })], {}, { stem: 'non_empty_column' }) as [string];
      }
      return nonEmpty;
    },
  };
}

/**
 * A cell's final states with the initial state kept for empty sequences: onnxruntime's RNN, GRU and LSTM
 * ops return zeros as the final state of a sequence of length 0, where unfold carries the initial state
 * (as a stream chunk past a sequence's end needs).
 */
export function keepStateWhenEmpty(env: MappingEnvironment, node: ResolvedNode, result: SequenceOnnxResult, initialState: readonly string[]): SequenceOnnxResult {
  const graph = viewFor(env, node);
  const names = (node.plugin as CellPlugin).state(node.config).map((s) => s.name);
  const finalState = result.finalState.map((state, i) => graph.node('Where', [env.nonEmpty(), state, initialState[i] as string], {}, { stem: `${names[i]}.final` })[0] as string);
  return { ...result, finalState };
}

/** The graph as a plugin at `node` sees it: stems prefixed with the node's path. */
export function viewFor(env: MappingEnvironment, node: ResolvedNode): GraphWriter {
  return node.path ? env.graph.scoped(node.path) : env.graph;
}
