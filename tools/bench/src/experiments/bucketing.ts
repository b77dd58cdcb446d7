// Bucketing against padding every batch to the longest sequence (issue 10's acceptance): a GRU(32)
// classifier-style regressor (last-step readout) over 512 sequences with lengths uniform in 5..100, one
// epoch of fit per variant, interleaved rounds, medians. Writes tools/bench/results/bucketing.{json,md}.
import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, Rng, setupBackend } from '@unfold/core';
import { createModel, fit, losses } from '@unfold/training';
// @ts-expect-error: plain ESM helpers without types
import { median, writeResults } from '../stats.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
await setupBackend({ backend: 'wasm' });
const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const rng = new Rng(7);
const lengths = Array.from({ length: 512 }, () => 5 + rng.int(96));
const data = { x: lengths.map((n) => Array.from({ length: n }, () => [rng.uniformIn(-1, 1), rng.uniformIn(-1, 1), rng.uniformIn(-1, 1), rng.uniformIn(-1, 1)])), y: lengths.map((n) => [n / 100]) };
const spec = { kind: 'sequence-model', config: { readout: 'last' }, children: { body: { kind: 'gru', config: { inputSize: 4, hiddenSize: 32 } }, output: { kind: 'dense', config: { inputSize: 32, outputSize: 1 } } } };

const seconds: Record<string, number[]> = { 'padded to the longest (shuffled)': [], 'buckets auto': [] };
let saved = 0;
let boundaries: readonly number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of Object.keys(seconds)) {
    const model = createModel(registry, spec, { seed: 1 });
    const started = performance.now();
    const result = await fit(model, data, { epochs: 1, batchSize: 32, loss: 'mse', progress: 'none', seed: round, ...(variant === 'buckets auto' ? { buckets: 'auto' as const } : {}) });
    seconds[variant]!.push((performance.now() - started) / 1000);
    if (result.buckets) ({ savedFraction: saved, boundaries } = result.buckets);
    model.dispose();
  }
}
const baseline = median(seconds['padded to the longest (shuffled)']);
const rows = Object.entries(seconds).map(([variant, times]) => ({ variant, seconds: median(times), speedup: baseline / median(times) }));
rows.forEach((row) => console.log(JSON.stringify(row)));
writeResults(`${process.env.UNFOLD_RESULTS_DIR}bucketing`, 'Bucketing: one epoch of fit, lengths uniform in 5..100 (GRU 32, batch 32, 512 sequences)', rows, [
  { label: 'batches', format: (r: { variant: string }) => r.variant },
  { label: 'epoch s (median)', format: (r: { seconds: number }) => r.seconds.toFixed(2) },
  { label: 'speed-up', format: (r: { speedup: number }) => `${r.speedup.toFixed(2)}×` },
], { command: 'node tools/bench/src/experiments/run.mjs bucketing', rounds: ROUNDS, paddedStepsSaved: `${(100 * saved).toFixed(1)}%`, boundaries });
