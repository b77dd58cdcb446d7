import { ShapeError } from './errors';

/**
 * A float32 tensor in plain memory: what checkpoints store, initialisers produce and exporters copy.
 * `data` is row-major and has exactly `product(shape)` elements.
 */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Named float32 weights of a model, keyed by parameter path (`layers.0.cell.W`). */
export type WeightMap = Readonly<Record<string, HostTensor>>;

export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/** Makes a HostTensor, checking that the shape is valid and matches the data length. */
export function hostTensor(shape: readonly number[], data: Float32Array | readonly number[], where = 'hostTensor'): HostTensor {
  if (!shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw new ShapeError('invalid tensor shape', { where, expected: 'non-negative integer dimensions', got: formatShape(shape) });
  }
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  const size = shapeSize(shape);
  if (values.length !== size) {
    throw new ShapeError('tensor data length does not match its shape', {
      where,
      expected: `${size} values for shape ${formatShape(shape)}`,
      got: `${values.length} values`,
      fix: 'pass row-major data with one value per element',
    });
  }
  return Object.freeze({ shape: Object.freeze([...shape]), data: values });
}
