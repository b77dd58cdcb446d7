// Public API of @unfold/cells: every cell plugin. Each also has its own subpath (`@unfold/cells/lstm`)
// with its helpers; `@unfold/cells/all` is the opt-in preset list.
export { esnCell, type EsnConfig, type EsnConfigInput } from './esn/index';
export { gruCell, type GruConfig, type GruConfigInput } from './gru/index';
export { leakyCell, type LeakyConfig, type LeakyConfigInput } from './leaky/index';
export { lstmCell, type LstmConfig, type LstmConfigInput } from './lstm/index';
export { ntmCell, type NtmConfig, type NtmConfigInput } from './ntm/index';
export { rnnCell, type RnnConfig, type RnnConfigInput } from './rnn/index';
export { kernelBuild, kernelThreads, loadKernels, useKernels, type KernelBuild, type KernelMode, type KernelOptions } from './shared/kernels/module';
