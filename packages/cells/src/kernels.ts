// Public API of @unfold/cells/kernels: the WebAssembly SIMD kernels without tfjs, for other packages —
// the training loop's optimizer updates and the compact inference engine's recurrent operators. Nothing
// here imports tfjs; the cells themselves reach the same module through their fused sequence ops.
export { activeKernels, kernelBuild, kernelThreads, loadKernels, useKernelModule, useKernels, type KernelBuild, type KernelFunction, type KernelMode, type KernelOptions, type Kernels, type Pointer } from './shared/kernels/module';
export { KernelSession, offset, type Part } from './shared/kernels/session';
export type { KernelCall } from './shared/kernels/threads';
export { denseBackward, denseForward, matmul, type DenseShape } from './shared/kernels/dense';
export { gruForward, lstmForward, rnnForward, type GruForward, type LstmForward, type RecurrentForward, type RnnForward, type SequenceOutputs } from './shared/kernels/inference';
