/**
 * AssemblyScript entry of the training kernels' WebAssembly module (scripts/build-kernels.mjs compiles
 * it twice: with SIMD, and with SIMD + relaxed SIMD for fused multiply-adds). Every export is a plain
 * function over byte addresses in the module's memory; the host (shared/kernels/module.ts) lays the
 * buffers out above `heapBase()` and grows the memory as it needs.
 */
export { gemm, packB } from './shared/kernels/gemm.as';
export { gruBackward, gruForward } from './gru/kernel.as';
export { lstmBackward, lstmForward } from './lstm/kernel.as';
export { rnnBackward, rnnForward } from './rnn/kernel.as';

/** The first byte the host may use: everything below is the module's own static data. */
export function heapBase(): usize {
  return __heap_base;
}
