// The tree (recursive network) part of @unfold/architectures; re-exported by the package index.
export { childSumTreeLstm, naryTreeLstm, treeCells, treeRnn, type NaryConfig, type TreeCellSizes } from './cells';
export { isTreeError, TreeError, type TreeProblem } from './errors';
export { evaluateForest, evaluateNodeByNode } from './evaluate';
export { maskedTreeLoss, nodeTargets, rootTargets } from './losses';
export { buildForestGraph, FOREST_INPUTS, FOREST_OUTPUTS, forestFeeds, type ForestGraphBuilder } from './onnx-forest';
export { treeCellFamily, type TreeCellOnnxContext, type TreeCellPlugin } from './family';
export { checkTreeValue, flattenForest, levelsOf, treeValue, type EncodeOptions, type FlattenOptions, type Forest, type TokenIds } from './forest';
export { cellArity, runTree, treeLayer, treeOutputSize, type TreeInput, type TreeResult } from './layer';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, parseBracketed, parseTree, type IndexedTree, type TreeJson, type TreeLimits, type TreeNode, type TreeSource } from './parse';
