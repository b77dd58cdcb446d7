import type { OnnxConstant } from './onnx-hooks';

/**
 * Integer constants for ONNX mappings (shapes, axes, indices), and the TensorProto element types used as
 * Cast targets. One place for every mapping, in any package.
 */
export const ONNX_FLOAT = 1;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
export const ONNX_BOOL = 9;

/** An int64 tensor; `shape` defaults to a vector of the values ([] for a scalar of one value). */
export function int64Constant(values: readonly number[], shape: readonly number[] = [values.length]): OnnxConstant {
  return { dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** An int32 tensor; `shape` defaults to a vector of the values. */
export function int32Constant(values: readonly number[], shape: readonly number[] = [values.length]): OnnxConstant {
  return { dtype: 'int32', shape, data: Int32Array.from(values) };
}

/** A float32 tensor of zeros (`[]` for a scalar). */
export function zerosConstant(shape: readonly number[]): OnnxConstant {
  return { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
}
