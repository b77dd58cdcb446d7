import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { createModelBuilder, serializeGraph } from '@unfold/onnx';
import { createRuntime } from '@unfold/runtime';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttributeProtoSchema, AttributeProto_AttributeType, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, TensorProto_DataType, type GraphProto, type ModelProto } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { HOSTILE_MESSAGES, HOSTILE_ONNX, type HostileOnnx } from '../../runtime/test/hostile-files';
import { rejection as refusal } from '../../runtime/test/kit';
import * as engine from '../src/index';
import { InferenceSession, Tensor } from '../src/index';
import { f32, singleOp } from './kit';

/**
 * What the engine refuses, each with a typed error before any run: operators, domains, opsets, dtypes and
 * attribute values it does not implement (E_MODEL naming the node, the operator and the fix), the
 * runtime's hostile files (the same errors as the onnxruntime path), truncated bytes, nesting deeper than
 * the limit; and feeds that differ from the declared inputs.
 */
const FIX = /serve this file with onnxruntime: `--engine ort-node` \/ `ort-web`/;
const edit = (bytes: Uint8Array, change: (model: ModelProto) => void) => {
  const model = fromBinary(ModelProtoSchema, bytes);
  change(model);
  return toBinary(ModelProtoSchema, model);
};
const relu = () => singleOp('Relu', [f32([2], [0, 0])], {}, ['float32']);

describe('files outside what the engine implements', () => {
  it('an operator it lacks (a file built with the graph builder): E_MODEL naming the node, the operator and the fix', async () => {
    const graph = createModelBuilder(['x', 'y']);
    const x = graph.input('x', { dtype: 'float32', shape: [1, 1, 4, 4] });
    const w = graph.constant('w', { shape: [1, 1, 3, 3], data: new Float32Array(9) });
    const [y] = graph.node('Conv', [x, w], {}, { stem: 'blur' }) as [string];
    graph.output('y', y, { dtype: 'float32', shape: [1, 1, 2, 2] });
    const error = await refusal(InferenceSession.create(serializeGraph(graph, { name: 'conv' })));
    expect(error.code).toBe('E_MODEL');
    expect(error.message).toMatch(/node "blur" \(Conv\)/);
    expect(error.message).toMatch(/got operator Conv/);
    expect(error.message).toMatch(FIX);
  });

  it('several operators it lacks: one error names each with its first node', async () => {
    const graph = createModelBuilder(['x', 'y']);
    const x = graph.input('x', { dtype: 'float32', shape: [4] });
    const [e] = graph.node('Erf', [x], {}, { stem: 'erf' }) as [string];
    const [a] = graph.node('Erf', [e], {}, { stem: 'erf_again' }) as [string];
    const [y] = graph.node('Softsign', [a], {}, { stem: 'soft' }) as [string];
    graph.output('y', y, { dtype: 'float32', shape: [4] });
    const error = await refusal(InferenceSession.create(serializeGraph(graph, { name: 'two-missing' })));
    expect(error.code).toBe('E_MODEL');
    expect(error.message).toMatch(/got operators Erf \(node "erf" \(Erf\)\), Softsign \(node "soft" \(Softsign\)\)/);
    expect(error.message).toMatch(FIX);
  });

  it('an operator of another domain', async () => {
    const graph = createModelBuilder(['x', 'y']);
    const [y] = graph.node('Relu', [graph.input('x', { dtype: 'float32', shape: [2] })], {}, { domain: 'acme.test', stem: 'custom' }) as [string];
    graph.output('y', y, { dtype: 'float32', shape: [2] });
    const error = await refusal(InferenceSession.create(serializeGraph(graph, { name: 'domain' })));
    expect(error.message).toMatch(/node "custom" \(acme\.test\.Relu\).*operator domain "acme\.test"/);
    expect(error.message).toMatch(FIX);
  });

  it('an opset newer than an operator’s semantics', async () => {
    const bytes = edit(relu(), (model) => {
      for (const opset of model.opsetImport) if (opset.domain === '') opset.version = 18n;
    });
    const error = await refusal(InferenceSession.create(bytes));
    expect(error.message).toMatch(/expected opset 13 to 17 for Relu; got Relu at opset 18/);
    expect(error.message).toMatch(FIX);
  });

  it('a dtype it does not compute in (a float64 input)', async () => {
    const bytes = edit(relu(), (model) => {
      const type = model.graph?.input[0]?.type?.value;
      if (type?.case === 'tensorType') type.value.elemType = TensorProto_DataType.DOUBLE;
    });
    const error = await refusal(InferenceSession.create(bytes));
    expect(error.message).toMatch(/value "x0".*got dtype float64/);
    expect(error.message).toMatch(FIX);
  });

  it('attribute values it lacks: an LSTM activation, a Pad mode', async () => {
    const lstm = singleOp('LSTM', [f32([1, 1, 1], [0]), f32([1, 4, 1], [0, 0, 0, 0]), f32([1, 4, 1], [0, 0, 0, 0])], { hidden_size: 1, activations: ['Sigmoid', 'Tanh', 'Softsign'] }, ['float32']);
    expect((await refusal(InferenceSession.create(lstm))).message).toMatch(/\(LSTM\).*got activation Softsign/);
    const pad = singleOp('Pad', [f32([2], [0, 0]), { type: 'int64', dims: [2], data: [1, 1] }], { mode: 'reflect' }, ['float32']);
    expect((await refusal(InferenceSession.create(pad))).message).toMatch(/\(Pad\).*expected mode in \["constant"\]; got mode = "reflect"/);
  });

  it('supportedOperators lists each operator with its opset range', () => {
    expect(engine.supportedOperators.LSTM).toEqual({ since: 14, until: 17 });
    expect(engine.supportedOperators.Conv).toBeUndefined();
    expect(Object.keys(engine.supportedOperators).length).toBeGreaterThanOrEqual(60);
  });
});

describe('hostile files', () => {
  const tagger = () => new Uint8Array(readFileSync(join(import.meta.dirname, '../../runtime/test/fixtures/v1/tagger.onnx')));

  const ENGINE_CHECKS: readonly HostileOnnx[] = ['falseInitializerDims', 'initializerDataShort', 'hugeInputDim'];

  for (const [name, pattern] of Object.entries(HOSTILE_MESSAGES) as [HostileOnnx, RegExp][]) {
    it(`${name}: E_MODEL through the runtime over the engine, as over onnxruntime${ENGINE_CHECKS.includes(name) ? ', and from the engine alone' : ''}`, async () => {
      const bytes = HOSTILE_ONNX[name](tagger());
      const before = process.memoryUsage().rss;
      const viaRuntime = await refusal(createRuntime(engine).load(bytes, { name: 'hostile' }));
      expect(viaRuntime.code).toBe('E_MODEL');
      expect(viaRuntime.message).toMatch(pattern);
      if (ENGINE_CHECKS.includes(name)) {
        const alone = await refusal(InferenceSession.create(bytes));
        expect(alone.code).toBe('E_MODEL');
        expect(alone.message).toMatch(pattern);
      }
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
    });
  }

  it('truncated bytes, no bytes, a path instead of bytes', async () => {
    const bytes = tagger();
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 7]) expect((await refusal(InferenceSession.create(bytes.subarray(0, cut)))).code).toBe('E_MODEL');
    expect((await refusal(InferenceSession.create(new Uint8Array(0)))).message).toMatch(/no model bytes/);
    expect((await refusal(InferenceSession.create('model.onnx' as never))).message).toMatch(/got a path/);
  });

  it('an initializer larger than the file', async () => {
    const bytes = edit(tagger(), (model) => {
      const tensor = model.graph?.initializer.find((t) => t.dataType === 1);
      if (tensor) tensor.dims = [1024n, 1024n]; // 4 MB declared over a file of a few kB
    });
    expect((await refusal(InferenceSession.create(bytes))).message).toMatch(/a tensor’s data does not match its dims/);
  });

  it('subgraphs nested deeper than the limit (If in If, 40 deep)', async () => {
    const bytes = edit(relu(), (model) => {
      let graph: GraphProto = create(GraphProtoSchema, { name: 'leaf' });
      for (let depth = 0; depth < 40; depth++) {
        const branch = create(AttributeProtoSchema, { name: 'then_branch', type: AttributeProto_AttributeType.GRAPH, g: graph });
        graph = create(GraphProtoSchema, { name: `level${depth}`, node: [create(NodeProtoSchema, { opType: 'If', input: ['c'], output: [`o${depth}`], attribute: [branch] })] });
      }
      model.graph?.node.push(...graph.node);
    });
    const error = await refusal(InferenceSession.create(bytes));
    expect(error.code).toBe('E_MODEL');
    expect(error.message).toMatch(/subgraphs nest too deeply; expected at most 32 levels/);
  });
});

describe('feeds', () => {
  it('a wrong dtype, a wrong rank, a missing or unknown input: typed errors naming the feed', async () => {
    const session = await InferenceSession.create(singleOp('Relu', [f32([2], [0, 0])], {}, ['float32']));
    expect((await refusal(session.run({ x0: new Tensor('int32', Int32Array.of(1, 2), [2]) }))).message).toMatch(/feeds\.x0: a feed has the wrong element type; expected float32; got int32/);
    expect((await refusal(session.run({ x0: new Tensor('float32', Float32Array.of(1, 2), [1, 2]) }))).code).toBe('E_SHAPE');
    expect((await refusal(session.run({}))).message).toMatch(/feeds\.x0: a model input is not fed/);
    expect((await refusal(session.run({ x0: new Tensor('float32', Float32Array.of(1, 2), [2]), z: new Tensor('float32', Float32Array.of(1), [1]) }))).code).toBe('E_REQUEST');
    expect(() => new Tensor('float32', Float32Array.of(1, 2), [3])).toThrow(/the dims do not match the data length/);
  });

  it('outputs are fresh arrays: changing one changes nothing the session keeps', async () => {
    const graph = createModelBuilder(['x', 'y', 'w']);
    const input = graph.input('x', { dtype: 'float32', shape: [2] });
    const w = graph.constant('weights', { shape: [2], data: Float32Array.of(1, 2) });
    graph.output('y', graph.node('Identity', [input])[0] as string, { dtype: 'float32', shape: [2] });
    graph.output('w', w, { dtype: 'float32', shape: [2] });
    const session = await InferenceSession.create(serializeGraph(graph, { name: 'views' }));
    const x = new Tensor('float32', Float32Array.of(5, 6), [2]);
    const first = await session.run({ x });
    (first.w?.data as Float32Array).fill(0);
    (first.y?.data as Float32Array).fill(0);
    const second = await session.run({ x });
    expect(Array.from(second.w?.data as Float32Array)).toEqual([1, 2]);
    expect(Array.from(x.data as Float32Array)).toEqual([5, 6]);
  });
});
