import * as tf from '@tensorflow/tfjs-core';
import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, inferenceContext, setupBackend, trainingContext, type DecoderInputPolicy, type ModelSpec } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fit, losses, parseSchedule, truthProbability } from '../src/index';

beforeAll(() => setupBackend());

describe('scheduled-sampling schedules', () => {
  it('give the documented probabilities', () => {
    expect([0, 10, 1000].map((i) => truthProbability({ kind: 'constant', truthProbability: 0.3 }, i))).toEqual([0.3, 0.3, 0.3]);
    expect([0, 10, 1000].map((i) => truthProbability(parseSchedule('linear:1:0.05:0.01'), i))).toEqual([1, 1 - 0.01 * 10, 0.05]);
    expect(truthProbability(parseSchedule('exponential:0.99'), 100)).toBeCloseTo(0.99 ** 100, 12);
    expect(truthProbability(parseSchedule('inverse-sigmoid:500'), 0)).toBeCloseTo(500 / 501, 12);
    expect(truthProbability(parseSchedule('inverse-sigmoid:500'), 3000)).toBeCloseTo(500 / (500 + Math.exp(6)), 12);
    expect(() => parseSchedule('linear:1:0.05')).toThrow(/linear:K:MIN:C/);
    expect(() => parseSchedule('exponential:1.5')).toThrow(/k in \(0, 1\]/);
    expect(() => parseSchedule('inverse-sigmoid:0.5')).toThrow(/k >= 1/);
  });
});

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const parts = { body: { kind: 'gru', config: { inputSize: 1, hiddenSize: 6 } }, output: { kind: 'dense', config: { inputSize: 6, outputSize: 1 } } };
const feedback: ModelSpec = { kind: 'output-feedback', children: parts };
const plain: ModelSpec = { kind: 'sequence-model', config: { readout: 'sequence' }, children: parts };

function run(spec: ModelSpec, x: number[][][], decoderInputs: DecoderInputPolicy, seed = 3, lengths?: number[]): number[][][] {
  const model = createModel(registry, spec, { seed: 1 });
  try {
    const context = decoderInputs.kind === 'teacher-forcing' ? inferenceContext() : trainingContext({ seed, decoderInputs });
    return tf.tidy(() => model.forward(tf.tensor3d(x), { context, ...(lengths ? { lengths: Int32Array.from(lengths) } : {}) }).outputs.arraySync());
  } finally {
    model.dispose();
  }
}

describe('output-feedback', () => {
  const x = [[[0.1], [0.4], [-0.2], [0.3], [0.5]], [[0.2], [0.1], [0], [-0.4], [0.2]]];

  it('under teacher forcing is the sequence-model with the same weights', () => {
    expect(run(feedback, x, { kind: 'teacher-forcing' })).toEqual(run(plain, x, { kind: 'teacher-forcing' }));
  });

  it('free running feeds each prediction back; ε = 1 is teacher forcing; padding gives 0', () => {
    const free = run(feedback, x, { kind: 'free-running' });
    // Reference: the plain model, one step at a time, each input the previous prediction.
    const model = createModel(registry, plain, { seed: 1 });
    x.forEach((sequence, b) => {
      let input = sequence[0] as number[];
      let state: readonly tf.Tensor[] | undefined;
      for (let t = 0; t < sequence.length; t++) {
        const step = model.forward(tf.tensor3d([[input]]), state ? { initialState: state } : {});
        const y = step.outputs.dataSync()[0] as number;
        expect(Math.abs((free[b] as number[][])[t]![0]! - y)).toBeLessThan(1e-6);
        state = step.finalState;
        input = [y];
      }
    });
    model.dispose();
    const all = run(feedback, x, { kind: 'scheduled-sampling', truthProbability: 1 });
    const forced = run(plain, x, { kind: 'teacher-forcing' });
    all.flat(2).forEach((v, i) => expect(Math.abs(v - forced.flat(2)[i]!)).toBeLessThan(1e-6));
    const padded = run(feedback, x, { kind: 'free-running' }, 3, [5, 3]);
    expect(padded[1]!.slice(3)).toEqual([[0], [0]]);
  });

  it('samples reproducibly from the context seed, and fit trains with a schedule', async () => {
    const half = { kind: 'scheduled-sampling', truthProbability: 0.5 } as const;
    expect(run(feedback, x, half, 7)).toEqual(run(feedback, x, half, 7));
    expect(run(feedback, x, half, 7)).not.toEqual(run(feedback, x, half, 8));
    const model = createModel(registry, feedback, { seed: 2 });
    const series = Array.from({ length: 16 }, (_, n) => Array.from({ length: 12 }, (_, t) => Math.sin(0.5 * (t + n))));
    const data = { x: series.map((s) => s.slice(0, -1).map((v) => [v])), y: series.map((s) => s.slice(1).map((v) => [v])) };
    const result = await fit(model, data, { epochs: 40, batchSize: 8, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.02 }, scheduledSampling: parseSchedule('linear:1:0.2:0.01'), progress: 'none', seed: 1 });
    expect(result.finalLoss).toBeLessThan(result.history[0]!.loss / 3);
    model.dispose();
  });
});
