// Issue 12's learning acceptance: evaluate arithmetic expression trees (digits 0–9, +, −, × mod 10),
// trained on depth ≤ 4, tested on depth ≤ 4 (in distribution) and 5–7 (out of distribution). An N-ary
// (N = 2) Tree-LSTM reading the tree against a sequence LSTM of similar parameter count reading the
// bracketed string "(+ 3 (* 4 5))"; same loss (root cross-entropy), optimiser, steps and seeds. Also times
// height-batched evaluation against node by node. Writes tools/bench/results/tree-lstm.{json,md}.
import * as tf from '@tensorflow/tfjs-core';
import { cells } from '@unfold/cells/all';
import { evaluateForest, evaluateNodeByNode, flattenForest, heads, layers, maskedTreeLoss, runTree, treeCells, treeValue } from '@unfold/architectures';
import { createRegistry, modelParameters, Rng, setupBackend } from '@unfold/core';
import { adam, createModel, update, type Model } from '@unfold/training';
import { dataset, treeIds, treeSpec, type Expr } from './tree-expressions';
// @ts-expect-error: plain ESM helpers without types
import { writeResults } from '../stats.mjs';

const SEEDS = (process.env.TREE_SEEDS ?? '1,2,3').split(',').map(Number);
const STEPS = Number(process.env.TREE_STEPS ?? 600);
const BATCH = 64;
await setupBackend({ backend: (process.env.TREE_BACKEND ?? 'wasm') as 'cpu' | 'wasm' });
const registry = createRegistry([...cells, ...layers, ...heads, ...treeCells]);

const seqIds = new Map([...treeIds, ['(', 13], [')', 14]]);
const WORD = /\(|\)|[^\s()]+/g;

const seqSpec = (H: number) => ({ kind: 'sequence-model', config: { readout: 'last' }, children: { input: { kind: 'embedding', config: { vocabularySize: 15, embeddingSize: 32 } }, body: { kind: 'lstm', config: { inputSize: 32, hiddenSize: H } }, output: { kind: 'dense', config: { inputSize: H, outputSize: 10 } } } });

type Runner = (model: Model, batch: readonly Expr[]) => tf.Tensor2D;
const runTrees: Runner = (model, batch) => runTree(model.bound, treeValue(flattenForest(batch.map((e) => e.tree), { arity: 2 }), { ids: treeIds })).roots;
const runSequences: Runner = (model, batch) => {
  const tokens = batch.map((e) => [...e.text.matchAll(WORD)].map((m) => seqIds.get(m[0]) as number));
  const T = Math.max(...tokens.map((t) => t.length));
  const x = tf.tensor2d(tokens.flatMap((t) => [...t, ...new Array<number>(T - t.length).fill(0)]), [batch.length, T], 'int32');
  return tf.reshape(model.forward(x, { lengths: Int32Array.from(tokens, (t) => t.length), checked: false }).outputs, [batch.length, 10]) as tf.Tensor2D;
};

function accuracy(model: Model, run: Runner, data: readonly Expr[]): number {
  let right = 0;
  for (let i = 0; i < data.length; i += 128) {
    const batch = data.slice(i, i + 128);
    const predicted = tf.tidy(() => tf.argMax(run(model, batch), 1).dataSync());
    batch.forEach((e, j) => (right += predicted[j] === e.value ? 1 : 0));
  }
  return right / data.length;
}

function train(spec: object, run: Runner, seed: number, data: readonly Expr[]): { model: Model; seconds: number; finalLoss: number } {
  const model = createModel(registry, spec as never, { seed });
  const optimizer = adam();
  const rng = new Rng(seed * 101);
  const started = performance.now();
  let finalLoss = Number.NaN;
  for (let step = 0; step < STEPS; step++) {
    const batch = Array.from({ length: BATCH }, () => data[rng.int(data.length)] as Expr);
    const lr = step < STEPS * 0.7 ? 3e-3 : 1e-3;
    finalLoss = update(model, optimizer, () => maskedTreeLoss(run(model, batch), batch.map((e) => e.value), 'classes'), lr, { clipNorm: 5 }, `step ${step}`).loss;
  }
  return { model, seconds: (performance.now() - started) / 1000, finalLoss };
}

const parameterCount = (spec: object): number => modelParameters(createModel(registry, spec as never).root).reduce((s, p) => s + p.spec.shape.reduce((a, b) => a * b, 1), 0);
const variants = [
  { name: 'N-ary Tree-LSTM (N = 2, H 64) over the tree', spec: treeSpec(64), run: runTrees },
  { name: 'LSTM (H 92) over the bracketed string', spec: seqSpec(92), run: runSequences },
];
const rows: Record<string, unknown>[] = [];
for (const seed of SEEDS) {
  const rng = new Rng(seed);
  const trainSet = dataset(rng, 20000, 1, 4);
  const testIn = dataset(rng, 1000, 1, 4);
  const testOut = Object.fromEntries([5, 6, 7].map((d) => [d, dataset(rng, 500, d, d)]));
  const majority = (data: readonly Expr[]): number => {
    const counts = new Array<number>(10).fill(0);
    trainSet.forEach((e) => (counts[e.value] = (counts[e.value] as number) + 1));
    const top = counts.indexOf(Math.max(...counts));
    return data.filter((e) => e.value === top).length / data.length;
  };
  rows.push({ model: 'majority class of the training set', seed, parameters: 0, trainSeconds: 0, finalLoss: Number.NaN, depth1to4: majority(testIn), depth5: majority(testOut[5] as Expr[]), depth6: majority(testOut[6] as Expr[]), depth7: majority(testOut[7] as Expr[]) });
  for (const variant of variants) {
    const { model, seconds, finalLoss } = train(variant.spec, variant.run, seed, trainSet);
    const row = { model: variant.name, seed, parameters: parameterCount(variant.spec), trainSeconds: seconds, finalLoss, depth1to4: accuracy(model, variant.run, testIn), depth5: accuracy(model, variant.run, testOut[5] as Expr[]), depth6: accuracy(model, variant.run, testOut[6] as Expr[]), depth7: accuracy(model, variant.run, testOut[7] as Expr[]) };
    console.log(JSON.stringify(row));
    rows.push(row);
    model.dispose();
  }
}

// Speed: height-batched against node by node, one forest of 64 depth-5 trees (forward only).
const speedModel = createModel(registry, treeSpec(64) as never, { seed: 1 });
const forest = treeValue(flattenForest(dataset(new Rng(9), 64, 5, 5).map((e) => e.tree), { arity: 2 }), { ids: treeIds });
const x = tf.gather(speedModel.variables.get('embedding.E') as tf.Tensor2D, forest.nodes) as tf.Tensor2D;
const time = (f: typeof evaluateForest): number => {
  const started = performance.now();
  for (let r = 0; r < 3; r++) tf.tidy(() => f(speedModel.bound.child('cell'), x, forest, 2)[0]?.dataSync());
  return (performance.now() - started) / 3;
};
const speed = { nodes: forest.nodes.shape[0], heights: forest.levels.length, batchedMs: time(evaluateForest), nodeByNodeMs: time(evaluateNodeByNode) };
console.log(JSON.stringify(speed));

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
writeResults(`${process.env.UNFOLD_RESULTS_DIR}tree-lstm`, 'Arithmetic expression trees (mod 10): Tree-LSTM against a sequence LSTM, trained on depth ≤ 4', rows, [
  { label: 'model', format: (r: { model: string }) => r.model },
  { label: 'seed', format: (r: { seed: number }) => String(r.seed) },
  { label: 'params', format: (r: { parameters: number }) => String(r.parameters) },
  { label: 'train s', format: (r: { trainSeconds: number }) => r.trainSeconds.toFixed(0) },
  { label: 'depth ≤ 4 (in)', format: (r: { depth1to4: number }) => pct(r.depth1to4) },
  { label: 'depth 5', format: (r: { depth5: number }) => pct(r.depth5) },
  { label: 'depth 6', format: (r: { depth6: number }) => pct(r.depth6) },
  { label: 'depth 7', format: (r: { depth7: number }) => pct(r.depth7) },
], { command: 'node tools/bench/src/experiments/run.mjs tree-lstm', steps: STEPS, batch: BATCH, optimizer: 'adam 3e-3 then 1e-3 (last 30%), clipNorm 5', trainSet: '20 000 expressions, depth 1–4 uniform', speed });
