import { RuntimeError } from '../errors';
import { fieldsNumbered, lastField, readFields, type WireField } from './wire';

/**
 * Every tensor a model file stores (graph initializers, sparse initializers' parts, Constant-style node
 * attributes, in subgraphs too) checked against its own dims before onnxruntime sees the file:
 * onnxruntime allocates what the dims declare, so an int64 initializer whose dims say [2⁴⁰] over 8 bytes
 * of data would make it take all memory while loading. A tensor's data length must be exactly
 * dims × the element size (raw_data) or the element count (typed fields), and the sizes all tensors
 * declare together are bounded by MAX_DECLARED_BYTES. Field numbers are onnx.proto's (ONNX 1.x).
 */
const TENSOR = { dims: 1, dataType: 2, floatData: 4, int32Data: 5, stringData: 6, int64Data: 7, name: 8, rawData: 9, doubleData: 10, uint64Data: 11, externalData: 13, dataLocation: 14 } as const;
const GRAPH = { node: 1, initializer: 5, sparseInitializer: 15 } as const;
const NODE = { attribute: 5 } as const;
const ATTRIBUTE = { t: 5, g: 6, tensors: 10, graphs: 11, sparseTensor: 22, sparseTensors: 23 } as const;
const SPARSE = { values: 1, indices: 2 } as const;

/** The sizes every tensor of one file may declare together (4 GiB: beyond what a JavaScript host loads). */
export const MAX_DECLARED_BYTES = 4 * 1024 ** 3;
/** Subgraphs (Scan, Loop, If bodies) nest at most this deep. */
export const MAX_GRAPH_DEPTH = 32;

/** Element size in bytes by ONNX data type, and which typed field holds its values when raw_data does not. */
const ELEMENTS: Readonly<Record<number, { readonly size: number; readonly field: number; readonly encoding: 'fixed32' | 'fixed64' | 'varint' }>> = {
  1: { size: 4, field: TENSOR.floatData, encoding: 'fixed32' }, // float
  2: { size: 1, field: TENSOR.int32Data, encoding: 'varint' }, // uint8
  3: { size: 1, field: TENSOR.int32Data, encoding: 'varint' }, // int8
  4: { size: 2, field: TENSOR.int32Data, encoding: 'varint' }, // uint16
  5: { size: 2, field: TENSOR.int32Data, encoding: 'varint' }, // int16
  6: { size: 4, field: TENSOR.int32Data, encoding: 'varint' }, // int32
  7: { size: 8, field: TENSOR.int64Data, encoding: 'varint' }, // int64
  9: { size: 1, field: TENSOR.int32Data, encoding: 'varint' }, // bool
  10: { size: 2, field: TENSOR.int32Data, encoding: 'varint' }, // float16
  11: { size: 8, field: TENSOR.doubleData, encoding: 'fixed64' }, // double
  12: { size: 4, field: TENSOR.uint64Data, encoding: 'varint' }, // uint32
  13: { size: 8, field: TENSOR.uint64Data, encoding: 'varint' }, // uint64
  16: { size: 2, field: TENSOR.int32Data, encoding: 'varint' }, // bfloat16
};

function invalid(where: string, what: string, expected: string, got: string): RuntimeError {
  return new RuntimeError('E_MODEL', what, { where, expected, got, fix: 'the file is corrupt or was edited; export the model again' });
}

/** Elements a repeated numeric field holds, packed (one length-delimited field) or not (one field per value). */
function countValues(fields: readonly WireField[], number: number, encoding: 'fixed32' | 'fixed64' | 'varint'): number {
  let count = 0;
  for (const field of fields) {
    if (field.number !== number) continue;
    if (field.wireType !== 2) count++;
    else if (encoding === 'fixed32') count += field.bytes.length / 4;
    else if (encoding === 'fixed64') count += field.bytes.length / 8;
    else for (const byte of field.bytes) if ((byte & 0x80) === 0) count++; // a varint ends at a byte below 0x80
  }
  return count;
}

/** dims as numbers, packed or not; a dim above 2⁵³ (or a negative one, read as huge) is rejected. */
function readDims(fields: readonly WireField[], where: string): number[] {
  const dims: number[] = [];
  for (const field of fields) {
    if (field.number !== TENSOR.dims) continue;
    if (field.wireType === 0) dims.push(field.varint);
    else if (field.wireType === 2) for (const f of readPackedVarints(field.bytes, where)) dims.push(f);
  }
  const bad = dims.find((d) => !Number.isSafeInteger(d));
  if (bad !== undefined) throw invalid(where, 'a tensor dimension is out of range', 'dims between 0 and 2^53', String(bad));
  return dims;
}

function readPackedVarints(bytes: Uint8Array, where: string): number[] {
  const values: number[] = [];
  let value = 0;
  let scale = 1;
  for (const byte of bytes) {
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) {
      values.push(value);
      value = 0;
      scale = 1;
    }
  }
  if (scale !== 1) throw invalid(where, 'a truncated packed varint', 'complete varints', `${bytes.length} bytes`);
  return values;
}

interface Budget {
  declared: number;
}

/** Checks one TensorProto's data against its dims; adds its declared bytes to `budget`. */
function checkTensor(bytes: Uint8Array, where: string, budget: Budget): void {
  const fields = readFields(bytes, where);
  const nameField = lastField(fields, TENSOR.name);
  const at = nameField?.wireType === 2 ? `${where} ${JSON.stringify(new TextDecoder().decode(nameField.bytes).slice(0, 80))}` : where;
  const dims = readDims(fields, at);
  let count = 1;
  for (const d of dims) count *= d;
  const external = lastField(fields, TENSOR.dataLocation)?.varint === 1 || fields.some((f) => f.number === TENSOR.externalData);
  if (external) throw invalid(at, 'tensor data is stored outside the file', 'every tensor inside the .onnx file', 'external data');
  const type = lastField(fields, TENSOR.dataType)?.varint ?? 0;
  const raw = lastField(fields, TENSOR.rawData);
  if (type === 8) {
    // Strings: one string_data entry per element.
    const strings = fieldsNumbered(fields, TENSOR.stringData).length;
    if (strings !== count) throw invalid(at, 'a tensor’s data does not match its dims', `${count} strings for dims [${dims.join(', ')}]`, `${strings} strings`);
    budget.declared += strings;
    return;
  }
  const element = ELEMENTS[type];
  if (!element) throw invalid(at, 'a tensor of an unknown element type', 'an ONNX tensor data type', `data type ${type}`);
  const declared = count * element.size;
  budget.declared += declared;
  if (!Number.isSafeInteger(declared) || budget.declared > MAX_DECLARED_BYTES) {
    throw invalid(at, 'the tensors declare more data than a model may hold', `at most ${MAX_DECLARED_BYTES} bytes of tensors in one file`, `dims [${dims.join(', ')}] (${declared} bytes)`);
  }
  if (raw?.wireType === 2) {
    if (raw.bytes.length !== declared) throw invalid(at, 'a tensor’s data does not match its dims', `${declared} bytes of raw_data for dims [${dims.join(', ')}]`, `${raw.bytes.length} bytes`);
    return;
  }
  const values = countValues(fields, element.field, element.encoding);
  if (values !== count) throw invalid(at, 'a tensor’s data does not match its dims', `${count} values for dims [${dims.join(', ')}]`, `${values} values`);
}

function checkGraph(bytes: Uint8Array, where: string, budget: Budget, depth: number): void {
  if (depth > MAX_GRAPH_DEPTH) throw invalid(where, 'subgraphs nest too deeply', `at most ${MAX_GRAPH_DEPTH} levels`, 'more');
  const graph = readFields(bytes, where);
  for (const field of fieldsNumbered(graph, GRAPH.initializer)) checkTensor(field.bytes, `${where}: initializer`, budget);
  for (const field of fieldsNumbered(graph, GRAPH.sparseInitializer)) {
    const sparse = readFields(field.bytes, `${where}: sparse initializer`);
    for (const part of [...fieldsNumbered(sparse, SPARSE.values), ...fieldsNumbered(sparse, SPARSE.indices)]) checkTensor(part.bytes, `${where}: sparse initializer`, budget);
  }
  for (const node of fieldsNumbered(graph, GRAPH.node)) {
    for (const attribute of fieldsNumbered(readFields(node.bytes, `${where}: node`), NODE.attribute)) {
      const parts = readFields(attribute.bytes, `${where}: node attribute`);
      for (const part of parts) {
        if (part.wireType !== 2) continue;
        if (part.number === ATTRIBUTE.t || part.number === ATTRIBUTE.tensors) checkTensor(part.bytes, `${where}: node attribute tensor`, budget);
        else if (part.number === ATTRIBUTE.g || part.number === ATTRIBUTE.graphs) checkGraph(part.bytes, `${where}: subgraph`, budget, depth + 1);
        else if (part.number === ATTRIBUTE.sparseTensor || part.number === ATTRIBUTE.sparseTensors) {
          const sparse = readFields(part.bytes, `${where}: node attribute sparse tensor`);
          for (const p of [...fieldsNumbered(sparse, SPARSE.values), ...fieldsNumbered(sparse, SPARSE.indices)]) checkTensor(p.bytes, `${where}: node attribute sparse tensor`, budget);
        }
      }
    }
  }
}

/** Throws E_MODEL when any tensor in the model's graphs holds other than its dims declare, or all declare too much. */
export function checkTensorData(bytes: Uint8Array, where = 'model'): void {
  const graph = lastField(readFields(bytes, where), 7);
  if (graph?.wireType !== 2) return; // readModelInfo reports a file without a graph
  checkGraph(graph.bytes, `${where}: graph`, { declared: 0 }, 0);
}
