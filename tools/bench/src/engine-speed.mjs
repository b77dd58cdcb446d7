// Latency of the inference engines on unfold's LSTM export (issue 18): input 32, hidden 128, 64 steps,
// weights from unfold's initialisers, fed as a streaming client feeds it (batch-first input,
// `sequence_lens` = [FULL_LENGTH], zero `state_in.*` rows). Engines, each on one thread:
//   compact    @unfold/engine (plain TypeScript; bundled from source)
//   ort-web    onnxruntime-web (WebAssembly SIMD, numThreads 1)
//   ort-node   onnxruntime-node (intra/inter-op threads 1)
//   LSTM op    onnxruntime-node on a hand-built graph of the one LSTM node alone (time-major X, no lengths or
//              states): the speed limit of onnxruntime, the issue's latency reference
// at batch sizes 1 to 64: ms per call, medians of interleaved rounds (every engine in turn in each round, so
// a change in the machine's other load hits all alike). The batch-1 targets: compact no slower than
// ort-web and within 1.5× of the single LSTM op. From the batch sweep, `auto`'s threshold (the largest
// batch at which compact stays within 1.25× of ort-node) is printed for apps/edge/src/engines/load.ts.
// Reports; never fails on speed.
//
// Run: `node tools/bench/src/engine-speed.mjs` from the repo root; no build needed. Env: BENCH_ROUNDS
// (default 9). Writes tools/bench/results/engine-speed.{json,md}.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importFromSource } from './from-source.mjs';
import { packageVersion } from './machine.mjs';
import { median, writeResults } from './stats.mjs';

process.env.ORT_DISABLE_TELEMETRY ??= '1';
const I = 32, H = 128, T = 64;
const BATCHES = [1, 2, 4, 8, 16, 32, 64];
const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 15));
/** Calls per timed round at a batch size: about 50–150 ms of work per round for the slowest engine. */
const callsAt = (batch) => Math.max(3, Math.round(96 / batch));
/**
 * `auto` keeps a call on compact while compact takes at most AUTO_TOLERANCE times onnxruntime-node's time or
 * at most AUTO_EXTRA_MS more: there, answering from the engine that starts in milliseconds costs a call less
 * than a client notices, and onnxruntime-node (190 ms to load) need not be loaded at all.
 */
const AUTO_TOLERANCE = 1.25;
const AUTO_EXTRA_MS = 1;

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = join(root, '.tmp', 'engine-speed');

/** unfold (export) and the compact engine (with the kernels' switches), bundled from source into one ESM file. */
function loadUnfold() {
  return importFromSource([
    "export { createRegistry, initWeights, resolveModel } from '@unfold/core';",
    "export { heads, layers } from '@unfold/architectures';",
    "export { cells } from '@unfold/cells/all';",
    "export { createModelBuilder, exportModel, FULL_LENGTH, serializeGraph } from '@unfold/onnx';",
    "export * as compact from '@unfold/engine';",
    "export { kernelBuild, kernelThreads, useKernels } from '@unfold/cells/kernels';",
  ], join(scratch, 'unfold.mjs'));
}

const unfold = await loadUnfold();
// The compact engine's recurrent kernels on one thread, as the servers run them (--threads 1), like the others.
unfold.useKernels('auto', { threads: 1 });
const ortNode = await import('onnxruntime-node').then((m) => m.default ?? m);
const ortWeb = await import('onnxruntime-web').then((m) => m.default ?? m);
ortWeb.env.wasm.numThreads = 1;
ortWeb.env.logLevel = 'error';
const registry = unfold.createRegistry([...unfold.cells, ...unfold.layers, ...unfold.heads]);

/** Deterministic U(−k, k) values (an LCG). */
function uniform(size, k, seed) {
  let s = seed;
  return Float32Array.from({ length: size }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 * 2 - 1) * k);
}

/** The export the issue names: `recurrent` over an LSTM cell, I 32, H 128. */
function exportedLstm() {
  const spec = { kind: 'recurrent', children: { cell: { kind: 'lstm', config: { inputSize: I, hiddenSize: H } } } };
  const bytes = unfold.exportModel(registry, { spec, weights: unfold.initWeights(unfold.resolveModel(registry, spec), 1) });
  const feeds = (Tensor, batch) => ({
    input: new Tensor('float32', uniform(batch * T * I, 1, 7), [batch, T, I]),
    sequence_lens: new Tensor('int32', Int32Array.of(unfold.FULL_LENGTH), [1]),
    'state_in.cell.h': new Tensor('float32', new Float32Array(H), [1, H]),
    'state_in.cell.c': new Tensor('float32', new Float32Array(H), [1, H]),
  });
  return { bytes, feeds };
}

/** One LSTM node alone, layout 0: time-major X in, Y, Y_h, Y_c out (onnx-speed.mjs's `bare` reference). */
function singleLstmOp() {
  const k = 1 / Math.sqrt(H);
  const graph = unfold.createModelBuilder(['X', 'Y', 'Y_h', 'Y_c']);
  const X = graph.input('X', { dtype: 'float32', shape: ['time', 'batch', I] });
  const weights = [['W', [1, 4 * H, I]], ['R', [1, 4 * H, H]], ['B', [1, 8 * H]]].map(([name, shape], i) => graph.constant(name, { shape, data: uniform(shape.reduce((a, b) => a * b, 1), k, i + 1) }));
  const [Y, Yh, Yc] = graph.node('LSTM', [X, ...weights], { hidden_size: H, layout: 0 }, { outputs: 3 });
  graph.output('Y', Y, { dtype: 'float32', shape: ['time', 1, 'batch', H] });
  graph.output('Y_h', Yh, { dtype: 'float32', shape: [1, 'batch', H] });
  graph.output('Y_c', Yc, { dtype: 'float32', shape: [1, 'batch', H] });
  return { bytes: unfold.serializeGraph(graph, { name: 'single-lstm' }), feeds: (Tensor, batch) => ({ X: new Tensor('float32', uniform(T * batch * I, 1, 7), [T, batch, I]) }) };
}

const exported = exportedLstm();
const lstmOp = singleLstmOp();
const nodeOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 };
const ENGINES = [
  { name: 'compact', label: 'compact (@unfold/engine)', ort: unfold.compact, model: exported, options: {} },
  { name: 'ort-web', label: 'onnxruntime-web (1 thread)', ort: ortWeb, model: exported, options: { graphOptimizationLevel: 'all' } },
  { name: 'ort-node', label: 'onnxruntime-node (1 thread)', ort: ortNode, model: exported, options: nodeOptions },
  { name: 'lstm-op', label: 'onnxruntime-node, the LSTM node alone (1 thread)', ort: ortNode, model: lstmOp, options: nodeOptions },
  { name: 'compact-lstm-op', label: 'compact, the LSTM node alone', ort: unfold.compact, model: lstmOp, options: {} },
];

async function timeCalls(session, feeds, calls) {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await session.run(feeds);
  return (performance.now() - start) / calls;
}

/** ms per call of every engine at `batch`, interleaved rounds, median. */
async function measure(batch) {
  const prepared = [];
  for (const engine of ENGINES) {
    const session = await engine.ort.InferenceSession.create(engine.model.bytes, engine.options);
    const feeds = engine.model.feeds(engine.ort.Tensor, batch);
    for (let i = 0; i < 3; i++) await session.run(feeds);
    prepared.push({ engine, session, feeds, times: [] });
  }
  for (let round = 0; round < ROUNDS; round++) for (const entry of prepared) entry.times.push(await timeCalls(entry.session, entry.feeds, callsAt(batch)));
  await Promise.all(prepared.map((entry) => entry.session.release()));
  return prepared.map(({ engine, times }) => ({ engine: engine.name, label: engine.label, batch, msPerCall: median(times), rounds: times }));
}

/** The largest outputs difference between compact and onnxruntime-node on the export at `batch` (a sanity check of what is timed). */
async function agreement(batch) {
  const run = async (ort, options) => {
    const session = await ort.InferenceSession.create(exported.bytes, options);
    const out = await session.run(exported.feeds(ort.Tensor, batch));
    await session.release();
    return out;
  };
  const [a, b] = [await run(unfold.compact, {}), await run(ortNode, nodeOptions)];
  let worst = 0;
  for (const name of Object.keys(b)) for (let i = 0; i < b[name].data.length; i++) worst = Math.max(worst, Math.abs(a[name].data[i] - b[name].data[i]));
  return worst;
}

rmSync(scratch, { recursive: true, force: true });
const began = performance.now();
const maxDifference = Math.max(await agreement(1), await agreement(8));
const rows = [];
for (const batch of BATCHES) {
  const measured = await measure(batch);
  rows.push(...measured);
  console.log(`batch ${batch}: ${measured.map((m) => `${m.engine} ${m.msPerCall.toFixed(3)} ms`).join(', ')}`);
}
const at = (engine, batch) => rows.find((r) => r.engine === engine && r.batch === batch).msPerCall;
for (const row of rows) {
  row.perSequenceMs = row.msPerCall / row.batch;
  row.vsOrtNode = row.msPerCall / at('ort-node', row.batch);
}
// auto's threshold: the largest batch up to which compact stays close to onnxruntime-node (AUTO_TOLERANCE).
const close = (batch) => at('compact', batch) <= AUTO_TOLERANCE * at('ort-node', batch) || at('compact', batch) - at('ort-node', batch) <= AUTO_EXTRA_MS;
let compactUpTo = 0;
for (const batch of BATCHES) {
  if (!close(batch)) break;
  compactUpTo = batch;
}
const targets = {
  'compact ≤ onnxruntime-web at batch 1': `${at('compact', 1).toFixed(3)} ms vs ${at('ort-web', 1).toFixed(3)} ms: ${at('compact', 1) <= at('ort-web', 1) ? 'met' : 'missed'} (${(at('compact', 1) / at('ort-web', 1)).toFixed(2)}×)`,
  'compact ≤ 1.5× the single LSTM op on onnxruntime-node at batch 1': `${at('compact', 1).toFixed(3)} ms vs ${at('lstm-op', 1).toFixed(3)} ms = ${(at('compact', 1) / at('lstm-op', 1)).toFixed(2)}×: ${at('compact', 1) <= 1.5 * at('lstm-op', 1) ? 'met' : 'missed'}`,
};
const rule = `within ${AUTO_TOLERANCE}× or ${AUTO_EXTRA_MS} ms of onnxruntime-node`;
const autoRule = compactUpTo > 0
  ? `compact is ${rule} up to batch ${compactUpTo}: auto's threshold, largest input ${compactUpTo * T * I} numbers (batch × ${T} steps × ${I} features)`
  : `compact is not ${rule} at any batch measured`;
const columns = [
  { label: 'engine', format: (r) => r.label },
  { label: 'batch', format: (r) => String(r.batch) },
  { label: 'ms/call', format: (r) => r.msPerCall.toFixed(3) },
  { label: 'ms/sequence', format: (r) => r.perSequenceMs.toFixed(3) },
  { label: '÷ onnxruntime-node (export)', format: (r) => `${r.vsOrtNode.toFixed(2)}×` },
];
const base = join(root, 'tools/bench/results/engine-speed');
writeResults(base, 'Inference engines: the LSTM H128 T64 export, ms per call by batch size (1 thread each)', rows, columns, {
  model: `unfold export of recurrent(lstm), input ${I}, hidden ${H}, ${T} steps, batch-first input, sequence_lens [FULL_LENGTH], zero state rows; ${(exported.bytes.length / 1024).toFixed(0)} KiB`,
  method: `interleaved rounds (every engine once per round), median of ${ROUNDS}; ${BATCHES.map((b) => `${callsAt(b)} calls/round at batch ${b}`).join(', ')}; after 3 warm-up calls per session`,
  kernels: `compact's recurrent kernels: ${unfold.kernelBuild()} build, ${unfold.kernelThreads()} thread`,
  versions: { engine: unfold.compact.version, onnxruntimeNode: packageVersion('onnxruntime-node'), onnxruntimeWeb: packageVersion('onnxruntime-web') },
  agreement: `largest absolute difference between compact and onnxruntime-node outputs (batch 1 and 8): ${maxDifference.toExponential(2)}`,
  targets,
  autoRule,
  compactUpToBatch: compactUpTo,
  totalSeconds: Math.round((performance.now() - began) / 1000),
});
rmSync(scratch, { recursive: true, force: true });
console.log(readFileSync(`${base}.md`, 'utf8'));
