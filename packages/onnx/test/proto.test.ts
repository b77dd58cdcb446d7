import { create } from '@bufbuild/protobuf';
import { initWeights, isUnfoldError, resolveModel, type ModelSpec } from '@unfold/core';
import { TensorProto_DataType, TensorProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { createModelBuilder, exportModel, IR_VERSION, METADATA_KEYS, ONNX_PACKAGE_VERSION, OPSET_VERSION, readOnnxModel, readUnfoldMetadata, serializeGraph } from '../src/index';
import { readTensorProto, tensorProto } from '../src/tensor-proto';
import { elmanCell } from './cells/elman';
import { registryWith } from './harness';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isUnfoldError(error) ? `${error.code} ${error.message}` : `not an unfold error: ${String(error)}`;
  }
  return 'no error';
}

describe('tensors', () => {
  it('writes raw_data little-endian whatever the host', () => {
    expect(Array.from(tensorProto('one', { shape: [1], data: Float32Array.of(1) }).rawData)).toEqual([0, 0, 0x80, 0x3f]);
    expect(Array.from(tensorProto('i', { dtype: 'int64', shape: [1], data: BigInt64Array.of(-2n) }).rawData)).toEqual([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(Array.from(tensorProto('j', { dtype: 'int32', shape: [], data: Int32Array.of(258) }).rawData)).toEqual([2, 1, 0, 0]);
  });

  it('reads the typed fields other exporters write, and rejects bad data', () => {
    const typed = create(TensorProtoSchema, { name: 'w', dataType: TensorProto_DataType.FLOAT, dims: [2n], floatData: [1.5, -2] });
    expect(readTensorProto(typed)).toEqual({ shape: [2], data: Float32Array.of(1.5, -2) });
    const longs = create(TensorProtoSchema, { name: 'k', dataType: TensorProto_DataType.INT64, dims: [1n], int64Data: [5n] });
    expect(readTensorProto(longs)).toEqual({ dtype: 'int64', shape: [1], data: BigInt64Array.of(5n) });
    const short = create(TensorProtoSchema, { name: 'w', dataType: TensorProto_DataType.FLOAT, dims: [3n], rawData: new Uint8Array(8) });
    expect(errorOf(() => readTensorProto(short))).toBe('E_SERIALIZATION tensor "w": tensor raw_data has the wrong length; expected 12 bytes; got 8 bytes. Fix: the file is truncated or corrupt; export it again');
    const doubles = create(TensorProtoSchema, { name: 'd', dataType: TensorProto_DataType.DOUBLE, dims: [1n], doubleData: [1] });
    expect(errorOf(() => readTensorProto(doubles))).toMatch(/unsupported tensor element type; expected float32, int32 or int64; got ONNX data type 11 \(DOUBLE\)/);
  });
});

describe('reading files', () => {
  it('rejects bytes that are not an ONNX model', () => {
    expect(errorOf(() => readOnnxModel(new TextEncoder().encode('{"not": "onnx"}'), 'model.json'))).toMatch(/^E_SERIALIZATION model.json: not an ONNX model/);
    expect(errorOf(() => readOnnxModel(new Uint8Array(0)))).toMatch(/not an ONNX model; expected an ONNX ModelProto with ir_version and a graph; got ir_version 0, no graph/);
  });

  it('tells a plain ONNX model from an unfold export', () => {
    const bytes = serializeGraph(createModelBuilder([]), { name: 'empty' });
    expect(readOnnxModel(bytes).metadata).toEqual({});
    expect(errorOf(() => readUnfoldMetadata(readOnnxModel(bytes), 'x.onnx'))).toBe('E_SERIALIZATION x.onnx: not an unfold export; expected metadata unfold.format = unfold-onnx/2 or unfold-onnx/1; got no such entry. Fix: export the model with @unfold/onnx, or read it as a plain ONNX model');
  });
});

describe('an exported file', () => {
  const spec: ModelSpec = {
    kind: 'sequence-model',
    config: { readout: 'last' },
    children: { body: { kind: 'recurrent', children: { cell: { kind: 'acme/elman', config: { inputSize: 2, hiddenSize: 3 } } } }, output: { kind: 'dense', config: { inputSize: 3, outputSize: 1 } } },
    metadata: { normalisation: { mean: [0.5, -1], std: [2, 3] }, units: 'kWh' },
  };
  const registry = registryWith([elmanCell]);
  const weights = initWeights(resolveModel(registry, spec), 3);

  it('declares IR 8 and opset 17, its producer, and dynamic batch and time', () => {
    const summary = readOnnxModel(exportModel(registry, { spec, weights }, { metadata: { owner: 'forecasting team' } }));
    expect([summary.irVersion, summary.opsets]).toEqual([IR_VERSION, [{ domain: '', version: OPSET_VERSION }]]);
    expect([IR_VERSION, OPSET_VERSION]).toEqual([8, 17]);
    expect(summary.producer).toEqual({ name: '@unfold/onnx', version: ONNX_PACKAGE_VERSION });
    expect(summary.graphName).toBe('sequence-model');
    expect(summary.inputs).toEqual([
      { name: 'input', dtype: 'float32', shape: ['batch', 'time', 2] },
      { name: 'sequence_lens', dtype: 'int32', shape: ['batch_or_1'] },
      { name: 'state_in.body.cell.h', dtype: 'float32', shape: ['batch_or_1', 3] },
    ]);
    expect(summary.outputs).toEqual([
      { name: 'output', dtype: 'float32', shape: ['batch', 1, 1] },
      { name: 'state_out.body.cell.h', dtype: 'float32', shape: ['batch', 3] },
    ]);
    expect(summary.metadata.owner).toBe('forecasting team');
  });

  it('carries the spec, plugins, interface and the model’s metadata', () => {
    const unfold = readUnfoldMetadata(readOnnxModel(exportModel(registry, { spec, weights })));
    expect(unfold.spec).toEqual(spec);
    expect(unfold.metadata).toEqual(spec.metadata);
    expect(unfold.producer).toBe(`@unfold/onnx@${ONNX_PACKAGE_VERSION}`);
    expect(unfold.plugins['acme/elman']).toEqual({ package: 'acme-cells', version: '1.0.0', schemaVersion: 1 });
    expect(Object.keys(unfold.plugins).sort()).toEqual(['acme/elman', 'dense', 'recurrent', 'sequence-model']);
    expect([unfold.format, unfold.entries]).toEqual([2, null]);
    expect(unfold.interface).toMatchObject({
      version: 2,
      entry: 'main',
      tasks: ['predict', 'stream'],
      ports: { inputs: [{ name: 'input', kind: 'features', size: 2, tensor: 'input', lengths: 'sequence_lens' }], outputs: [{ name: 'output', kind: 'features', size: 1, tensor: 'output' }] },
      semantics: { readout: 'last', emits: 'features', vocabulary: null, tokenizer: null },
      states: [{ path: 'body.cell.h', shape: [3], size: 3, input: 'state_in.body.cell.h', output: 'state_out.body.cell.h' }],
    });
    expect(unfold.interface.inputs.map((i) => i.name)).toEqual(['input', 'sequence_lens', 'state_in.body.cell.h']);
  });

  it('reserves the unfold. metadata prefix', () => {
    expect(errorOf(() => exportModel(registry, { spec, weights }, { metadata: { [METADATA_KEYS.spec]: '{}' } }))).toMatch(/^E_EXPORT exportModel options.metadata: metadata key "unfold.spec" is reserved/);
  });

  it('is deterministic: the same model gives the same bytes', () => {
    expect(exportModel(registry, { spec, weights })).toEqual(exportModel(registry, { spec, weights }));
  });
});
