/**
 * The `rnn` whole-sequence kernel: the leaky-integrator kernel (leaky/kernel.as.ts, host side
 * leaky/integrator-kernel.ts) with α = 1, where h' = (1 − 1) ⊙ h + 1 ⊙ act(pre) = act(pre) exactly,
 * the equation of rnn.ts; its backward gives dh = dpre · R and the same weight gradients.
 * The Elman cell as an integrator: U = W, R = R, b = Wb + Rb; the gradients back: dWb = dRb = db.
 */
import { elmanGradients, elmanIntegrator, type IntegratorLayout } from '../leaky/integrator';
import { integratorKernel } from '../leaky/integrator-kernel';
import type { RnnConfig } from './rnn';

const rnnAsIntegrator: IntegratorLayout<RnnConfig> = {
  weights: (params, config) => elmanIntegrator(params, config.hiddenSize, config.activation, 1),
  parameterGradients: (_params, gradients, config) => elmanGradients(gradients, config.bias),
};

export const rnnKernel = integratorKernel(rnnAsIntegrator, (config) => config.hiddenSize);
