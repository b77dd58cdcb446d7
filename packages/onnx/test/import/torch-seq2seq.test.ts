import * as tf from '@tensorflow/tfjs-core';
import { runSeq2seq } from '@unfold/architectures';
import { bindNode, deserializeModel, inferenceContext, resolveModel, serializeModel, setupBackend, type HostTensor } from '@unfold/core';
import { createModel } from '@unfold/training';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelBuilder, exportModelEntries, fromUnfoldOutputs, importOnnx, toUnfoldInputs, type ImportedModel } from '../../src/index';
import { finish, floats, int64s } from './graphs';
import { expectWithin, FIXTURE_DIR, feedsOf, fullRegistry, MaxDiffs, runOrt, type JsonTensor } from './helpers';
import { createChecked } from '../ort';

// PyTorch 1.13 encoder–decoder exports (tools/fixtures/generate_torch_onnx.py, SEQ2SEQ_CASES): token ids
// `source` [B, S] and the teacher-forced `target` [B, T] in, logits [B, T, V] out. Imported as unfold's
// `seq2seq` layer, run through unfold's own forward (runSeq2seq with the target as decoder inputs), and
// compared with eager torch and onnxruntime on the original file; then exported again by unfold as
// encoder + decoder_step entries and run step by step in onnxruntime-node.
const diffs = new MaxDiffs();
beforeAll(() => setupBackend());
afterAll(() => diffs.report('PyTorch seq2seq fixtures'));

const DIR = join(FIXTURE_DIR, 'seq2seq');

interface Seq2seqFixture {
  readonly name: string;
  readonly file: string;
  readonly module: { readonly encoder: 'GRU' | 'LSTM'; readonly encoderLayers: number; readonly encoderHidden: number; readonly decoderHidden: number; readonly targetVocabulary: number };
  readonly ops: string[];
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly cases: readonly { readonly inputs: Record<string, JsonTensor>; readonly outputs: Record<string, JsonTensor> }[];
}

const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

function load(name: string): { fixture: Seq2seqFixture; bytes: Uint8Array } {
  const fixture = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Seq2seqFixture;
  return { fixture, bytes: new Uint8Array(readFileSync(join(DIR, fixture.file))) };
}

const ints = (t: HostTensor) => tf.tensor2d(Int32Array.from(t.data), t.shape as [number, number], 'int32');

/** unfold's forward on the imported model, fed and read back under the file's names. */
function runImportedSeq2seq(model: ImportedModel, inputs: Readonly<Record<string, JsonTensor>>): Record<string, HostTensor> {
  const root = resolveModel(fullRegistry(), model.spec);
  const feeds = toUnfoldInputs(model.interface, feedsOf(inputs));
  const tensors = Object.fromEntries(Object.entries(model.weights).map(([path, w]) => [path, tf.tensor(w.data, [...w.shape])]));
  try {
    let output: HostTensor = { shape: [], data: new Float32Array() };
    tf.tidy(() => {
      const source = feeds.x.shape.length === 3 ? tf.tensor3d(feeds.x.data, feeds.x.shape as [number, number, number]) : ints(feeds.x);
      const { logits } = runSeq2seq(bindNode(root, tensors), source, undefined, { x: ints(feeds.target as HostTensor) }, inferenceContext());
      output = { shape: logits.shape, data: logits.dataSync() as Float32Array };
    });
    return fromUnfoldOutputs(model.interface, { output, finalState: [] });
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
}

/** log softmax over the last axis of [B, T, V] logits, in float64. */
function logSoftmax(logits: JsonTensor): number[] {
  const V = logits.shape[2] as number;
  const out: number[] = [];
  for (let i = 0; i < logits.data.length; i += V) {
    const row = logits.data.slice(i, i + V);
    const max = Math.max(...row);
    const log = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    out.push(...row.map((v) => v - log));
  }
  return out;
}

/** unfold's re-export: encoder on the source, then decoder_step over the teacher-forced target: log-probs [B, T, V]. */
async function runEntries(files: Readonly<Record<string, Uint8Array>>, source: JsonTensor, target: JsonTensor): Promise<number[]> {
  // unfold's own exports: every run is checked against the compact engine too (../ort).
  const [encoder, step] = await Promise.all(['encoder.onnx', 'decoder_step.onnx'].map((f) => createChecked(files[f] as Uint8Array)));
  const [B, S] = source.shape as [number, number];
  const [, T] = target.shape as [number, number];
  try {
    const encoderFeeds: Record<string, ort.Tensor> = { source: new ort.Tensor('int32', Int32Array.from(source.data), [B, S]) };
    if (encoder!.inputNames.includes('sequence_lens.source')) encoderFeeds['sequence_lens.source'] = new ort.Tensor('int32', new Int32Array(B).fill(S), [B]);
    const encoded = await encoder!.run(encoderFeeds);
    const stateNames = step!.inputNames.filter((n) => n.startsWith('state_in.'));
    expect(stateNames.length).toBeGreaterThan(0);
    let feeds: Record<string, ort.Tensor> = Object.fromEntries(stateNames.map((n) => [n, encoded[`initial.${n.slice('state_in.'.length)}`] as ort.Tensor]));
    const steps: Float32Array[] = [];
    for (let t = 0; t < T; t++) {
      const previous = Int32Array.from({ length: B }, (_, b) => target.data[b * T + t] as number);
      const result = await step!.run({ ...feeds, previous: new ort.Tensor('int32', previous, [B, 1]) });
      steps.push(result.log_probs!.data as Float32Array);
      feeds = Object.fromEntries(stateNames.map((n) => [n, result[`state_out.${n.slice('state_in.'.length)}`] as ort.Tensor]));
    }
    const V = (steps[0]?.length ?? 0) / B;
    const out: number[] = [];
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.push(...(steps[t] as Float32Array).subarray(b * V, (b + 1) * V));
    return out;
  } finally {
    await Promise.all([encoder, step].map((s) => s!.release()));
  }
}

describe('PyTorch 1.13 encoder–decoder exports', () => {
  it('are both here: a GRU encoder and a 2-layer LSTM encoder, each with an LSTM decoder', () => {
    expect(names).toEqual(['seq2seq_gru_lstm', 'seq2seq_lstm2_lstm']);
  });

  it.each(names)('%s imports as a seq2seq layer with a tanh projection bridge', (name) => {
    const { fixture, bytes } = load(name);
    const model = importOnnx(bytes, { where: fixture.file, registry: fullRegistry() });
    const { module } = fixture;
    const spec = model.spec as { kind: string; config: { bridge: string }; children: Record<string, { kind: string } | { kind: string }[]> };
    expect(spec.kind).toBe('seq2seq');
    expect(spec.config.bridge).toBe('projection');
    expect(spec.children.source).toMatchObject({ kind: 'embedding' });
    expect(spec.children.encoder).toMatchObject({ kind: module.encoderLayers > 1 ? 'stacked' : module.encoder.toLowerCase() });
    expect(spec.children.decoder).toEqual([expect.objectContaining({ kind: 'lstm' })]);
    expect(spec.children.output).toMatchObject({ kind: 'dense' });
    expect(model.interface.inputs.map((i) => [i.name, i.role, i.axes])).toEqual([
      ['source', 'input', [['batch'], ['time']]],
      ['target', 'target', [['batch'], ['time']]],
    ]);
    expect(model.interface.outputs.map((o) => [o.name, o.role])).toEqual([['logits', 'output']]);
    expect(Object.keys(model.ops).sort()).toEqual(fixture.ops);
    // The bridge: [Σ decoder states, Σ encoder states]; the LSTM encoder's lower layer feeds no column.
    const encoderStates = module.encoderLayers * (module.encoder === 'LSTM' ? 2 : 1) * module.encoderHidden;
    expect(model.weights.bridgeW?.shape).toEqual([2 * module.decoderHidden, encoderStates]);
    if (module.encoderLayers > 1) {
      const W = model.weights.bridgeW!;
      const lower = 2 * module.encoderHidden;
      for (let r = 0; r < W.shape[0]!; r++) expect(Array.from(W.data.subarray(r * encoderStates, r * encoderStates + lower)).every((v) => v === 0)).toBe(true);
    }
  });

  it.each(names)('%s: unfold’s forward matches torch and onnxruntime at two shapes (1e-5)', async (name) => {
    const { fixture, bytes } = load(name);
    const model = importOnnx(bytes, { where: fixture.file, registry: fullRegistry() });
    const shapes = new Set<string>();
    for (const [c, testCase] of fixture.cases.entries()) {
      const ours = runImportedSeq2seq(model, testCase.inputs);
      const original = await runOrt(bytes, feedsOf(testCase.inputs));
      const torch = testCase.outputs.logits!;
      expect(ours.logits?.shape, `${name} case ${c}`).toEqual(torch.shape);
      diffs.record('torch', expectWithin(`${name} case ${c} logits vs torch`, ours.logits!.data, torch.data));
      diffs.record('onnxruntime', expectWithin(`${name} case ${c} logits vs onnxruntime`, ours.logits!.data, original.logits!.data));
      shapes.add(JSON.stringify([testCase.inputs.source?.shape, testCase.inputs.target?.shape]));
    }
    expect(shapes.size).toBe(2);
  });

  it.each(names)('%s: unfold’s re-export (encoder + decoder_step) runs in onnxruntime-node and gives torch’s log-probabilities', async (name) => {
    const { fixture, bytes } = load(name);
    const registry = fullRegistry();
    const model = importOnnx(bytes, { where: fixture.file, registry });
    const exported = exportModelEntries(registry, { spec: model.spec, weights: model.weights });
    expect(exported.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['encoder', 'decoder_step']));
    const files = Object.fromEntries(exported.entries.map((e) => [e.file, e.bytes]));
    for (const testCase of fixture.cases) {
      const logProbs = await runEntries(files, testCase.inputs.source!, testCase.inputs.target!);
      diffs.record('re-export', expectWithin(`${name} re-export log-probs vs torch`, logProbs, logSoftmax(testCase.outputs.logits!)));
    }
  });

  it('in training’s createModel, forward with the decoder inputs as ports.target gives torch’s logits', () => {
    const { fixture, bytes } = load('seq2seq_gru_lstm');
    const imported = importOnnx(bytes, { registry: fullRegistry() });
    const model = createModel(fullRegistry(), imported.spec, { weights: imported.weights });
    try {
      for (const testCase of fixture.cases) {
        const feeds = toUnfoldInputs(imported.interface, feedsOf(testCase.inputs));
        const logits = tf.tidy(() => model.forward(ints(feeds.x), { ports: { target: { x: ints(feeds.target as HostTensor) } } }).outputs.dataSync() as Float32Array);
        diffs.record('torch', expectWithin('createModel forward vs torch', logits, testCase.outputs.logits!.data));
      }
    } finally {
      model.dispose();
    }
  });

  it('the imported model survives a checkpoint: save, load, the same logits', () => {
    const { fixture, bytes } = load('seq2seq_lstm2_lstm');
    const registry = fullRegistry();
    const model = importOnnx(bytes, { registry });
    const loaded = deserializeModel(registry, serializeModel(registry, model));
    const io = (loaded.spec.metadata as unknown as { onnx: ImportedModel['interface'] }).onnx;
    expect(io).toEqual(model.interface);
    const testCase = fixture.cases[1]!;
    const logits = runImportedSeq2seq({ ...model, spec: loaded.spec, weights: loaded.weights, interface: io }, testCase.inputs).logits!;
    expectWithin('checkpoint logits', logits.data, testCase.outputs.logits!.data);
  });
});

// Hand-built encoder–decoder graphs (the package's graph builder): the other bridges unfold can express,
// and what it cannot, each a typed error naming the node.
interface BuiltOptions {
  readonly encoder: 'GRU' | 'LSTM';
  /** tanh(Gemm) split into h0, c0; the Gemm alone; or the encoder's final h, c as they are. */
  readonly bridge: 'tanh' | 'linear' | 'copy';
  /** The decoder's c0 is a graph input instead of the bridge's. */
  readonly c0Input?: boolean;
  /** The source ids are cast to float and read by the encoder directly (no embedding). */
  readonly idsAsFeatures?: boolean;
  /** The source is float features [batch, time, 3] (no source embedding). */
  readonly featureSource?: boolean;
}

const [VS, DS, HE, VT, DT, HD] = [6, 3, 4, 5, 2, 4];

function builtSeq2seq(options: BuiltOptions): Uint8Array {
  const graph = createModelBuilder(['source', 'target', ...(options.c0Input ? ['c0'] : []), 'logits']);
  const source = graph.input('source', options.featureSource ? { dtype: 'float32', shape: ['batch', 'source_time', DS] } : { dtype: 'int64', shape: ['batch', 'source_time'] });
  const target = graph.input('target', { dtype: 'int64', shape: ['batch', 'target_time'] });
  const timeMajor = (x: string, stem: string) => graph.node('Transpose', [x], { perm: [1, 0, 2] }, { stem })[0] as string;
  const embedded = options.featureSource
    ? source
    : options.idsAsFeatures
    ? (graph.node('Unsqueeze', [graph.node('Cast', [source], { to: 1 }, { stem: 'ids_as_floats' })[0] as string, graph.constant('feature_axis', int64s([2]))], {}, { stem: 'ids_as_features' })[0] as string)
    : (graph.node('Gather', [graph.constant('source_E', floats([VS, DS], 1)), source], {}, { stem: 'source_embedding' })[0] as string);
  const I = options.idsAsFeatures ? 1 : DS;
  const G = options.encoder === 'LSTM' ? 4 : 3;
  const encoderWeights = [graph.constant('enc_W', floats([1, G * HE, I], 2)), graph.constant('enc_R', floats([1, G * HE, HE], 3)), graph.constant('enc_B', floats([1, 2 * G * HE], 4))];
  const encoded = graph.node(options.encoder, [timeMajor(embedded, 'source_time_major'), ...encoderWeights], { hidden_size: HE, ...(options.encoder === 'GRU' ? { linear_before_reset: 1 } : {}) }, { outputs: options.encoder === 'LSTM' ? 3 : 2, stem: 'encoder' });
  let h0: string;
  let c0: string;
  if (options.bridge === 'copy') {
    [h0, c0] = [encoded[1] as string, encoded[2] as string];
  } else {
    const final = graph.node('Squeeze', [encoded[1] as string, graph.constant('direction_axis', int64s([0]))], {}, { stem: 'final_h' })[0] as string;
    const projected = graph.node('Gemm', [final, graph.constant('bridge_W', floats([2 * HD, HE], 5)), graph.constant('bridge_b', floats([2 * HD], 6))], { transB: 1 }, { stem: 'bridge' })[0] as string;
    const z = options.bridge === 'tanh' ? (graph.node('Tanh', [projected], {}, { stem: 'bridge_tanh' })[0] as string) : projected;
    const part = (start: number, stem: string) => {
      const sliced = graph.node('Slice', [z, graph.constant(`${stem}_start`, int64s([start])), graph.constant(`${stem}_end`, int64s([start + HD])), graph.constant(`${stem}_axes`, int64s([1]))], {}, { stem })[0] as string;
      return graph.node('Unsqueeze', [sliced, graph.constant(`${stem}_axis`, int64s([0]))], {}, { stem: `${stem}_stacked` })[0] as string;
    };
    [h0, c0] = [part(0, 'h0'), part(HD, 'c0')];
  }
  if (options.c0Input) c0 = graph.input('c0', { dtype: 'float32', shape: [1, 'batch', HD] });
  const targetEmbedded = graph.node('Gather', [graph.constant('target_E', floats([VT, DT], 7)), target], {}, { stem: 'target_embedding' })[0] as string;
  const decoderWeights = [graph.constant('dec_W', floats([1, 4 * HD, DT], 8)), graph.constant('dec_R', floats([1, 4 * HD, HD], 9)), graph.constant('dec_B', floats([1, 8 * HD], 10))];
  const [Y] = graph.node('LSTM', [timeMajor(targetEmbedded, 'target_time_major'), ...decoderWeights, '', h0, c0], { hidden_size: HD }, { outputs: 1, stem: 'decoder' }) as [string];
  const y = graph.node('Transpose', [graph.node('Squeeze', [Y, graph.constant('y_direction_axis', int64s([1]))], {}, { stem: 'decoder_y' })[0] as string], { perm: [1, 0, 2] }, { stem: 'decoder_batch_first' })[0] as string;
  const logits = graph.node('Add', [graph.node('MatMul', [y, graph.constant('out_W', floats([HD, VT], 11))], {}, { stem: 'vocabulary' })[0] as string, graph.constant('out_b', floats([VT], 12))], {}, { stem: 'vocabulary_bias' })[0] as string;
  graph.output('logits', logits, { dtype: 'float32' });
  return finish(graph);
}

function tokens(shape: [number, number], vocabulary: number, seed: number): JsonTensor {
  return { shape, dtype: 'int64', data: Array.from({ length: shape[0] * shape[1] }, (_, i) => (i * 7 + seed * 3 + ((i * i) % 5)) % vocabulary) };
}

function importErrorOf(bytes: Uint8Array): string {
  try {
    importOnnx(bytes, { where: 'model.onnx', registry: fullRegistry() });
  } catch (error) {
    const e = error as Error & { code?: string };
    return `${e.code} ${e.message}`;
  }
  throw new Error('expected the import to fail');
}

describe('hand-built encoder–decoder graphs', () => {
  it.each([
    ['a tanh projection of a GRU’s final h', { encoder: 'GRU', bridge: 'tanh' }, 'projection'],
    ['a tanh projection of an LSTM’s final h (its c feeds no column)', { encoder: 'LSTM', bridge: 'tanh' }, 'projection'],
    ['an LSTM’s final h and c copied into the decoder', { encoder: 'LSTM', bridge: 'copy' }, 'copy'],
    ['float features as the source (no source embedding)', { encoder: 'GRU', bridge: 'tanh', featureSource: true }, 'projection'],
    ['a plain nn.Linear bridge (no tanh: bridgeActivation linear)', { encoder: 'GRU', bridge: 'linear' }, 'projection'],
  ] as const)('%s imports and matches onnxruntime at three shapes', async (_, options, bridge) => {
    const bytes = builtSeq2seq(options);
    const model = importOnnx(bytes, { where: 'model.onnx', registry: fullRegistry() });
    expect((model.spec.config as { bridge: string }).bridge).toBe(bridge);
    expect(model.spec.children?.source === undefined).toBe('featureSource' in options);
    for (const [B, S, T] of [[1, 4, 3], [3, 2, 5], [2, 6, 1]] as const) {
      const source = 'featureSource' in options ? { shape: [B, S, DS], data: Array.from(floats([B, S, DS], S).data) } : tokens([B, S], VS, S);
      const inputs = { source, target: tokens([B, T], VT, T) };
      const expected = await runOrt(bytes, feedsOf(inputs));
      diffs.record('hand-built', expectWithin(`${bridge} ${B}×${S}→${T}`, runImportedSeq2seq(model, inputs).logits!.data, expected.logits!.data));
    }
  });

  it('a decoder state fed as a graph input', () => {
    expect(importErrorOf(builtSeq2seq({ encoder: 'GRU', bridge: 'tanh', c0Input: true }))).toMatch(/^E_SERIALIZATION model.onnx: node "decoder" \(LSTM\): a decoder state the bridge cannot compute; .*got decoder.0.c \(initial_c\) from input c0\[0\]\. Fix: unfold’s seq2seq computes the decoder’s initial state from the encoder/);
  });

  it('token ids read as features without an embedding', () => {
    expect(importErrorOf(builtSeq2seq({ encoder: 'GRU', bridge: 'tanh', idsAsFeatures: true }))).toMatch(/^E_SERIALIZATION model.onnx: node "encoder" \(GRU\): token ids read as features; .*got token ids source\. Fix: embed the ids/);
  });
});
