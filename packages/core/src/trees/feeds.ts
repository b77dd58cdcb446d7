import type { Forest } from './forest';

/**
 * A flattened forest as the inputs of an exported forest graph (@unfold/core/interface FOREST_TENSORS),
 * plain arrays: `children` [N, K] (K ≥ the forest's arity: an N-ary model's N, padded with −1), `order`
 * (the levels concatenated, lowest height first), `levelOffsets` [L + 1] (where each level starts in
 * `order`: 0, |level 0|, …, N) and `roots` [B].
 */
export interface ForestFeeds {
  readonly children: Int32Array;
  readonly order: Int32Array;
  readonly levelOffsets: Int32Array;
  readonly roots: Int32Array;
}

/** The forest inputs of a flattened forest with children padded to `arity` columns. */
export function forestFeeds(forest: Pick<Forest, 'children' | 'arity' | 'levels' | 'roots'>, arity: number): ForestFeeds {
  const N = forest.children.length / forest.arity;
  const children = new Int32Array(N * arity).fill(-1);
  for (let n = 0; n < N; n++) for (let k = 0; k < Math.min(arity, forest.arity); k++) children[n * arity + k] = forest.children[n * forest.arity + k] as number;
  const order = new Int32Array(N);
  const levelOffsets = new Int32Array(forest.levels.length + 1);
  let at = 0;
  forest.levels.forEach((level, h) => {
    order.set(level, at);
    at += level.length;
    levelOffsets[h + 1] = at;
  });
  return { children, order, levelOffsets, roots: forest.roots };
}
