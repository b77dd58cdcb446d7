import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@unfold/core';
import { bundleFromSource, makeCellCase } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { lstmCell, useKernels } from '../../src/index';
import { KernelHeap } from '../../src/shared/kernels/heap';
import { activeKernels } from '../../src/shared/kernels/module';

describe('the kernels heap (what a forward keeps for its backward)', () => {
  it('places blocks first-fit above its start, 16-byte aligned, and reuses freed gaps', () => {
    let end = 0;
    const heap = new KernelHeap(1000, (e) => (end = Math.max(end, e)));
    expect(heap.top()).toBe(1008); // the start, aligned
    const a = heap.allocate(100);
    const b = heap.allocate(40);
    const c = heap.allocate(8);
    expect(a).toBe(1008);
    expect([b % 16, c % 16]).toEqual([0, 0]);
    expect(b).toBeGreaterThanOrEqual(a + 100 + 16);
    expect(end).toBeGreaterThanOrEqual(c + 8);
    heap.free(b);
    expect(heap.allocate(30)).toBe(b); // the gap b left
    expect(heap.allocate(500)).toBeGreaterThan(c); // no gap fits: on top
    heap.free(a);
    expect(heap.live).toBe(3);
    expect(heap.top()).toBeGreaterThan(c);
  });
});

describe('kernel forward and backward', () => {
  beforeAll(async () => {
    useKernels('auto'); // asked for explicitly: this file tests the kernels under UNFOLD_KERNELS=off too
    await setupBackend();
  });

  it('free what the forward kept once the backward ran; an inference forward keeps nothing', () => {
    const kernels = activeKernels();
    expect(kernels).toBeDefined();
    const c = makeCellCase(lstmCell, { inputSize: 3, hiddenSize: 8 }, { T: 6, B: 9 });
    const before = kernels!.heap.live;
    const x = tf.tensor3d(c.x.data, c.x.shape as [number, number, number]);
    const state = c.state0.map((s) => tf.tensor2d(s.data, s.shape as [number, number]));
    const params = Object.fromEntries(Object.entries(c.weights).map(([name, t]) => [name, tf.variable(tf.tensor(t.data, t.shape as number[]))]));
    lstmCell.sequence!(params, x, state, c.config, {}); // no tape
    expect(kernels!.heap.live).toBe(before);
    let during = 0;
    const { grads } = tf.variableGrads(() => {
      const outputs = lstmCell.sequence!(params, x, state, c.config, {}).outputs;
      during = kernels!.heap.live;
      return tf.sum(outputs) as tf.Scalar;
    });
    expect(during).toBeGreaterThan(before); // kept while the tape waits for the backward
    expect(Object.keys(grads)).toHaveLength(Object.keys(params).length);
    expect(kernels!.heap.live).toBe(before);
  });

  it('keep the buffers of several forwards apart until each backward (stacked layers)', () => {
    const kernels = activeKernels()!;
    const c = makeCellCase(lstmCell, { inputSize: 8, hiddenSize: 8 }, { T: 5, B: 12 });
    const params = Object.fromEntries(Object.entries(c.weights).map(([name, t]) => [name, tf.variable(tf.tensor(t.data, t.shape as number[]))]));
    const x = tf.tensor3d(c.x.data, c.x.shape as [number, number, number]);
    const state = c.state0.map((s) => tf.tensor2d(s.data, s.shape as [number, number]));
    const before = kernels.heap.live;
    const twice = () => {
      const first = lstmCell.sequence!(params, x, state, c.config, {}).outputs; // kept blocks of layer 1
      return tf.sum(lstmCell.sequence!(params, first, state, c.config, {}).outputs) as tf.Scalar; // layer 2 on top
    };
    const { value, grads } = tf.variableGrads(twice);
    expect(kernels.heap.live).toBe(before);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('a forward whose tape is dropped without a backward', () => {
  it('frees its kept blocks when its result is garbage collected (node --expose-gc)', async () => {
    const bundle = join(import.meta.dirname, '../../../../.tmp/abandoned-tape.mjs');
    await bundleFromSource(join(import.meta.dirname, 'abandoned-tape-entry.ts'), bundle);
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', bundle], { timeout: 60_000 });
    const counts = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { before: number; abandoned: number; afterCollect: number; after: number };
    expect(counts.abandoned).toBe(counts.before + 5 * 4); // five forwards kept hs, cs, gates and tanhC
    expect(counts.afterCollect).toBeLessThanOrEqual(counts.before + 4); // all but the tape tfjs holds until the next one
    expect(counts.after).toBe(counts.before);
  }, 90_000);
});
