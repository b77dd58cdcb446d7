import type { HostTensor, OnnxConstant } from '@unfold/core';
import { TensorProto_DataType } from 'onnx-buf';

/** Small constants the exporter's own nodes need (shapes, axes, indices). */
export function int64Vector(values: readonly number[]): OnnxConstant {
  return { dtype: 'int64', shape: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

export function int32Vector(values: readonly number[]): OnnxConstant {
  return { dtype: 'int32', shape: [values.length], data: Int32Array.from(values) };
}

export function zeros(shape: readonly number[]): HostTensor {
  return { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
}

/** The `to` attribute of Cast. */
export const CAST_TO_INT32 = TensorProto_DataType.INT32;
