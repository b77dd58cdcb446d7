import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, resolveModel, Rng, setupBackend } from '@unfold/core';
import { cellGradients, checkReferenceGradients, expectClose, makeCellCase, unfoldErrorOf } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ntmSizes, shiftPermutation } from '../../src/ntm/layout';
import { ntmAddressing, ntmCell } from '../../src/ntm/ntm';
import { ntmConfigs } from './configs';
import { circularShift, contentWeighting, interpolate, ntmReference, sharpen } from './reference';

// Each addressing stage of the NTM against the float64 reference of test/ntm/reference.ts (1e-6), the
// gradients at sharp weightings, no NaN on all-zero memory and keys, and the typed config errors. The
// whole step against the reference, gradients at an ordinary point and save/load: conformance.test.ts.
beforeAll(() => setupBackend());
const TOLERANCE = { atol: 1e-6, rtol: 1e-6 };
const B = 2;
const K = 3;
const N = 7;
const M = 4;

function random(rng: Rng, shape: number[], low = -1, high = 1): { tensor: tf.Tensor; rows: number[][] } {
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformIn(low, high));
  const last = shape[shape.length - 1] as number;
  return { tensor: tf.tensor(data, shape), rows: Array.from({ length: data.length / last }, (_, i) => Array.from(data.subarray(i * last, (i + 1) * last))) };
}

/** A weighting per row: positive, summing to 1. */
function distributions(rng: Rng, shape: number[]): { tensor: tf.Tensor; rows: number[][] } {
  const raw = random(rng, shape, 0.01, 1);
  const rows = raw.rows.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => Math.fround(v / sum));
  });
  raw.tensor.dispose();
  return { tensor: tf.tensor(rows.flat(), shape), rows };
}

const flat = (rows: number[][]) => rows.flat();

describe('ntm addressing stages equal the float64 reference', () => {
  it('content: cosine similarity with key strength β, softmax over slots', () => {
    const rng = new Rng('content');
    const keys = random(rng, [B, K, M]);
    const memory = random(rng, [B, N, M]);
    const beta = random(rng, [B, K], 0, 20);
    const got = ntmAddressing.content(keys.tensor as tf.Tensor3D, memory.tensor as tf.Tensor3D, beta.tensor as tf.Tensor2D);
    const expected = keys.rows.map((key, row) => contentWeighting(key, memory.rows.slice(Math.floor(row / K) * N, (Math.floor(row / K) + 1) * N), (beta.rows[Math.floor(row / K)] as number[])[row % K] as number));
    expectClose(got.dataSync(), flat(expected), { ...TOLERANCE, label: 'content weighting' });
    tf.dispose([keys.tensor, memory.tensor, beta.tensor, got]);
  });

  it('interpolation with the previous weighting', () => {
    const rng = new Rng('interpolate');
    const g = random(rng, [B, K], 0, 1);
    const content = distributions(rng, [B, K, N]);
    const previous = distributions(rng, [B, K, N]);
    const got = ntmAddressing.interpolate(g.tensor as tf.Tensor2D, content.tensor as tf.Tensor3D, previous.tensor as tf.Tensor3D);
    const expected = content.rows.map((c, row) => interpolate((g.rows[Math.floor(row / K)] as number[])[row % K] as number, c, previous.rows[row] as number[]));
    expectClose(got.dataSync(), flat(expected), { ...TOLERANCE, label: 'interpolation' });
    tf.dispose([g.tensor, content.tensor, previous.tensor, got]);
    // The zero state: the missing mass sits at slot 0, so with g = 0 the head stays on slot 0.
    const fresh = ntmAddressing.interpolate(tf.zeros([1, 1]) as tf.Tensor2D, tf.fill([1, 1, N], 1 / N) as tf.Tensor3D, tf.zeros([1, 1, N]) as tf.Tensor3D);
    expect(Array.from(fresh.dataSync())).toEqual([1, 0, 0, 0, 0, 0, 0]);
    expectClose(fresh.dataSync(), interpolate(0, new Array(N).fill(1 / N), new Array(N).fill(0)), { ...TOLERANCE, label: 'zero previous weighting' });
    fresh.dispose();
  });

  it.each([0, 1, 3])('circular shift, range %i', (range) => {
    const rng = new Rng(`shift-${range}`);
    const w = distributions(rng, [B, K, N]);
    const s = distributions(rng, [B, K, 2 * range + 1]);
    const permutation = tf.tensor2d(shiftPermutation(N, range), [N, (2 * range + 1) * N]);
    const got = ntmAddressing.shift(w.tensor as tf.Tensor3D, s.tensor as tf.Tensor3D, permutation);
    const expected = w.rows.map((row, i) => circularShift(row, s.rows[i] as number[]));
    expectClose(got.dataSync(), flat(expected), { ...TOLERANCE, label: 'shift' });
    if (range === 1) {
      // A one-hot shift of +1 moves every weight one slot forward, wrapping around.
      const oneHot = tf.tensor3d([0, 0, 1], [1, 1, 3]);
      const rolled = ntmAddressing.shift(tf.tensor3d([[[1, 2, 3, 4, 5, 6, 7]]]), oneHot, permutation);
      expect(Array.from(rolled.dataSync())).toEqual([7, 1, 2, 3, 4, 5, 6]);
      tf.dispose([oneHot, rolled]);
    }
    tf.dispose([w.tensor, s.tensor, permutation, got]);
  });

  it('sharpening with γ from 1 to 30', () => {
    const rng = new Rng('sharpen');
    const w = distributions(rng, [B, K, N]);
    const gamma = random(rng, [B, K], 1, 30);
    const got = ntmAddressing.sharpen(w.tensor as tf.Tensor3D, gamma.tensor as tf.Tensor2D);
    const expected = w.rows.map((row, i) => sharpen(row, (gamma.rows[Math.floor(i / K)] as number[])[i % K] as number));
    expectClose(got.dataSync(), flat(expected), { ...TOLERANCE, label: 'sharpening' });
    tf.dispose([w.tensor, gamma.tensor, got]);
  });
});

describe('ntm numerics', () => {

  it('all-zero memory and all-zero keys give finite weightings (uniform content) and finite gradients', () => {
    const zeroKeys = tf.zeros([B, K, M]) as tf.Tensor3D;
    const zeroMemory = tf.zeros([B, N, M]) as tf.Tensor3D;
    const beta = tf.fill([B, K], 5) as tf.Tensor2D;
    for (const [keys, memory] of [[zeroKeys, zeroMemory], [tf.ones([B, K, M]) as tf.Tensor3D, zeroMemory], [zeroKeys, tf.ones([B, N, M]) as tf.Tensor3D]] as const) {
      const w = ntmAddressing.content(keys, memory, beta);
      const values = Array.from(w.dataSync());
      expect(values.every(Number.isFinite)).toBe(true);
      if (keys === zeroKeys || memory === zeroMemory) expectClose(values, values.map(() => 1 / N), { atol: 1e-7, label: 'uniform content weighting' });
      const grads = tf.grads((k: tf.Tensor, m: tf.Tensor) => tf.sum(tf.mul(ntmAddressing.content(k as tf.Tensor3D, m as tf.Tensor3D, beta), tf.range(0, N))))([keys, memory]);
      for (const g of grads) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([w, ...grads]);
    }
    // Sharpening an all-zero weighting (g = 0 on a zero previous weighting) stays finite: uniform.
    const sharp = ntmAddressing.sharpen(tf.zeros([1, 1, N]) as tf.Tensor3D, tf.fill([1, 1], 20) as tf.Tensor2D);
    expectClose(sharp.dataSync(), new Array(N).fill(1 / N), { atol: 1e-7, label: 'sharpened zeros' });
    tf.dispose([zeroKeys, zeroMemory, beta, sharp]);
  });

  it.each([0, 3])('the whole cell from the all-zero initial state (config %i; 3: LSTM controller): finite outputs, states and gradients over 6 steps', (index) => {
    const c = makeCellCase(ntmCell, ntmConfigs[index] as (typeof ntmConfigs)[number], { seed: 11, T: 6, B: 2 });
    const zeroState = c.state0.map((s) => ({ shape: s.shape, data: new Float32Array(s.data.length) }));
    const zeroed = { ...c, state0: zeroState };
    const { loss, gradients } = cellGradients(zeroed, 'step-loop');
    expect(Number.isFinite(loss)).toBe(true);
    for (const [name, g] of Object.entries(gradients)) expect([name, g.every(Number.isFinite)]).toEqual([name, true]);
    // And it equals the reference there too.
    const reference = ntmReference(
      Object.fromEntries(Object.entries(c.weights).map(([k, v]) => [k, Float64Array.from(v.data)])),
      Float64Array.from(c.x.data),
      zeroState.map((s) => Float64Array.from(s.data)),
      c.config,
      { T: 6, B: 2 },
    );
    expect(reference.outputs.every(Number.isFinite)).toBe(true);
  });

  /** A config's case with every head's β and γ biased up (sharp, near one-hot weightings). */
  function sharpCase(betaBias: number, gammaBias: number, zeroState: boolean, index = 0) {
    const base = makeCellCase(ntmCell, ntmConfigs[index] as (typeof ntmConfigs)[number], { seed: 5, T: 4, B: 2 });
    const z = ntmSizes(base.config);
    const bh = Float32Array.from(base.weights.bh?.data as Float32Array);
    for (let i = 0; i < z.K; i++) {
      bh[z.slices.beta[0] + i] = betaBias;
      bh[z.slices.gamma[0] + i] = gammaBias;
    }
    const state0 = zeroState ? base.state0.map((s) => ({ shape: s.shape, data: new Float32Array(s.data.length) })) : base.state0;
    return { ...base, state0, weights: { ...base.weights, bh: { shape: [z.P], data: bh } } };
  }

  it.each([[false, 0], [true, 0], [true, 3]])('gradients pass the finite-difference check at sharp weightings (β ≈ 10, γ ≈ 5; zero initial state: %s; config %i, 3: LSTM controller)', (zeroState, index) => {
    const result = checkReferenceGradients(sharpCase(10, 4, zeroState as boolean, index as number), ntmReference, { samples: 12 });
    expect(result.checked).toBeGreaterThan(50);
  });

  it('at very sharp weightings (β ≈ 8, γ ≈ 13) within 2e-3: float32 cancellation in the saturated softmax Jacobians, not a wrong backward', () => {
    // The float64 gradients there are ~0 (numeric exactly 0 at 1e-6 steps); the float32 backward leaves up
    // to ~1e-3 of rounding from (δ − w) at a weight of 1, amplified by γ / w̃ in the sharpening.
    for (const zeroState of [false, true]) {
      const result = checkReferenceGradients(sharpCase(8, 12, zeroState), ntmReference, { samples: 12, atol: 2e-3 });
      expect(result.checked).toBeGreaterThan(50);
    }
  });
});

describe('ntm config errors are typed', () => {
  const registry = createRegistry([ntmCell]);
  const resolve = (config: Record<string, unknown>) => () => resolveModel(registry, { kind: 'ntm', config: { inputSize: 3, outputSize: 2, memorySlots: 8, ...config } });

  it.each([
    ['memory slots 0', { memorySlots: 0 }],
    ['memory width 0', { memoryWidth: 0 }],
    ['no read heads', { readHeads: 0 }],
    ['no write heads', { writeHeads: 0 }],
    ['shift range >= N', { shiftRange: 8 }],
    ['shift kernel wider than the memory', { shiftRange: 4 }],
    ['negative shift range', { shiftRange: -1 }],
    ['unknown controller', { controller: 'gru' }],
    ['no controller units', { controllerSize: 0 }],
  ])('%s → ConfigError', (_, config) => {
    expect(unfoldErrorOf(resolve(config)).code).toBe('E_CONFIG');
  });

  it('gateBias and sharpenBias set the initial bias of every head\'s g and γ, and nothing else', () => {
    const node = resolve({ readHeads: 2, writeHeads: 1, gateBias: -2, sharpenBias: 1.5 })();
    const z = ntmSizes(node.config as never);
    const bh = ntmCell.parameters(node.config as never).find((p) => p.name === 'bh');
    const data = Array.from(bh?.init([z.P], new Rng(1)) ?? []);
    expect(data.length).toBe(z.P);
    data.forEach((value, i) => {
      const inG = i >= z.slices.g[0] && i < z.slices.g[0] + z.K;
      const inGamma = i >= z.slices.gamma[0] && i < z.slices.gamma[0] + z.K;
      expect([i, value]).toEqual([i, inG ? -2 : inGamma ? 1.5 : 0]);
    });
  });

  it('a valid config resolves and declares its shaped states', () => {
    const node = resolve({ readHeads: 2, writeHeads: 1, memoryWidth: 5 })();
    const declared = [
      { name: 'memory', shape: [8, 5] },
      { name: 'read_weights', shape: [2, 8] },
      { name: 'write_weights', shape: [1, 8] },
      { name: 'reads', size: 10 },
    ];
    expect(ntmCell.state(node.config as never)).toEqual(declared);
    const lstm = resolve({ readHeads: 2, writeHeads: 1, memoryWidth: 5, controller: 'lstm', controllerSize: 7 })();
    expect(ntmCell.state(lstm.config as never)).toEqual([...declared, { name: 'controller_h', size: 7 }, { name: 'controller_c', size: 7 }]);
  });
});

describe('ntm on an empty batch', () => {
  it('steps to empty outputs and states of the declared shapes (on tfjs-wasm a Sum over an empty tensor traps)', async () => {
    await setupBackend({ backend: 'wasm' });
    for (const controller of ['feedforward', 'lstm'] as const) {
      const c = makeCellCase(ntmCell, { inputSize: 3, outputSize: 2, memorySlots: 5, memoryWidth: 4, controller, controllerSize: 6 }, { B: 1, T: 1 });
      const params = Object.fromEntries(Object.entries(c.weights).map(([name, w]) => [name, tf.tensor(w.data, [...w.shape])]));
      const state = c.state0.map((s) => tf.zeros([0, ...s.shape.slice(1)]));
      const result = ntmCell.step(params as never, tf.zeros([0, 3]) as tf.Tensor2D, state, c.config as never);
      expect(result.output.shape).toEqual([0, 2]);
      expect(result.state.map((s) => s.shape)).toEqual(state.map((s) => s.shape));
      tf.dispose([...Object.values(params), ...state, result.output, ...result.state]);
    }
  });
});
