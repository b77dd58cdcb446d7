// The ceilings of the training bench, measured in their own process (see protocol.mjs) so no contender's
// peak memory or JIT state carries a 1024³ product: tfjs-wasm's matMul (matmul-ceiling.mjs, on the same
// backend and thread count as the tfjs contenders) and the GEMM of unfold's own WebAssembly kernels
// (kernel-ceiling.mjs, one thread, each build this runtime validates; the bench starts this process with
// relaxed SIMD enabled so both builds are timed).
// Requests: tfjs {shapes} → matMul rates; kernel {shapes} → kernel GEMM rates per build; exit.
import { setupBackend } from '@unfold/core';
import { measureKernelCeiling } from './kernel-ceiling.mjs';
import { measureCeiling } from './matmul-ceiling.mjs';
import { serve } from './protocol.mjs';

await setupBackend({ backend: 'wasm' });

serve(async (request) => {
  switch (request.op) {
    case 'tfjs':
      return measureCeiling(request.shapes);
    case 'kernel':
      return measureKernelCeiling(request.shapes);
    case 'exit':
      return {};
    default:
      throw new Error(`ceiling-child: expected a tfjs, kernel or exit request, got ${JSON.stringify(request.op)}`);
  }
});
