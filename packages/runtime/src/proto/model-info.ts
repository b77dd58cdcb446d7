import { RuntimeError } from '../errors';
import { fieldsNumbered, fieldString, lastField, readFields, type WireField } from './wire';

/**
 * What a server needs to know about an ONNX file before running it, read straight from the protobuf:
 * the graph's real inputs (initializer-backed names left out), its outputs with dtypes and shapes, and
 * `metadata_props`. Weights are skipped, never copied. Field numbers are those of onnx.proto (ONNX 1.x).
 */

/** A dimension: a fixed size, a symbolic name (`batch`), or null when the file leaves it unknown. */
export type GraphDim = number | string | null;

/** Element types onnxruntime's JavaScript tensors support, by their onnxruntime-common names. */
export type GraphDtype = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'float16' | 'string';

export interface GraphValue {
  readonly name: string;
  /** The element type, or `onnx:<n>` for a type the runtime does not feed, or `non-tensor`. */
  readonly dtype: GraphDtype | `onnx:${number}` | 'non-tensor';
  /** Dimensions; undefined when the file gives no shape (any rank). */
  readonly shape: readonly GraphDim[] | undefined;
  readonly doc: string;
}

export interface ModelInfo {
  readonly irVersion: number;
  readonly producer: { readonly name: string; readonly version: string };
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
  readonly metadata: Readonly<Record<string, string>>;
}

const DTYPES: Readonly<Record<number, GraphDtype>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

/** The largest fixed dim a served graph value may declare (onnxruntime's int32 range). */
export const MAX_DIM = 2147483647;

const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const GRAPH = { initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;

function stringOf(fields: readonly WireField[], number: number): string {
  const field = lastField(fields, number);
  return field?.wireType === 2 ? fieldString(field) : '';
}

function varintOf(fields: readonly WireField[], number: number): number {
  const field = lastField(fields, number);
  return field?.wireType === 0 ? field.varint : 0;
}

function messageOf(fields: readonly WireField[], number: number, where: string): WireField[] | undefined {
  const field = lastField(fields, number);
  return field?.wireType === 2 ? readFields(field.bytes, where) : undefined;
}

function readDim(bytes: Uint8Array, where: string): GraphDim {
  // A oneof (dim_value = 1, dim_param = 2): the last one written wins.
  let dim: GraphDim = null;
  for (const field of readFields(bytes, where)) {
    if (field.number === 1 && field.wireType === 0) {
      // A negative int64 (a 10-byte varint, read as ≥ 2⁶³) means unknown; a dim no tensor can have is a broken file.
      if (field.varint >= 2 ** 63) dim = null;
      else if (field.varint > MAX_DIM) throw new RuntimeError('E_MODEL', 'a graph dimension is out of range', { where, expected: `dims up to ${MAX_DIM}`, got: String(field.varint), fix: 'the file is corrupt or was edited; export the model again' });
      else dim = field.varint;
    }
    if (field.number === 2 && field.wireType === 2) dim = fieldString(field) || null;
  }
  return dim;
}

/** One ValueInfoProto: name, element type and shape (dims checked against MAX_DIM). */
export function readValueInfo(bytes: Uint8Array, where: string): GraphValue {
  const fields = readFields(bytes, where);
  const name = stringOf(fields, 1);
  const doc = stringOf(fields, 3);
  const type = messageOf(fields, 2, `${where} ${name}`);
  const tensor = type ? messageOf(type, 1, `${where} ${name}`) : undefined;
  if (!tensor) return { name, dtype: 'non-tensor', shape: undefined, doc };
  const elemType = varintOf(tensor, 1);
  const shapeFields = messageOf(tensor, 2, `${where} ${name}`);
  const shape = shapeFields ? fieldsNumbered(shapeFields, 1).map((d) => readDim(d.bytes, `${where} ${name}`)) : undefined;
  return { name, dtype: DTYPES[elemType] ?? `onnx:${elemType}`, shape, doc };
}

function tensorName(bytes: Uint8Array, where: string): string {
  return stringOf(readFields(bytes, where), 8);
}

/** Reads an ONNX model's interface and metadata; throws E_MODEL for bytes that are not one. */
export function readModelInfo(bytes: Uint8Array, where = 'model'): ModelInfo {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new RuntimeError('E_MODEL', 'no model bytes', { where, expected: 'the non-empty bytes of an .onnx file', got: bytes instanceof Uint8Array ? '0 bytes' : typeof bytes });
  }
  const model = readFields(bytes, where);
  const graph = messageOf(model, MODEL.graph, `${where}: graph`);
  if (!graph) {
    throw new RuntimeError('E_MODEL', 'the file has no graph', { where, expected: 'an ONNX ModelProto with a graph', got: `${bytes.length} bytes without field 7 (graph)`, fix: 'pass the bytes of an .onnx file' });
  }
  // Before IR 4 every initializer was also listed as an input; those are weights, not inputs to feed.
  const initializers = new Set([
    ...fieldsNumbered(graph, GRAPH.initializer).map((f) => tensorName(f.bytes, `${where}: initializer`)),
    ...fieldsNumbered(graph, GRAPH.sparseInitializer).map((f) => {
      const values = messageOf(readFields(f.bytes, `${where}: sparse initializer`), 1, `${where}: sparse initializer`);
      return values ? stringOf(values, 8) : '';
    }),
  ]);
  const metadata: Record<string, string> = {};
  for (const entry of fieldsNumbered(model, MODEL.metadataProps)) {
    const pair = readFields(entry.bytes, `${where}: metadata_props`);
    metadata[stringOf(pair, 1)] = stringOf(pair, 2);
  }
  return {
    irVersion: varintOf(model, MODEL.irVersion),
    producer: { name: stringOf(model, MODEL.producerName), version: stringOf(model, MODEL.producerVersion) },
    opsets: fieldsNumbered(model, MODEL.opsetImport).map((f) => {
      const opset = readFields(f.bytes, `${where}: opset_import`);
      return { domain: stringOf(opset, 1), version: varintOf(opset, 2) };
    }),
    inputs: fieldsNumbered(graph, GRAPH.input)
      .map((f) => readValueInfo(f.bytes, `${where}: graph input`))
      .filter((value) => !initializers.has(value.name)),
    outputs: fieldsNumbered(graph, GRAPH.output).map((f) => readValueInfo(f.bytes, `${where}: graph output`)),
    metadata,
  };
}
