import * as tf from '@tensorflow/tfjs-core';
import { runSeq2seq } from '@unfold/architectures';
import { bindNode, deserializeModel, inferenceContext, resolveModel, serializeModel, setupBackend, type HostTensor } from '@unfold/core';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModelEntries, fromUnfoldOutputs, importOnnx, toUnfoldInputs, type ImportedModel } from '../../src/index';
import { expectWithin, FIXTURE_DIR, feedsOf, fullRegistry, MaxDiffs, runOrt, type JsonTensor } from './helpers';

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
    return tf.tidy(() => {
      const decoded = runSeq2seq(bindNode(root, tensors), ints(feeds.x), undefined, { x: ints(feeds.target as HostTensor) }, inferenceContext());
      return fromUnfoldOutputs(model.interface, { output: { shape: decoded.logits.shape, data: decoded.logits.dataSync() as Float32Array }, finalState: [] });
    });
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
  const [encoder, step] = await Promise.all(['encoder.onnx', 'decoder_step.onnx'].map((f) => ort.InferenceSession.create(files[f] as Uint8Array)));
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
