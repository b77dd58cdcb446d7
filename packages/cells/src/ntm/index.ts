// Public API of @unfold/cells/ntm.
export { NTM_NORM_EPSILON, NTM_SHARPEN_EPSILON, ntmSizes, shiftPermutation, type NtmSizes } from './layout';
export { checkNtmConfig, ntmAddressing, ntmCell, ntmConfig, type NtmConfig, type NtmConfigInput } from './ntm';
