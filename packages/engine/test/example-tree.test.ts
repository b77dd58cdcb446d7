import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTokenizer, UNKNOWN_ID } from '@unfold/core';
import { flattenForest, forestFeeds, treeTokenIds, type TreeNode } from '@unfold/core/tree';
import { readRecords, treeData } from '@unfold/training';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createChecked } from '../../onnx/test/ort';
import { EXAMPLES, exampleModel } from './example-models';

/*
 * examples/specs/tree-lstm.json (an embedding, a binary N-ary Tree-LSTM, a dense head) exported as one file
 * (the forest interface: nodes, children, order, level_offsets, roots), run on onnxruntime-node and the
 * compact engine with both outputs compared within 1e-5 (createChecked), on forests of the trees of
 * examples/data/trees.jsonl: one tree, three trees, the 40 deepest together, and an empty forest.
 */
const example = exampleModel('tree-lstm');
const set = readRecords(readFileSync(join(EXAMPLES, 'data', 'trees.jsonl'), 'utf8'), 'trees.jsonl');
if (set.format !== 'tree') throw new Error(`trees.jsonl holds ${set.format} records, expected trees`);
const trees = treeData(set).trees;
const ids = treeTokenIds(checkTokenizer(example.spec.metadata?.tokenizer, 'tree-lstm metadata.tokenizer'));
const ARITY = 2;

/** The model's feeds for a forest (none for the empty forest: zero nodes, zero trees, one level offset). */
function feedsOf(forest: readonly TreeNode[]): Record<string, ort.Tensor> {
  const int32 = (data: Int32Array, dims: number[]) => new ort.Tensor('int32', data, dims);
  if (forest.length === 0) return { nodes: int32(new Int32Array(0), [0]), children: int32(new Int32Array(0), [0, ARITY]), order: int32(new Int32Array(0), [0]), level_offsets: int32(Int32Array.of(0), [1]), roots: int32(new Int32Array(0), [0]) };
  const flat = flattenForest(forest, { arity: ARITY });
  const f = forestFeeds(flat, ARITY);
  return {
    nodes: int32(Int32Array.from(flat.tokens, (token) => ids(token ?? '')), [flat.size]),
    children: int32(f.children, [flat.size, ARITY]),
    order: int32(f.order, [flat.size]),
    level_offsets: int32(f.levelOffsets, [f.levelOffsets.length]),
    roots: int32(f.roots, [f.roots.length]),
  };
}

const depth = (tree: TreeNode): number => 1 + Math.max(0, ...tree.children.map((c) => (c ? depth(c) : 0)));

describe('examples/specs/tree-lstm: the exported file on the compact engine', () => {
  it('matches onnxruntime-node on forests of the example trees, and on an empty forest', async () => {
    const session = await createChecked(example.files['model.onnx'] as Uint8Array);
    const deepest = [...trees].sort((a, b) => depth(b) - depth(a)).slice(0, 40);
    try {
      for (const forest of [trees.slice(0, 1), trees.slice(1, 4), deepest, []]) {
        const feeds = feedsOf(forest);
        expect(feeds.nodes?.data, 'every token is in the tokenizer built from the data').not.toContain(UNKNOWN_ID);
        const out = await session.run(feeds);
        expect(out.output?.dims).toEqual([forest.length, 10]);
      }
    } finally {
      await session.release();
    }
  });
});
