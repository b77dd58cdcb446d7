import { create } from '@bufbuild/protobuf';
import type { OnnxDataType, OnnxValueType } from '@unfold/core';
import {
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type TensorShapeProto_Dimension,
  type ValueInfoProto,
} from 'onnx-buf';
import { dataTypeName, elementType } from './tensor-proto';

/** A dimension: a fixed size, a symbolic name (`batch`), or null for unknown. */
export type Dim = number | string | null;

function dimension(dim: Dim): TensorShapeProto_Dimension {
  if (dim === null) return create(TensorShapeProto_DimensionSchema, {});
  if (typeof dim === 'string') return create(TensorShapeProto_DimensionSchema, { value: { case: 'dimParam', value: dim } });
  return create(TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(dim) } });
}

/** A ValueInfoProto for a tensor value (graph and subgraph inputs and outputs). */
export function valueInfo(name: string, type: OnnxValueType): ValueInfoProto {
  const shape = type.shape ? create(TensorShapeProtoSchema, { dim: type.shape.map(dimension) }) : undefined;
  const tensorType = create(TypeProto_TensorSchema, { elemType: elementType(type.dtype), ...(shape ? { shape } : {}) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

/** A readable description of a value's type: its dtype (or the ONNX type number) and dims. */
export interface ValueDescription {
  readonly name: string;
  readonly dtype: OnnxDataType | `onnx:${number}` | 'non-tensor';
  readonly shape: readonly Dim[] | undefined;
}

export function describeValue(info: ValueInfoProto): ValueDescription {
  const value = info.type?.value;
  if (value?.case !== 'tensorType') return { name: info.name, dtype: 'non-tensor', shape: undefined };
  const tensor = value.value;
  const dims = tensor.shape?.dim.map((d): Dim => (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null));
  return { name: info.name, dtype: dataTypeName(tensor.elemType) ?? `onnx:${tensor.elemType}`, shape: dims };
}
