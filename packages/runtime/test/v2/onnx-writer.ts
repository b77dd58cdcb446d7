import { readFields } from '../../src/proto/wire';

/**
 * A tiny ONNX protobuf writer for the tests: hand-made graphs (a handful of standard operators) with any
 * metadata, and the metadata of an existing file replaced. Independent of @unfold/onnx on purpose, so the
 * runtime's v2 tests do not move when the exporter does. Field numbers are onnx.proto's.
 */
type Field = readonly [number, number | string | Uint8Array | readonly Uint8Array[]];

const utf8 = new TextEncoder();

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function concat(parts: readonly (Uint8Array | number[])[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function lengthDelimited(number: number, bytes: Uint8Array): Uint8Array {
  return concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
}

/** A message from fields: numbers are varints, strings UTF-8, byte arrays sub-messages or bytes, arrays repeated. */
export function message(fields: readonly Field[]): Uint8Array {
  return concat(
    fields.flatMap(([number, value]): Uint8Array[] => {
      if (typeof value === 'number') return [concat([varint(number * 8), varint(value)])];
      if (typeof value === 'string') return [lengthDelimited(number, utf8.encode(value))];
      if (value instanceof Uint8Array) return [lengthDelimited(number, value)];
      return value.map((v) => lengthDelimited(number, v));
    }),
  );
}

const ELEM = { float32: 1, int32: 6, int64: 7, bool: 9 } as const;
export type Elem = keyof typeof ELEM;

/** ValueInfoProto of a tensor: dims are numbers or symbolic names. */
export function valueInfo(name: string, elem: Elem, dims: readonly (number | string)[]): Uint8Array {
  const shape = message(dims.map((d) => [1, message([typeof d === 'number' ? [1, d] : [2, d]])] as const));
  return message([
    [1, name],
    [2, message([[1, message([[1, ELEM[elem]], [2, shape]])]])],
  ]);
}

/** A float32 or int64 initializer. */
export function tensor(name: string, elem: 'float32' | 'int64', dims: readonly number[], values: readonly number[]): Uint8Array {
  const raw = elem === 'float32' ? new Uint8Array(Float32Array.from(values).buffer) : new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
  return message([...dims.map((d) => [1, d] as const), [2, ELEM[elem]], [8, name], [9, raw]]);
}

export type Attribute = { readonly name: string; readonly int?: number; readonly ints?: readonly number[] };

function attribute(a: Attribute): Uint8Array {
  if (a.ints) return message([[1, a.name], ...a.ints.map((i) => [8, i] as const), [20, 7]]);
  return message([[1, a.name], [3, a.int ?? 0], [20, 2]]);
}

export function node(op: string, inputs: readonly string[], outputs: readonly string[], attributes: readonly Attribute[] = []): Uint8Array {
  return message([
    [1, inputs.map((i) => utf8.encode(i))],
    [2, outputs.map((o) => utf8.encode(o))],
    [3, `${op}_${outputs[0]}`],
    [4, op],
    [5, attributes.map(attribute)],
  ]);
}

export interface Graph {
  readonly nodes: readonly Uint8Array[];
  readonly initializers: readonly Uint8Array[];
  readonly inputs: readonly Uint8Array[];
  readonly outputs: readonly Uint8Array[];
}

/** A ModelProto (IR 8, opset 17) of `graph` with `metadata` as metadata_props. */
export function modelBytes(graph: Graph, metadata: Readonly<Record<string, string>>): Uint8Array {
  const graphProto = message([
    [1, graph.nodes],
    [2, 'hand-made'],
    [5, graph.initializers],
    [11, graph.inputs],
    [12, graph.outputs],
  ]);
  return message([
    [1, 8],
    [2, 'unfold-runtime-tests'],
    [3, '0'],
    [7, graphProto],
    [8, message([[1, ''], [2, 17]])],
    [14, Object.entries(metadata).map(([key, value]) => message([[1, key], [2, value]]))],
  ]);
}

/** The same model with its metadata_props replaced by `metadata` (every other field kept as it was). */
export function withMetadata(bytes: Uint8Array, metadata: Readonly<Record<string, string>>): Uint8Array {
  const kept = readFields(bytes, 'test model').filter((f) => f.number !== 14);
  const parts = kept.map((f) => {
    if (f.wireType === 0) return concat([varint(f.number * 8), varint(f.varint)]);
    if (f.wireType === 2) return lengthDelimited(f.number, f.bytes);
    return concat([varint(f.number * 8 + f.wireType), f.bytes]);
  });
  return concat([...parts, ...Object.entries(metadata).map(([key, value]) => lengthDelimited(14, message([[1, key], [2, value]])))]);
}
