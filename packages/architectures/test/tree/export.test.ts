import * as tf from '@tensorflow/tfjs-core';
import { bindNode, createRegistry, initWeights, resolveModel, setupBackend, type ModelSpec } from '@unfold/core';
import { createModelBuilder, serializeGraph } from '@unfold/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeForChecker } from '../../../onnx/test/checker-dir';
import { openSession } from '../../../onnx/test/ort';
import { buildForestGraph, FOREST_INPUTS, FOREST_OUTPUTS, flattenForest, forestFeeds, heads, layers, runTree, treeCells, treeValue, type TreeJson } from '../../src/index';
import { random, randomForest } from './reference';

beforeAll(() => setupBackend());

const registry = createRegistry([...layers, ...heads, ...treeCells]);
const I = 3;
const H = 5;

function spec(kind: string, tokens: boolean): ModelSpec {
  const config: Record<string, number> = kind === 'nary-tree-lstm' ? { inputSize: I, hiddenSize: H, arity: 4 } : { inputSize: I, hiddenSize: H };
  return {
    kind: 'recursive',
    children: {
      ...(tokens ? { embedding: { kind: 'embedding', config: { vocabularySize: 7, embeddingSize: I } } } : {}),
      cell: { kind, config },
      head: { kind: 'dense', config: { inputSize: H, outputSize: 2 } },
    },
  };
}

function withTokens(tree: TreeJson, rand: () => number): TreeJson {
  return { token: String(Math.floor(rand() * 7)), children: (tree.children ?? []).map((c) => withTokens(c, rand)) };
}

describe.each(['tree-rnn', 'child-sum-tree-lstm', 'nary-tree-lstm'])('%s forest export', (kind) => {
  it.each([false, true])('evaluates a whole forest in one onnxruntime call (tokens: %s), as unfold does', async (tokens) => {
    const root = resolveModel(registry, spec(kind, tokens));
    const weights = initWeights(root, 4);
    const graph = createModelBuilder([...FOREST_INPUTS, ...FOREST_OUTPUTS]);
    buildForestGraph(graph, root, weights);
    const bytes = serializeGraph(graph, { name: `forest_${kind}`, docString: 'a forest in one call' });
    await writeForChecker(`tree.${kind}${tokens ? '.tokens' : ''}`, bytes);
    const session = await openSession(bytes);
    let worst = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const rand = random(100 + seed);
      const trees = randomForest(rand, I).map((t) => (tokens ? withTokens(t, rand) : t));
      const forest = flattenForest(trees, kind === 'nary-tree-lstm' ? { arity: 4 } : {});
      const arity = kind === 'nary-tree-lstm' ? 4 : forest.arity;
      const value = treeValue(forest, tokens ? { ids: (t) => Number(t) } : { featureSize: I });
      const expected = tf.tidy(() => {
        const tensors = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.tensor(w.data, [...w.shape])]));
        const result = runTree(bindNode(root, tensors), value);
        return { roots: Array.from(result.roots.dataSync()), nodes: Array.from(result.nodes.dataSync()) };
      });
      const feeds = forestFeeds(forest, arity);
      const nodes = tokens ? { shape: [forest.size], data: value.nodes.dataSync() as Int32Array } : { shape: [forest.size, I], data: value.nodes.dataSync() as Float32Array };
      const out = await session.run({ nodes, children: { shape: [forest.size, arity], data: feeds.children }, order: { shape: [forest.size], data: feeds.order }, level_offsets: { shape: [feeds.levelOffsets.length], data: feeds.levelOffsets }, roots: { shape: [forest.roots.length], data: feeds.roots } });
      value.nodes.dispose();
      const compare = (got: ArrayLike<number>, want: readonly number[]): void => {
        expect(got.length).toBe(want.length);
        want.forEach((b, j) => {
          const a = got[j] as number;
          worst = Math.max(worst, Math.abs(a - b));
          if (!(Math.abs(a - b) <= 1e-5 + 1e-5 * Math.abs(b))) throw new Error(`seed ${seed} [${j}]: onnxruntime ${a} vs unfold ${b}`);
        });
      };
      compare(out.output?.data ?? [], expected.roots);
      compare(out.node_outputs?.data ?? [], expected.nodes);
    }
    expect(worst).toBeLessThan(1e-5);
    await session.release();
  });
});
