import * as tf from '@tensorflow/tfjs-core';
import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, isUnfoldError, Rng, setupBackend, type ModelSpec } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, fitStreams, losses, mse, type Model } from '../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const tagger = (hidden: number, cell = 'gru'): ModelSpec => ({
  kind: 'sequence-model',
  config: { readout: 'sequence' },
  children: { body: { kind: cell, config: { inputSize: 2, hiddenSize: hidden } }, output: { kind: 'dense', config: { inputSize: hidden, outputSize: 1 } } },
});

/** B streams of L steps: x uniform in [−1, 1]², y_t = x₀ at step t − lag (0 before). */
function streams(B: number, L: number, lag: number, seed: number): { x: number[][][]; y: number[][][] } {
  const rng = new Rng(seed);
  const x = Array.from({ length: B }, () => Array.from({ length: L }, () => [rng.uniformIn(-1, 1), rng.uniformIn(-1, 1)]));
  const y = x.map((stream) => stream.map((_, t) => [t >= lag ? (stream[t - lag] as number[])[0]! : 0]));
  return { x, y };
}

function weightsOf(model: Model): Record<string, number[]> {
  return Object.fromEntries([...model.variables].map(([name, v]) => [name, Array.from(v.dataSync())]));
}

/** The two models' weights agree within 1e-5 + 1e-5·|a|; both are disposed. */
function expectSameWeights(model: Model, reference: Model): void {
  const a = weightsOf(model);
  const b = weightsOf(reference);
  for (const name of Object.keys(b)) (a[name] as number[]).forEach((v, i) => expect(Math.abs(v - (b[name] as number[])[i]!)).toBeLessThan(1e-5 + 1e-5 * Math.abs(v)));
  model.dispose();
  reference.dispose();
}

/** Plain SGD on a loss of the model, as a reference independent of the library's update. */
function sgdStep(model: Model, rate: number, lossOf: () => tf.Scalar): void {
  tf.tidy(() => {
    const { grads } = tf.variableGrads(lossOf, [...model.trainable]);
    for (const variable of model.trainable) variable.assign(tf.sub(variable, tf.mul(grads[variable.name] as tf.Tensor, rate)));
  });
}

const sgd = { kind: 'sgd', learningRate: 0.05 } as const;

describe('truncated BPTT', () => {
  it('with k1 = k2 = L is full BPTT: one update equals the full-sequence gradient step', async () => {
    const data = streams(3, 12, 2, 1);
    const model = createModel(registry, tagger(5), { seed: 4 });
    const reference = createModel(registry, tagger(5), { seed: 4 });
    await fitStreams(model, data, { k1: 12, k2: 12, loss: mse, optimizer: sgd });
    sgdStep(reference, 0.05, () => mse.compute(reference.forward(tf.tensor3d(data.x), { checked: false }).outputs, tf.tensor3d(data.y), tf.ones([3, 12]), {}));
    const a = weightsOf(model);
    const b = weightsOf(reference);
    for (const name of Object.keys(b)) expect(a[name]).toEqual(b[name]);
    model.dispose();
    reference.dispose();
  });

  it('with k2 > k1 equals a reference that detaches the state at each truncation', async () => {
    const [k1, k2, L] = [3, 7, 17];
    const data = streams(2, L, 1, 2);
    const model = createModel(registry, tagger(4, 'lstm'), { seed: 5 });
    const reference = createModel(registry, tagger(4, 'lstm'), { seed: 5 });
    await fitStreams(model, data, { k1, k2, loss: mse, optimizer: sgd });
    // Reference: run step by step, remembering the (detached) state after every step of every window.
    const x = tf.tensor3d(data.x);
    const y = tf.tensor3d(data.y);
    const detached = new Map<number, tf.Tensor[]>();
    let counted = 0;
    for (let end = Math.min(k1, L); ; end = Math.min(end + k1, L)) {
      const start = Math.max(0, end - k2);
      const from = counted;
      sgdStep(reference, 0.05, () => {
        let state: readonly tf.Tensor[] | undefined = detached.get(start);
        const outputs: tf.Tensor[] = [];
        for (let t = start; t < end; t++) {
          const step = reference.forward(tf.slice(x, [0, t, 0], [-1, 1, -1]), { checked: false, ...(state ? { initialState: state } : {}) });
          outputs.push(step.outputs);
          state = step.finalState;
          if (!detached.has(t + 1)) detached.set(t + 1, step.finalState.map((s) => tf.keep(tf.clone(s))));
        }
        const mask = tf.concat([tf.zeros([2, from - start]), tf.ones([2, end - from])], 1);
        return mse.compute(tf.concat(outputs, 1), tf.slice(y, [0, start, 0], [-1, end - start, -1]), mask, {});
      });
      counted = end;
      if (end === L) break;
    }
    expectSameWeights(model, reference);
  });

  it('trains a stateful LSTM that learns a lag-4 recall on long streams with k1 = 8, k2 = 16, tensor count flat', async () => {
    const model = createModel(registry, tagger(16, 'lstm'), { seed: 1 });
    const counts: number[] = [];
    const result = await fitStreams(model, streams(8, 800, 4, 3), {
      k1: 8,
      k2: 16,
      epochs: 3,
      loss: mse,
      optimizer: { kind: 'adam', learningRate: 0.02 },
      clipNorm: 1,
      onUpdate: ({ update }) => {
        if (update % 100 === 50) counts.push(tf.memory().numTensors); // mid-epoch, state carried
      },
    });
    expect(new Set(counts).size).toBe(1);
    const test = streams(4, 200, 4, 99);
    const outputs = tf.tidy(() => model.forward(tf.tensor3d(test.x)).outputs.arraySync());
    let error = 0;
    let count = 0;
    test.y.forEach((stream, b) => stream.forEach((target, t) => {
      if (t < 4) return;
      error += (outputs[b]![t]![0]! - target[0]!) ** 2;
      count++;
    }));
    const mseRecall = error / count;
    console.info(`[tbptt] lag-4 recall, k1 8, k2 16: ${result.updates} updates, test MSE ${mseRecall.toExponential(2)} (predicting 0: 0.333)`);
    expect(mseRecall).toBeLessThan(0.01);
    model.dispose();
  });

  it('trains a last-step readout on chunked streams: forward in chunks without gradients, one update over the last k2 steps', async () => {
    const [k1, k2, L] = [4, 6, 23];
    const spec: ModelSpec = { ...tagger(5), config: { readout: 'last' } };
    const data = streams(3, L, 2, 7);
    const targets = { x: data.x, y: data.x.map((s) => [s.slice(-6).reduce((sum, row) => sum + row[0]!, 0)]) };
    const model = createModel(registry, spec, { seed: 2 });
    const reference = createModel(registry, spec, { seed: 2 });
    await fitStreams(model, targets, { k1, k2, loss: mse, optimizer: sgd });
    // Reference: the prefix in one call without gradients, then the gradient step over the last k2 steps.
    const x = tf.tensor3d(data.x);
    const prefix = tf.tidy(() => reference.forward(tf.slice(x, [0, 0, 0], [-1, L - k2, -1]), { checked: false }).finalState.map((t) => tf.keep(t)));
    sgdStep(reference, 0.05, () => mse.compute(reference.forward(tf.slice(x, [0, L - k2, 0], [-1, k2, -1]), { checked: false, initialState: prefix }).outputs, tf.tensor3d(targets.y.map((t) => [t])), tf.ones([3, 1]), {}));
    expectSameWeights(model, reference);
  });

  it('rejects k2 < k1 and ragged streams', async () => {
    const model = createModel(registry, tagger(3), { seed: 1 });
    const data = streams(2, 10, 1, 1);
    const error = async (run: () => Promise<unknown>) => run().then(() => undefined, (e: unknown) => e);
    expect(isUnfoldError(await error(() => fitStreams(model, data, { k1: 4, k2: 2, loss: mse })), 'E_CONFIG')).toBe(true);
    expect(String(await error(() => fitStreams(model, { x: [data.x[0]!, data.x[1]!.slice(2)], y: [data.y[0]!, data.y[1]!.slice(2)] }, { k1: 4, loss: mse })))).toMatch(/streams of different lengths/);
    model.dispose();
  });
});
