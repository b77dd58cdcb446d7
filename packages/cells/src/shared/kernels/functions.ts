/**
 * The exported functions of the kernels' module (kernels.as.ts) a host may call by name, in a fixed
 * order: the second thread receives a call as its function's index in this list (threads.ts).
 */
export const KERNEL_FUNCTIONS = [
  'gemm', 'packB', 'project', 'inputGradient', 'packColumns', 'weightGradient', 'columnSums',
  'lstmSteps', 'lstmBackSteps', 'gruSteps', 'gruBackSteps', 'leakySteps', 'leakyBackSteps',
  'clipValues', 'adamUpdate', 'rmspropUpdate', 'sgdUpdate',
] as const;

export type KernelFunction = (typeof KERNEL_FUNCTIONS)[number];
