// Inference speed of unfold's exported ONNX files in onnxruntime-node (1 thread), side by side with hand-built
// single-op graphs of the same size, the speed limit a JS user gets from onnxruntime (issue 5):
//   (a) an exported LSTM vs one native LSTM node: target within 1.2× at batch 1 (latency) and 64 (throughput);
//   (b) the leaky and ESN Scan graphs vs one native RNN node (tanh): target within 2×.
// Size: input 32, hidden 128, 64 steps. Every engine runs in turn inside each round (interleaved), medians of
// BENCH_ROUNDS (default 15, at least 7) rounds. The exported models are fed as a streaming client would feed
// them: batch-first input, `sequence_lens` = [FULL_LENGTH] and zero `state_in.*` rows; the reference graphs
// take time-major X and nothing else. For the LSTM, what the export adds around the LSTM node (Transposes,
// the sequence_lens and state plumbing, the boundary glue) is costed by ablation: hand-built graphs that
// add one group at a time, timed in the same rounds. (onnxruntime's profiler is no use for this: it adds
// microseconds to every node, several times the real cost of the small ones.) Reports; never fails on speed.
//
// Run: `node tools/bench/src/onnx-speed.mjs` from the repo root. No build needed: the unfold packages are
// bundled from source with esbuild (export condition `@unfold/source`, as the runtimes test does), so the
// numbers are always those of the working tree; tfjs and onnxruntime stay external.
// Writes tools/bench/results/onnx-speed.{json,md}.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importFromSource } from './from-source.mjs';
import { measureGemmPeak, gemmShapes } from './onnx-gemm-peak.mjs';
import { median, writeResults } from './stats.mjs';
import { assertWithinCeiling, exitOnCeilingExceeded } from './sanity.mjs';

process.env.ORT_DISABLE_TELEMETRY ??= '1'; // before onnxruntime's native library loads
const I = 32, H = 128, T = 64;
const BATCHES = [1, 64];
const ROUNDS = Math.max(7, Number(process.env.BENCH_ROUNDS ?? 15));
/** Calls per timed round: ~15–100 ms a round. */
const CALLS = { 1: 80, 64: 8 };

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = join(root, '.tmp', 'onnx-speed');

/** The unfold packages, bundled from source into one ESM file. */
function loadUnfold() {
  return importFromSource([
    "export { createRegistry, initWeights, resolveModel } from '@unfold/core';",
    "export { heads, layers } from '@unfold/architectures';",
    "export { cells } from '@unfold/cells/all';",
    "export { createModelBuilder, exportModel, FULL_LENGTH, readOnnxModel, serializeGraph } from '@unfold/onnx';",
  ], join(scratch, 'unfold.mjs'));
}

const ortModule = await import('onnxruntime-node');
const ort = ortModule.default ?? ortModule;
const unfold = await loadUnfold();
const registry = unfold.createRegistry([...unfold.cells, ...unfold.layers, ...unfold.heads]);
const sessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 };

/** Deterministic U(−k, k) values (an LCG), so every run benchmarks the same weights and inputs. */
function uniform(size, k, seed) {
  let s = seed;
  return Float32Array.from({ length: size }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 * 2 - 1) * k);
}

/** One exported model: the cell `kind` under `recurrent`, weights from unfold's own initialisers. */
function exportedModel(label, cell, config) {
  const spec = { kind: 'recurrent', children: { cell: { kind: cell, config: { inputSize: I, hiddenSize: H, ...config } } } };
  const weights = unfold.initWeights(unfold.resolveModel(registry, spec), 1);
  const bytes = unfold.exportModel(registry, { spec, weights });
  const states = cell === 'lstm' ? ['cell.h', 'cell.c'] : cell === 'esn' ? ['cell.x'] : ['cell.h'];
  const feeds = (batch) => ({
    input: new ort.Tensor('float32', uniform(batch * T * I, 1, 7), [batch, T, I]),
    sequence_lens: new ort.Tensor('int32', Int32Array.of(unfold.FULL_LENGTH), [1]),
    ...Object.fromEntries(states.map((name) => [`state_in.${name}`, new ort.Tensor('float32', new Float32Array(H), [1, H])])),
  });
  return { label, bytes, feeds };
}

/**
 * One native RNN or LSTM node (layout 0) of the same size. `variant` adds, for the LSTM cost breakdown, what
 * the export adds around that node: 'bare' takes time-major X and nothing else (the speed limit); 'layout'
 * takes batch-first X and returns batch-first Y (a Transpose at each edge, Y squeezed); 'interface' also
 * feeds sequence_lens [B] and initial states [B, H] to the node (Unsqueeze) and squeezes the final states.
 */
function singleOpModel(op, variant = 'bare') {
  const gates = op === 'LSTM' ? 4 : 1;
  const states = op === 'LSTM' ? ['h', 'c'] : ['h'];
  const k = 1 / Math.sqrt(H);
  const graph = unfold.createModelBuilder(['X', 'sequence_lens', 'initial_h', 'initial_c', 'Y', 'Y_h', 'Y_c']);
  const axis = (stem, values) => graph.constant(stem, { dtype: 'int64', shape: [values.length], data: BigInt64Array.from(values, BigInt) });
  const batchFirst = variant !== 'bare';
  const X = graph.input('X', { dtype: 'float32', shape: batchFirst ? ['batch', 'time', I] : ['time', 'batch', I] });
  const inputs = [
    batchFirst ? graph.node('Transpose', [X], { perm: [1, 0, 2] })[0] : X,
    graph.constant('W', { shape: [1, gates * H, I], data: uniform(gates * H * I, k, 1) }),
    graph.constant('R', { shape: [1, gates * H, H], data: uniform(gates * H * H, k, 2) }),
    graph.constant('B', { shape: [1, 2 * gates * H], data: uniform(2 * gates * H, k, 3) }),
  ];
  if (variant === 'interface') {
    inputs.push(graph.input('sequence_lens', { dtype: 'int32', shape: ['batch'] }));
    for (const state of states) inputs.push(graph.node('Unsqueeze', [graph.input(`initial_${state}`, { dtype: 'float32', shape: ['batch', H] }), axis('axis0', [0])])[0]);
  }
  const activations = op === 'LSTM' ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Tanh'];
  const [Y, ...finals] = graph.node(op, inputs, { hidden_size: H, layout: 0, activations }, { outputs: 1 + states.length });
  if (batchFirst) {
    const [squeezed] = graph.node('Squeeze', [Y, axis('axis1', [1])]);
    graph.output('Y', graph.node('Transpose', [squeezed], { perm: [1, 0, 2] })[0], { dtype: 'float32', shape: ['batch', 'time', H] });
  } else {
    graph.output('Y', Y, { dtype: 'float32', shape: ['time', 1, 'batch', H] });
  }
  finals.forEach((final, i) => {
    const value = variant === 'interface' ? graph.node('Squeeze', [final, axis('axis0', [0])])[0] : final;
    graph.output(`Y_${states[i]}`, value, { dtype: 'float32', shape: variant === 'interface' ? ['batch', H] : [1, 'batch', H] });
  });
  const bytes = unfold.serializeGraph(graph, { name: `single-${op}-${variant}` });
  const feeds = (batch) => ({
    X: new ort.Tensor('float32', uniform(T * batch * I, 1, 7), batchFirst ? [batch, T, I] : [T, batch, I]),
    ...(variant === 'interface'
      ? { sequence_lens: new ort.Tensor('int32', new Int32Array(batch).fill(T), [batch]), ...Object.fromEntries(states.map((s) => [`initial_${s}`, new ort.Tensor('float32', new Float32Array(batch * H), [batch, H])])) }
      : {}),
  });
  return { label: variant === 'bare' ? `${op} op` : `${op} op + ${variant}`, bytes, feeds };
}

/**
 * A cell's per-step mapping (`onnxStep`) in a bare Scan: time-major X and the initial state [B, H] in, every
 * step's output and the last state out; no lengths, padding, reversal or zero step. The mapping's own hooks
 * are honoured as the shared emitter does: the state encoded before the loop and decoded after it (`carry`),
 * the output scanned out as its terms and added after the loop (`outputTerms`). Export minus this = what the
 * shared Scan emitter (padding, T = 0, last-step gather) and the exporter's boundary add.
 */
function stepOnlyModel(label, kind, config) {
  const plugin = unfold.cells.find((cell) => cell.kind === kind);
  const mapping = plugin.onnxStep;
  const spec = { kind, config: { inputSize: I, hiddenSize: H, ...config } };
  const weights = unfold.initWeights(unfold.resolveModel(registry, spec), 1);
  const valid = plugin.validate(spec.config);
  const graph = unfold.createModelBuilder(['X', 'initial', 'Y', 'final']);
  const X = graph.input('X', { dtype: 'float32', shape: ['time', 'batch', I] });
  const prepared = mapping.prepare ? mapping.prepare({ graph, config: valid, weights, input: X }) : { input: X, size: I };
  const carried = (op, value) => (mapping.carry ? mapping.carry[op]({ graph, config: valid, weights, index: 0, value }) : value);
  const row = (size, stem) => ({ dtype: 'float32', shape: ['batch', size], ...(stem ? { stem } : {}) });
  let terms = 0;
  let outputs = [];
  const signature = { inputs: [row(H, 'h'), row(prepared.size, 'x_t')], get outputs() { return outputs; } };
  const body = graph.subgraph('step', signature, (step, [h, xt]) => {
    const result = mapping.step({ graph: step, config: valid, weights, input: xt, state: [h] });
    terms = result.outputTerms?.length ?? 0;
    outputs = Array.from({ length: 1 + Math.max(terms, 1) }, () => row(H));
    return [result.state[0], ...(result.outputTerms ?? [result.output])];
  });
  const initial = carried('encode', graph.input('initial', { dtype: 'float32', shape: ['batch', H] }));
  const [final, ...scanned] = graph.node('Scan', [initial, prepared.input], { body, num_scan_inputs: 1 }, { outputs: outputs.length });
  const Y = scanned.slice(1).reduce((sum, term) => graph.node('Add', [sum, term])[0], scanned[0]);
  graph.output('Y', carried('decode', Y), { dtype: 'float32', shape: ['time', 'batch', H] });
  graph.output('final', carried('decode', final), { dtype: 'float32', shape: ['batch', H] });
  const feeds = (batch) => ({
    X: new ort.Tensor('float32', uniform(T * batch * I, 1, 7), [T, batch, I]),
    initial: new ort.Tensor('float32', new Float32Array(batch * H), [batch, H]),
  });
  return { label, bytes: unfold.serializeGraph(graph, { name: `${kind}-step` }), feeds };
}

/** A MatMul graph [m, k]·[k, n] with B an initializer, and its feeds (for onnx-gemm-peak.mjs). */
function gemmModel([m, k, n]) {
  const graph = unfold.createModelBuilder(['A', 'C']);
  const A = graph.input('A', { dtype: 'float32', shape: [m, k] });
  const [product] = graph.node('MatMul', [A, graph.constant('B', { shape: [k, n], data: uniform(k * n, 1, 5) })]);
  graph.output('C', product, { dtype: 'float32', shape: [m, n] });
  return { bytes: unfold.serializeGraph(graph, { name: 'gemm' }), feeds: { A: new ort.Tensor('float32', uniform(m * k, 1, 6), [m, k]) } };
}

/** Milliseconds per call over `calls` calls. */
async function timeCalls(session, feeds, calls) {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await session.run(feeds);
  return (performance.now() - start) / calls;
}

/**
 * Ms per call of each engine at one batch size, measured interleaved: every round runs every engine once,
 * in turn, so drifts in machine load hit them alike. `median` over rounds for the table; `quiet`, the lower
 * quartile (rounds least disturbed by other load), for the cost breakdowns, which subtract close numbers.
 */
async function measure(engines, batch) {
  const prepared = [];
  for (const engine of engines) {
    const session = await ort.InferenceSession.create(engine.bytes, sessionOptions);
    const feeds = engine.feeds(batch);
    for (let i = 0; i < 3; i++) await session.run(feeds); // warm up
    prepared.push({ session, feeds, times: [] });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const entry of prepared) entry.times.push(await timeCalls(entry.session, entry.feeds, CALLS[batch]));
  }
  await Promise.all(prepared.map((entry) => entry.session.release()));
  const lowerQuartile = (times) => [...times].sort((a, b) => a - b)[Math.floor((times.length - 1) / 4)];
  return prepared.map((entry) => ({ median: median(entry.times), quiet: lowerQuartile(entry.times) }));
}

const flopsPerSequence = { LSTM: 2 * T * 4 * H * (I + H), RNN: 2 * T * H * (I + H) };
const lstmOp = singleOpModel('LSTM');
const rnnOp = singleOpModel('RNN');
const pairs = [
  { engine: exportedModel('unfold lstm', 'lstm', {}), reference: lstmOp, flops: flopsPerSequence.LSTM, target: 1.2 },
  { engine: exportedModel('unfold leaky (α spectrum 0.01–1)', 'leaky', {}), reference: rnnOp, flops: flopsPerSequence.RNN, target: 2 },
  { engine: exportedModel('unfold leaky (α = 0.5, relu)', 'leaky', { alpha: 0.5, activation: 'relu' }), reference: rnnOp, flops: flopsPerSequence.RNN, target: 2 },
  { engine: exportedModel('unfold esn (leak 1)', 'esn', {}), reference: rnnOp, flops: flopsPerSequence.RNN, target: 2 },
  { engine: exportedModel('unfold esn (leak 0.3)', 'esn', { leakRate: 0.3 }), reference: rnnOp, flops: flopsPerSequence.RNN, target: 2 },
];

/** The breakdowns: the LSTM node with, step by step, what the export adds around it; the leaky step in a bare Scan. */
const [lstmLayout, lstmInterface] = [singleOpModel('LSTM', 'layout'), singleOpModel('LSTM', 'interface')];
const leakyMapping = stepOnlyModel('leaky step in a bare Scan', 'leaky', {});
const nodeCount = (bytes) => Object.values(unfold.readOnnxModel(bytes).ops).reduce((a, b) => a + b, 0);
const engines = [...new Set([...pairs.flatMap((pair) => [pair.engine, pair.reference]), lstmLayout, lstmInterface, leakyMapping])];

// The GEMM peak: best over shapes and warm repetitions at 1 thread (the rows' thread count, so the
// fractions' denominator), and at 2 threads for reference; measured before and after the rounds.
const gemmRates = async () => measureGemmPeak(ort, gemmModel, gemmShapes({ input: I, hidden: H, steps: T }), [1, 2], sessionOptions);
const gemmBefore = await gemmRates();
const rows = [];
const lstmBreakdown = {};
const leakyBreakdown = {};
for (const batch of BATCHES) {
  const measured = new Map((await measure(engines, batch)).map((m, i) => [engines[i], m]));
  const medianOf = (engine) => measured.get(engine).median;
  const quietOf = (engine) => measured.get(engine).quiet;
  for (const pair of pairs) {
    const ours = medianOf(pair.engine);
    const theirs = medianOf(pair.reference);
    const gflops = (batch * pair.flops) / (ours / 1000) / 1e9;
    rows.push({
      model: pair.engine.label,
      reference: pair.reference.label,
      batch,
      unfoldMs: ours,
      referenceMs: theirs,
      ratio: ours / theirs,
      target: pair.target,
      withinTarget: ours / theirs <= pair.target,
      unfoldSequencesPerSecond: (batch * 1000) / ours,
      referenceSequencesPerSecond: (batch * 1000) / theirs,
      unfoldGflops: gflops,
  });
  }
  // bare → + layout → + interface → the export: each difference is what that step's nodes cost.
  const [exported, bare, layout, withInterface] = [pairs[0].engine, lstmOp, lstmLayout, lstmInterface].map(quietOf);
  const us = (ms) => `${Math.round(ms * 1000)} µs`;
  const glueNodes = nodeCount(pairs[0].engine.bytes) - nodeCount(lstmInterface.bytes);
  lstmBreakdown[`batch ${batch}`] =
    `LSTM node alone ${us(bare)}; + batch-first Transposes and Y Squeeze ${us(layout - bare)}; ` +
    `+ sequence_lens and initial states on the node (Unsqueeze, Squeeze) ${us(withInterface - layout)}; ` +
    `+ the export's boundary glue (${glueNodes} more nodes: lengths broadcast and clipped, state rows broadcast, Where keeping the state of empty sequences, output Identities) ${us(exported - withInterface)}`;
  const [leakyExported, rnn, leakyAlone] = [pairs[1].engine, rnnOp, leakyMapping].map(quietOf);
  leakyBreakdown[`batch ${batch}`] =
    `RNN op ${us(rnn)}; leaky step in a bare Scan (time-major, no lengths, no exporter boundary) ${us(leakyAlone)} = ${(leakyAlone / rnn).toFixed(2)}×; ` +
    `+ the shared Scan's padding, zero step and last-step gather and the exporter's boundary (Transposes, lengths and state plumbing, Where for empty sequences) ${us(leakyExported - leakyAlone)}`;
}

// Best per (shape, threads) over both measurements, best first.
const gemm = [...gemmBefore, ...(await gemmRates())]
  .sort((a, b) => b.gflops - a.gflops)
  .filter((rate, i, all) => all.findIndex((other) => other.shape === rate.shape && other.threads === rate.threads) === i);
const best = (threads) => gemm.find((rate) => rate.threads === threads);
const peak = best(1).gflops;
for (const row of rows) row.fractionOfGemmPeak = row.unfoldGflops / peak;

const fixed = (digits) => (value) => value.toFixed(digits);
const columns = [
  { label: 'model', format: (r) => r.model },
  { label: 'batch', format: (r) => String(r.batch) },
  { label: 'unfold ms/call', format: (r) => fixed(3)(r.unfoldMs) },
  { label: 'reference', format: (r) => r.reference },
  { label: 'reference ms/call', format: (r) => fixed(3)(r.referenceMs) },
  { label: 'ratio', format: (r) => `${fixed(2)(r.ratio)}×` },
  { label: 'target', format: (r) => `≤ ${r.target}× ${r.withinTarget ? 'met' : 'missed'}` },
  { label: 'unfold seq/s', format: (r) => Math.round(r.unfoldSequencesPerSecond).toLocaleString('en-US') },
  { label: 'GFLOP/s (% of GEMM peak)', format: (r) => `${fixed(1)(r.unfoldGflops)} (${fixed(0)(100 * r.fractionOfGemmPeak)}%)` },
];
const base = join(root, 'tools/bench/results/onnx-speed');
// A row above its ceiling is a broken measurement: exit 1, naming it, before anything is written.
await exitOnCeilingExceeded(async () => {
  assertWithinCeiling(rows, (r) => `${r.model}, batch ${r.batch}`, (r) => [{ what: `${r.unfoldGflops.toFixed(1)} GFLOP/s of the ${peak.toFixed(1)} GFLOP/s 1-thread MatMul peak`, fraction: r.fractionOfGemmPeak }]);
  writeResults(base, 'ONNX inference: unfold exports vs single native ops (onnxruntime-node, 1 thread)', rows, columns, {
    size: `input ${I}, hidden ${H}, ${T} steps`,
    onnxruntime: `onnxruntime-node ${ort.env?.versions?.node ?? '?'}, intra/inter-op threads 1, graphOptimizationLevel all`,
    method: `interleaved rounds, median of ${ROUNDS} (cost breakdowns: lower quartile); ${CALLS[1]} calls/round at batch 1, ${CALLS[64]} at batch 64; unfold bundled from source (esbuild, condition @unfold/source)`,
    gemmPeakGflops: Math.round(peak * 10) / 10,
    gemmPeak: `onnxruntime MatMul (B an initializer), best over shapes ${gemmShapes({ input: I, hidden: H, steps: T }).map((s) => s.join('×')).join(', ')} and 7 warm repetitions of ~50 ms, before and after the rounds: 1 thread ${best(1).gflops.toFixed(1)} GFLOP/s at ${best(1).shape} (the fractions' denominator: the rows run 1 thread), 2 threads ${best(2).gflops.toFixed(1)} GFLOP/s at ${best(2).shape}`,
    gemmRates: gemm.map((rate) => `${rate.shape} ${rate.threads}t ${rate.gflops.toFixed(1)}`).join('; '),
    lstmExportCost: lstmBreakdown,
    leakyExportCost: leakyBreakdown,
  });
  console.log(readFileSync(`${base}.md`, 'utf8'));
});
