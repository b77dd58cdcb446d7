/**
 * AssemblyScript entry of the training kernels' WebAssembly module (scripts/build-kernels.mjs compiles
 * it with SIMD and with SIMD + relaxed SIMD for fused multiply-adds, each over a private or a shared
 * imported memory). The cells' sequence kernels and the training loop's optimizer updates. Every export is a plain function over byte addresses in that memory; the host
 * (shared/kernels) lays the buffers out above `heapBase()`, grows the memory as it needs and, with a
 * shared memory, runs the two halves of a batch on two threads.
 */
export { gemm, packB } from './shared/kernels/gemm.as';
export { inputGradient, packColumns, project, weightGradient } from './shared/kernels/gradients.as';
export { columnSums } from './shared/kernels/rows.as';
export { adamUpdate, clipValues, rmspropUpdate, sgdUpdate, sumOfSquares } from './shared/kernels/updates.as';
export { gruBackSteps, gruSteps } from './gru/kernel.as';
export { leakyBackSteps, leakySteps } from './leaky/kernel.as';
export { lstmBackSteps, lstmSteps } from './lstm/kernel.as';

/** The first byte the host may use: everything below is the module's own static data. */
export function heapBase(): usize {
  return __heap_base;
}
