import * as tf from '@tensorflow/tfjs-core';
import { checkPolicy, defineCell, defineConfig, feedsTruth, field, inferenceContext, setupBackend, trainingContext, type ForwardContext } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSequence } from '../src/index';
import { build } from './helpers';

// A cell that reads its forward context: in training it drops each input feature with probability ½ (a
// dropout mask drawn from context.rng, inverted-scaled by 2), and its output carries the step counter.
// Plugins hold no mutable state: everything per call arrives in the context.
const dropoutProbe = defineCell({
  kind: 'dropout-probe',
  meta: { package: 'test', version: '0.0.0' },
  schemaVersion: 1,
  summary: "test cell: h' = h + dropout(x) + step (training only)",
  config: defineConfig({ size: field.int({ doc: 'features', min: 1 }) }),
  inputSize: (config) => config.size,
  outputSize: (config) => config.size,
  state: (config) => [{ name: 'h', size: config.size }],
  parameters: () => [],
  step(_params, x, state, _config, context = inferenceContext()) {
    const keep = context.training ? tf.tensor2d(Array.from({ length: x.size }, () => (context.rng.uniform() < 0.5 ? 2 : 0)), x.shape) : tf.onesLike(x);
    const h = tf.add(tf.add(state[0] as tf.Tensor2D, tf.mul(x, keep)), context.training ? context.step : 0) as tf.Tensor2D;
    return { output: h, state: [h] };
  },
});

beforeAll(() => setupBackend());

function run(context: ForwardContext): number[][][] {
  const model = build({ kind: 'recurrent', children: { cell: { kind: 'dropout-probe', config: { size: 3 } } } }, [dropoutProbe]);
  try {
    return tf.tidy(() => {
      return runSequence(model.bound, { x: tf.ones([2, 4, 3]) }, context).outputs.arraySync();
    });
  } finally {
    model.dispose();
  }
}

describe('the forward context', () => {
  it('reaches every step: inference is deterministic, training draws from the seeded rng', () => {
    expect(run(inferenceContext())).toEqual([0, 1].map(() => [1, 2, 3, 4].map((t) => [t, t, t])));
    const a = run(trainingContext({ seed: 5, step: 7 }));
    const b = run(trainingContext({ seed: 5, step: 7 }));
    const c = run(trainingContext({ seed: 5, step: 8 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    // Each increment is 7 (the step) plus 0 or 2 (the dropped or kept input).
    const increments = a.flatMap((sequence) => sequence.map((row, t) => row.map((v, f) => v - (t > 0 ? (sequence[t - 1] as number[])[f]! : 0)))).flat();
    expect(new Set(increments)).toEqual(new Set([7, 9]));
  });

  it('decides teacher forcing, free running and scheduled sampling', () => {
    expect(feedsTruth(trainingContext())).toBe(true);
    expect(feedsTruth(inferenceContext())).toBe(true);
    expect(feedsTruth({ ...inferenceContext(), decoderInputs: { kind: 'free-running' } })).toBe(false);
    const context = trainingContext({ seed: 1, decoderInputs: { kind: 'scheduled-sampling', truthProbability: 0.25 } });
    const draws = Array.from({ length: 4000 }, () => feedsTruth(context));
    const share = draws.filter(Boolean).length / draws.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
    expect(() => checkPolicy({ kind: 'scheduled-sampling', truthProbability: 1.5 }, 'test')).toThrow(/truthProbability in \[0, 1\]/);
    expect(() => checkPolicy({ kind: 'sometimes' } as never, 'test')).toThrow(/unknown decoder-input policy/);
  });
});
