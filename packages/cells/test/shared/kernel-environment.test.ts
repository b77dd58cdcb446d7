import { isUnfoldError } from '@unfold/core';
import { afterEach, describe, expect, it } from 'vitest';
import { activeKernels, kernelBuild } from '../../src/kernels';

/**
 * UNFOLD_KERNELS and UNFOLD_KERNEL_THREADS are checked when they are read: a value outside their set is a
 * typed error naming the variable, the values it takes and the fix, never silently the default. Its own
 * file: the threads variable is read when the kernels load, which happens once per process.
 */
const saved = { kernels: process.env.UNFOLD_KERNELS, threads: process.env.UNFOLD_KERNEL_THREADS };

afterEach(() => {
  for (const [name, value] of [['UNFOLD_KERNELS', saved.kernels], ['UNFOLD_KERNEL_THREADS', saved.threads]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function configErrorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isUnfoldError(error, 'E_CONFIG')).toBe(true);
    return error as Error;
  }
  throw new Error('expected a ConfigError');
}

describe('the kernels environment variables', () => {
  it('UNFOLD_KERNEL_THREADS=3 is refused when the kernels load', () => {
    process.env.UNFOLD_KERNEL_THREADS = '3';
    delete process.env.UNFOLD_KERNELS;
    expect(configErrorOf(() => activeKernels()).message).toBe('the environment: invalid UNFOLD_KERNEL_THREADS; expected "1" or "2"; got "3". Fix: set UNFOLD_KERNEL_THREADS to 1 or 2, or unset it for the default');
  });

  it('UNFOLD_KERNELS=bogus is refused; off and an empty value are taken', () => {
    delete process.env.UNFOLD_KERNEL_THREADS;
    process.env.UNFOLD_KERNELS = 'bogus';
    expect(configErrorOf(() => kernelBuild()).message).toContain('invalid UNFOLD_KERNELS; expected "auto" or "off"; got "bogus"');
    process.env.UNFOLD_KERNELS = 'off';
    expect(kernelBuild()).toBe('none');
    process.env.UNFOLD_KERNELS = '';
    expect(kernelBuild()).not.toBe('none');
  });
});
