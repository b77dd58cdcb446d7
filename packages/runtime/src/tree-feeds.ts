import { FOREST_TENSORS } from '@unfold/core/interface';
import { flattenForest, forestFeeds, isTreeError, type Forest, type TreeError } from '@unfold/core/tree';
import { describeValue, RuntimeError } from './errors';
import { checkLimit, type RuntimeLimits } from './limits';
import type { HostTensor } from './session';
import type { TreeView } from './tree-view';

/**
 * A request's trees as the feeds of a tree model (@unfold/core/tree parses and flattens them, the same code
 * the tree layer trains with): JSON trees `{"token" | "features", "children"}`, bracketed strings
 * `"(+ 1 (* 2 3))"` or indexed trees `{"nodes", "children"}`. Every problem is an error naming the node's
 * path (`trees[2].children[0]`): a cycle, a node with two parents or none, a child index out of range,
 * more children than an N-ary model's N, an empty tree or a malformed node are E_TREE; too many trees,
 * nodes, node inputs or child-table cells (nodes × the widest node), or a tree too deep, E_LIMIT; an unknown token id E_TOKEN_RANGE; a wrong feature
 * count E_SHAPE; a value beyond float32 E_NON_FINITE.
 */
export interface TreeFeeds {
  readonly forest: Forest;
  readonly feeds: Record<string, HostTensor>;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** A TreeError from @unfold/core/tree as the runtime's error for it. */
export function treeRequestError(error: TreeError, limits: RuntimeLimits): RuntimeError {
  const details = { where: error.path, ...(error.details.expected ? { expected: error.details.expected } : {}), ...(error.details.got ? { got: error.details.got } : {}) };
  if (error.problem === 'too-deep') return new RuntimeError('E_LIMIT', 'tree too deep', { ...details, expected: `depth at most ${limits.maxDepth} (maxDepth)`, fix: 'send shallower trees, or raise maxDepth where the server is configured', limit: 'maxDepth' });
  if (error.problem === 'too-many-nodes') return new RuntimeError('E_LIMIT', 'too many tree nodes', { ...details, expected: `at most ${limits.maxNodes} nodes in all the trees (maxNodes)`, fix: 'split the request, or raise maxNodes where the server is configured', limit: 'maxNodes' });
  if (error.problem === 'too-wide') return new RuntimeError('E_LIMIT', 'child table too large', { ...details, expected: `nodes × the widest node's children at most ${limits.maxElements} (maxElements)`, fix: 'send narrower trees, or fewer trees per request', limit: 'maxElements' });
  return new RuntimeError('E_TREE', error.summary, { ...details, ...(error.details.fix ? { fix: error.details.fix } : {}) });
}

function flatten(trees: readonly unknown[], view: TreeView, limits: RuntimeLimits): Forest {
  try {
    return flattenForest(trees as never, { maxNodes: limits.maxNodes, maxDepth: limits.maxDepth, maxChildSlots: limits.maxElements, name: 'trees', ...(view.arity !== null ? { arity: view.arity } : {}) });
  } catch (error) {
    if (isTreeError(error)) throw treeRequestError(error, limits);
    throw error;
  }
}

function tokenIds(forest: Forest, view: TreeView): Int32Array {
  return Int32Array.from(forest.tokens, (token, n) => {
    const where = forest.paths[n] as string;
    if (token === undefined) throw new RuntimeError('E_TREE', 'node has no token', { where, expected: 'a "token" at every node (the model reads token ids)', got: 'features only' });
    const id = view.tokenIds ? view.tokenIds(token) : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!(Number.isSafeInteger(id) && id >= 0 && id < view.inputSize)) {
      throw new RuntimeError(view.tokenIds ? 'E_TREE' : 'E_TOKEN_RANGE', 'unknown token', { where, expected: view.tokenIds ? 'a token of the model' : `a token id in [0, ${view.inputSize}) (the model carries no tokenizer)`, got: describeValue(token) });
    }
    return id;
  });
}

function features(forest: Forest, view: TreeView): Float32Array {
  const I = view.inputSize;
  const data = new Float32Array(forest.size * I);
  forest.features.forEach((row, n) => {
    const where = forest.paths[n] as string;
    if (!row) throw new RuntimeError('E_TREE', 'node has no features', { where, expected: `"features": ${I} numbers at every node`, got: forest.tokens[n] !== undefined ? `a token (${describeValue(forest.tokens[n])})` : 'nothing' });
    if (row.length !== I) throw new RuntimeError('E_SHAPE', 'wrong feature count', { where: `${where}.features`, expected: `${I} features`, got: String(row.length) });
    const bad = row.findIndex((v) => Math.abs(v) > FLOAT32_MAX);
    if (bad >= 0) throw new RuntimeError('E_NON_FINITE', 'a value beyond float32', { where: `${where}.features[${bad}]`, expected: `|x| <= ${FLOAT32_MAX}`, got: String(row[bad]) });
    data.set(row, n * I);
  });
  return data;
}

/** Checks and flattens `trees` (the request's `trees` field) into the model's feeds. */
export function treeFeeds(trees: unknown, view: TreeView, limits: RuntimeLimits): TreeFeeds {
  if (!Array.isArray(trees) || trees.length === 0) throw new RuntimeError('E_REQUEST', 'trees must be a non-empty list', { where: 'trees', expected: 'a list of trees: JSON {"token", "children"}, bracketed "(+ 1 2)" or indexed {"nodes", "children"}', got: describeValue(trees) });
  checkLimit('maxBatch', trees.length, limits, 'trees', 'trees in a batch');
  const forest = flatten(trees, view, limits);
  const N = forest.size;
  if (view.nodes === 'features') checkLimit('maxElements', N * view.inputSize, limits, 'trees', 'node input numbers');
  const K = view.arity ?? forest.arity;
  const f = forestFeeds(forest, K);
  const T = FOREST_TENSORS;
  return {
    forest,
    feeds: {
      [T.nodes]: view.nodes === 'tokens' ? { dtype: 'int32', shape: [N], data: tokenIds(forest, view) } : { dtype: 'float32', shape: [N, view.inputSize], data: features(forest, view) },
      [T.children]: { dtype: 'int32', shape: [N, K], data: f.children },
      [T.order]: { dtype: 'int32', shape: [N], data: f.order },
      [T.levelOffsets]: { dtype: 'int32', shape: [f.levelOffsets.length], data: f.levelOffsets },
      [T.roots]: { dtype: 'int32', shape: [f.roots.length], data: f.roots },
    },
  };
}
