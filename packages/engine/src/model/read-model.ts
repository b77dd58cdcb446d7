import { fieldsNumbered, fieldString, int64sOf, lastField, MAX_GRAPH_DEPTH, readFields, readValueInfo, type WireField } from '@unfold/runtime/proto';
import { invalidModel } from '../errors';
import type { Attribute, Graph, Model, Node } from './graph';
import { readTensor } from './read-tensor';

/**
 * The whole ModelProto as plain data (graph.ts), read with the runtime's schema-free wire reader: opset
 * imports, metadata_props, and per graph (subgraphs of Scan, Loop and If too) its inputs and outputs with
 * dtypes and shapes, initializers and nodes with their attributes. Field numbers are onnx.proto's (ONNX 1.x).
 */
const MODEL = { irVersion: 1, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, strings: 9, type: 20 } as const;
const ATTRIBUTE_TYPES: Readonly<Record<number, Attribute['type']>> = { 1: 'float', 2: 'int', 3: 'string', 4: 'tensor', 5: 'graph', 6: 'floats', 7: 'ints', 8: 'strings' };

/** Nodes in one model, all graphs together: a bound on the work one session's planning does. */
export const MAX_NODES = 1 << 20;

function text(fields: readonly WireField[], number: number): string {
  const field = lastField(fields, number);
  return field?.wireType === 2 ? fieldString(field) : '';
}

function floatsOf(fields: readonly WireField[], number: number): number[] {
  const values: number[] = [];
  for (const field of fields) {
    if (field.number !== number || field.wireType === 0) continue;
    const view = new DataView(field.bytes.buffer, field.bytes.byteOffset, field.bytes.byteLength);
    for (let i = 0; i + 4 <= field.bytes.length; i += 4) values.push(view.getFloat32(i, true));
  }
  return values;
}

function intsOf(fields: readonly WireField[], number: number, where: string): number[] {
  return fields.filter((f) => f.number === number && (f.wireType === 0 || f.wireType === 2)).flatMap((f) => int64sOf(f.bytes, where).map(Number));
}

interface Reading {
  nodes: number;
}

function readAttribute(bytes: Uint8Array, where: string, reading: Reading, depth: number): [string, Attribute] {
  const fields = readFields(bytes, where);
  const name = text(fields, ATTRIBUTE.name);
  const at = `${where} attribute ${JSON.stringify(name)}`;
  const type = ATTRIBUTE_TYPES[lastField(fields, ATTRIBUTE.type)?.varint ?? 0];
  const single = (number: number) => lastField(fields, number);
  switch (type) {
    case 'int':
      return [name, { type, value: Number(int64sOf(single(ATTRIBUTE.i)?.bytes ?? new Uint8Array([0]), at)[0]) }];
    case 'float':
      return [name, { type, value: floatsOf(fields, ATTRIBUTE.f)[0] ?? 0 }];
    case 'string':
      return [name, { type, value: text(fields, ATTRIBUTE.s) }];
    case 'ints':
      return [name, { type, value: intsOf(fields, ATTRIBUTE.ints, at) }];
    case 'floats':
      return [name, { type, value: floatsOf(fields, ATTRIBUTE.floats) }];
    case 'strings':
      return [name, { type, value: fieldsNumbered(fields, ATTRIBUTE.strings).map(fieldString) }];
    case 'tensor': {
      const field = single(ATTRIBUTE.t);
      if (field?.wireType !== 2) throw invalidModel(at, 'a tensor attribute without its tensor', 'field t', 'none');
      return [name, { type, value: readTensor(field.bytes, at).tensor }];
    }
    case 'graph': {
      const field = single(ATTRIBUTE.g);
      if (field?.wireType !== 2) throw invalidModel(at, 'a graph attribute without its graph', 'field g', 'none');
      return [name, { type, value: readGraph(field.bytes, `${at} (subgraph)`, reading, depth + 1) }];
    }
    default:
      return [name, { type: 'unsupported', value: `attribute type ${lastField(fields, ATTRIBUTE.type)?.varint ?? 0}` }];
  }
}

function readNode(bytes: Uint8Array, where: string, reading: Reading, depth: number): Node {
  const fields = readFields(bytes, where);
  const name = text(fields, NODE.name);
  const opType = text(fields, NODE.opType);
  const at = `${where} ${JSON.stringify(name || opType)} (${opType})`;
  const attributes = new Map(fieldsNumbered(fields, NODE.attribute).map((f) => readAttribute(f.bytes, at, reading, depth)));
  return {
    name,
    opType,
    domain: text(fields, NODE.domain),
    inputs: fieldsNumbered(fields, NODE.input).map(fieldString),
    outputs: fieldsNumbered(fields, NODE.output).map(fieldString),
    attributes,
  };
}

function readGraph(bytes: Uint8Array, where: string, reading: Reading, depth: number): Graph {
  if (depth > MAX_GRAPH_DEPTH) throw invalidModel(where, 'subgraphs nest too deeply', `at most ${MAX_GRAPH_DEPTH} levels`, 'more');
  const fields = readFields(bytes, where);
  if (fields.some((f) => f.number === GRAPH.sparseInitializer)) throw invalidModel(where, 'sparse initializers are not read by the compact engine', 'dense initializers (unfold writes only those)', 'a sparse initializer');
  const nodeFields = fieldsNumbered(fields, GRAPH.node);
  reading.nodes += nodeFields.length;
  if (reading.nodes > MAX_NODES) throw invalidModel(where, 'the model has too many nodes', `at most ${MAX_NODES} nodes in all graphs`, `${reading.nodes} or more`);
  const initializers = new Map(fieldsNumbered(fields, GRAPH.initializer).map((f) => {
    const { name, tensor } = readTensor(f.bytes, `${where}: initializer`);
    return [name, tensor] as const;
  }));
  return {
    name: text(fields, GRAPH.name),
    // Before IR 4 initializers were listed as inputs too: those are weights, not inputs to feed.
    inputs: fieldsNumbered(fields, GRAPH.input).map((f) => readValueInfo(f.bytes, `${where}: input`)).filter((v) => depth > 0 || !initializers.has(v.name)),
    outputs: fieldsNumbered(fields, GRAPH.output).map((f) => readValueInfo(f.bytes, `${where}: output`)),
    initializers,
    nodes: nodeFields.map((f) => readNode(f.bytes, `${where}: node`, reading, depth)),
  };
}

/** Reads a whole model; throws E_MODEL for bytes that are not one. */
export function readModel(bytes: Uint8Array, where = 'model'): Model {
  const fields = readFields(bytes, where);
  const graph = lastField(fields, MODEL.graph);
  if (graph?.wireType !== 2) throw invalidModel(where, 'the file has no graph', 'an ONNX ModelProto with a graph', `${bytes.length} bytes without field 7 (graph)`);
  const opsets = new Map<string, number>();
  for (const field of fieldsNumbered(fields, MODEL.opsetImport)) {
    const opset = readFields(field.bytes, `${where}: opset_import`);
    const domain = text(opset, 1);
    opsets.set(domain === 'ai.onnx' ? '' : domain, lastField(opset, 2)?.varint ?? 0);
  }
  const metadata: Record<string, string> = {};
  for (const entry of fieldsNumbered(fields, MODEL.metadataProps)) {
    const pair = readFields(entry.bytes, `${where}: metadata_props`);
    metadata[text(pair, 1)] = text(pair, 2);
  }
  return { irVersion: lastField(fields, MODEL.irVersion)?.varint ?? 0, opsets, graph: readGraph(graph.bytes, `${where}: graph`, { nodes: 0 }, 0), metadata };
}
