import { shapeError } from '../errors';
import type { Tensor } from '../tensor';
import { intAttr } from './attributes';
import type { Operator } from './operator';
import { integerList, stridesOf, take } from './values';

/**
 * ReverseSequence: for batch entry b, the first sequence_lens[b] steps along time_axis reversed, the rest
 * kept. time_axis and batch_axis are 0 and 1 in either order (ONNX allows only those).
 */
export const ReverseSequence: Operator = {
  since: 10,
  until: 17,
  run([x, lensTensor], { node, where }) {
    const input = x as Tensor;
    const timeAxis = intAttr(node, 'time_axis', 0);
    const batchAxis = intAttr(node, 'batch_axis', 1);
    if (input.dims.length < 2 || ![timeAxis, batchAxis].every((a) => a === 0 || a === 1) || timeAxis === batchAxis) {
      throw shapeError(where, 'ReverseSequence axes', 'time_axis and batch_axis 0 and 1 on a tensor of rank ≥ 2', `${timeAxis}, ${batchAxis} on rank ${input.dims.length}`);
    }
    const lens = integerList(lensTensor, where, 'sequence_lens');
    const steps = input.dims[timeAxis] as number;
    const batch = input.dims[batchAxis] as number;
    if (lens.length !== batch || lens.some((l) => l < 0 || l > steps)) throw shapeError(where, 'sequence_lens do not fit the input', `${batch} lengths in [0, ${steps}]`, `[${lens.join(', ')}]`);
    const strides = stridesOf(input.dims);
    const [ts, bs] = [strides[timeAxis] as number, strides[batchAxis] as number];
    const index = new Int32Array(input.size);
    for (let i = 0; i < input.size; i++) {
      const t = Math.floor(i / ts) % steps;
      const b = Math.floor(i / bs) % batch;
      const len = lens[b] as number;
      index[i] = t < len ? i + (len - 1 - 2 * t) * ts : i;
    }
    return [take(input, index, input.dims)];
  },
};
