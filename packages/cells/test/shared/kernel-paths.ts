import { afterAll, beforeAll, describe } from 'vitest';
import { useKernels, type KernelMode } from '../../src/index';

/** The fused op's two implementations: the WebAssembly SIMD kernels (`auto`) and the tfjs path (`off`). */
export const KERNEL_PATHS: readonly { readonly mode: KernelMode; readonly label: string }[] = [
  { mode: 'auto', label: 'WebAssembly kernels' },
  { mode: 'off', label: 'tfjs path' },
];

/** The same suite once per implementation of the fused op, each forced for the whole describe block. */
export function describeEachKernelPath(title: string, body: () => void): void {
  for (const { mode, label } of KERNEL_PATHS) {
    describe(`${title} [${label}]`, () => {
      beforeAll(() => useKernels(mode));
      afterAll(() => useKernels('auto'));
      body();
    });
  }
}
