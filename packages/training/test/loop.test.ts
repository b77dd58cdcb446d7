import * as tf from '@tensorflow/tfjs-core';
import { defineConfig, defineLoss, field, isUnfoldError, setupBackend, type TrainingState } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, fit, fullBpttStep, mse, sequentialSampler, sgd, type FitCallback, type StepInfo, type TrainStep } from '../src/index';
import { summingData, summingModel } from './helpers';

beforeAll(() => setupBackend());

const data = summingData(40);
const base = { epochs: 2, batchSize: 8, loss: 'mse', seed: 5, progress: 'none' } as const;

async function run(options: Record<string, unknown> = {}) {
  const model = summingModel();
  try {
    const result = await fit(model, data, { ...base, ...options });
    return { ...result, weights: model.toModelData().weights };
  } finally {
    model.dispose();
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isUnfoldError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an error');
}

describe('the fit loop as parts', () => {
  it('callbacks see each step (loss, pre-clip gradient norm, learning rate, ε), each epoch and the end', async () => {
    const steps: StepInfo[] = [];
    const events: string[] = [];
    const recorder: FitCallback = {
      name: 'recorder',
      onStart: () => void events.push('start'),
      onStep: (info) => void steps.push(info),
      onEpoch: (info) => void events.push(`epoch ${info.epoch} ${info.metrics.validationLoss !== undefined}`),
      onEnd: (info) => void events.push(`end ${info.stopReason} ${info.stepLosses.length}`),
    };
    const result = await run({ callbacks: [recorder], clipNorm: 1e-4, validation: summingData(8, 3), optimizer: { kind: 'sgd', learningRate: (step: number) => 0.1 / (step + 1) }, scheduledSampling: { kind: 'linear', k: 1, min: 0, c: 0.1 } });
    expect(events).toEqual(['start', 'epoch 1 true', 'epoch 2 true', 'end epochs 10']);
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(steps.map((s) => s.loss)).toEqual(result.stepLosses);
    expect(steps.map((s) => s.learningRate)).toEqual(steps.map((_, i) => 0.1 / (i + 1)));
    expect(steps.map((s) => s.truthProbability)).toEqual(steps.map((_, i) => Math.max(0, 1 - 0.1 * i)));
    expect(steps.every((s) => s.gradientNorm > 1e-4)).toBe(true); // before clipping to 1e-4
    expect(steps.map((s) => [s.epoch, s.batch, s.batchesPerEpoch, s.size])[4]).toEqual([1, 5, 5, 8]);
  });

  it('a callback can stop training, and one throwing in beforeUpdate stops it before the update', async () => {
    const stopper: FitCallback = { name: 'stopper', onStep: (info, loop) => (info.step === 3 ? loop.stop('callback') : undefined) };
    const stopped = await run({ callbacks: [stopper] });
    expect(stopped.stopReason).toBe('callback');
    expect(stopped.stepLosses).toHaveLength(3);
    expect(stopped.history).toHaveLength(1); // the partial epoch is recorded

    let before: Record<string, number[]> = {};
    const model = summingModel();
    const veto: FitCallback = {
      name: 'veto',
      onStep: (_info, loop) => void (before = Object.fromEntries(Object.entries(loop.model.toModelData().weights).map(([k, w]) => [k, Array.from(w.data)]))),
      beforeUpdate: (_loss, where) => {
        if (where === 'epoch 1, step 4') throw new Error('no');
      },
    };
    await expect(fit(model, data, { ...base, callbacks: [veto] })).rejects.toThrow('no');
    expect(Object.fromEntries(Object.entries(model.toModelData().weights).map(([k, w]) => [k, Array.from(w.data)]))).toEqual(before);
    model.dispose();
  });

  it('the sampler is replaceable: sequentialSampler is shuffle: false; another order gives another run', async () => {
    const sequential = await run({ shuffle: false });
    expect((await run({ sampler: sequentialSampler(40, 8) })).stepLosses).toEqual(sequential.stepLosses);
    const seen: number[][] = [];
    const reversed = await run({ sampler: { batches: (epoch: number) => sequentialSampler(40, 8).batches(epoch).map((b) => { seen.push(Array.from(b)); return b.slice().reverse(); }).reverse() } });
    expect(seen).toHaveLength(10);
    expect(reversed.stepLosses).not.toEqual(sequential.stepLosses);
  });

  it('the train step is replaceable: a wrapper of the default is the default; a custom one is used', async () => {
    const plain = await run();
    const forwardSteps: number[] = [];
    const wrapped: TrainStep = (model, batch, context) => {
      forwardSteps.push(context.forward.step);
      return fullBpttStep(model, batch, context);
    };
    expect((await run({ trainStep: wrapped })).stepLosses).toEqual(plain.stepLosses);
    expect(forwardSteps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const frozen: TrainStep = () => ({ loss: 1, gradientNorm: 0 });
    const result = await run({ trainStep: frozen });
    expect(result.stepLosses).toEqual(Array(10).fill(1));
    expect(result.weights).toEqual(summingModel().toModelData().weights);
  });
});

describe('fit losses', () => {
  const scaled = defineLoss({
    kind: 'scaled-mse',
    meta: { package: 'test', version: '0' },
    schemaVersion: 1,
    summary: 'mse times a factor',
    config: defineConfig({ scale: field.number({ doc: 'factor', default: 1 }) }),
    compute: (predictions, targets, mask, config) => tf.tidy(() => tf.mul(mse.compute(predictions, targets, mask, {}), config.scale)),
  });

  it('pass the loss config through: { kind, config } for a built-in or a plugin', async () => {
    const plain = await run();
    expect((await run({ loss: { kind: 'mse', config: {} } })).stepLosses).toEqual(plain.stepLosses);
    const one = await run({ loss: { kind: scaled }, optimizer: { kind: 'sgd', learningRate: 0.1 }, epochs: 1 });
    const three = await run({ loss: { kind: scaled, config: { scale: 3 } }, optimizer: { kind: 'sgd', learningRate: 0.1 / 3 }, epochs: 1 });
    expect(three.stepLosses[0]).toBeCloseTo(3 * one.stepLosses[0]!, 6);
    expect(await codeOf(run({ loss: { kind: scaled, config: { scale: 'x' } } }))).toBe('E_CONFIG');
    expect(await codeOf(run({ loss: { kind: 'nope' } }))).toBe('E_CONFIG');
  });
});

describe('checkpoints', () => {
  it('come every N optimizer steps and at the end, with the loop state', async () => {
    const states: TrainingState[] = [];
    await run({ checkpointEvery: 4, onCheckpoint: (state: TrainingState) => void states.push(state) });
    expect(states.map((s) => s.stepLosses.length)).toEqual([4, 8, 10]);
    expect(states.map((s) => s.position)).toEqual([{ epoch: 1, batch: 4 }, { epoch: 2, batch: 3 }, { epoch: 3, batch: 0 }]);
    expect(states.map((s) => s.optimizer.steps)).toEqual([4, 8, 10]);
    expect(states[2]!.history).toHaveLength(2);
    expect(await codeOf(run({ checkpointEvery: 4 }))).toBe('E_CONFIG');
    expect(await codeOf(run({ checkpointEvery: 0, onCheckpoint: () => {} }))).toBe('E_CONFIG');
  });

  it('a diverging run writes no end checkpoint: the last one is from before the bad step', async () => {
    const states: TrainingState[] = [];
    const code = await codeOf(run({ epochs: 20, optimizer: { kind: 'adam', learningRate: 1e6 }, checkpointEvery: 2, onCheckpoint: (state: TrainingState) => void states.push(state) }));
    expect(code).toBe('E_DIVERGED');
    const last = states.at(-1) as TrainingState;
    expect(Object.values(last.weights).every((w) => w.data.every(Number.isFinite))).toBe(true);
    expect(last.stepLosses.length % 2).toBe(0);
  });

  it('resume refuses a state from another run (examples, batch size, optimizer, seed)', async () => {
    const states: TrainingState[] = [];
    await run({ checkpointEvery: 4, onCheckpoint: (state: TrainingState) => void states.push(state) });
    const state = states[0] as TrainingState;
    expect(await codeOf(run({ resume: state, batchSize: 4 }))).toBe('E_CONFIG');
    expect(await codeOf(run({ resume: state, optimizer: { kind: 'sgd', learningRate: 0.1 } }))).toBe('E_CONFIG');
    expect(await codeOf(run({ resume: state, seed: 6 }))).toBe('E_CONFIG');
    const model = summingModel();
    expect(await codeOf(fit(model, summingData(41), { ...base, resume: state }))).toBe('E_CONFIG');
    model.dispose();
  });
});

describe('optimizer state', () => {
  it('exports and imports: a copy continues exactly', () => {
    for (const make of [() => adam(), () => sgd(0.9, true)]) {
      const theta = [tf.variable(tf.tensor1d([1, -2, 3])), tf.variable(tf.tensor2d([[0.5, 0.25]]))];
      const grads = (k: number) => theta.map((t) => tf.mul(t, k));
      const first = make();
      for (let k = 1; k <= 3; k++) first.apply(theta, grads(k), 0.1);
      const exported = first.exportState();
      expect(exported.steps).toBe(3);
      const copy = theta.map((t) => tf.variable(t.clone()));
      const second = make();
      second.importState(exported);
      const last = grads(4);
      first.apply(theta, last, 0.1);
      second.apply(copy, last, 0.1);
      expect(copy.map((t) => Array.from(t.dataSync()))).toEqual(theta.map((t) => Array.from(t.dataSync())));
      expect(second.exportState()).toEqual(first.exportState());
      first.dispose();
      second.dispose();
    }
    expect(() => adam().importState({ steps: -1, slots: [] })).toThrow(/invalid optimizer state/);
  });
});
