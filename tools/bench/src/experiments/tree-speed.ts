// Issue 12's speed acceptance: forest throughput of an exported tree model in onnxruntime, and
// height-batched evaluation against node by node. The N-ary (N = 2, H 64) Tree-LSTM of tree-lstm.ts,
// exported with exportModel (one graph: a Loop over heights with Gather/ScatterND), run on forests of
// 1, 16, 64 and 256 random arithmetic trees of heights 3–7:
//   forest     one onnxruntime call per forest, all nodes of one height in one step (the file's design)
//   per tree   one call per tree (what a caller without forests would do)
//   by node    one call per forest, but one node per Loop step (level_offsets 0, 1, …, N): node by node
//   tfjs       unfold's own tree layer (evaluateForest) against evaluateNodeByNode, forward only
// Median of repeated calls after a warm-up; a benchmark, not a test (it never fails on speed).
// Writes tools/bench/results/tree-speed.{json,md}.
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { evaluateForest, evaluateNodeByNode, flattenForest, forestFeeds, heads, layers, treeCells, treeValue, type Forest } from '@unfold/architectures';
import { createRegistry, Rng, setupBackend } from '@unfold/core';
import { exportModel } from '@unfold/onnx';
import { createModel } from '@unfold/training';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { dataset, treeIds, treeSpec } from './tree-expressions';
// @ts-expect-error: plain ESM helpers without types
import { writeResults } from '../stats.mjs';

process.env.ORT_DISABLE_TELEMETRY ??= '1';
await setupBackend({ backend: 'wasm' });
const registry = createRegistry([...layers, ...heads, ...treeCells]);
const spec = treeSpec(64);
const model = createModel(registry, spec as never, { seed: 1 });
const bytes = exportModel(registry, model.toModelData());
const SIZES = (process.env.TREE_SPEED_SIZES ?? '1,16,64,256').split(',').map(Number);

type Feeds = Record<string, { data: Int32Array; dims: number[] }>;
type Session = (feeds: Feeds) => Promise<void>;

async function open(ort: typeof ortNode | typeof ortWeb): Promise<Session> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3, graphOptimizationLevel: 'all' });
  return async (feeds) => {
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, v]) => [name, new ort.Tensor('int32', v.data, v.dims)]));
    await session.run(tensors as never);
  };
}

function ids(forest: Forest): Int32Array {
  return Int32Array.from(forest.tokens, (t) => treeIds.get(t as string) as number);
}

/** The forest's feeds; `byNode` puts every node in a level of its own (children still come first). */
function feedsOf(forest: Forest, byNode = false): Feeds {
  const f = forestFeeds(forest, 2);
  const N = forest.size;
  const offsets = byNode ? Int32Array.from({ length: N + 1 }, (_, i) => i) : f.levelOffsets;
  return {
    nodes: { data: ids(forest), dims: [N] },
    children: { data: f.children, dims: [N, 2] },
    order: { data: f.order, dims: [N] },
    level_offsets: { data: offsets, dims: [offsets.length] },
    roots: { data: f.roots, dims: [f.roots.length] },
  };
}

async function median(run: () => Promise<void> | void, repeats: number): Promise<number> {
  await run(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
}

const node = await open(ortNode);
const web = await open(ortWeb);
const rows: Record<string, unknown>[] = [];
const loadBefore = loadavg()[0] as number;
for (const trees of SIZES) {
  const exprs = dataset(new Rng(100 + trees), trees, 3, 7);
  const forest = flattenForest(exprs.map((e) => e.tree), { arity: 2 });
  const perTree = exprs.map((e) => feedsOf(flattenForest([e.tree], { arity: 2 })));
  const whole = feedsOf(forest);
  const byNode = feedsOf(forest, true);
  const repeats = trees >= 256 ? 9 : 21;
  const value = treeValue(forest, { ids: treeIds });
  const x = tf.gather(model.variables.get('embedding.E') as tf.Tensor2D, value.nodes) as tf.Tensor2D;
  const tfjs = (f: typeof evaluateForest) => () => void tf.tidy(() => f(model.bound.child('cell'), x, value, 2)[0]?.dataSync());
  const row = {
    trees,
    nodes: forest.size,
    heights: forest.levels.length,
    forestMs: await median(() => node(whole), repeats),
    perTreeMs: await median(async () => {
      for (const feeds of perTree) await node(feeds);
    }, Math.min(repeats, 5)),
    byNodeMs: await median(() => node(byNode), Math.min(repeats, 5)),
    webForestMs: await median(() => web(whole), repeats),
    tfjsBatchedMs: await median(tfjs(evaluateForest), Math.min(repeats, 5)),
    tfjsByNodeMs: await median(tfjs(evaluateNodeByNode), trees >= 64 ? 1 : 3),
  };
  x.dispose();
  value.nodes.dispose();
  console.log(JSON.stringify(row));
  rows.push(row);
}
model.dispose();

const ms = (v: number): string => (v < 10 ? v.toFixed(2) : v.toFixed(0));
const rate = (count: number, millis: number): string => `${Math.round((1000 * count) / millis).toLocaleString('en')}`;
writeResults(`${process.env.UNFOLD_RESULTS_DIR}tree-speed`, 'Tree-LSTM forests in onnxruntime: throughput, and height-batched against node by node', rows, [
  { label: 'trees', format: (r: { trees: number }) => String(r.trees) },
  { label: 'nodes', format: (r: { nodes: number }) => String(r.nodes) },
  { label: 'heights', format: (r: { heights: number }) => String(r.heights) },
  { label: 'ort-node forest ms', format: (r: { forestMs: number }) => ms(r.forestMs) },
  { label: 'trees/s', format: (r: { trees: number; forestMs: number }) => rate(r.trees, r.forestMs) },
  { label: 'nodes/s', format: (r: { nodes: number; forestMs: number }) => rate(r.nodes, r.forestMs) },
  { label: 'ort-node per tree ms', format: (r: { perTreeMs: number }) => ms(r.perTreeMs) },
  { label: 'ort-node by node ms', format: (r: { byNodeMs: number }) => ms(r.byNodeMs) },
  { label: 'forest vs per tree', format: (r: { perTreeMs: number; forestMs: number }) => `${(r.perTreeMs / r.forestMs).toFixed(1)}×` },
  { label: 'forest vs by node', format: (r: { byNodeMs: number; forestMs: number }) => `${(r.byNodeMs / r.forestMs).toFixed(1)}×` },
  { label: 'ort-web forest ms', format: (r: { webForestMs: number }) => ms(r.webForestMs) },
  { label: 'tfjs batched ms', format: (r: { tfjsBatchedMs: number }) => ms(r.tfjsBatchedMs) },
  { label: 'tfjs by node ms', format: (r: { tfjsByNodeMs: number }) => ms(r.tfjsByNodeMs) },
  { label: 'tfjs batched vs by node', format: (r: { tfjsByNodeMs: number; tfjsBatchedMs: number }) => `${(r.tfjsByNodeMs / r.tfjsBatchedMs).toFixed(1)}×` },
], {
  command: 'node tools/bench/src/experiments/run.mjs tree-speed',
  model: 'N-ary Tree-LSTM (N = 2, H 64, embedding 32, dense 10), random weights (seed 1), exported with exportModel',
  trees: 'random arithmetic expressions, heights 3–7 uniform',
  timing: 'median of repeated calls after one warm-up; feeds built before timing; onnxruntime single session, default threads; tfjs wasm backend, cell only (no embedding or head)',
  byNode: 'the same graph with one node per Loop iteration (level_offsets 0, 1, …, N)',
  load: `1-minute load average ${loadBefore.toFixed(1)} before and ${(loadavg()[0] as number).toFixed(1)} after, on a machine shared with other jobs: single timings vary by tens of percent`,
});
