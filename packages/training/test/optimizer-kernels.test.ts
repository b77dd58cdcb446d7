import * as tf from '@tensorflow/tfjs-core';
import { activeKernels, useKernels, type Kernels } from '@unfold/cells/kernels';
import { DivergenceError, Rng, setupBackend } from '@unfold/core';
import { expectClose } from '@unfold/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, clipByValue, createOptimizer, type OptimizerConfig } from '../src/index';
import { updateInKernels, type KernelClipping } from '../src/optimizers/kernel-step';
import type { Optimizer } from '../src/optimizers/optimizer';

/**
 * The optimizer updates and gradient clipping on the WebAssembly kernels (updates.as.ts) against the tfjs
 * path, from the same parameters and gradients, step after step: parameters within 1e-5 + 1e-5·|θ|, the
 * optimizer state too, and the state carried across a change of path both ways. Shapes leave partial
 * vectors (n not a multiple of 4) and are large enough to be split between two threads.
 */
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };
const SHAPES = [[7, 5], [13], [3, 4, 2], [64, 33]];

const CONFIGS: readonly OptimizerConfig[] = [
  { kind: 'sgd', learningRate: 0.1 },
  { kind: 'sgd', learningRate: 0.05, momentum: 0.9 },
  { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
  { kind: 'adam', learningRate: 0.01 },
  { kind: 'adam', learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, restartEvery: 2 },
  { kind: 'rmsprop', learningRate: 0.01 },
  { kind: 'rmsprop', learningRate: 0.01, decay: 0.8, momentum: 0.5 },
];

const CLIPPING: readonly KernelClipping[] = [{}, { clipNorm: 0.5 }, { clipValue: 0.05 }, { clipValue: 0.05, clipNorm: 2 }, { clipNorm: 1e6 }];

function randomArrays(seed: number, scale: number): Float32Array[] {
  const rng = new Rng(seed);
  return SHAPES.map((shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformIn(-1, 1) * scale));
}

function variablesFrom(values: readonly Float32Array[]): tf.Variable[] {
  return values.map((data, i) => tf.variable(tf.tensor(data, SHAPES[i] as number[]), true));
}

/** The tfjs path of train-step.ts's update after the gradients: value clip, global-norm clip, the rule. */
function tfjsStep(optimizer: Optimizer, variables: tf.Variable[], gradients: readonly Float32Array[], clipping: KernelClipping): void {
  tf.tidy(() => {
    let g = gradients.map((data, i) => tf.tensor(data, SHAPES[i] as number[]));
    if (clipping.clipValue !== undefined) g = clipByValue(g, clipping.clipValue);
    if (clipping.clipNorm !== undefined) g = clipByGlobalNorm(g, clipping.clipNorm).gradients;
    optimizer.apply(variables, g, 0.5);
  });
}

function kernelStep(kernels: Kernels, optimizer: Optimizer, variables: tf.Variable[], gradients: readonly Float32Array[], clipping: KernelClipping): number {
  return tf.tidy(() => {
    const g = gradients.map((data, i) => tf.tensor(data, SHAPES[i] as number[]));
    return updateInKernels(kernels, optimizer.inKernels!, variables, g, 0.5, clipping, 0, () => {});
  });
}

function values(variables: readonly tf.Variable[]): Float32Array[] {
  return variables.map((v) => v.dataSync() as Float32Array);
}

describe('optimizer updates on the kernels', () => {
  let kernels: Kernels;
  beforeAll(async () => {
    await setupBackend();
    useKernels('auto');
    kernels = activeKernels() as Kernels;
    expect(kernels).toBeDefined();
  });
  afterAll(() => useKernels('auto'));

  for (const config of CONFIGS) {
    for (const clipping of CLIPPING) {
      it(`${JSON.stringify(config)} ${JSON.stringify(clipping)}: equal the tfjs path over 5 steps`, () => {
        const start = randomArrays(1, 1);
        const onKernels = variablesFrom(start);
        const onTfjs = variablesFrom(start);
        const a = createOptimizer(config);
        const b = createOptimizer(config);
        for (let step = 0; step < 5; step++) {
          const gradients = randomArrays(10 + step, 0.3);
          const norm = kernelStep(kernels, a, onKernels, gradients, clipping);
          tfjsStep(b, onTfjs, gradients, clipping);
          expect(norm).toBeCloseTo(Math.sqrt(gradients.reduce((sum, g) => sum + g.reduce((s, x) => s + x * x, 0), 0)), 4);
          values(onKernels).forEach((got, i) => expectClose(got, values(onTfjs)[i] as Float32Array, { ...TOLERANCE, label: `step ${step} parameter ${i}` }));
        }
        const [stateA, stateB] = [a.exportState(), b.exportState()];
        expect(stateA.steps).toBe(5);
        expect(stateA.slots.map((s) => `${s.slot}:${s.index}`).sort()).toEqual(stateB.slots.map((s) => `${s.slot}:${s.index}`).sort());
        for (const slot of stateA.slots) {
          const other = stateB.slots.find((s) => s.slot === slot.slot && s.index === slot.index)!;
          expect(slot.tensor.shape).toEqual(other.tensor.shape);
          expectClose(slot.tensor.data, other.tensor.data, { ...TOLERANCE, label: `slot ${slot.slot} ${slot.index}` });
        }
        a.dispose();
        b.dispose();
        tf.dispose([...onKernels, ...onTfjs]);
      });
    }
  }

  it('carry the state across a change of path both ways: kernels, tfjs, kernels equals tfjs throughout', () => {
    const config: OptimizerConfig = { kind: 'adam', learningRate: 0.01 };
    const start = randomArrays(2, 1);
    const mixed = variablesFrom(start);
    const plain = variablesFrom(start);
    const a = createOptimizer(config);
    const b = createOptimizer(config);
    for (let step = 0; step < 6; step++) {
      const gradients = randomArrays(20 + step, 0.3);
      if (step < 2 || step >= 4) kernelStep(kernels, a, mixed, gradients, {});
      else tfjsStep(a, mixed, gradients, {});
      tfjsStep(b, plain, gradients, {});
    }
    values(mixed).forEach((got, i) => expectClose(got, values(plain)[i] as Float32Array, { ...TOLERANCE, label: `parameter ${i}` }));
    // An exported kernel-side state resumes in a fresh optimizer exactly.
    const resumed = createOptimizer(config);
    resumed.importState(a.exportState());
    const copy = variablesFrom(values(mixed));
    const gradients = randomArrays(40, 0.3);
    kernelStep(kernels, resumed, copy, gradients, {});
    kernelStep(kernels, a, mixed, gradients, {});
    values(copy).forEach((got, i) => expectClose(got, values(mixed)[i] as Float32Array, { atol: 0, rtol: 0, label: `resumed parameter ${i}` }));
    [a, b, resumed].forEach((o) => o.dispose());
    tf.dispose([...mixed, ...plain, ...copy]);
  });

  it('keep their slots in the kernels’ heap until dispose', () => {
    const live = kernels.heap.live;
    const optimizer = createOptimizer({ kind: 'rmsprop', learningRate: 0.01, momentum: 0.5 });
    const variables = variablesFrom(randomArrays(3, 1));
    kernelStep(kernels, optimizer, variables, randomArrays(4, 0.1), {});
    expect(kernels.heap.live).toBe(live + 2 * SHAPES.length);
    optimizer.dispose();
    expect(kernels.heap.live).toBe(live);
    tf.dispose(variables);
  });

  it('stop before any change when the check before the update throws (a non-finite gradient)', () => {
    const optimizer = createOptimizer({ kind: 'adam', learningRate: 0.01 });
    const start = randomArrays(5, 1);
    const variables = variablesFrom(start);
    const gradients = randomArrays(6, 0.1);
    (gradients[1] as Float32Array)[3] = Number.NaN;
    const check = (_loss: number, norm: number) => {
      if (!Number.isFinite(norm)) throw new DivergenceError('training diverged: the gradient is not finite', { where: 'test' });
    };
    expect(() => tf.tidy(() => updateInKernels(kernels, optimizer.inKernels!, variables, gradients.map((g, i) => tf.tensor(g, SHAPES[i] as number[])), 0.5, {}, 0, check))).toThrow(/gradient is not finite/);
    values(variables).forEach((got, i) => expect(Array.from(got)).toEqual(Array.from(start[i] as Float32Array)));
    expect(optimizer.steps).toBe(0);
    optimizer.dispose();
    tf.dispose(variables);
  });
});
