import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, deserializeTrainingCheckpoint, serializeTrainingCheckpoint, setupBackend, type ModelSpec, type TrainingState } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fit, losses, type FitOptions, type Model } from '../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
/** An output-feedback GRU (scheduled sampling draws from the step's rng) on ragged sequences (buckets). */
const spec: ModelSpec = { kind: 'output-feedback', children: { body: { kind: 'gru', config: { inputSize: 1, hiddenSize: 4 } }, output: { kind: 'dense', config: { inputSize: 4, outputSize: 1 } } } };

function sequences(count: number): { x: number[][][]; y: number[][][] } {
  const x: number[][][] = [];
  const y: number[][][] = [];
  for (let n = 0; n < count; n++) {
    const wave = Array.from({ length: 3 + ((n * 7) % 9) + 1 }, (_, t) => Math.sin(0.7 * (t + n)));
    x.push(wave.slice(0, -1).map((v) => [v]));
    y.push(wave.slice(1).map((v) => [v]));
  }
  return { x, y };
}

const data = sequences(24);
const validation = sequences(6);

const plain = (state: TrainingState) => ({
  weights: Object.fromEntries(Object.entries(state.weights).map(([k, w]) => [k, Array.from(w.data)])),
  slots: Object.fromEntries(Object.entries(state.optimizer.slots).map(([k, w]) => [k, Array.from(w.data)])),
  steps: state.optimizer.steps,
  stepLosses: state.stepLosses,
  history: state.history,
  position: state.position,
  callbacks: JSON.stringify(Object.fromEntries(Object.entries(state.callbacks).map(([k, c]) => [k, { json: c.json, tensors: Object.fromEntries(Object.entries(c.tensors ?? {}).map(([n, t]) => [n, Array.from(t.data)])) }]))),
});

/** Trains with checkpoints every 2 steps; each state goes through the file format (bytes) and back. */
async function train(options: Partial<FitOptions>, resume?: TrainingState, seed = 1): Promise<{ states: TrainingState[]; model: Model }> {
  const model = createModel(registry, spec, { seed });
  const states: TrainingState[] = [];
  await fit(model, data, {
    epochs: 3,
    batchSize: 5,
    loss: 'mse',
    seed: 7,
    progress: 'none',
    checkpointEvery: 2,
    onCheckpoint: (state) => void states.push(deserializeTrainingCheckpoint(registry, serializeTrainingCheckpoint(registry, model, state)).state),
    ...options,
    ...(resume ? { resume } : {}),
  });
  return { states, model };
}

const cases: [string, Partial<FitOptions>][] = [
  ['Adam, shuffled, a learning-rate schedule', { optimizer: { kind: 'adam', learningRate: (step) => 0.02 / (1 + 0.1 * step) }, clipNorm: 0.5 }],
  ['Adam, buckets, scheduled sampling, validation with restore-best', { optimizer: { kind: 'adam', learningRate: 0.01 }, buckets: [6, 9], scheduledSampling: { kind: 'linear', k: 1, min: 0.2, c: 0.05 }, validation, earlyStopping: { patience: 5, restoreBest: true } }],
  ['SGD with Nesterov momentum, sequential', { optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true }, shuffle: false }],
  ['RMSProp with momentum', { optimizer: { kind: 'rmsprop', learningRate: 0.005, momentum: 0.5 } }],
];

describe('resume', () => {
  it.each(cases)('%s: from any checkpoint gives the uninterrupted run bit for bit', async (_name, options) => {
    const full = await train(options);
    const end = full.states.at(-1) as TrainingState;
    const finalWeights = full.model.toModelData().weights;
    full.model.dispose();
    expect(end.stepLosses.length).toBeGreaterThanOrEqual(15); // 3 epochs × 5 batches (24 examples, batch 5); buckets make more
    expect(Object.keys(end.optimizer.slots).length).toBeGreaterThan(0);
    // Resume from a mid-epoch state, one at an epoch's end (step 10: epoch 2 done, its end pending) and the first.
    for (const k of [0, 2, 4]) {
      const from = full.states[k] as TrainingState;
      const resumed = await train(options, from, 99); // other initial weights: the state's replace them
      expect(plain(resumed.states.at(-1) as TrainingState)).toEqual(plain(end));
      expect(resumed.model.toModelData().weights).toEqual(finalWeights);
      resumed.model.dispose();
    }
  });

  it('from the end checkpoint of a run stopped mid-epoch (maxSteps) finishes that epoch as if never stopped', async () => {
    const options = cases[1]![1];
    const full = await train(options);
    const stopped = await train({ ...options, maxSteps: 7 });
    const last = stopped.states.at(-1) as TrainingState;
    expect(last.stepLosses).toHaveLength(7);
    expect(last.history.length).toBeLessThan(2); // the partial epoch is reported, not in the state
    const resumed = await train(options, last, 5);
    expect(plain(resumed.states.at(-1) as TrainingState)).toEqual(plain(full.states.at(-1) as TrainingState));
    for (const run of [full, stopped, resumed]) run.model.dispose();
  });
});
