import { RuntimeError } from '@unfold/runtime/proto';

/**
 * The engine's tensor, shaped like onnxruntime's: `new Tensor(type, data, dims)` (or `new Tensor(data, dims)`,
 * the type read from the array), with `type`, `dims`, `data` and `size`. Booleans are a Uint8Array of 0/1,
 * int64 a BigInt64Array, as in onnxruntime. The engine computes in the same arrays.
 */
export type TensorType = 'float32' | 'int32' | 'int64' | 'bool';

export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** The dtypes the engine computes in, by onnxruntime-common name, with their ONNX numbers. */
export const TENSOR_TYPES: Readonly<Record<TensorType, number>> = Object.freeze({ float32: 1, int32: 6, int64: 7, bool: 9 });

/** Allocates the zero-filled array of `type` holding `size` elements. */
export function allocate(type: TensorType, size: number): TensorData {
  if (type === 'float32') return new Float32Array(size);
  if (type === 'int32') return new Int32Array(size);
  if (type === 'int64') return new BigInt64Array(size);
  return new Uint8Array(size);
}

/** The product of `dims` (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  let size = 1;
  for (const d of dims) size *= d;
  return size;
}

function typeOfData(data: unknown): TensorType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'bool';
  return undefined;
}

function fromList(type: TensorType, data: readonly unknown[]): TensorData {
  if (type === 'int64') return BigInt64Array.from(data, (x) => BigInt(x as number | bigint));
  if (type === 'bool') return Uint8Array.from(data, (x) => (x ? 1 : 0));
  return type === 'float32' ? Float32Array.from(data as number[]) : Int32Array.from(data as number[]);
}

function tensorError(summary: string, expected: string, got: string): RuntimeError {
  return new RuntimeError('E_DTYPE', summary, { where: 'new Tensor', expected, got, fix: 'pass a type the engine computes in (float32, int32, int64, bool) with its typed array and dims whose product is the data length' });
}

export class Tensor {
  readonly type: TensorType;
  readonly data: TensorData;
  readonly dims: readonly number[];
  readonly size: number;

  constructor(type: TensorType, data: TensorData | readonly number[] | readonly bigint[] | readonly boolean[], dims?: readonly number[]);
  constructor(data: TensorData, dims?: readonly number[]);
  constructor(typeOrData: TensorType | TensorData, dataOrDims?: unknown, maybeDims?: readonly number[]) {
    const typed = typeof typeOrData === 'string';
    const type = typed ? typeOrData : typeOfData(typeOrData);
    const given = typed ? dataOrDims : typeOrData;
    const dims = ((typed ? maybeDims : dataOrDims) as readonly number[] | undefined) ?? [(given as { length: number }).length];
    if (type === undefined || !(type in TENSOR_TYPES)) throw tensorError('a tensor type the engine does not compute in', 'float32, int32, int64 or bool', String(typed ? typeOrData : (given as object)?.constructor?.name));
    let data: TensorData;
    if (Array.isArray(given)) data = fromList(type, given);
    else if (typeOfData(given) === type) data = given as TensorData;
    else throw tensorError('the data does not match the tensor type', `a ${type === 'bool' ? 'Uint8Array' : type === 'int64' ? 'BigInt64Array' : type === 'int32' ? 'Int32Array' : 'Float32Array'} for ${type}`, String((given as object | undefined)?.constructor?.name ?? typeof given));
    if (!Array.isArray(dims) || dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw tensorError('invalid dims', 'non-negative integers', JSON.stringify(dims));
    const size = sizeOf(dims);
    if (size !== data.length) throw tensorError('the dims do not match the data length', `${size} elements for dims [${dims.join(', ')}]`, `${data.length}`);
    this.type = type;
    this.data = data;
    this.dims = Object.freeze([...dims]);
    this.size = size;
  }
}
