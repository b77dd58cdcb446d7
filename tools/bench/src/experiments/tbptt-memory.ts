// Truncated BPTT's memory (issue 10's acceptance): the peak memory of fitStreams (a fresh process per row) for streams of 400 and 6,400 steps with k1 = 50, k2 = 100, against full
// BPTT over the same streams (k1 = k2 = L). LSTM(32) tagger, 8 streams, 4 features. Writes
// tools/bench/results/tbptt-memory.{json,md}.
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, Rng, setupBackend } from '@unfold/core';
import { createModel, fitStreams, losses, mse } from '@unfold/training';
// @ts-expect-error: plain ESM helpers without types
import { writeResults } from '../stats.mjs';

await setupBackend({ backend: 'wasm' });
const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const spec = { kind: 'sequence-model', config: { readout: 'sequence' }, children: { body: { kind: 'lstm', config: { inputSize: 4, hiddenSize: 32 } }, output: { kind: 'dense', config: { inputSize: 32, outputSize: 1 } } } };

function streams(length: number) {
  const rng = new Rng(1);
  const x = Array.from({ length: 8 }, () => Array.from({ length }, () => [rng.uniformIn(-1, 1), rng.uniformIn(-1, 1), rng.uniformIn(-1, 1), rng.uniformIn(-1, 1)]));
  return { x, y: x.map((s) => s.map((_, t) => [t >= 3 ? (s[t - 3] as number[])[0]! : 0])) };
}

/** One configuration in this process: the process's peak RSS and the wasm heap (which only grows: its peak). */
async function measure(length: number, k1: number, k2: number): Promise<Record<string, number>> {
  const model = createModel(registry, spec, { seed: 1 });
  const started = performance.now();
  // A full collection after every update, so the peak RSS is what training holds, not V8's uncollected garbage.
  const collect = (globalThis as { gc?: () => void }).gc;
  const { updates } = await fitStreams(model, streams(length), { k1, k2, loss: mse, optimizer: { kind: 'adam', learningRate: 1e-3 }, onUpdate: () => collect?.() });
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.byteLength ?? Number.NaN;
  model.dispose();
  return { length, k1, k2, updates, wasmHeapMiB: heap / 2 ** 20, peakRssMiB: process.resourceUsage().maxRSS / 1024, seconds: (performance.now() - started) / 1000 };
}

const [, , , ...args] = process.argv; // node run.mjs tbptt-memory [length k1 k2]
if (args.length === 3) {
  console.log(JSON.stringify(await measure(Number(args[0]), Number(args[1]), Number(args[2]))));
  process.exit(0);
}
// Each configuration in a fresh process, so peaks do not carry over.
const rows: Record<string, number>[] = [];
for (const [length, k1, k2] of [[400, 50, 100], [6400, 50, 100], [400, 400, 400], [1600, 1600, 1600]] as const) {
  const output = execFileSync(process.execPath, ['--expose-gc', process.argv[1] as string, 'tbptt-memory', String(length), String(k1), String(k2)], { encoding: 'utf8' });
  const row = JSON.parse(output.trim().split('\n').at(-1) as string) as Record<string, number>;
  console.log(JSON.stringify(row));
  rows.push(row);
}
const ratio = (rows[1]!.peakRssMiB as number) / (rows[0]!.peakRssMiB as number);
writeResults(`${process.env.UNFOLD_RESULTS_DIR}tbptt-memory`, 'Truncated BPTT: peak tensor memory against the stream length (LSTM 32, 8 streams)', rows, [
  { label: 'stream steps', format: (r: Record<string, number>) => String(r.length) },
  { label: 'k1', format: (r: Record<string, number>) => String(r.k1) },
  { label: 'k2', format: (r: Record<string, number>) => String(r.k2) },
  { label: 'updates', format: (r: Record<string, number>) => String(r.updates) },
  { label: 'peak RSS MiB', format: (r: Record<string, number>) => (r.peakRssMiB as number).toFixed(0) },
  { label: 'wasm heap MiB', format: (r: Record<string, number>) => (r.wasmHeapMiB as number).toFixed(0) },
  { label: 's', format: (r: Record<string, number>) => (r.seconds as number).toFixed(1) },
], { command: 'node tools/bench/src/experiments/run.mjs tbptt-memory', peakRatio6400over400: ratio.toFixed(3), measure: 'peak RSS of a fresh process per row (process.resourceUsage().maxRSS, node --expose-gc with a collection after every update), and the tfjs wasm heap at the end (it only grows, so it is its peak)' });
