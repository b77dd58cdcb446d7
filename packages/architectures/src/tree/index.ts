// The tree (recursive network) part of @unfold/architectures; re-exported by the package index.
//
//   @unfold/core/tree     tree sources (JSON, bracketed "(+ 1 2)", indexed) → a flat forest: post-order node
//                         numbering, children [N·K] (−1 none), levels by height, roots; typed TreeErrors
//                         naming the node's path. No tfjs, so the runtime and the edge share it; re-exported here.
//   value.ts              the forest as core's TreeValue (token ids [N] or features [N, I]) and its checks
//   family.ts, cells.ts   the `tree-cell` family (role component) and its cells: tree-rnn,
//                         child-sum-tree-lstm, nary-tree-lstm (equations and shapes in cells.ts)
//   evaluate.ts, layer.ts the `recursive` layer: one batched cell call per height over a node-state table
//   losses.ts             masked root / per-node losses (NaN = unlabelled)
//   onnx-cells.ts,        ONNX: the cells' mappings, and one graph per forest (a Loop over heights with
//   onnx-forest.ts        Gather / ScatterND), built into a createModelBuilder graph by buildForestGraph
export { childSumTreeLstm, naryTreeLstm, treeCells, treeRnn, type NaryConfig, type TreeCellSizes } from './cells';
export { isTreeError, TreeError, type TreeProblem } from '@unfold/core/tree';
export { evaluateForest, evaluateNodeByNode } from './evaluate';
export { maskedTreeLoss, nodeTargets, rootTargets } from './losses';
export { buildForestGraph, FOREST_INPUTS, FOREST_OUTPUTS, type ForestGraphBuilder } from './onnx-forest';
export { treeCellFamily, type TreeCellOnnxContext, type TreeCellPlugin } from './family';
export { flattenForest, forestFeeds, levelsOf, type FlattenOptions, type Forest, type ForestFeeds } from '@unfold/core/tree';
export { checkTreeValue, treeValue, type EncodeOptions, type TokenIds } from './value';
export { cellArity, runTree, treeLayer, treeOutputSize, type TreeInput, type TreeResult } from './layer';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, parseBracketed, parseTree, type IndexedTree, type TreeJson, type TreeLimits, type TreeNode, type TreeSource } from '@unfold/core/tree';
