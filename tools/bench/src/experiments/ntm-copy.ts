// The NTM copy task (issue 13's acceptance): a Neural Turing Machine and an LSTM of about the same number
// of parameters, trained the same way (same seeds, the same stream of copy sequences of lengths 1–10,
// 8-bit vectors, batch 32, Adam, MSE on sigmoid outputs, gradient norm clipped at 10: COPY_TASK_TRAINING),
// for the same number of optimizer steps; scored by bit errors on held-out sequences of lengths 1–10 and of
// exactly 20 and 30 (never seen in training). Writes tools/bench/results/ntm-copy.{json,md}.
// Usage: node tools/bench/src/experiments/run.mjs ntm-copy   (EXPERIMENT_STEPS, EXPERIMENT_SEEDS to change the budget)
import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, setupBackend, type ModelSpec } from '@unfold/core';
import { bitErrors, copyTask, COPY_TASK_TRAINING, createModel, fit, losses, predict, type Model } from '@unfold/training';
// @ts-expect-error: plain ESM helpers without types
import { writeResults } from '../stats.mjs';

const BITS = 8;
const BATCH = 32;
const STEPS = Number(process.env.EXPERIMENT_STEPS ?? 600);
const SEEDS = (process.env.EXPERIMENT_SEEDS ?? '1,2').split(',').map(Number);
const ROUND = 16; // optimizer steps per fit call (fresh sequences each round)

await setupBackend({ backend: 'wasm' });
const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);

const ntmBody = { kind: 'ntm', config: { inputSize: BITS + 1, outputSize: BITS, controllerSize: 64, memorySlots: 32, memoryWidth: 10, readHeads: 1, writeHeads: 1, shiftRange: 1 } };
const variants: Record<string, { body: ModelSpec; width: number }> = {
  'ntm (N 32 × M 10, FF controller 64)': { body: ntmBody as ModelSpec, width: BITS },
  'lstm (H 30)': { body: { kind: 'lstm', config: { inputSize: BITS + 1, hiddenSize: 30 } }, width: 30 },
};

function specOf(body: ModelSpec, width: number): ModelSpec {
  return { kind: 'sequence-model', children: { body: { kind: 'recurrent', children: { cell: body } }, output: { kind: 'dense', config: { inputSize: width, outputSize: BITS, activation: 'sigmoid' } } } };
}

function parameterCount(model: Model): number {
  return Object.values(model.toModelData().weights).reduce((sum, w) => sum + w.data.length, 0);
}

const tests = {
  '1–10': copyTask({ count: 200, bits: BITS, minLength: 1, maxLength: 10, seed: 1001 }),
  '20': copyTask({ count: 100, bits: BITS, minLength: 20, maxLength: 20, seed: 1002 }),
  '30': copyTask({ count: 100, bits: BITS, minLength: 30, maxLength: 30, seed: 1003 }),
};

const rows: Record<string, unknown>[] = [];
for (const seed of SEEDS) {
  for (const [variant, { body, width }] of Object.entries(variants)) {
    const model = createModel(registry, specOf(body, width), { seed });
    const started = Date.now();
    let steps = 0;
    let lossAt = 0;
    for (let round = 0; steps < STEPS; round++) {
      const data = copyTask({ count: BATCH * ROUND, bits: BITS, minLength: 1, maxLength: 10, seed: seed * 100_000 + round });
      const result = await fit(model, data, { ...COPY_TASK_TRAINING, epochs: 1, batchSize: BATCH, seed: seed * 100_000 + round, progress: 'none' });
      steps += result.stepLosses.length;
      lossAt = result.finalLoss;
    }
    const trainSeconds = (Date.now() - started) / 1000;
    const row: Record<string, unknown> = { seed, variant, parameters: parameterCount(model), steps, sequences: steps * BATCH, trainLoss: lossAt, trainSeconds };
    for (const [name, test] of Object.entries(tests)) {
      const errors = bitErrors(predict(model, test.x), test.y);
      row[`bitErrorRate ${name}`] = errors.rate;
      row[`bitsPerSequence ${name}`] = errors.meanPerSequence;
      row[`perfect ${name}`] = errors.perfect / test.x.length;
    }
    console.log(JSON.stringify(row));
    rows.push(row);
    model.dispose();
  }
}

const pct = (v: unknown) => `${(100 * (v as number)).toFixed(2)}%`;
writeResults(`${process.env.UNFOLD_RESULTS_DIR}${process.env.EXPERIMENT_RESULTS ?? "ntm-copy"}`, 'NTM vs LSTM on copy: trained on lengths 1–10, bit errors at 1–10, 20 and 30', rows, [
  { label: 'seed', format: (r: Record<string, unknown>) => String(r.seed) },
  { label: 'model', format: (r: Record<string, unknown>) => String(r.variant) },
  { label: 'params', format: (r: Record<string, unknown>) => String(r.parameters) },
  { label: 'steps (sequences)', format: (r: Record<string, unknown>) => `${r.steps} (${r.sequences})` },
  { label: 'train MSE', format: (r: Record<string, unknown>) => (r.trainLoss as number).toExponential(2) },
  ...(['1–10', '20', '30'] as const).map((name) => ({ label: `bit error ${name} (bits/seq)`, format: (r: Record<string, unknown>) => `${pct(r[`bitErrorRate ${name}`])} (${(r[`bitsPerSequence ${name}`] as number).toFixed(2)})` })),
  { label: 'train s', format: (r: Record<string, unknown>) => (r.trainSeconds as number).toFixed(0) },
], {
  command: 'node tools/bench/src/experiments/run.mjs ntm-copy',
  task: `copy, ${BITS}-bit vectors + delimiter channel, null (masked) targets before the answer; train lengths 1–10 (fresh sequences every ${ROUND} steps), test 200 sequences of 1–10, 100 of 20, 100 of 30`,
  training: `${STEPS} Adam steps, batch ${BATCH}, ${JSON.stringify(COPY_TASK_TRAINING)}, sigmoid outputs; a bit is 1 when the output > 0.5`,
  budget: 'one tfjs wasm thread per run on a 2-core machine; seconds include whatever else ran',
});
