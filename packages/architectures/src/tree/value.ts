import * as tf from '@tensorflow/tfjs-core';
import type { TreeValue } from '@unfold/core';
import { TreeError, type Forest } from '@unfold/core/tree';

/** Maps a token to its id; return undefined for an unknown token (then `unknown` is used, or an error). */
export type TokenIds = (token: string) => number | undefined;

export interface EncodeOptions {
  /** Token ids: a map or function. Nodes then carry int32 ids [N]. */
  readonly ids?: ReadonlyMap<string, number> | TokenIds;
  /** The id of unknown tokens; without it an unknown token is an error naming the node. */
  readonly unknown?: number;
  /** Node feature size, when nodes carry features [N, I]. */
  readonly featureSize?: number;
}

/** The forest as the tree layer reads it (core's TreeValue): token ids [N] or features [N, I]. */
export function treeValue(forest: Forest, options: EncodeOptions): TreeValue {
  let nodes: tf.Tensor;
  if (options.ids !== undefined) {
    const lookup: TokenIds = typeof options.ids === 'function' ? options.ids : (token) => (options.ids as ReadonlyMap<string, number>).get(token);
    const ids = new Int32Array(forest.size);
    forest.tokens.forEach((token, n) => {
      const id = token === undefined ? undefined : lookup(token);
      const value = id ?? options.unknown;
      if (value === undefined) throw new TreeError('bad-node', forest.paths[n] as string, token === undefined ? 'node has no token' : 'unknown token', { expected: 'a token of the vocabulary', got: JSON.stringify(token ?? null) });
      ids[n] = value;
    });
    nodes = tf.tensor1d(ids, 'int32');
  } else {
    const size = options.featureSize ?? forest.features.find((f) => f !== undefined)?.length ?? 0;
    const data = new Float32Array(forest.size * size);
    forest.features.forEach((f, n) => {
      if (!f || f.length !== size) throw new TreeError('bad-node', forest.paths[n] as string, 'wrong feature count', { expected: `${size} features`, got: f ? String(f.length) : 'none' });
      data.set(f, n * size);
    });
    nodes = tf.tensor2d(data, [forest.size, size]);
  }
  return { nodes, children: forest.children, arity: forest.arity, levels: forest.levels, roots: forest.roots };
}

/**
 * Checks a TreeValue built by hand (every child index in [−1, N), every child in an earlier level than its
 * parent, every node in exactly one level, roots in range): the layer runs it only then.
 */
export function checkTreeValue(value: TreeValue, where = 'tree'): void {
  const size = value.nodes.shape[0] ?? 0;
  if (size === 0) throw new TreeError('empty', where, 'empty forest', { expected: 'at least one node', got: '0 nodes' });
  if (!Number.isInteger(value.arity) || value.arity < 1 || value.children.length !== size * value.arity) {
    throw new TreeError('bad-node', `${where}.children`, 'children do not match the nodes', { expected: `${size}·arity indices, arity >= 1`, got: `${value.children.length} with arity ${value.arity}` });
  }
  const levelOf = new Int32Array(size).fill(-1);
  value.levels.forEach((level, h) => level.forEach((n) => {
    if (!(n >= 0 && n < size)) throw new TreeError('out-of-range', `${where}.levels[${h}]`, 'node index out of range', { expected: `[0, ${size})`, got: String(n) });
    if (levelOf[n] !== -1) throw new TreeError('bad-node', `${where}.nodes[${n}]`, 'node in two levels', { expected: 'each node in one level', got: `levels ${levelOf[n]} and ${h}` });
    levelOf[n] = h;
  }));
  const missing = levelOf.indexOf(-1);
  if (missing >= 0) throw new TreeError('dangling', `${where}.nodes[${missing}]`, 'node in no level', { expected: 'every node in the evaluation order', got: 'none' });
  value.children.forEach((child, i) => {
    const n = Math.floor(i / value.arity);
    const at = `${where}.nodes[${n}]`;
    if (!Number.isInteger(child) || child < -1 || child >= size) throw new TreeError('out-of-range', at, 'child index out of range', { expected: `[−1, ${size})`, got: String(child) });
    if (child >= 0 && (levelOf[child] as number) >= (levelOf[n] as number)) {
      throw new TreeError(child === n ? 'cycle' : 'cycle', at, 'child not evaluated before its parent', { expected: 'a child in an earlier level (a tree has no cycle)', got: `child ${child} at level ${levelOf[child]}, parent at level ${levelOf[n]}` });
    }
  });
  value.roots.forEach((root, b) => {
    if (!(root >= 0 && root < size)) throw new TreeError('out-of-range', `${where}.roots[${b}]`, 'root index out of range', { expected: `[0, ${size})`, got: String(root) });
  });
}
