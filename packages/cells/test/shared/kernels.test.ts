import { setupBackend } from '@unfold/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kernelBuild, kernelThreads, useKernels } from '../../src/index';
import { availableCores } from '../../src/shared/kernels/threads';
import { describeKernelEquality } from './kernel-equality';

// The kernels are asked for explicitly, so this file tests them under UNFOLD_KERNELS=off too (the
// environment sets only the default; the rest of the suite then runs on the tfjs path).
describe('WebAssembly SIMD kernels', () => {
  beforeAll(async () => {
    useKernels('auto');
    await setupBackend();
  });
  afterEach(() => useKernels('auto'));

  it('load on this runtime (Node 20 validates the SIMD build), on two threads where there are two cores', () => {
    expect(['simd', 'relaxed-simd']).toContain(kernelBuild());
    expect(kernelThreads()).toBe(availableCores() >= 2 ? 2 : 1);
  });

  it('are switched off and on by useKernels', () => {
    useKernels('off');
    expect(kernelBuild()).toBe('none');
    expect(kernelThreads()).toBe(0);
    useKernels('auto');
    expect(kernelBuild()).not.toBe('none');
  });

  it('reject an unknown mode or thread count, naming the valid ones', () => {
    expect(() => useKernels('fast' as never)).toThrow(/expected "auto" or "off", got "fast"/);
    expect(() => useKernels('auto', { threads: 4 as never })).toThrow(/threads must be 1 or 2, got 4/);
  });
});

describeKernelEquality('WebAssembly SIMD kernels (default threads) equal the tfjs path');
