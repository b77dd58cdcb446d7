/**
 * The seeded generator for sampling (SFC32 seeded by SplitMix32): @unfold/core/sampling's, shared with the
 * library's `generate` so a seed gives the same tokens in tfjs and onnxruntime.
 */
export { createTokenRng as createRng, type TokenRng as Rng } from '@unfold/core/sampling';
