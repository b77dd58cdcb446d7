import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from 'onnx-buf';
import { readTensorProto } from '../tensor-proto';
import { numberDim, symbolDim, type Dim } from './dims';
import { atNode, importError } from './errors';
import { sizeOf, staticValue } from './static-ops';
import type { Element, ElementType, StaticValue } from './values';

/**
 * Reading the parts of an ONNX graph the evaluator needs: element types, initializers and Constant
 * values as static tensors, graph input shapes as symbolic dims, and node attributes with ONNX defaults.
 */
const ELEMENT_TYPES: Readonly<Record<number, ElementType>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };

export function elementType(code: number): ElementType {
  return ELEMENT_TYPES[code] ?? 'unsupported';
}

export function isIntegerType(dtype: ElementType): boolean {
  return dtype === 'int64' || dtype === 'int32' || dtype === 'int16' || dtype === 'int8' || dtype === 'uint8';
}

function rawElements(proto: TensorProto, dtype: ElementType, count: number, where: string): number[] {
  const raw = proto.rawData;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const width = dtype === 'float64' ? 8 : dtype === 'bool' || dtype === 'uint8' || dtype === 'int8' ? 1 : 2;
  if (raw.byteLength !== count * width) {
    throw importError('tensor raw_data has the wrong length', { where, expected: `${count * width} bytes`, got: `${raw.byteLength} bytes`, fix: 'the file is truncated or corrupt; export it again' });
  }
  return Array.from({ length: count }, (_, i) => (width === 8 ? view.getFloat64(8 * i, true) : width === 1 ? (dtype === 'int8' ? view.getInt8(i) : view.getUint8(i)) : view.getInt16(2 * i, true)));
}

/** A TensorProto (initializer or Constant value) as a static tensor. */
export function readStatic(proto: TensorProto, where: string): StaticValue {
  const dtype = elementType(proto.dataType);
  const shape = proto.dims.map(Number);
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'int64') {
    const tensor = readTensorProto(proto, where);
    const data: number[] = tensor.data instanceof BigInt64Array ? Array.from(tensor.data, Number) : Array.from(tensor.data);
    return staticValue(dtype, shape, data);
  }
  const count = sizeOf(shape);
  if (dtype === 'float64' || dtype === 'bool' || dtype === 'uint8' || dtype === 'int8' || dtype === 'int16') {
    if (proto.externalData.length > 0) throw importError('tensor data is stored outside the file', { where, expected: 'data inside the .onnx file', got: 'external data', fix: 'save the model with its tensors inside the file (onnx.save(model, path, save_as_external_data=False))' });
    if (proto.rawData.byteLength > 0 || count === 0) return staticValue(dtype, shape, rawElements(proto, dtype, count, where));
    const typed = dtype === 'float64' ? proto.doubleData : proto.int32Data;
    if (typed.length !== count) throw importError('tensor data has the wrong length', { where, expected: `${count} values`, got: `${typed.length} values`, fix: 'the file is truncated or corrupt; export it again' });
    return staticValue(dtype, shape, Array.from(typed, Number));
  }
  throw importError('unsupported tensor element type', { where, expected: 'float32, float64, an integer type or bool', got: `ONNX data type ${proto.dataType}`, fix: 'convert the tensor to float32 or int64 before exporting' });
}

/** Declared dims of a graph input; an axis without a size or a dim_param gets a symbol `<input>:<axis>`. */
export function declaredDims(info: ValueInfoProto): { dtype: ElementType; dims: Dim[] } | undefined {
  const type = info.type?.value;
  if (type?.case !== 'tensorType' || !type.value.shape) return undefined;
  const dims = type.value.shape.dim.map((d, axis): Dim => {
    if (d.value.case === 'dimValue' && d.value.value > 0n) return numberDim(Number(d.value.value));
    if (d.value.case === 'dimParam' && d.value.value) return symbolDim(d.value.value);
    return symbolDim(`${info.name}:${axis}`);
  });
  return { dtype: elementType(type.value.elemType), dims };
}

/** Attributes of one node, with the node named in every error. */
export class Attributes {
  private readonly byName: ReadonlyMap<string, AttributeProto>;
  constructor(
    readonly node: NodeProto,
    readonly file: string,
  ) {
    this.byName = new Map(node.attribute.map((a) => [a.name, a]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a ? Number(a.i) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.byName.get(name);
    return a ? a.ints.map(Number) : undefined;
  }

  float(name: string): number | undefined {
    return this.byName.get(name)?.f;
  }

  floats(name: string): number[] | undefined {
    return this.byName.get(name)?.floats;
  }

  string(name: string, fallback: string): string {
    const a = this.byName.get(name);
    return a ? new TextDecoder().decode(a.s) : fallback;
  }

  strings(name: string): string[] | undefined {
    const a = this.byName.get(name);
    return a ? a.strings.map((s) => new TextDecoder().decode(s)) : undefined;
  }

  tensor(name: string): TensorProto | undefined {
    return this.byName.get(name)?.t;
  }
}

/** The value of a Constant node (value, value_float(s), value_int(s)). */
export function constantValue(attributes: Attributes): StaticValue {
  const where = atNode(attributes.file, attributes.node);
  const tensor = attributes.tensor('value');
  if (tensor) return readStatic(tensor, where);
  const float = attributes.float('value_float');
  if (attributes.has('value_float') && float !== undefined) return staticValue('float32', [], [Math.fround(float)]);
  const floats = attributes.floats('value_floats');
  if (floats) return staticValue('float32', [floats.length], floats.map(Math.fround));
  if (attributes.has('value_int')) return staticValue('int64', [], [attributes.int('value_int', 0)]);
  const ints = attributes.ints('value_ints');
  if (ints) return staticValue('int64', [ints.length], ints);
  throw importError('Constant without a supported value', { where, expected: 'a value, value_float(s) or value_int(s) attribute', got: attributes.names().join(', ') || 'no attributes', fix: 'give the Constant a numeric tensor value' });
}

/** The graph's real inputs: graph inputs that are not also initializers (IR < 4 files list both). */
export function graphInputs(graph: GraphProto): ValueInfoProto[] {
  const initializers = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((input) => !initializers.has(input.name));
}

export function opsetOf(model: ModelProto): number {
  const main = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return main ? Number(main.version) : 0;
}

/** Integers of a static tensor (for axes, perms, shapes); a symbolic element is reported by `what`. */
export function staticInts(value: StaticValue, what: string, where: string): number[] {
  return value.data.map((element: Element) => {
    if (typeof element !== 'number') throw importError(`${what} is not a constant`, { where, expected: `constant integers for ${what}`, got: 'a value that depends on the input shape', fix: 'export with constant folding, or use constant axes' });
    return element;
  });
}
