import { shapeError, valueError } from '../errors';
import { allocate, sizeOf, Tensor, type TensorData, type TensorType } from '../tensor';

/**
 * Conversions between tensors and plain numbers. The engine computes int64 values as doubles, exact within
 * ±2⁵³ (shapes, indices and counts); the result is written back to a BigInt64Array.
 */
export function numbers(tensor: Tensor): ArrayLike<number> {
  if (tensor.data instanceof BigInt64Array) {
    const out = new Float64Array(tensor.size);
    for (let i = 0; i < out.length; i++) out[i] = Number(tensor.data[i]);
    return out;
  }
  return tensor.data;
}

/** A tensor of `type` from numbers: int32 and int64 truncate toward zero, bool is value ≠ 0. */
export function fromNumbers(type: TensorType, values: ArrayLike<number>, dims: readonly number[]): Tensor {
  return new Tensor(type, convert(type, values), dims);
}

function convert(type: TensorType, values: ArrayLike<number>): TensorData {
  const data = allocate(type, values.length);
  if (type === 'int64') {
    const out = data as BigInt64Array;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      out[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : v > 0 ? 0x7fffffffffffffffn : v < 0 ? -0x8000000000000000n : 0n;
    }
  } else if (type === 'bool') {
    const out = data as Uint8Array;
    for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  } else (data as Float32Array | Int32Array).set(values);
  return data;
}

/** A 1-D integer tensor (shape, axes, starts) as numbers. */
export function integerList(tensor: Tensor | undefined, where: string, what: string): number[] {
  if (!tensor) return [];
  if (tensor.type !== 'int64' && tensor.type !== 'int32') throw shapeError(where, `${what} must be integers`, 'an int64 or int32 tensor', tensor.type);
  return Array.from(numbers(tensor));
}

/** One number from a scalar (or one-element) tensor. */
export function scalar(tensor: Tensor | undefined, where: string, what: string): number {
  if (!tensor || tensor.size !== 1) throw shapeError(where, `${what} must be a scalar`, 'one element', tensor ? `dims [${tensor.dims.join(', ')}]` : 'none');
  return Number(tensor.data[0]);
}

/** A negative axis counts from the end; an axis outside [-rank, rank) is an error. */
export function normaliseAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw shapeError(where, 'an axis is out of range', `an axis in [${-rank}, ${rank - 1}] for rank ${rank}`, String(axis));
  return a;
}

/** Row-major strides of `dims`. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let stride = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= dims[i] as number;
  }
  return strides;
}

/** The same data under new dims (no copy): a view for Reshape, Squeeze, Unsqueeze, Identity. */
export function reshaped(tensor: Tensor, dims: readonly number[]): Tensor {
  return new Tensor(tensor.type, tensor.data, dims);
}

/** Checks an index against [-size, size) and wraps a negative one. */
export function wrapIndex(index: number, size: number, where: string): number {
  if (index < -size || index >= size) throw valueError(where, 'an index is out of range', `indices in [${-size}, ${size - 1}]`, String(index));
  return index < 0 ? index + size : index;
}

/** A new tensor of `dims` whose element i is the input's element index[i] (exact for every type). */
export function take(tensor: Tensor, index: ArrayLike<number>, dims: readonly number[]): Tensor {
  const out = allocate(tensor.type, index.length);
  const source = tensor.data;
  if (out instanceof BigInt64Array) for (let i = 0; i < index.length; i++) out[i] = (source as BigInt64Array)[index[i] as number] as bigint;
  else for (let i = 0; i < index.length; i++) (out as Float32Array)[i] = (source as Float32Array)[index[i] as number] as number;
  return new Tensor(tensor.type, out, dims);
}

/**
 * The one walk behind broadcasting (stride 0), Transpose (permuted strides), Slice (scaled strides) and
 * the loops' axis moves: an output of `dims` in row-major order, whose element at counter c reads the
 * input's flat index `offset + Σ c[d]·strides[d]`, visited a run of its innermost dimension at a time:
 * `run(from, at, count, step)` for the run starting at output index `at` and input index `from`.
 */
function stridedRuns(dims: readonly number[], strides: readonly number[], offset: number, run: (from: number, at: number, count: number, step: number) => void): void {
  const rank = dims.length;
  const size = sizeOf(dims);
  const inner = rank === 0 ? 1 : (dims[rank - 1] as number);
  const step = rank === 0 ? 1 : (strides[rank - 1] as number);
  const counter = new Array<number>(rank).fill(0);
  let from = offset;
  for (let at = 0; at < size; at += inner) {
    run(from, at, inner, step);
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]!++;
      from += strides[d] as number;
      if (counter[d]! < (dims[d] as number)) break;
      from -= (strides[d] as number) * (dims[d] as number);
      counter[d] = 0;
    }
  }
}

/** A new tensor of `dims` read from `tensor` by strides (see stridedRuns): take(stridedIndex(…)) without the index array, a block copy where the innermost stride is 1. */
export function strided(tensor: Tensor, dims: readonly number[], strides: readonly number[], offset = 0): Tensor {
  const out = allocate(tensor.type, sizeOf(dims));
  // One element type on both sides, so plain element copies are exact for every type (int64 included).
  const source = tensor.data as Float32Array;
  const target = out as Float32Array;
  stridedRuns(dims, strides, offset, (from, at, count, step) => {
    if (step === 1) target.set(source.subarray(from, from + count), at);
    else for (let j = 0; j < count; j++) target[at + j] = source[from + j * step] as number;
  });
  return new Tensor(tensor.type, out, dims);
}

/** For each element of an output of `dims` (row-major), the flat input index it reads (see stridedRuns). */
export function stridedIndex(dims: readonly number[], strides: readonly number[], offset = 0): Int32Array {
  const index = new Int32Array(sizeOf(dims));
  stridedRuns(dims, strides, offset, (from, at, count, step) => {
    for (let j = 0; j < count; j++) index[at + j] = from + j * step;
  });
  return index;
}
