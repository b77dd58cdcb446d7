import { fieldsNumbered, fieldString, int64sOf, lastField, readFields, RuntimeError, type WireField } from '@unfold/runtime/proto';
import { allocate, sizeOf, Tensor, TENSOR_TYPES, type TensorData, type TensorType } from '../tensor';
import { unsupported } from '../errors';

/**
 * One TensorProto (an initializer or a tensor attribute) as a Tensor: raw_data (little-endian) or the
 * typed fields (float_data, int32_data, int64_data). Sizes were checked against the dims by the runtime's
 * checkTensorData before; they are checked again here as the data is decoded. Field numbers are onnx.proto's.
 */
const TENSOR = { dims: 1, dataType: 2, floatData: 4, int32Data: 5, int64Data: 7, name: 8, rawData: 9 } as const;
const TYPE_BY_NUMBER = new Map(Object.entries(TENSOR_TYPES).map(([name, number]) => [number, name as TensorType]));
const WIDTH: Readonly<Record<TensorType, number>> = { float32: 4, int32: 4, int64: 8, bool: 1 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function mismatch(where: string, expected: string, got: string): RuntimeError {
  return new RuntimeError('E_MODEL', 'a tensor’s data does not match its dims', { where, expected, got, fix: 'the file is corrupt or was edited; export the model again' });
}

function fromRaw(type: TensorType, raw: Uint8Array, size: number, where: string): TensorData {
  if (raw.length !== size * WIDTH[type]) throw mismatch(where, `${size * WIDTH[type]} bytes of raw_data`, `${raw.length} bytes`);
  const data = allocate(type, size);
  const bytes = new Uint8Array(data.buffer);
  if (LITTLE_ENDIAN || WIDTH[type] === 1) {
    bytes.set(raw);
    return data;
  }
  const width = WIDTH[type];
  for (let i = 0; i < raw.length; i += width) for (let b = 0; b < width; b++) bytes[i + b] = raw[i + width - 1 - b] as number;
  return data;
}

function floats(fields: readonly WireField[]): number[] {
  const values: number[] = [];
  for (const field of fields) {
    if (field.number !== TENSOR.floatData) continue;
    const view = new DataView(field.bytes.buffer, field.bytes.byteOffset, field.bytes.byteLength);
    for (let i = 0; i + 4 <= field.bytes.length; i += 4) values.push(view.getFloat32(i, true));
  }
  return values;
}

function integers(fields: readonly WireField[], number: number, where: string): bigint[] {
  const values: bigint[] = [];
  for (const field of fields) if (field.number === number && field.wireType !== 5 && field.wireType !== 1) values.push(...int64sOf(field.bytes, where));
  return values;
}

function fromFields(type: TensorType, fields: readonly WireField[], size: number, where: string): TensorData {
  const values = type === 'float32' ? floats(fields) : integers(fields, type === 'int64' ? TENSOR.int64Data : TENSOR.int32Data, where);
  if (values.length !== size) throw mismatch(where, `${size} values`, `${values.length} values`);
  const data = allocate(type, size);
  for (let i = 0; i < size; i++) {
    if (type === 'int64') (data as BigInt64Array)[i] = values[i] as bigint;
    else (data as Float32Array)[i] = Number(values[i]);
  }
  return data;
}

/** The tensor's name (for initializers) and value. Throws E_MODEL for a dtype the engine does not compute in. */
export function readTensor(bytes: Uint8Array, where: string): { readonly name: string; readonly tensor: Tensor } {
  const fields = readFields(bytes, where);
  const nameField = lastField(fields, TENSOR.name);
  const name = nameField?.wireType === 2 ? fieldString(nameField) : '';
  const at = name ? `${where} ${JSON.stringify(name)}` : where;
  const dims = fieldsNumbered(fields, TENSOR.dims).flatMap((f) => int64sOf(f.bytes, at).map(Number));
  const number = lastField(fields, TENSOR.dataType)?.varint ?? 0;
  const type = TYPE_BY_NUMBER.get(number);
  if (!type) throw unsupported(at, `a tensor of ONNX data type ${number}`, 'tensors of float32, int32, int64 or bool');
  const size = sizeOf(dims);
  const raw = lastField(fields, TENSOR.rawData);
  const data = raw?.wireType === 2 ? fromRaw(type, raw.bytes, size, at) : fromFields(type, fields, size, at);
  return { name, tensor: new Tensor(type, data, dims) };
}
