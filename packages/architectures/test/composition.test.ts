import { isSequenceLayer, setupBackend } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, fake, run } from './helpers';

beforeAll(() => setupBackend());

const x = [
  [[1, 2], [3, 4], [5, 6]],
  [[1, 1], [2, 2], [100, 100]],
];
const lengths = [3, 2];
// Forward running sums (per unit) and backward running sums, by hand (see recurrent.test.ts).
const ahead = [[3, 10, 21], [2, 6, 0]];
const behind = [[21, 18, 11], [6, 4, 0]];

function bidi(merge: string) {
  return build({ kind: 'bidirectional', config: { merge }, children: { forward: fake(2, 1), backward: fake(2, 1) } });
}

describe('bidirectional', () => {
  it.each([
    ['concat', (a: number, b: number) => [a, b]],
    ['sum', (a: number, b: number) => [a + b]],
    ['mean', (a: number, b: number) => [(a + b) / 2]],
    ['product', (a: number, b: number) => [a * b]],
    ['none', (a: number, b: number) => [a, b]],
  ] as const)('merges with %s', (merge, combine) => {
    const model = bidi(merge);
    const { outputs, finalState } = run(model.bound, x, lengths);
    expect(outputs).toEqual(ahead.map((seq, b) => seq.map((a, t) => combine(a, behind[b]![t]!))));
    // forward (h, count), then backward (h, count): PyTorch's d = 0, 1 order.
    expect(finalState).toEqual([[[21], [6]], [[3], [2]], [[21], [6]], [[3], [2]]]);
    model.dispose();
  });

  it('exposes each direction separately with merge none', async () => {
    const { runSequence } = await import('../src/index');
    const tf = await import('@tensorflow/tfjs-core');
    const model = bidi('none');
    const parts = tf.tidy(() => {
      const ports = runSequence(model.bound, { x: tf.tensor3d(x), lengths: Int32Array.from(lengths) }).ports;
      return [ports?.forward?.x.arraySync(), ports?.backward?.x.arraySync()];
    });
    expect(parts).toEqual([ahead.map((s) => s.map((v) => [v])), behind.map((s) => s.map((v) => [v]))]);
    model.dispose();
  });

  it('names its weights by direction and reports sizes', () => {
    const model = bidi('concat');
    expect(Object.keys(model.tensors)).toEqual(['forward.W', 'backward.W']);
    const plugin = model.bound.node.plugin;
    expect(isSequenceLayer(plugin) && plugin.outputSize(model.bound.node)).toBe(2);
    expect(isSequenceLayer(plugin) && plugin.state(model.bound.node).map((s) => s.name)).toEqual(['forward.h', 'forward.count', 'backward.h', 'backward.count']);
    model.dispose();
  });
});

describe('stacked', () => {
  it('feeds each layer the outputs of the one below, and lists states layer by layer', () => {
    const model = build({ kind: 'stacked', children: { layers: [fake(2, 1), { kind: 'bidirectional', children: { forward: fake(1, 1), backward: fake(1, 1) } }, fake(2, 1)] } });
    const { outputs, finalState } = run(model.bound, [[[1, 0], [2, 0]]]);
    // layer 0: running sums 1, 3. layer 1: forward 1, 4 ; backward 4, 3 → concat. layer 2: sums of (1+4)=5, then 5+(4+3)=12.
    expect(outputs).toEqual([[[5], [12]]]);
    expect(finalState.map((s) => s[0])).toEqual([[3], [2], [4], [2], [4], [2], [12], [2]]);
    const plugin = model.bound.node.plugin;
    expect(isSequenceLayer(plugin) && plugin.state(model.bound.node).map((s) => s.name)).toEqual([
      'layers.0.h', 'layers.0.count', 'layers.1.forward.h', 'layers.1.forward.count', 'layers.1.backward.h', 'layers.1.backward.count', 'layers.2.h', 'layers.2.count',
    ]);
    expect(Object.keys(model.tensors)).toEqual(['layers.0.W', 'layers.1.forward.W', 'layers.1.backward.W', 'layers.2.W']);
    model.dispose();
  });

  it('adds skip connections with residual', () => {
    const model = build({ kind: 'stacked', config: { residual: true }, children: { layers: [fake(1, 1), fake(1, 1)] } });
    // layer 0: 1, 3 ; layer 1 sums (1, 4) plus its input (1, 3) → 2, 7.
    expect(run(model.bound, [[[1], [2]]]).outputs).toEqual([[[2], [7]]]);
    model.dispose();
  });

  it('carries initial states per layer', () => {
    const model = build({ kind: 'stacked', children: { layers: [fake(1, 1), fake(1, 1)] } });
    const { outputs } = run(model.bound, [[[1]]], undefined, [[[10]], [[0]], [[100]], [[0]]]);
    expect(outputs).toEqual([[[111]]]);
    model.dispose();
  });
});
