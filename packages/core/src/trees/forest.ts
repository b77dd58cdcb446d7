import { TreeError } from './errors';
import { DEFAULT_MAX_NODES, isParsedTree, parseTree, type TreeLimits, type TreeNode, type TreeSource } from './parse';

/**
 * A forest flattened for batched evaluation (plain arrays, no tensors: a runtime can use it too). Nodes are numbered tree by tree in post-order (children
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
  /** Most cells of the child table, nodes × the widest node's children (default unlimited): a `too-wide` error above. */
  readonly maxChildSlots?: number;
}

/** Parses (when needed) and flattens a forest; every error names the node's path. */
export function flattenForest(trees: readonly (TreeSource | TreeNode)[], options: FlattenOptions = {}): Forest {
  const name = options.name ?? 'trees';
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  if (!Array.isArray(trees) || trees.length === 0) throw new TreeError('empty', name, 'empty forest', { expected: 'at least one tree', got: JSON.stringify(trees)?.slice(0, 40) ?? 'undefined' });
  const parsed = trees.map((tree, b) => (isParsedTree(tree) ? tree : parseTree(tree as TreeSource, `${name}[${b}]`, options)));
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
  if (size * arity > (options.maxChildSlots ?? Number.POSITIVE_INFINITY)) {
    const widest = order[Math.max(0, slots.findIndex((kids) => (kids ?? []).length === arity))] as TreeNode;
    throw new TreeError('too-wide', widest.path, 'child table too large', { expected: `nodes × the widest node's children at most ${options.maxChildSlots}`, got: `${size} nodes × ${arity} children`, fix: 'send narrower trees, or fewer trees per request' });
  }
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
