import { isTreeError, parseTree, treeTokenizer, type TreeNode, type TreeSource } from '@unfold/core/tree';
import type { TokenizerSpec } from '@unfold/core';
import { dataError, type JsonLine } from './records';
import type { DataSizes } from './spec-sizes';

/**
 * Tree training data from JSON lines (records.ts dispatches `{"tree"}` records here):
 *
 *   {"tree": "(+ 3 (* 4 5))", "label": 3}                     a class label for the whole tree (its root)
 *   {"tree": {"token": "+", "children": [...]}, "label": [0.5]} values for the root (a list of numbers)
 *   {"tree": {"token": "+", "label": 3, "children": [{"token": "1", "label": 1}, …]}}
 *                                                             labels at nodes (JSON trees): per-node targets,
 *                                                             the root's label its tree's target
 *   {"tree": {"nodes": [{"token": "+"}, …], "children": [[1, 2], [], []]}, "label": 3}   indexed trees
 *
 * Trees are parsed by @unfold/core/tree (the same code the runtime serves with); a bad tree is a
 * DataError naming `file:line` and the node's path. Node inputs are tokens (the vocabulary is built from
 * the data: `treeTokenizer`, written to the model's metadata) or feature vectors of one size.
 */
export interface TreeRecord {
  readonly line: number;
  readonly tree: TreeNode;
  /** The root's target: a class id, values, or undefined when the record has none (node labels only). */
  readonly label?: number | readonly number[];
}

export interface TreeRecordSet {
  readonly format: 'tree';
  readonly file: string;
  readonly records: readonly TreeRecord[];
}

/** Tree data ready to train: the parsed trees, the root targets (NaN: none), the node inputs' kind and the sizes. */
export interface TreeData {
  readonly trees: readonly TreeNode[];
  /** Root targets per tree: class ids or value rows; NaN (or a NaN row) where a tree has no root label. */
  readonly targets: readonly (number | readonly number[])[];
  /** True when some node below a root carries a label (a per-node loss then applies). */
  readonly nodeLabels: boolean;
  /** Token trees: the vocabulary (specials first, then the data's tokens); null for feature trees. */
  readonly tokenizer: TokenizerSpec | null;
  readonly sizes: DataSizes;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function readLabel(value: unknown, where: string): number | readonly number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v))) return value as number[];
  throw dataError(where, 'label is not a target', 'a class label (integer >= 0) or a list of numbers', show(value), 'write a value target as a list: [0.5]');
}

/** Parses the `{"tree", "label"?}` records of a file (already known to be tree records). */
export function readTreeRecords(lines: readonly JsonLine[], file: string): TreeRecordSet {
  return {
    format: 'tree',
    file,
    records: lines.map(({ line, value }) => {
      const where = `${file}:${line}`;
      let tree: TreeNode;
      try {
        tree = parseTree(value.tree as TreeSource, 'tree');
      } catch (error) {
        if (isTreeError(error)) throw dataError(where, `bad tree at ${error.path}: ${error.summary}`, error.details.expected ?? 'a tree', error.details.got ?? '', error.details.fix ?? 'see unfold train --help for the tree forms');
        throw error;
      }
      const label = readLabel(value.label, `${where} label`);
      return { line, tree, ...(label !== undefined ? { label } : {}) };
    }),
  };
}

/** The number of nodes of a parsed tree (buckets sort trees by it). */
export function treeSize(tree: TreeNode): number {
  let count = 0;
  for (const _ of nodesOf(tree)) count += 1;
  return count;
}

function* nodesOf(tree: TreeNode): Generator<TreeNode> {
  const stack: TreeNode[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop() as TreeNode;
    yield node;
    for (const child of node.children) if (child) stack.push(child);
  }
}

/**
 * Targets and sizes from tree records: every tree needs a root target (the record's `label`, else its
 * root's), all of one kind (class ids, or value lists of one length; node labels are class ids or single
 * values alike); nodes carry tokens throughout or features of one size throughout.
 */
export function treeData(set: TreeRecordSet): TreeData {
  let kind: 'classes' | 'values' | undefined;
  let width = 0;
  let classes = 0;
  let featureSize: number | undefined;
  let tokenTrees: boolean | undefined;
  let nodeLabels = false;
  const tokens: string[] = [];
  const targets = set.records.map(({ line, tree, label }) => {
    const where = `${set.file}:${line}`;
    const target = label ?? tree.label;
    if (target === undefined) throw dataError(where, 'the tree has no label', 'a "label" on the record or on the tree’s root', 'none', 'label every tree (node labels below the root are optional)');
    const isClass = typeof target === 'number' && Number.isSafeInteger(target) && target >= 0 && !Array.isArray(target);
    const rowKind = isClass ? 'classes' : 'values';
    const row = typeof target === 'number' ? [target] : target;
    if (kind !== undefined && (kind !== rowKind || (kind === 'values' && width !== row.length))) throw dataError(where, 'the label does not match the first record’s', kind === 'classes' ? 'a class label (integer >= 0)' : `a list of ${width} numbers`, show(target), 'give every tree the same kind and size of label');
    kind ??= rowKind;
    width = row.length;
    if (isClass) classes = Math.max(classes, (target as number) + 1);
    for (const node of nodesOf(tree)) {
      const usesTokens = node.token !== undefined && node.features === undefined;
      if (tokenTrees !== undefined && usesTokens !== tokenTrees) throw dataError(where, `node ${node.path} ${usesTokens ? 'has a token' : 'has features'}, the first tree’s nodes ${tokenTrees ? 'have tokens' : 'have features'}`, 'one kind of node input in all trees', usesTokens ? JSON.stringify(node.token) : 'features', 'give every node a token, or every node features');
      tokenTrees ??= usesTokens;
      if (usesTokens) tokens.push(node.token as string);
      else {
        const size = (node.features as readonly number[]).length;
        if (featureSize !== undefined && size !== featureSize) throw dataError(where, `node ${node.path} has ${size} features`, `${featureSize} features per node (as the first tree has)`, String(size), 'give every node the same number of features');
        featureSize ??= size;
      }
      if (node !== tree && node.label !== undefined) {
        nodeLabels = true;
        if (kind === 'classes' && !(Number.isSafeInteger(node.label) && node.label >= 0)) throw dataError(where, `node ${node.path} has label ${node.label}`, 'a class label (integer >= 0), as the roots', String(node.label), 'label nodes with class ids');
        if (kind === 'classes') classes = Math.max(classes, node.label + 1);
      }
    }
    return isClass ? (target as number) : row;
  });
  const tokenizer = tokenTrees ? treeTokenizer(tokens) : null;
  return {
    trees: set.records.map((r) => r.tree),
    targets,
    nodeLabels,
    tokenizer,
    sizes: {
      input: tokenizer ? { kind: 'tokens', size: tokenizer.tokens.length } : { kind: 'features', size: featureSize ?? 0 },
      output: kind === 'classes' ? { kind: 'classes', size: classes } : { kind: 'values', size: width },
    },
  };
}
