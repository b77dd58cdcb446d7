import { shapeError } from '../errors';
import { sizeOf, Tensor } from '../tensor';
import { hasAttr, intAttr } from './attributes';
import { broadcastIndex, broadcastShape } from './broadcast';
import type { Operator } from './operator';
import { integerList, normaliseAxis, reshaped, take } from './values';

/**
 * The operators that only change or read shapes: Shape, Size, Reshape, Squeeze, Unsqueeze, Flatten,
 * Expand, Identity. Reshape-like results share their input's data (tensors are never written after they
 * are made).
 */
const int64 = (values: readonly number[], dims: readonly number[] = [values.length]) => new Tensor('int64', BigInt64Array.from(values, BigInt), dims);
const dimsText = (dims: readonly number[]) => `[${dims.join(', ')}]`;

/** Shape with opset 15's start and end (negative counts from the end; clamped). */
export const Shape: Operator = {
  since: 13,
  until: 17,
  run([x], { node }) {
    const dims = (x as Tensor).dims;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
    const start = clamp(intAttr(node, 'start', 0));
    const end = clamp(hasAttr(node, 'end') ? intAttr(node, 'end') : dims.length);
    return [int64(dims.slice(start, Math.max(start, end)))];
  },
};

export const Size: Operator = { since: 13, until: 17, run: ([x]) => [int64([(x as Tensor).size], [])] };

export const Identity: Operator = { since: 13, until: 17, run: ([x]) => [x as Tensor] };

/** Reshape: 0 copies the input's dim (unless allowzero), one -1 is inferred. */
export const Reshape: Operator = {
  since: 13,
  until: 17,
  run([x, shape], { node, where }) {
    const input = x as Tensor;
    const requested = integerList(shape, where, 'the shape');
    const allowZero = intAttr(node, 'allowzero', 0) === 1;
    const dims = requested.map((d, i) => (d === 0 && !allowZero ? (input.dims[i] ?? 0) : d));
    const unknown = dims.indexOf(-1);
    if (unknown >= 0) {
      const known = sizeOf(dims.filter((_, i) => i !== unknown));
      if (known === 0 || input.size % known !== 0) throw shapeError(where, 'the shape does not fit the data', `a shape whose -1 divides ${input.size} elements`, dimsText(requested));
      dims[unknown] = input.size / known;
    }
    if (dims.some((d) => d < 0) || sizeOf(dims) !== input.size) throw shapeError(where, 'the shape does not fit the data', `${input.size} elements (input dims ${dimsText(input.dims)})`, dimsText(requested));
    return [reshaped(input, dims)];
  },
};

/** Squeeze with the axes input (opset 13); without it, every dim of 1. */
export const Squeeze: Operator = {
  since: 13,
  until: 17,
  run([x, axesTensor], { where }) {
    const input = x as Tensor;
    const axes = axesTensor ? integerList(axesTensor, where, 'axes').map((a) => normaliseAxis(a, input.dims.length, where)) : input.dims.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const axis of axes) if (input.dims[axis] !== 1) throw shapeError(where, 'Squeeze of a dim that is not 1', `dim ${axis} of 1`, dimsText(input.dims));
    return [reshaped(input, input.dims.filter((_, i) => !axes.includes(i)))];
  },
};

/** Unsqueeze with the axes input (opset 13); axes refer to the output's rank. */
export const Unsqueeze: Operator = {
  since: 13,
  until: 17,
  run([x, axesTensor], { where }) {
    const input = x as Tensor;
    const rank = input.dims.length + (axesTensor?.size ?? 0);
    const axes = integerList(axesTensor, where, 'axes').map((a) => normaliseAxis(a, rank, where));
    if (new Set(axes).size !== axes.length) throw shapeError(where, 'Unsqueeze axes repeat', 'distinct axes', axes.join(', '));
    const dims: number[] = [];
    let next = 0;
    for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : (input.dims[next++] as number));
    return [reshaped(input, dims)];
  },
};

/** Flatten to 2-D at `axis`. */
export const Flatten: Operator = {
  since: 13,
  until: 17,
  run([x], { node, where }) {
    const input = x as Tensor;
    const raw = intAttr(node, 'axis', 1);
    const axis = raw === input.dims.length ? raw : normaliseAxis(raw, input.dims.length, where);
    return [reshaped(input, [sizeOf(input.dims.slice(0, axis)), sizeOf(input.dims.slice(axis))])];
  },
};

/** Expand: broadcast the input against the given shape (either may stretch the other). */
export const Expand: Operator = {
  since: 13,
  until: 17,
  run([x, shape], { where }) {
    const input = x as Tensor;
    const dims = broadcastShape([input.dims, integerList(shape, where, 'the shape')], where);
    const index = broadcastIndex(input.dims, dims);
    return [index ? take(input, index, dims) : input];
  },
};
