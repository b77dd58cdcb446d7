import { shapeError } from '../errors';
import { allocate, sizeOf, Tensor } from '../tensor';
import { intAttr } from './attributes';
import type { Operator } from './operator';
import { integerList, normaliseAxis } from './values';

/**
 * Concat and Split along one axis: both move contiguous blocks (the dims after the axis are contiguous),
 * so each is a loop of typed-array `set`s, exact for every element type.
 */
const dimsText = (dims: readonly number[]) => `[${dims.join(', ')}]`;

export const Concat: Operator = {
  since: 13,
  until: 17,
  run(inputs, { node, where }) {
    const tensors = inputs.filter((t): t is Tensor => t !== undefined);
    const first = tensors[0] as Tensor;
    const rank = first.dims.length;
    const axis = normaliseAxis(intAttr(node, 'axis'), rank, where);
    for (const t of tensors) {
      if (t.type !== first.type || t.dims.length !== rank || t.dims.some((d, i) => i !== axis && d !== first.dims[i])) {
        throw shapeError(where, 'the inputs do not concatenate', `${first.type} tensors of dims ${dimsText(first.dims)} except on axis ${axis}`, `${t.type} ${dimsText(t.dims)}`);
      }
    }
    const dims = [...first.dims];
    dims[axis] = tensors.reduce((sum, t) => sum + (t.dims[axis] as number), 0);
    const outer = sizeOf(first.dims.slice(0, axis));
    const inner = sizeOf(first.dims.slice(axis + 1));
    const out = allocate(first.type, sizeOf(dims));
    const row = (dims[axis] as number) * inner;
    let offset = 0;
    for (const t of tensors) {
      const block = (t.dims[axis] as number) * inner;
      for (let o = 0; o < outer; o++) (out as Float32Array).set((t.data as Float32Array).subarray(o * block, (o + 1) * block), o * row + offset);
      offset += block;
    }
    return [new Tensor(first.type, out, dims)];
  },
};

/** Split (opset 13): sizes from the `split` input, or equal parts, one per output. */
export const Split: Operator = {
  since: 13,
  until: 17,
  run([x, splitTensor], { node, where }) {
    const input = x as Tensor;
    const axis = normaliseAxis(intAttr(node, 'axis', 0), input.dims.length, where);
    const total = input.dims[axis] as number;
    const count = node.outputs.length;
    const sizes = splitTensor ? integerList(splitTensor, where, 'split') : Array.from({ length: count }, () => total / count);
    if (sizes.length !== count || sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== total) {
      throw shapeError(where, 'the split sizes do not fit the axis', `${count} non-negative integer sizes summing to ${total}`, `[${sizes.join(', ')}]`);
    }
    const outer = sizeOf(input.dims.slice(0, axis));
    const inner = sizeOf(input.dims.slice(axis + 1));
    const row = total * inner;
    let offset = 0;
    return sizes.map((size) => {
      const dims = [...input.dims];
      dims[axis] = size;
      const out = allocate(input.type, sizeOf(dims));
      const block = size * inner;
      for (let o = 0; o < outer; o++) (out as Float32Array).set((input.data as Float32Array).subarray(o * row + offset, o * row + offset + block), o * block);
      offset += block;
      return new Tensor(input.type, out, dims);
    });
  },
};
