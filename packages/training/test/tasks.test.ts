import { describe, expect, it } from 'vitest';
import { addingProblem, mackeyGlass, narma10, twoTimescale } from '../src/index';

const mean = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0) / values.length;
const variance = (values: ArrayLike<number>) => {
  const m = mean(values);
  return mean(Array.from(values, (v) => (v - m) ** 2));
};

describe('task generators', () => {
  it('adding problem: two markers, one per half, and the mean predictor scores ≈ 1/6', () => {
    const { x, y } = addingProblem({ count: 2000, length: 50, seed: 1 });
    for (const sequence of x.slice(0, 50) as number[][][]) {
      const marked = sequence.flatMap((step, t) => (step[1] === 1 ? [t] : []));
      expect(marked).toHaveLength(2);
      expect(marked[0]).toBeLessThan(25);
      expect(marked[1]).toBeGreaterThanOrEqual(25);
    }
    const targets = (y as number[][]).map((row) => row[0]!);
    expect(variance(targets)).toBeCloseTo(1 / 6, 1);
    expect(addingProblem({ count: 3, length: 10, seed: 1 })).toEqual(addingProblem({ count: 3, length: 10, seed: 1 }));
  });

  it('Mackey-Glass (τ = 17) stays in its attractor and is chaotic but deterministic', () => {
    const series = mackeyGlass({ length: 2000 });
    expect(Math.min(...series)).toBeGreaterThan(0.2);
    expect(Math.max(...series)).toBeLessThan(1.45);
    expect(variance(series)).toBeGreaterThan(0.03);
    expect(mackeyGlass({ length: 100 })).toEqual(mackeyGlass({ length: 100 }));
    // Sensitive dependence: a different seed of the initial history diverges within a few hundred steps.
    const other = mackeyGlass({ length: 2000, seed: 1 });
    expect(Math.abs(series[1999]! - other[1999]!) + Math.abs(series[1500]! - other[1500]!)).toBeGreaterThan(1e-3);
  });

  it('NARMA-10 follows its recurrence', () => {
    const { u, y } = narma10({ length: 500, seed: 2 });
    expect(u.length).toBe(499);
    // y[t] = NARMA y(t+1); check the recurrence at t = 100: y(t+1) from y(t..t−9) and u(t), u(t−9).
    const t = 100;
    const yAt = (k: number) => y[k - 1]!; // NARMA y(k)
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += yAt(t - i);
    expect(yAt(t + 1)).toBeCloseTo(0.3 * yAt(t) + 0.05 * yAt(t) * sum + 1.5 * u[t - 9]! * u[t]! + 0.1, 12);
    expect(Math.max(...u)).toBeLessThanOrEqual(0.5);
  });

  it('two-timescale targets: the previous input, and a slow average with the input’s variance', () => {
    const { x, y } = twoTimescale({ count: 4, length: 3000, seed: 3 });
    const inputs = (x as number[][][])[0]!.map((s) => s[0]!);
    const targets = (y as number[][][])[0]!;
    expect(targets[5]![0]).toBe(inputs[4]);
    const slow = targets.slice(500).map((s) => s[1]!);
    expect(variance(slow)).toBeGreaterThan(0.15);
    expect(variance(slow)).toBeLessThan(0.55);
  });
});
