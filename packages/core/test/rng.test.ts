import { describe, expect, it } from 'vitest';
import { Rng } from '../src/index';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.nextUint32());

describe('Rng', () => {
  it('is deterministic from a seed and differs between seeds', () => {
    expect(draw(new Rng(42), 8)).toEqual(draw(new Rng(42), 8));
    expect(draw(new Rng(42), 8)).not.toEqual(draw(new Rng(43), 8));
    expect(draw(new Rng(1), 4)).not.toEqual(draw(new Rng(2 ** 32 + 1), 4));
    expect(draw(new Rng('run-a'), 4)).toEqual(draw(new Rng('run-a'), 4));
  });

  it('forks by label without consuming the parent stream', () => {
    const parent = new Rng(7);
    const a = parent.fork('layers.0.cell.W');
    const expected = draw(new Rng(7), 3);
    expect(draw(parent, 3)).toEqual(expected);
    expect(draw(a, 5)).toEqual(draw(new Rng(7).fork('layers.0.cell.W'), 5));
    expect(draw(new Rng(7).fork('a'), 5)).not.toEqual(draw(new Rng(7).fork('b'), 5));
    expect(draw(new Rng(7).fork('a'), 5)).not.toEqual(draw(new Rng(8).fork('a'), 5));
  });

  it('has sound uniform and normal statistics', () => {
    const rng = new Rng(123);
    const n = 50_000;
    let sum = 0;
    let sumSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    sum = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(sumSq / n).toBeCloseTo(1, 1);
  });

  it('shuffles into a permutation and bounds int()', () => {
    const p = Array.from(new Rng(5).permutation(100)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const rng = new Rng(9);
    for (let i = 0; i < 1000; i++) expect(rng.int(3)).toBeLessThan(3);
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => new Rng(Number.NaN)).toThrow(RangeError);
  });
});
