import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activeKernels, kernelBuild, kernelThreads, lstmForward, useKernelModule, useKernels } from '../../src/kernels';

/**
 * A host that forbids compiling WebAssembly at run time (Cloudflare Workers) hands the kernels a module its
 * bundler compiled from the `kernels-simd.wasm` file the build writes: the kernels then run that module, on
 * one thread. Its own file: it replaces the process's loaded build.
 */
describe('useKernelModule', () => {
  it('runs the kernels from a module compiled elsewhere, on one thread', () => {
    useKernels('auto'); // asked for explicitly: this file runs under UNFOLD_KERNELS=off too
    const bytes = readFileSync(new URL('../../src/shared/kernels/generated/kernels-simd.wasm', import.meta.url));
    expect(useKernelModule(new WebAssembly.Module(bytes))).toBe('simd');
    expect(kernelBuild()).toBe('simd');
    expect(kernelThreads()).toBe(1);
    const kernels = activeKernels();
    expect(kernels?.thread).toBeUndefined();
    // One unit, one step, zero weights: c = σ(0)·c0 + σ(0)·tanh(0) = c0 / 2, h = σ(0)·tanh(c).
    const out = lstmForward(kernels!, { T: 1, B: 1, I: 1, H: 1, x: new Float32Array([1]), W: new Float32Array(4), R: new Float32Array(4), h0: new Float32Array(1), c0: new Float32Array([0.8]) });
    expect(out.c?.[0]).toBeCloseTo(0.4, 6);
    expect(out.h[0]).toBeCloseTo(0.5 * Math.tanh(0.4), 6);
  });

  it('says what it expected when given something else', () => {
    expect(() => useKernelModule(new Uint8Array(8) as unknown as WebAssembly.Module)).toThrow(/expected a WebAssembly.Module \(the compiled kernels-simd.wasm\), got \[object Uint8Array\]/);
  });
});
