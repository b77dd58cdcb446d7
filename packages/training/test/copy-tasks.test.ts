import { describe, expect, it } from 'vitest';
import { associativeRecallTask, bitErrors, copyTask, repeatCopyTask } from '../src/index';

// The NTM paper's bit tasks: shapes, delimiters, null targets outside the answer phase, and the bit-error metric.
describe('bit tasks (Graves et al. 2014)', () => {
  it('copy: L vectors, a delimiter, then the vectors as targets; null before', () => {
    const { x, y } = copyTask({ count: 20, bits: 4, minLength: 1, maxLength: 5, seed: 1 });
    x.forEach((sequence, n) => {
      const L = (sequence.length - 1) / 2;
      expect(Number.isInteger(L) && L >= 1 && L <= 5).toBe(true);
      expect(sequence.every((step) => (step as number[]).length === 5)).toBe(true);
      expect((sequence[L] as number[])).toEqual([0, 0, 0, 0, 1]);
      const target = y[n] as (number[] | null)[];
      expect(target.slice(0, L + 1).every((t) => t === null)).toBe(true);
      expect(target.slice(L + 1)).toEqual(sequence.slice(0, L).map((step) => (step as number[]).slice(0, 4)));
      expect(sequence.slice(L + 1).flat().every((v) => v === 0)).toBe(true);
    });
    expect(copyTask({ count: 3, bits: 4, minLength: 2, maxLength: 2, seed: 1 })).toEqual(copyTask({ count: 3, bits: 4, minLength: 2, maxLength: 2, seed: 1 }));
  });

  it('repeat copy: the vectors r times then an end marker; associative recall: the item after the query', () => {
    const repeat = repeatCopyTask({ count: 10, bits: 3, minLength: 2, maxLength: 3, maxRepeats: 4, seed: 2 });
    repeat.x.forEach((sequence, n) => {
      const target = repeat.y[n] as (number[] | null)[];
      const L = target.findIndex((t) => t !== null) - 1;
      const r = Math.round(((sequence[L] as number[])[4] as number) * 4);
      expect(sequence.length).toBe(L + 1 + r * L + 1);
      expect(target[target.length - 1]).toEqual([0, 0, 0, 1]);
      expect(target.slice(L + 1, L + 1 + L)).toEqual(sequence.slice(0, L).map((s) => [...(s as number[]).slice(0, 3), 0]));
    });
    const recall = associativeRecallTask({ count: 10, bits: 3, minLength: 2, maxLength: 4, itemLength: 2, seed: 3 });
    recall.x.forEach((sequence, n) => {
      const target = recall.y[n] as (number[] | null)[];
      const answer = target.filter((t) => t !== null);
      expect(answer).toHaveLength(2);
      const steps = sequence as number[][];
      const queryAt = steps.findIndex((s) => s[4] === 1);
      const query = steps.slice(queryAt + 1, queryAt + 3).map((s) => s.slice(0, 3));
      const items: number[][][] = [];
      steps.slice(0, queryAt).forEach((s) => (s[3] === 1 ? items.push([]) : items[items.length - 1]?.push(s.slice(0, 3))));
      const index = items.findIndex((item) => JSON.stringify(item) === JSON.stringify(query));
      expect(answer).toEqual(items[index + 1]);
    });
  });

  it('bitErrors counts wrong bits (threshold 0.5) at steps with a target', () => {
    const y = [[null, [1, 0], [0, 1]], [null, [1, 1]]];
    const errors = bitErrors([[[9, 9], [0.9, 0.4], [0.6, 0.7]], [[0, 0], [0.2, 0.8]]], y);
    expect(errors.perSequence).toEqual([1, 1]);
    expect(errors.rate).toBe(2 / 6);
    expect(errors.meanPerSequence).toBe(1);
    expect(errors.perfect).toBe(0);
  });
});
