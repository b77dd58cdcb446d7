import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, Rng, setupBackend } from '@unfold/core';
import { adam, createModel, update } from '@unfold/training';
import { beforeAll, describe, expect, it } from 'vitest';
import { flattenForest, heads, layers, maskedTreeLoss, nodeTargets, rootTargets, runTree, treeCells, treeValue, type TreeJson } from '../../src/index';

beforeAll(() => setupBackend());

// Every node is labelled with the largest digit below it, mod 3 ("max" trees over digits 0–2); about half
// of the node labels are left out (NaN in the targets), so the per-node loss is masked.
function maxTree(rng: Rng, depth: number): { tree: TreeJson; value: number } {
  if (depth === 0 || rng.uniform() < 0.3) {
    const d = rng.int(3);
    return { tree: { token: String(d), ...(rng.uniform() < 0.5 ? { label: d } : {}) }, value: d };
  }
  const kids = Array.from({ length: 1 + rng.int(3) }, () => maxTree(rng, depth - 1));
  const value = Math.max(...kids.map((k) => k.value));
  return { tree: { token: 'max', children: kids.map((k) => k.tree), ...(rng.uniform() < 0.5 ? { label: value } : {}) }, value };
}

describe('training a Tree-LSTM with update()', () => {
  it('learns root and masked per-node labels', () => {
    const registry = createRegistry([...layers, ...heads, ...treeCells]);
    const spec = { kind: 'recursive', children: { embedding: { kind: 'embedding', config: { vocabularySize: 4, embeddingSize: 8 } }, cell: { kind: 'child-sum-tree-lstm', config: { inputSize: 8, hiddenSize: 16 } }, head: { kind: 'dense', config: { inputSize: 16, outputSize: 3 } } } };
    const model = createModel(registry, spec, { seed: 3 });
    const ids = new Map([['0', 0], ['1', 1], ['2', 2], ['max', 3]]);
    const rng = new Rng(5);
    const optimizer = adam();
    const batchOf = (count: number) => {
      const trees = Array.from({ length: count }, () => maxTree(rng, 3));
      const forest = flattenForest(trees.map((t) => t.tree));
      return { forest, roots: trees.map((t) => t.value) };
    };
    const lossOf = (batch: ReturnType<typeof batchOf>) => () => {
      const result = runTree(model.bound, treeValue(batch.forest, { ids }));
      return tf.add(maskedTreeLoss(result.roots, batch.roots, 'classes'), maskedTreeLoss(result.nodes, nodeTargets(batch.forest), 'classes')) as tf.Scalar;
    };
    const test = batchOf(200);
    const first = tf.tidy(() => lossOf(test)().dataSync()[0] as number);
    for (let step = 0; step < 120; step++) update(model, optimizer, lossOf(batchOf(32)), 0.02, { clipNorm: 5 }, `step ${step}`);
    const last = tf.tidy(() => lossOf(test)().dataSync()[0] as number);
    const accuracy = tf.tidy(() => {
      const predicted = tf.argMax(runTree(model.bound, treeValue(test.forest, { ids })).roots, 1).dataSync();
      return test.roots.filter((v, b) => predicted[b] === v).length / test.roots.length;
    });
    expect(last).toBeLessThan(first * 0.5);
    expect(accuracy).toBeGreaterThan(0.9);
    expect(Array.from(rootTargets(test.forest)).every((v, b) => Number.isNaN(v) || v === test.roots[b])).toBe(true);
    model.dispose();
  });

  it('masks: unlabelled rows count nothing, and a loss over no labels is 0', () => {
    tf.tidy(() => {
      const outputs = tf.tensor2d([[0, 0], [10, -10]]);
      expect(maskedTreeLoss(outputs, [Number.NaN, 0], 'classes').dataSync()[0]).toBeCloseTo(0, 5);
      expect(maskedTreeLoss(outputs, [Number.NaN, Number.NaN], 'classes').dataSync()[0]).toBe(0);
      expect(maskedTreeLoss(tf.tensor2d([[1], [3]]), [Number.NaN, 1], 'values').dataSync()[0]).toBeCloseTo(4, 6);
      expect(() => maskedTreeLoss(outputs, [2, 0], 'classes')).toThrow(/class label out of range/);
    });
  });
});
