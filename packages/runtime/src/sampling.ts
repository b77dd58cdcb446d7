/**
 * Choosing the next token from one row of a token model's outputs: @unfold/core/sampling's `chooseToken`
 * (greedy, temperature, top-k, top-p), shared with the library's `generate`.
 */
export { chooseToken } from '@unfold/core/sampling';
