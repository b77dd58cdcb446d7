import { kernelBuild, kernelThreads } from '@unfold/cells';

/**
 * What a training run computes on, for its first line: the tfjs backend and the cells' WebAssembly kernels
 * (the build and threads, or off), so UNFOLD_KERNELS / UNFOLD_KERNEL_THREADS can be seen to take effect.
 */
export function backendLine(backend: string): string {
  const build = kernelBuild();
  if (build === 'none') return `backend ${backend}, kernels off (the tfjs path)`;
  const threads = kernelThreads();
  return `backend ${backend}, kernels ${build} on ${threads} thread${threads === 1 ? '' : 's'}`;
}
