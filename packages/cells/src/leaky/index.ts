// Public API of @unfold/cells/leaky.
export { ALPHA_ONE_LOGIT, alphaLogit, DEFAULT_ALPHA_RANGE, leakRates, leakyConfig, type LeakyConfig, type LeakyConfigInput } from './config';
export { leakyCell } from './leaky';
