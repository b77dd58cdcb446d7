import { isUnfoldError } from '@unfold/core';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/index';
import { constantOfShapeGraph as constantOfShape, rangeGraph as range } from './graphs';

/**
 * Issue 15, item 3: tiny files whose glue asks the importer's constant evaluation for huge or invalid
 * constants (ConstantOfShape [3e8], ConstantOfShape [2³²], Range(0, −1, 0), Range(0, 1e10, 1)) are typed
 * errors (E_SERIALIZATION) in milliseconds, never a V8 abort or an untyped RangeError.
 */
function importFailure(bytes: Uint8Array): { code: string; message: string; ms: number } {
  const started = performance.now();
  try {
    importOnnx(bytes, { where: 'hostile.onnx' });
  } catch (error) {
    if (!isUnfoldError(error)) throw error;
    return { code: error.code, message: error.message, ms: performance.now() - started };
  }
  throw new Error('the import succeeded');
}

describe('bounded constant evaluation in the importer (issue 15, item 3)', () => {
  it('ConstantOfShape [3e8] and [2^32] are typed errors before anything is built', () => {
    for (const dims of [[3e8], [2 ** 32], [65536, 65536]]) {
      const failure = importFailure(constantOfShape(dims));
      expect(failure.code).toBe('E_SERIALIZATION');
      expect(failure.message).toMatch(/ConstantOfShape is too large to evaluate/);
      expect(failure.ms).toBeLessThan(500);
    }
    expect(importFailure(constantOfShape([-2])).message).toMatch(/ConstantOfShape with an invalid dimension/);
  });

  it('Range(0, -1, 0) and Range(0, 1e10, 1) are typed errors', () => {
    expect(importFailure(range(0, -1, 0))).toMatchObject({ code: 'E_SERIALIZATION', message: expect.stringMatching(/Range with a zero or non-finite bound/) });
    const huge = importFailure(range(0, 1e10, 1));
    expect(huge.message).toMatch(/Range is too large to evaluate/);
    expect(huge.ms).toBeLessThan(500);
  });

  it('small constants still evaluate (a Range of 5 reaches the graph output check, not a bound)', () => {
    expect(importFailure(range(0, 5, 1)).message).not.toMatch(/too large|invalid dimension|non-finite/);
    expect(importFailure(constantOfShape([2, 3])).message).not.toMatch(/too large|invalid dimension/);
  });
});
