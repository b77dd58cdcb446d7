import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { SerializationError } from '@unfold/core';
import { ModelProtoSchema, OperatorSetIdProtoSchema, StringStringEntryProtoSchema, type GraphProto, type ModelProto } from 'onnx-buf';
import { IR_VERSION, ONNX_PACKAGE, ONNX_PACKAGE_VERSION, OPSET_VERSION } from './version';

/** Wraps a main graph into a ModelProto: IR 8, opset 17 (plus version 1 of any custom domain used), metadata. */
export function assembleModel(graph: GraphProto, metadata: Readonly<Record<string, string>>, domains: readonly string[], docString: string): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: BigInt(IR_VERSION),
    opsetImport: [
      create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(OPSET_VERSION) }),
      ...domains.map((domain) => create(OperatorSetIdProtoSchema, { domain, version: 1n })),
    ],
    producerName: ONNX_PACKAGE,
    producerVersion: ONNX_PACKAGE_VERSION,
    docString,
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
  });
}

export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

/** Parses ONNX bytes; anything that is not a model with a graph is a SerializationError. */
export function decodeModel(bytes: Uint8Array, where = 'onnx model'): ModelProto {
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (cause) {
    throw new SerializationError('not an ONNX model', { where, expected: 'an ONNX ModelProto (a .onnx file)', got: `bytes protobuf cannot parse (${String((cause as Error)?.message ?? cause)})`, fix: 'check the file is a complete .onnx file' }, { cause });
  }
  if (model.irVersion <= 0n || !model.graph) {
    throw new SerializationError('not an ONNX model', { where, expected: 'an ONNX ModelProto with ir_version and a graph', got: `ir_version ${model.irVersion}, ${model.graph ? 'a graph' : 'no graph'}`, fix: 'check the file is a complete .onnx file' });
  }
  return model;
}
