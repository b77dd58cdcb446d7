// `@unfold/core/tree`: tree inputs as data — parsing (JSON, bracketed, indexed), typed errors naming the
// node's path, and the flattening of a forest for batched evaluation. No tfjs: the runtime and the edge
// use it to read trees from requests, the tree layer and training to read them from data.
export { isTreeError, TreeError, type TreeProblem } from './trees/errors';
export { forestFeeds, type ForestFeeds } from './trees/feeds';
export { flattenForest, levelsOf, type FlattenOptions, type Forest } from './trees/forest';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, parseBracketed, parseTree, type IndexedTree, type TreeJson, type TreeLimits, type TreeNode, type TreeSource } from './trees/parse';
export { treeTokenIds, treeTokenizer } from './trees/vocabulary';
