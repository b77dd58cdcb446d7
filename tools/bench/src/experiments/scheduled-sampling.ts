// Scheduled sampling against teacher forcing on an output-feedback forecaster (issue 10's acceptance):
// Mackey-Glass (τ = 17), a GRU(16) forecaster that reads its own predictions when it runs free. Both
// variants get the same seeds, data and budget; scored by the NRMSE of free-running forecasts 50 steps
// ahead from 40 held-out starting points (primed with 100 true steps). Writes
// tools/bench/results/scheduled-sampling.{json,md}.
import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, setupBackend } from '@unfold/core';
import { createModel, fit, freeRun, losses, mackeyGlass, normalisationOf, nrmse, parseSchedule, type Model } from '@unfold/training';
// @ts-expect-error: plain ESM helpers without types
import { writeResults } from '../stats.mjs';

const HORIZON = 50;
const PRIME = 100;
const WINDOW = 60;
const EPOCHS = Number(process.env.EXPERIMENT_EPOCHS ?? 60);
const SCHEDULE = process.env.EXPERIMENT_SCHEDULE ?? 'linear:1:0.1:0.0015';

await setupBackend({ backend: 'wasm' });
const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const series = Array.from(mackeyGlass({ length: 3000 }));
const { mean, std } = normalisationOf(series.slice(0, 2000));
const z = series.map((v) => (v - mean) / std);

function windows(from: number, to: number, stride: number): { x: number[][][]; y: number[][][] } {
  const x: number[][][] = [];
  const y: number[][][] = [];
  for (let s = from; s + WINDOW + 1 <= to; s += stride) {
    x.push(z.slice(s, s + WINDOW).map((v) => [v]));
    y.push(z.slice(s + 1, s + WINDOW + 1).map((v) => [v]));
  }
  return { x, y };
}

function score(model: Model): number {
  const errors: number[] = [];
  for (let start = 2100; start + PRIME + HORIZON <= 3000; start += 20) {
    const prime = z.slice(start, start + PRIME).map((v) => [v]);
    const predicted = freeRun(model, prime, HORIZON).map((row) => row[0] as number);
    errors.push(nrmse(predicted, z.slice(start + PRIME, start + PRIME + HORIZON)));
  }
  return errors.reduce((a, b) => a + b, 0) / errors.length;
}

const rows: Record<string, unknown>[] = [];
for (const seed of [1, 2, 3]) {
  for (const variant of ['teacher forcing', `scheduled sampling ${SCHEDULE}`]) {
    const model = createModel(registry, { kind: 'output-feedback', children: { body: { kind: 'gru', config: { inputSize: 1, hiddenSize: 16 } }, output: { kind: 'dense', config: { inputSize: 16, outputSize: 1 } } } }, { seed });
    const started = Date.now();
    const result = await fit(model, windows(0, 2000, 5), {
      epochs: EPOCHS,
      batchSize: 32,
      loss: 'mse',
      optimizer: { kind: 'adam', learningRate: 5e-3 },
      clipNorm: 1,
      seed,
      progress: 'none',
      ...(variant === 'teacher forcing' ? {} : { scheduledSampling: parseSchedule(SCHEDULE) }),
    });
    const row = { seed, variant, steps: result.stepLosses.length, trainLoss: result.finalLoss, freeRunNrmse50: score(model), seconds: (Date.now() - started) / 1000 };
    console.log(JSON.stringify(row));
    rows.push(row);
    model.dispose();
  }
}
writeResults(`${process.env.UNFOLD_RESULTS_DIR}scheduled-sampling`, 'Scheduled sampling vs teacher forcing: free-running NRMSE at horizon 50 (Mackey-Glass, GRU 16, output feedback)', rows, [
  { label: 'seed', format: (r: Record<string, number>) => String(r.seed) },
  { label: 'training', format: (r: Record<string, unknown>) => String(r.variant) },
  { label: 'steps', format: (r: Record<string, number>) => String(r.steps) },
  { label: 'final train MSE', format: (r: Record<string, number>) => (r.trainLoss as number).toExponential(2) },
  { label: 'free-run NRMSE @50', format: (r: Record<string, number>) => (r.freeRunNrmse50 as number).toFixed(4) },
  { label: 's', format: (r: Record<string, number>) => (r.seconds as number).toFixed(1) },
], { command: 'node tools/bench/src/experiments/run.mjs scheduled-sampling', note: 'the final train MSE of scheduled sampling is measured on partly self-fed inputs, so it is not comparable with teacher forcing; seconds include a busy machine', epochs: EPOCHS, schedule: SCHEDULE, window: WINDOW, prime: PRIME, horizon: HORIZON });
