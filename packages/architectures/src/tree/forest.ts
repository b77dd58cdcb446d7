import * as tf from '@tensorflow/tfjs-core';
import type { TreeValue } from '@unfold/core';
import { TreeError } from './errors';
import { DEFAULT_MAX_NODES, parseTree, type TreeLimits, type TreeNode, type TreeSource } from './parse';

/**
 * A forest flattened for batched evaluation. Nodes are numbered tree by tree in post-order (children
 * before parents, so each tree's root is its last node). With N nodes and arity K:
 *
 *   children  [N·K] int32: node n's k-th child at n·K + k, −1 for none
 *   heights   [N]: 0 for a leaf, 1 + the largest child height otherwise
 *   levels    levels[h] the nodes of height h (ascending), so every child is in an earlier level
 *   roots     [B] tree b's root;  treeOf [N] the tree of each node;  paths [N] each node's path
 */
export interface Forest {
  readonly size: number;
  readonly arity: number;
  readonly children: Int32Array;
  readonly heights: Int32Array;
  readonly levels: readonly Int32Array[];
  readonly roots: Int32Array;
  readonly treeOf: Int32Array;
  readonly paths: readonly string[];
  readonly tokens: readonly (string | undefined)[];
  readonly features: readonly (readonly number[] | undefined)[];
  /** Node labels (NaN where none): per-node targets. */
  readonly labels: Float64Array;
}

export interface FlattenOptions extends TreeLimits {
  /** Fixed arity (an N-ary cell's N): more children are an `arity` error. Default: the forest's largest. */
  readonly arity?: number;
  /** Prefix of node paths (default `trees`). */
  readonly name?: string;
}

/** Parses (when needed) and flattens a forest; every error names the node's path. */
export function flattenForest(trees: readonly (TreeSource | TreeNode)[], options: FlattenOptions = {}): Forest {
  const name = options.name ?? 'trees';
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  if (!Array.isArray(trees) || trees.length === 0) throw new TreeError('empty', name, 'empty forest', { expected: 'at least one tree', got: JSON.stringify(trees)?.slice(0, 40) ?? 'undefined' });
  const parsed = trees.map((tree, b) => (isParsed(tree) ? tree : parseTree(tree as TreeSource, `${name}[${b}]`, options)));
  const order: TreeNode[] = [];
  const slots: (number[] | null)[] = [];
  const heights: number[] = [];
  const treeOf: number[] = [];
  const roots = new Int32Array(parsed.length);
  let arity = options.arity ?? 0;
  parsed.forEach((root, b) => {
    // Iterative post-order, so deep trees do not exhaust the stack.
    const stack: { node: TreeNode; next: number; kids: number[] }[] = [{ node: root, next: 0, kids: [] }];
    let last = -1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: TreeNode; next: number; kids: number[] };
      if (top.next === 0 && options.arity !== undefined && top.node.children.length > options.arity) {
        throw new TreeError('arity', top.node.path, 'too many children', { expected: `at most ${options.arity} (the cell's N)`, got: String(top.node.children.length) });
      }
      if (top.next < top.node.children.length) {
        const child = top.node.children[top.next] as TreeNode | null;
        top.next += 1;
        if (child === null) top.kids.push(-1);
        else stack.push({ node: child, next: 0, kids: [] });
        continue;
      }
      stack.pop();
      const index = order.length;
      if (index >= maxNodes) throw new TreeError('too-many-nodes', top.node.path, 'too many nodes', { expected: `at most ${maxNodes} nodes in the forest`, got: 'more' });
      order.push(top.node);
      slots.push(top.kids);
      heights.push(top.kids.reduce((h, k) => (k >= 0 ? Math.max(h, (heights[k] as number) + 1) : h), 0));
      treeOf.push(b);
      arity = Math.max(arity, top.kids.length);
      if (stack.length > 0) (stack[stack.length - 1] as { kids: number[] }).kids.push(index);
      last = index;
    }
    roots[b] = last;
  });
  arity = Math.max(arity, 1);
  const size = order.length;
  const children = new Int32Array(size * arity).fill(-1);
  slots.forEach((kids, n) => (kids ?? []).forEach((k, j) => (children[n * arity + j] = k)));
  const heightArray = Int32Array.from(heights);
  return {
    size,
    arity,
    children,
    heights: heightArray,
    levels: levelsOf(heightArray),
    roots,
    treeOf: Int32Array.from(treeOf),
    paths: order.map((node) => node.path),
    tokens: order.map((node) => node.token),
    features: order.map((node) => node.features),
    labels: Float64Array.from(order, (node) => node.label ?? Number.NaN),
  };
}

function isParsed(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && typeof (value as TreeNode).path === 'string' && Array.isArray((value as TreeNode).children);
}

/** The evaluation order: levels[h] lists the nodes of height h, ascending. */
export function levelsOf(heights: Int32Array): Int32Array[] {
  const top = heights.reduce((m, h) => Math.max(m, h), -1);
  const counts = new Int32Array(top + 1);
  heights.forEach((h) => (counts[h] = (counts[h] as number) + 1));
  const levels = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(top + 1);
  heights.forEach((h, n) => {
    (levels[h] as Int32Array)[fill[h] as number] = n;
    fill[h] = (fill[h] as number) + 1;
  });
  return levels;
}

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
