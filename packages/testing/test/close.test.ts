import { describe, expect, it } from 'vitest';
import { compareClose, expectBitEqual, expectClose, maxAbsDiff } from '../src/index';

describe('expectClose', () => {
  it('passes within atol + rtol·|expected| and uses 1e-5 for both by default', () => {
    expect(() => expectClose([1, 2, 3], [1, 2, 3])).not.toThrow();
    // 1e-5 + 1e-5·1000 = 0.01001 allowed at 1000; 0.01 passes there but not at 0.
    expect(() => expectClose([1000.01], [1000])).not.toThrow();
    expect(() => expectClose([0.01], [0])).toThrow();
    expect(() => expectClose(new Float32Array([0.5]), new Float64Array([0.5 + 9e-6]))).not.toThrow();
    expect(() => expectClose([0.5], [0.5 + 2.1e-5])).toThrow();
  });

  it('scales the tolerance by the expected value only', () => {
    expect(() => expectClose([0], [100], { atol: 0, rtol: 1 })).not.toThrow();
    expect(() => expectClose([100], [0], { atol: 0, rtol: 1 })).toThrow();
  });

  it('names the label, the worst index, both values, the tolerance and the failure count', () => {
    let message = '';
    try {
      expectClose([1, 2.5, 3.002, 4], [1, 2, 3, 4], { atol: 1e-3, rtol: 0, label: 'lstm outputs' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^lstm outputs: 2 of 4 elements differ beyond tolerance/);
    expect(message).toContain('worst at index 1');
    expect(message).toContain('actual 2.5000000');
    expect(message).toContain('expected 2.0000000');
    expect(message).toContain('allowed 0.0010000000');
    expect(message).toContain('atol 0.001 + rtol 0');
  });

  it('fails on NaN anywhere and reports it as the worst element', () => {
    expect(() => expectClose([NaN], [NaN])).toThrow(/index 0: actual NaN/);
    expect(() => expectClose([1, 2], [1, NaN], { atol: 1e9 })).toThrow(/1 of 2 elements.*index 1/);
    expect(() => expectClose([1, 5, NaN], [1, 2, 3], { label: 'h' })).toThrow(/^h: 2 of 3 .*worst at index 2: actual NaN/);
  });

  it('fails on a length mismatch and accepts empty arrays', () => {
    expect(() => expectClose([1, 2], [1, 2, 3], { label: 'state' })).toThrow(/^state: length mismatch; expected 3 values, got 2/);
    expect(() => expectClose([], [])).not.toThrow();
  });

  it('compareClose reports without throwing', () => {
    const report = compareClose([1, 1.1, 3], [1, 1, 2], { atol: 0.05, rtol: 0 });
    expect(report.failures).toBe(2);
    expect(report.worst?.index).toBe(2);
    expect(report.worst?.diff).toBeCloseTo(1, 12);
    expect(() => compareClose([1], [1], { atol: -1 })).toThrow(RangeError);
  });
});

describe('maxAbsDiff', () => {
  it('is the largest absolute difference, NaN if any, and rejects length mismatches', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 2])).toBe(1);
    expect(maxAbsDiff([], [])).toBe(0);
    expect(maxAbsDiff([1, NaN], [1, 2])).toBeNaN();
    expect(() => maxAbsDiff([1], [1, 2])).toThrow(/length mismatch/);
  });
});

describe('expectBitEqual', () => {
  it('accepts identical bits only: -0 differs from 0, equal NaNs are equal', () => {
    expect(() => expectBitEqual(new Float32Array([1, NaN]), new Float32Array([1, NaN]))).not.toThrow();
    expect(() => expectBitEqual(new Float32Array([0]), new Float32Array([-0]), 'w')).toThrow(/^w: 1 of 1 elements are not bit-identical/);
    expect(() => expectBitEqual(new Float32Array([1, 2, 3]), new Float32Array([1, 2, 3 + 2 ** -22]))).toThrow(/first at index 2/);
    expect(() => expectBitEqual(new Float32Array(2), new Float32Array(3))).toThrow(/length mismatch/);
  });
});
