import { create } from '@bufbuild/protobuf';
import { SerializationError, shapeSize, type HostTensor, type OnnxConstant, type OnnxDataType } from '@unfold/core';
import { TensorProto_DataType, TensorProtoSchema, type TensorProto } from 'onnx-buf';

/**
 * Constants to ONNX TensorProto and back. Values are written as `raw_data`, little-endian as the ONNX
 * spec requires (through a DataView, so the host's byte order does not matter); reading also accepts the
 * typed fields (`float_data`, `int32_data`, `int64_data`) other exporters write.
 */
const ELEMENT_TYPES: Readonly<Record<OnnxDataType, TensorProto_DataType>> = {
  float32: TensorProto_DataType.FLOAT,
  int32: TensorProto_DataType.INT32,
  int64: TensorProto_DataType.INT64,
  bool: TensorProto_DataType.BOOL,
};

export function elementType(dtype: OnnxDataType): TensorProto_DataType {
  return ELEMENT_TYPES[dtype];
}

/** The unfold name of an ONNX element type, or undefined for types unfold does not use. */
export function dataTypeName(type: number): OnnxDataType | undefined {
  const entry = Object.entries(ELEMENT_TYPES).find(([, value]) => value === type);
  return entry?.[0] as OnnxDataType | undefined;
}

/** The dtype of a constant: HostTensors are float32. */
export function constantType(value: OnnxConstant): 'float32' | 'int32' | 'int64' {
  return 'dtype' in value ? value.dtype : 'float32';
}

function littleEndianBytes(value: OnnxConstant): Uint8Array<ArrayBuffer> {
  const data = value.data;
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  if (data instanceof Float32Array) data.forEach((x, i) => view.setFloat32(4 * i, x, true));
  else if (data instanceof Int32Array) data.forEach((x, i) => view.setInt32(4 * i, x, true));
  else data.forEach((x, i) => view.setBigInt64(8 * i, x, true));
  return bytes;
}

export function tensorProto(name: string, value: OnnxConstant): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dataType: elementType(constantType(value)),
    dims: value.shape.map((dim) => BigInt(dim)),
    rawData: littleEndianBytes(value),
  });
}

function fromRaw(raw: Uint8Array, dtype: 'float32' | 'int32' | 'int64', count: number, where: string): Float32Array | Int32Array | BigInt64Array {
  const width = dtype === 'int64' ? 8 : 4;
  if (raw.byteLength !== count * width) {
    throw new SerializationError('tensor raw_data has the wrong length', { where, expected: `${count * width} bytes`, got: `${raw.byteLength} bytes`, fix: 'the file is truncated or corrupt; export it again' });
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'float32') return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
  if (dtype === 'int32') return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
  return BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(8 * i, true));
}

function fromTyped(proto: TensorProto, dtype: 'float32' | 'int32' | 'int64', count: number, where: string): Float32Array | Int32Array | BigInt64Array {
  const values = dtype === 'float32' ? proto.floatData : dtype === 'int32' ? proto.int32Data : proto.int64Data;
  if (values.length !== count) {
    throw new SerializationError('tensor data has the wrong length', { where, expected: `${count} values`, got: `${values.length} values`, fix: 'the file is truncated or corrupt; export it again' });
  }
  if (dtype === 'float32') return Float32Array.from(values as number[]);
  if (dtype === 'int32') return Int32Array.from(values as number[]);
  return BigInt64Array.from(values as bigint[]);
}

/** Reads a float32, int32 or int64 TensorProto (raw or typed data; not external data). */
export function readTensorProto(proto: TensorProto, where = `tensor ${JSON.stringify(proto.name)}`): OnnxConstant {
  const dtype = dataTypeName(proto.dataType);
  if (dtype === undefined || dtype === 'bool') {
    throw new SerializationError('unsupported tensor element type', { where, expected: 'float32, int32 or int64', got: `ONNX data type ${proto.dataType} (${TensorProto_DataType[proto.dataType] ?? 'unknown'})`, fix: 'convert the tensor to one of these types before reading it' });
  }
  if (proto.externalData.length > 0) {
    throw new SerializationError('tensor data is stored outside the file', { where, expected: 'data inside the .onnx file', got: 'external data', fix: 'save the model with its tensors inside the file (onnx.save(model, path, save_as_external_data=False))' });
  }
  const shape = proto.dims.map((dim) => Number(dim));
  const count = shapeSize(shape);
  const data = proto.rawData.byteLength > 0 || count === 0 ? fromRaw(proto.rawData, dtype, count, where) : fromTyped(proto, dtype, count, where);
  if (data instanceof Float32Array) return { shape, data } satisfies HostTensor;
  if (data instanceof Int32Array) return { dtype: 'int32', shape, data };
  return { dtype: 'int64', shape, data };
}
