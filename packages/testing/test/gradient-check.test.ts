import * as tf from '@tensorflow/tfjs-core';
import { hostTensor, Rng, setupBackend, type HostTensor } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGradients, formatElement, matVec, relu, sampleIndices, tanh } from '../src/index';

// L(W, x) = Σ_r f((W x)_r) for W [3, 2], x [2], with f = tanh or relu.
const point = {
  W: hostTensor([3, 2], [0.3, -0.7, 0.9, 0.2, -0.4, 0.5]),
  x: hostTensor([2], [0.8, -0.6]),
};

function lossOf(f: (v: number) => number) {
  return (p: Readonly<Record<string, Float64Array>>): number => matVec(p.W as Float64Array, 3, 2, p.x as Float64Array).reduce((sum, v) => sum + f(v), 0);
}

/** dL/dW[r, c] = f'(pre_r)·x_c, dL/dx_c = Σ_r f'(pre_r)·W[r, c], rounded to float32 as unfold would return them. */
function gradientsOf(fPrime: (v: number) => number) {
  return (p: Readonly<Record<string, HostTensor>>): Record<string, Float32Array> => {
    const W = p.W?.data as Float32Array;
    const x = p.x?.data as Float32Array;
    const slope = Array.from(matVec(W, 3, 2, x), fPrime);
    const dW = new Float32Array(6);
    const dx = new Float32Array(2);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 2; c++) {
        dW[r * 2 + c] = (slope[r] as number) * (x[c] as number);
        dx[c] = (dx[c] as number) + (slope[r] as number) * (W[r * 2 + c] as number);
      }
    }
    return { W: dW, x: dx };
  };
}

const tanhPrime = (v: number): number => 1 - Math.tanh(v) ** 2;

describe('checkGradients', () => {
  it('passes on the correct gradient of Σ tanh(W x), checking every element of small tensors', () => {
    const result = checkGradients({ point, analytic: gradientsOf(tanhPrime), reference: lossOf(tanh) });
    expect(result.checked).toBe(8);
    expect(result.skippedAtKinks).toBe(0);
    expect(result.worst).toBeDefined();
    expect(Math.abs((result.worst?.analytic ?? NaN) - (result.worst?.numeric ?? NaN))).toBeLessThan(1e-6);
  });

  it('fails on a gradient scaled by 1.01, naming the worst element', () => {
    const scaled = (p: Readonly<Record<string, HostTensor>>) => {
      const g = gradientsOf(tanhPrime)(p);
      return { W: g.W!.map((v) => v * 1.01), x: g.x!.map((v) => v * 1.01) };
    };
    expect(() => checkGradients({ point, analytic: scaled, reference: lossOf(tanh) })).toThrow(/checkGradients: \d+ of 8 checked elements disagree with float64 finite differences \(0 skipped at kinks\); worst (W|x)\[/);
  });

  it('fails when a single element is off by 1e-3, and names it', () => {
    const perturbed = (p: Readonly<Record<string, HostTensor>>) => {
      const g = gradientsOf(tanhPrime)(p);
      g.W![3] = g.W![3]! + 1e-3;
      return g;
    };
    expect(() => checkGradients({ point, analytic: perturbed, reference: lossOf(tanh) })).toThrow(/1 of 8 checked elements disagree.*worst W\[1, 1\]: analytic/);
  });

  it('skips elements at a relu kink placed exactly at 0 and checks the rest', () => {
    // Row 0 of W·x is exactly 0: 0.5·1 + 0.5·(−1). The analytic gradient there (relu'(0) = 0) is arbitrary.
    const kinked = { W: hostTensor([3, 2], [0.5, 0.5, 0.3, -0.2, -0.4, 0.1]), x: hostTensor([2], [1, -1]) };
    const analytic = gradientsOf((v) => (v > 0 ? 1 : 0));
    const result = checkGradients({ point: kinked, analytic, reference: lossOf(relu), names: ['W'] });
    expect(result).toMatchObject({ checked: 4, skippedAtKinks: 2 });
    // Every element of x moves row 0 across the kink: all sampled elements skipped is too many to trust.
    expect(() => checkGradients({ point: kinked, analytic, reference: lossOf(relu), names: ['x'] })).toThrow(/2 of 2 sampled elements sit on kinks/);
  });

  it('rejects missing, wrongly sized and non-finite analytic gradients', () => {
    const reference = lossOf(tanh);
    const good = gradientsOf(tanhPrime);
    expect(() => checkGradients({ point, reference, analytic: (p) => ({ W: good(p).W! }) })).toThrow(/analytic gradient of "x" is missing \(got W\)/);
    expect(() => checkGradients({ point, reference, analytic: (p) => ({ ...good(p), x: new Float32Array(3) }) })).toThrow(/gradient of x has 3 values; expected 2 for shape \[2\]/);
    expect(() => checkGradients({ point, reference, analytic: (p) => ({ ...good(p), x: new Float32Array([0, NaN]) }) })).toThrow(/analytic gradient x\[1\] is NaN/);
    expect(() => checkGradients({ point, reference, analytic: good, names: ['y'] })).toThrow(/no tensor "y" in point/);
  });

  it('rejects a reference loss that is not finite', () => {
    expect(() => checkGradients({ point, analytic: gradientsOf(tanhPrime), reference: () => NaN })).toThrow(/reference loss is NaN/);
  });

  it('samples a seeded subset of large tensors', () => {
    const n = 100;
    const big = { v: hostTensor([n], Array.from({ length: n }, (_, i) => Math.sin(i))) };
    const reference = (p: Readonly<Record<string, Float64Array>>) => p.v!.reduce((sum, v) => sum + v * v * v, 0);
    const analytic = (p: Readonly<Record<string, HostTensor>>) => ({ v: p.v!.data.map((v) => 3 * v * v) });
    expect(checkGradients({ point: big, analytic, reference, samples: 5 }).checked).toBe(5);
    expect(checkGradients({ point: big, analytic, reference }).checked).toBe(8);
    const indices = sampleIndices(n, 5, new Rng(3));
    expect(indices).toEqual(sampleIndices(n, 5, new Rng(3)));
    expect(new Set(indices).size).toBe(5);
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    expect(sampleIndices(4, 8, new Rng(3))).toEqual([0, 1, 2, 3]);
  });

  it('formats flat indices as coordinates', () => {
    expect(formatElement('W', [2, 3], 5)).toBe('W[1, 2]');
    expect(formatElement('x', [4, 3, 2], 7)).toBe('x[1, 0, 1]');
  });
});

describe('checkGradients with tfjs gradients', () => {
  beforeAll(async () => {
    await setupBackend();
  });

  it('accepts float32 tf.grads of Σ tanh(W x) against the float64 reference', () => {
    const analytic = (p: Readonly<Record<string, HostTensor>>): Record<string, Float32Array> => {
      const W = tf.tensor2d(p.W!.data, [3, 2]);
      const x = tf.tensor2d(p.x!.data, [2, 1]);
      const [dW, dx] = tf.grads((w: tf.Tensor, v: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(w as tf.Tensor2D, v as tf.Tensor2D))))([W, x]);
      const out = { W: Float32Array.from(dW!.dataSync()), x: Float32Array.from(dx!.dataSync()) };
      tf.dispose([W, x, dW!, dx!]);
      return out;
    };
    const before = tf.memory().numTensors;
    expect(checkGradients({ point, analytic, reference: lossOf(tanh) }).checked).toBe(8);
    expect(tf.memory().numTensors).toBe(before);
  });
});
