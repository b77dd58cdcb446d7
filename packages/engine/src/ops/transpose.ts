import { shapeError } from '../errors';
import type { Tensor } from '../tensor';
import { hasAttr, intsAttr } from './attributes';
import type { Operator } from './operator';
import { reshaped, strided, stridesOf } from './values';

/**
 * Transpose by `perm` (default: reverse the dims). When the dims larger than 1 keep their order (a batch
 * of one moved next to the time axis) the element order is unchanged: the same data under the new dims.
 */
export const Transpose: Operator = {
  since: 13,
  until: 17,
  run([x], { node, where }) {
    const input = x as Tensor;
    const rank = input.dims.length;
    const perm = hasAttr(node, 'perm') ? intsAttr(node, 'perm') : input.dims.map((_, i) => rank - 1 - i);
    if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) throw shapeError(where, 'perm is not a permutation of the dims', `a permutation of 0..${rank - 1}`, `[${perm.join(', ')}]`);
    const dims = perm.map((p) => input.dims[p] as number);
    const moved = perm.filter((p) => (input.dims[p] as number) > 1);
    if (moved.every((p, i) => i === 0 || p > (moved[i - 1] as number))) return [reshaped(input, dims)];
    const inStrides = stridesOf(input.dims);
    return [strided(input, dims, perm.map((p) => inStrides[p] as number))];
  },
};
