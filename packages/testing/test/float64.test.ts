import { describe, expect, it } from 'vitest';
import { matVec, randomLossWeights, relu, sigmoid, tanh, toFloat64, weightedSum } from '../src/index';

describe('float64 helpers', () => {
  it('sigmoid is exact-ish, symmetric and finite far out in both directions', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(2)).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(sigmoid(-3) + sigmoid(3)).toBeCloseTo(1, 15);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(800)).toBe(1);
    expect(Number.isNaN(sigmoid(-1e308))).toBe(false);
  });

  it('tanh and relu', () => {
    expect(tanh(0.5)).toBe(Math.tanh(0.5));
    expect([relu(-2), relu(0), relu(3)]).toEqual([0, 0, 3]);
  });

  it('matVec multiplies a row-major [rows, cols] matrix by a vector', () => {
    // [[1, 2, 3], [4, 5, 6]] · [1, 0, -1] = [-2, -2]
    expect(Array.from(matVec([1, 2, 3, 4, 5, 6], 2, 3, [1, 0, -1]))).toEqual([-2, -2]);
    expect(matVec(new Float64Array(6), 2, 3, new Float64Array(3))).toBeInstanceOf(Float64Array);
    expect(() => matVec([1, 2, 3], 2, 3, [1, 2, 3])).toThrow(/W has 3 values; expected rows·cols = 2·3 = 6/);
    expect(() => matVec([1, 2, 3, 4, 5, 6], 2, 3, [1, 2])).toThrow(/x has 2 values; expected cols = 3/);
  });

  it('randomLossWeights are seeded, sized by the shape, in [−1, 1) and exact in float32', () => {
    const g = randomLossWeights([4, 3, 2], 5);
    expect(g).toHaveLength(24);
    expect(Array.from(g)).toEqual(Array.from(randomLossWeights([4, 3, 2], 5)));
    expect(Array.from(g)).not.toEqual(Array.from(randomLossWeights([4, 3, 2], 6)));
    expect(g.every((v) => v >= -1 && v < 1 && v !== 0)).toBe(true);
    expect(new Set(g).size).toBe(24);
    // The same values reach a float32 tensor and a float64 reference.
    expect(Array.from(toFloat64(g))).toEqual(Array.from(g));
  });

  it('weightedSum accumulates Σ values ⊙ weights in float64', () => {
    expect(weightedSum(new Float32Array([1, 2, 3]), [0.5, -1, 2])).toBe(4.5);
    expect(weightedSum(new Float64Array([1e16, 1, -1e16]), [1, 1, 1])).toBe(0); // float64 order of operations, not compensated
    expect(weightedSum([], [])).toBe(0);
    expect(() => weightedSum([1, 2], [1])).toThrow(/2 values but 1 weights/);
  });
});
