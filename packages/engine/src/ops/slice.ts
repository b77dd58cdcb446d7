import { shapeError } from '../errors';
import type { Tensor } from '../tensor';
import type { Operator } from './operator';
import { integerList, normaliseAxis, stridedIndex, stridesOf, take } from './values';

/**
 * Slice (opset 13): starts, ends, optional axes and steps as inputs. Negative starts and ends count from
 * the end; they are clamped to [0, dim] (forward) or [-1, dim - 1] (backward), so INT64_MAX means "to the end".
 */
export const Slice: Operator = {
  since: 13,
  until: 17,
  run([x, startsTensor, endsTensor, axesTensor, stepsTensor], { where }) {
    const input = x as Tensor;
    const rank = input.dims.length;
    const starts = integerList(startsTensor, where, 'starts');
    const ends = integerList(endsTensor, where, 'ends');
    const axes = axesTensor ? integerList(axesTensor, where, 'axes').map((a) => normaliseAxis(a, rank, where)) : starts.map((_, i) => i);
    const steps = stepsTensor ? integerList(stepsTensor, where, 'steps') : starts.map(() => 1);
    if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length || new Set(axes).size !== axes.length) {
      throw shapeError(where, 'starts, ends, axes and steps do not match', 'lists of one length, distinct axes', `${starts.length}, ${ends.length}, ${axes.length}, ${steps.length}`);
    }
    const dims = [...input.dims];
    const begin = new Array<number>(rank).fill(0);
    const step = new Array<number>(rank).fill(1);
    axes.forEach((axis, i) => {
      const dim = input.dims[axis] as number;
      const s = steps[i] as number;
      if (s === 0) throw shapeError(where, 'a slice step is 0', 'a non-zero step', '0');
      const clamp = (v: number, low: number, high: number) => Math.min(Math.max(v < 0 ? v + dim : v, low), high);
      const start = s > 0 ? clamp(starts[i] as number, 0, dim) : clamp(starts[i] as number, -1, dim - 1);
      const end = s > 0 ? clamp(ends[i] as number, 0, dim) : clamp(ends[i] as number, -1, dim - 1);
      begin[axis] = start;
      step[axis] = s;
      dims[axis] = Math.max(0, Math.ceil((end - start) / s));
    });
    const strides = stridesOf(input.dims);
    const offset = begin.reduce((sum, b, d) => sum + b * (strides[d] as number), 0);
    return [take(input, stridedIndex(dims, strides.map((s, d) => s * (step[d] as number)), offset), dims)];
  },
};
