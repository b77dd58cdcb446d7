import { create } from '@bufbuild/protobuf';
import { ExportError, type OnnxAttributeValue, type OnnxSubgraph } from '@unfold/core';
import { AttributeProto_AttributeType as Type, AttributeProtoSchema, type AttributeProto, type GraphProto } from 'onnx-buf';
import { tensorProto } from './tensor-proto';

const encoder = new TextEncoder();

function integer(value: number, name: string, where: string): bigint {
  if (!Number.isSafeInteger(value)) {
    throw new ExportError(`attribute ${JSON.stringify(name)} is not an integer`, { where, expected: 'an integer (a plain number is an INT attribute)', got: String(value), fix: `write { float: ${value} } for a FLOAT attribute, or round it` });
  }
  return BigInt(value);
}

function finite(value: number, name: string, where: string): number {
  if (!Number.isFinite(value)) throw new ExportError(`attribute ${JSON.stringify(name)} is not finite`, { where, expected: 'a finite float', got: String(value) });
  return value;
}

/**
 * Converts a mapping's attribute value to an AttributeProto: a number is INT, a string STRING, a number
 * list INTS (also when empty), a string list STRINGS, `{ float }` FLOAT, `{ floats }` FLOATS, `{ tensor }`
 * TENSOR, and a subgraph handle GRAPH (resolved by `resolveGraph`, which the graph builder provides).
 */
export function attributeProto(name: string, value: OnnxAttributeValue, where: string, resolveGraph: (handle: OnnxSubgraph) => GraphProto): AttributeProto {
  if (typeof value === 'number') return create(AttributeProtoSchema, { name, type: Type.INT, i: integer(value, name, where) });
  if (typeof value === 'string') return create(AttributeProtoSchema, { name, type: Type.STRING, s: encoder.encode(value) });
  if (Array.isArray(value)) {
    const list = value as readonly (number | string)[];
    if (list.every((item) => typeof item === 'number')) return create(AttributeProtoSchema, { name, type: Type.INTS, ints: list.map((item) => integer(item as number, name, where)) });
    if (list.every((item) => typeof item === 'string')) return create(AttributeProtoSchema, { name, type: Type.STRINGS, strings: list.map((item) => encoder.encode(item as string)) });
    throw new ExportError(`attribute ${JSON.stringify(name)} mixes numbers and strings`, { where, expected: 'a list of integers or a list of strings', got: JSON.stringify(list) });
  }
  const tagged = value as Exclude<OnnxAttributeValue, number | string | readonly unknown[]>;
  if ('float' in tagged) return create(AttributeProtoSchema, { name, type: Type.FLOAT, f: finite(tagged.float, name, where) });
  if ('floats' in tagged) return create(AttributeProtoSchema, { name, type: Type.FLOATS, floats: tagged.floats.map((item) => finite(item, name, where)) });
  if ('tensor' in tagged) return create(AttributeProtoSchema, { name, type: Type.TENSOR, t: tensorProto('', tagged.tensor) });
  if ('subgraph' in tagged) return create(AttributeProtoSchema, { name, type: Type.GRAPH, g: resolveGraph(tagged) });
  throw new ExportError(`attribute ${JSON.stringify(name)} has an unknown form`, { where, expected: 'number, string, number[], string[], { float }, { floats }, { tensor } or a subgraph handle', got: JSON.stringify(value) });
}
