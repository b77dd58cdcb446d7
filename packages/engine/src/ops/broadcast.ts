import { shapeError } from '../errors';
import { allocate, sizeOf, Tensor, type TensorData, type TensorType } from '../tensor';
import { fromNumbers, numbers, stridedIndex } from './values';

/**
 * Multidirectional (numpy) broadcasting, ONNX's rule for the elementwise operators: shapes are aligned at
 * the right and a dim of 1 stretches to the other's; any other difference is an error.
 */
export function broadcastShape(shapes: readonly (readonly number[])[], where: string): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const o = rank - shape.length + i;
      const d = shape[i] as number;
      const current = out[o] as number;
      if (d === current || d === 1) continue;
      if (current !== 1) throw shapeError(where, 'the shapes do not broadcast', 'equal dims, or 1, aligned from the right', shapes.map((s) => `[${s.join(', ')}]`).join(' and '));
      out[o] = d;
    }
  }
  return out;
}

/** For each output element, the element of an input of `shape` broadcast to `out` (a flat index map). */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array | undefined {
  if (shape.length === out.length && shape.every((d, i) => d === out[i])) return undefined; // the identity
  const rank = out.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = rank - shape.length + i;
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i] as number;
  }
  return stridedIndex(out, strides);
}

/**
 * Applies `f` elementwise over broadcast inputs into a new tensor of `type`. Inputs are read as numbers
 * (int64 as doubles); the output is written through fromNumbers for int64, directly otherwise.
 */
export function mapBroadcast(inputs: readonly Tensor[], type: TensorType, where: string, f: (values: readonly number[]) => number): Tensor {
  const dims = broadcastShape(inputs.map((t) => t.dims), where);
  const size = sizeOf(dims);
  const sources = inputs.map((t) => numbers(t));
  const maps = inputs.map((t) => broadcastIndex(t.dims, dims));
  const out: TensorData | Float64Array = type === 'int64' ? new Float64Array(size) : allocate(type, size);
  const args = new Array<number>(inputs.length).fill(0);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < sources.length; k++) args[k] = (sources[k] as ArrayLike<number>)[maps[k]?.[i] ?? i] as number;
    (out as Float64Array)[i] = f(args);
  }
  return type === 'int64' ? fromNumbers('int64', out as Float64Array, dims) : new Tensor(type, out as TensorData, dims);
}

/** Two-input form of mapBroadcast without the argument array, for the arithmetic operators' inner loop. */
export function mapBinary(a: Tensor, b: Tensor, type: TensorType, where: string, f: (x: number, y: number) => number): Tensor {
  const dims = broadcastShape([a.dims, b.dims], where);
  const size = sizeOf(dims);
  const x = numbers(a);
  const y = numbers(b);
  const ia = broadcastIndex(a.dims, dims);
  const ib = broadcastIndex(b.dims, dims);
  const out: TensorData | Float64Array = type === 'int64' ? new Float64Array(size) : allocate(type, size);
  const o = out as Float64Array;
  if (!ia && !ib) for (let i = 0; i < size; i++) o[i] = f(x[i] as number, y[i] as number);
  else if (!ia && b.size === 1) {
    const v = y[0] as number;
    for (let i = 0; i < size; i++) o[i] = f(x[i] as number, v);
  } else for (let i = 0; i < size; i++) o[i] = f(x[ia ? (ia[i] as number) : i] as number, y[ib ? (ib[i] as number) : i] as number);
  return type === 'int64' ? fromNumbers('int64', o, dims) : new Tensor(type, out as TensorData, dims);
}
