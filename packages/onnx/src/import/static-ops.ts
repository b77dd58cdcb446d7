import { importError } from './errors';
import type { Element, ElementType, StaticValue } from './values';

/**
 * Row-major index operations on static tensors (known shapes, elements that are numbers or symbolic
 * dims): the constant folding half of the evaluator. Semantics are ONNX's (negative axes and indices
 * count from the end; Slice clamps its bounds).
 */
export function staticValue(dtype: ElementType, shape: readonly number[], data: readonly Element[]): StaticValue {
  return { kind: 'static', dtype, shape, data };
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The most elements one constant the importer computes may have. Glue computes shapes, zero states and
 * index vectors (tens to thousands of elements); a tiny file asking for ConstantOfShape([3e8]) or
 * Range(0, 1e10, 1) would otherwise run the importer out of memory. Checked before anything is built.
 */
export const MAX_STATIC_ELEMENTS = 1 << 20;

/** Throws a typed import error unless `shape` is non-negative integers with at most MAX_STATIC_ELEMENTS elements. */
export function checkStaticShape(shape: readonly number[], where: string, what: string): void {
  const bad = shape.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined) throw importError(`${what} with an invalid dimension`, { where, expected: 'non-negative integer dims', got: `[${shape.join(', ')}]`, fix: 'the file is corrupt or was edited; export it again' });
  const size = sizeOf(shape);
  if (size > MAX_STATIC_ELEMENTS) throw importError(`${what} is too large to evaluate`, { where, expected: `at most ${MAX_STATIC_ELEMENTS} elements in a constant the importer computes`, got: `${size} elements for [${shape.join(', ')}]`, fix: 'import only the recurrent part of the model; large constants belong in initializers' });
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = (strides[i + 1] as number) * (shape[i + 1] as number);
  return strides;
}

/** Calls `visit` with every multi-index of `shape` in row-major order and its position. */
function forEachIndex(shape: readonly number[], visit: (index: readonly number[], position: number) => void): void {
  checkStaticShape(shape, 'constant evaluation', 'a computed constant');
  const total = sizeOf(shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let position = 0; position < total; position++) {
    visit(index, position);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      index[axis] = (index[axis] as number) + 1;
      if ((index[axis] as number) < (shape[axis] as number)) break;
      index[axis] = 0;
    }
  }
}

function offset(index: readonly number[], strides: readonly number[]): number {
  let at = 0;
  for (let i = 0; i < index.length; i++) at += (index[i] as number) * (strides[i] as number);
  return at;
}

/** A negative axis counts from the end. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const value = axis < 0 ? axis + rank : axis;
  return Number.isInteger(value) && value >= 0 && value < rank ? value : undefined;
}

export function transposeStatic(value: StaticValue, perm: readonly number[]): StaticValue {
  const shape = perm.map((p) => value.shape[p] as number);
  const strides = stridesOf(value.shape);
  const data: Element[] = [];
  forEachIndex(shape, (index) => {
    let at = 0;
    perm.forEach((p, i) => (at += (index[i] as number) * (strides[p] as number)));
    data.push(value.data[at] as Element);
  });
  return staticValue(value.dtype, shape, data);
}

/** The indices ONNX Slice selects along an axis of size `size`. */
export function sliceIndices(start: number, end: number, step: number, size: number): number[] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let from = start < 0 ? start + size : start;
  let to = end < 0 ? end + size : end;
  const picked: number[] = [];
  if (step > 0) {
    from = clamp(from, 0, size);
    to = clamp(to, 0, size);
    for (let i = from; i < to; i += step) picked.push(i);
  } else {
    from = clamp(from, -1, size - 1);
    to = clamp(to, -1, size - 1);
    for (let i = from; i > to; i += step) picked.push(i);
  }
  return picked;
}

/** Picks `indices` along `axis`; a scalar index (`dropAxis`) removes the axis. */
export function takeStatic(value: StaticValue, axis: number, indices: readonly number[], dropAxis: boolean): StaticValue {
  const shape = [...value.shape];
  shape[axis] = indices.length;
  const strides = stridesOf(value.shape);
  const data: Element[] = [];
  forEachIndex(shape, (index) => {
    const source = [...index];
    source[axis] = indices[index[axis] as number] as number;
    data.push(value.data[offset(source, strides)] as Element);
  });
  return staticValue(value.dtype, dropAxis ? shape.filter((_, i) => i !== axis) : shape, data);
}

export function concatStatic(values: readonly StaticValue[], axis: number): StaticValue {
  const first = values[0] as StaticValue;
  const shape = [...first.shape];
  shape[axis] = values.reduce((sum, v) => sum + (v.shape[axis] as number), 0);
  const outer = sizeOf(first.shape.slice(0, axis));
  const data: Element[] = [];
  for (let o = 0; o < outer; o++) {
    for (const value of values) {
      const block = sizeOf(value.shape.slice(axis));
      for (let i = 0; i < block; i++) data.push(value.data[o * block + i] as Element);
    }
  }
  return staticValue(first.dtype, shape, data);
}

/** Numpy broadcasting of two shapes, or undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    shape.push(x === 1 ? y : x);
  }
  return shape;
}

/** The element of `value` that position `index` of a broadcast result reads. */
function broadcastRead(value: StaticValue, index: readonly number[]): Element {
  const strides = stridesOf(value.shape);
  const lead = index.length - value.shape.length;
  let at = 0;
  value.shape.forEach((dim, i) => (at += (dim === 1 ? 0 : (index[lead + i] as number)) * (strides[i] as number)));
  return value.data[at] as Element;
}

export function expandStatic(value: StaticValue, shape: readonly number[]): StaticValue {
  const data: Element[] = [];
  forEachIndex(shape, (index) => data.push(broadcastRead(value, index)));
  return staticValue(value.dtype, shape, data);
}

/** An element-wise binary op with broadcasting; undefined when the shapes do not broadcast. */
export function binaryStatic(a: StaticValue, b: StaticValue, dtype: ElementType, op: (x: Element, y: Element) => Element): StaticValue | undefined {
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) return undefined;
  const data: Element[] = [];
  forEachIndex(shape, (index) => data.push(op(broadcastRead(a, index), broadcastRead(b, index))));
  return staticValue(dtype, shape, data);
}
