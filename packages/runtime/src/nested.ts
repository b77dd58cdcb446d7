import { BROADCAST_DIM } from '@unfold/core/interface';
import { RuntimeError } from './errors';
import { checkLimit, type RuntimeLimits } from './limits';
import type { GraphDim } from './proto/model-info';
import { readArray } from './values';

/**
 * Nested arrays <-> flat tensors for named inputs of arbitrary rank. The dims are read along the first
 * elements, checked against the graph's declared shape and the element cap before anything is
 * allocated, and then every array is checked to be rectangular.
 */
const MAX_RANK = 8;

export interface Flattened<T> {
  readonly dims: number[];
  readonly values: T[];
}

function dimsOf(value: unknown, rank: number | undefined): number[] {
  const dims: number[] = [];
  let cursor = value;
  while (Array.isArray(cursor) && dims.length < (rank ?? MAX_RANK)) {
    dims.push(cursor.length);
    cursor = cursor[0];
  }
  return dims;
}

/**
 * Flattens `value` to `shape`'s rank (or the nesting depth when the graph gives no shape), reading each
 * leaf with `read`. `symbols` collects the sizes bound to symbolic dims, so `batch` means the same size
 * in every input.
 */
export function flattenNested<T>(value: unknown, shape: readonly GraphDim[] | undefined, where: string, limits: RuntimeLimits, symbols: Map<string, { size: number; where: string }>, read: (leaf: unknown, at: string) => T): Flattened<T> {
  const dims = dimsOf(value, shape?.length);
  const rank = shape?.length ?? dims.length;
  if (dims.length !== rank || dims.some((d) => d === 0)) {
    throw new RuntimeError('E_SHAPE', 'a tensor has the wrong rank or an empty dimension', { where, expected: `${rank} nested levels of non-empty arrays${shape ? ` for shape [${shape.map((d) => d ?? '?').join(', ')}]` : ''}`, got: `dims [${dims.join(', ')}]` });
  }
  shape?.forEach((declared, axis) => {
    const size = dims[axis] as number;
    if (typeof declared === 'number' && declared !== size) {
      throw new RuntimeError('E_SHAPE', 'a dimension has the wrong size', { where: `${where} (axis ${axis})`, expected: String(declared), got: String(size) });
    }
    if (typeof declared === 'string') {
      // "batch_or_1" (sequence_lens, state_in.*): one row broadcasts to every sequence, as onnxruntime allows.
      if (declared === BROADCAST_DIM && size === 1) return;
      const bound = symbols.get(declared);
      if (bound && bound.size !== size) {
        throw new RuntimeError('E_SHAPE', `dimension "${declared}" differs between inputs`, { where: `${where} (axis ${axis})`, expected: `${bound.size}, as in ${bound.where}`, got: String(size) });
      }
      if (!bound) symbols.set(declared, { size, where: `${where} (axis ${axis})` });
    }
  });
  checkLimit('maxElements', dims.reduce((a, b) => a * b, 1), limits, where, 'tensor elements');
  const values: T[] = [];
  const walk = (node: unknown, depth: number, at: string): void => {
    if (depth === rank) {
      if (Array.isArray(node)) throw new RuntimeError('E_SHAPE', 'too many nested levels', { where: at, expected: `a value at depth ${rank}`, got: `an array of ${node.length}` });
      values.push(read(node, at));
      return;
    }
    const items = readArray(node, at, `an array of ${dims[depth]}`);
    if (items.length !== dims[depth]) throw new RuntimeError('E_SHAPE', 'ragged nested arrays', { where: at, expected: `${dims[depth]} entries (as in the first row)`, got: `${items.length}` });
    items.forEach((item, i) => walk(item, depth + 1, `${at}[${i}]`));
  };
  walk(value, 0, where);
  return { dims, values };
}

/** A flat array as nested arrays of `dims` (a scalar for rank 0). */
export function toNested(data: ArrayLike<unknown>, dims: readonly number[]): unknown {
  const build = (depth: number, offset: number): unknown => {
    if (depth === dims.length) return data[offset];
    const stride = dims.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[depth] as number }, (_, i) => build(depth + 1, offset + i * stride));
  };
  return build(0, 0);
}
