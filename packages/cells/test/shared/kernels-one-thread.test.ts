import { describe, expect, it } from 'vitest';
import { kernelThreads, useKernels } from '../../src/index';
import { describeKernelEquality } from './kernel-equality';

// One thread, chosen before the kernels load in this test file's process (each file runs in its own).
useKernels('auto', { threads: 1 });

describe('WebAssembly SIMD kernels on one thread', () => {
  it('load without a second thread when asked', () => {
    expect(kernelThreads()).toBe(1);
  });
});

describeKernelEquality('WebAssembly SIMD kernels (one thread) equal the tfjs path');
