import * as tf from '@tensorflow/tfjs-core';
import { decoderStep, encode } from '@unfold/architectures';
import { inferenceContext, setupBackend } from '@unfold/core';
import { createRuntime, isRuntimeError, type UnfoldModel } from '@unfold/runtime';
import { translate, type Model } from '@unfold/training';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeForChecker } from '../../onnx/test/checker-dir';
import { createChecked } from '../../onnx/test/ort';
import { SEQ2SEQ_TEXTS as TEXTS, SEQ2SEQ_VARIANTS, seq2seqReference } from './seq2seq-models';

// A seq2seq model exported as `encoder` + `decoder_step` and decoded by the runtime's `generate` over
// onnxruntime-node and -web: the step's log-probabilities equal unfold's decoder step, and greedy, beam and
// sampled decoding give the library's tokens (the same searches, @unfold/core/decoding).
process.env.ORT_DISABLE_TELEMETRY ??= '1';

const VARIANTS = SEQ2SEQ_VARIANTS;
const TV = TEXTS.targetTokenizer.tokens.length;
const models: Partial<Record<(typeof VARIANTS)[number], Model>> = {};
const files: Partial<Record<(typeof VARIANTS)[number], Record<string, Uint8Array>>> = {};
const served: Record<string, UnfoldModel> = {};

beforeAll(async () => {
  await setupBackend();
  for (const variant of VARIANTS) {
    const reference = seq2seqReference(variant, 5);
    models[variant] = reference.model;
    files[variant] = reference.files;
    for (const [file, bytes] of Object.entries(reference.files)) await writeForChecker(`seq2seq-${variant}.${file.replace(/\.onnx$/, '')}`, bytes);
    for (const [flavour, ort] of [['node', ortNode], ['web', ortWeb]] as const) served[`${variant}-${flavour}`] = await createRuntime(ort as never).loadEntries(`seq2seq-${variant}`, files[variant] as Record<string, Uint8Array>);
  }
}, 120_000);

afterAll(async () => {
  for (const model of Object.values(served)) await model.release();
  for (const model of Object.values(models)) model?.dispose();
});

const SOURCES = [['abc'], ['hello world', 'xyz', 'seq'], ['a', 'abcabcabc hello', 'zz', 'lo w', 'ceq']];

/** unfold's step log-probabilities for teacher-forced decoder inputs: [step][row][V]. */
function unfoldSteps(model: Model, sources: readonly string[], inputs: readonly (readonly number[])[]): number[][][] {
  return tf.tidy(() => {
    const ids = sources.map((s) => Array.from(s, (c) => Math.max(1, TEXTS.sourceTokenizer.tokens.indexOf(c))));
    const steps = Math.max(...ids.map((r) => r.length));
    const padded = ids.map((r) => [...r, ...new Array(steps - r.length).fill(0)]);
    const encoded = encode(model.bound, tf.tensor2d(padded, undefined, 'int32'), Int32Array.from(ids, (r) => r.length), inferenceContext());
    let state = encoded.state;
    const out: number[][][] = [];
    for (let t = 0; t < (inputs[0]?.length ?? 0); t++) {
      const step = decoderStep(model.bound, tf.tensor1d(inputs.map((row) => row[t] as number), 'int32'), state, encoded.memory, inferenceContext());
      out.push(tf.logSoftmax(step.logits).arraySync() as number[][]);
      state = step.state;
    }
    return out;
  });
}

async function ortSteps(flavour: 'node' | 'web', variant: (typeof VARIANTS)[number], sources: readonly string[], inputs: readonly (readonly number[])[]): Promise<number[][][]> {
  const ort = (flavour === 'node' ? ortNode : ortWeb) as unknown as typeof ortNode;
  // onnxruntime-node's runs are also run on the compact engine and compared.
  const open = (bytes: Uint8Array) => (flavour === 'node' ? createChecked(bytes) : ort.InferenceSession.create(bytes));
  const [encoder, step] = await Promise.all(['encoder.onnx', 'decoder_step.onnx'].map((f) => open((files[variant] as Record<string, Uint8Array>)[f] as Uint8Array)));
  const ids = sources.map((s) => Array.from(s, (c) => Math.max(1, TEXTS.sourceTokenizer.tokens.indexOf(c))));
  const S = Math.max(...ids.map((r) => r.length));
  const lengths = Int32Array.from(ids, (r) => r.length);
  const source = new Int32Array(ids.length * S);
  ids.forEach((r, b) => source.set(r, b * S));
  const encoded = await (encoder as ortNode.InferenceSession).run({ source: new ort.Tensor('int32', source, [ids.length, S]), 'sequence_lens.source': new ort.Tensor('int32', lengths, [ids.length]) });
  const stateNames = (step as ortNode.InferenceSession).inputNames.filter((n) => n.startsWith('state_in.'));
  let feeds: Record<string, ortNode.Tensor> = Object.fromEntries(stateNames.map((n) => [n, encoded[`initial.${n.slice('state_in.'.length)}`] as ortNode.Tensor]));
  if ((step as ortNode.InferenceSession).inputNames.includes('memory')) Object.assign(feeds, { memory: encoded.memory, memory_keys: encoded.memory_keys, 'sequence_lens.memory': new ort.Tensor('int32', lengths, [ids.length]) });
  const out: number[][][] = [];
  for (let t = 0; t < (inputs[0]?.length ?? 0); t++) {
    const result = await (step as ortNode.InferenceSession).run({ ...feeds, previous: new ort.Tensor('int32', Int32Array.from(inputs, (row) => row[t] as number), [inputs.length, 1]) });
    const lp = result.log_probs as ortNode.Tensor;
    out.push(Array.from({ length: inputs.length }, (_, b) => Array.from((lp.data as Float32Array).subarray(b * TV, (b + 1) * TV))));
    feeds = { ...feeds, ...Object.fromEntries(stateNames.map((n) => [n, result[`state_out.${n.slice('state_in.'.length)}`] as ortNode.Tensor])) };
  }
  await Promise.all([encoder, step].map((s) => (s as ortNode.InferenceSession).release()));
  return out;
}

function worst(a: number[][][], b: number[][][]): number {
  return Math.max(...a.flat(2).map((v, i) => Math.abs(v - (b.flat(2)[i] as number))));
}

describe.each(VARIANTS)('seq2seq export (%s)', (variant) => {
  it.each(['node', 'web'] as const)('decoder_step log-probabilities equal unfold’s decoder step in onnxruntime-%s (1e-5), several batches and lengths', async (flavour) => {
    for (const sources of SOURCES) {
      const inputs = sources.map((_, b) => [2, 4 + b, 5, 6 + (b % 3), 7]);
      expect(worst(await ortSteps(flavour, variant, sources, inputs), unfoldSteps(models[variant] as Model, sources, inputs))).toBeLessThan(1e-5);
    }
  });

  it.each(['node', 'web'] as const)('generate in onnxruntime-%s gives the library’s greedy, beam (n-best, scores) and sampled tokens', async (flavour) => {
    const model = served[`${variant}-${flavour}`] as UnfoldModel;
    const library = models[variant] as Model;
    for (const sources of SOURCES) {
      const greedy = (await model.run('generate', { inputs: sources, maxLength: 12 })) as { outputs: string[]; tokens: number[][]; scores: number[] };
      const expected = await translate(library, sources, { maxLength: 12 });
      expect(greedy.tokens).toEqual(expected.map((t) => t.tokens));
      expect(greedy.outputs).toEqual(expected.map((t) => t.text));
      greedy.scores.forEach((s, b) => expect(Math.abs(s - (expected[b]?.score as number))).toBeLessThan(1e-4));
      const beam = (await model.run('generate', { inputs: sources, strategy: 'beam', beamWidth: 3, nBest: 3, maxLength: 12 })) as { nBest: { tokens: number[]; score: number }[][] };
      const libraryBeam = await translate(library, sources, { strategy: 'beam', beamWidth: 3, nBest: 3, maxLength: 12 });
      expect(beam.nBest.map((list) => list.map((h) => h.tokens))).toEqual(libraryBeam.map((t) => t.nBest.map((h) => h.tokens)));
      beam.nBest.flat().forEach((h, i) => expect(Math.abs(h.score - (libraryBeam.flatMap((t) => t.nBest)[i]?.score as number))).toBeLessThan(1e-5));
      const sampled = (await model.run('generate', { inputs: sources, strategy: 'sample', temperature: 1.3, topK: 8, seed: 11, maxLength: 12 })) as { tokens: number[][] };
      expect(sampled.tokens).toEqual((await translate(library, sources, { strategy: 'sample', temperature: 1.3, topK: 8, seed: 11, maxLength: 12 })).map((t) => t.tokens));
    }
  }, 60_000);
});

/** The single-file greedy decoder in onnxruntime: tokens [B, L], cut at each row's <eos>. */
async function loopGreedy(flavour: 'node' | 'web', variant: (typeof VARIANTS)[number], sources: readonly string[]): Promise<number[][]> {
  const ort = (flavour === 'node' ? ortNode : ortWeb) as unknown as typeof ortNode;
  const bytes = (files[variant] as Record<string, Uint8Array>)['greedy.onnx'] as Uint8Array;
  const session = flavour === 'node' ? await createChecked(bytes) : await ort.InferenceSession.create(bytes);
  const ids = sources.map((s) => Array.from(s, (c) => Math.max(1, TEXTS.sourceTokenizer.tokens.indexOf(c))));
  const S = Math.max(...ids.map((r) => r.length));
  const source = new Int32Array(ids.length * S);
  ids.forEach((r, b) => source.set(r, b * S));
  const { tokens } = await session.run({ source: new ort.Tensor('int32', source, [ids.length, S]), 'sequence_lens.source': new ort.Tensor('int32', Int32Array.from(ids, (r) => r.length), [ids.length]) });
  await session.release();
  const [batch, length] = (tokens as ortNode.Tensor).dims.map(Number) as [number, number];
  const data = Array.from((tokens as ortNode.Tensor).data as Int32Array);
  return Array.from({ length: batch }, (_, b) => {
    const row = data.slice(b * length, (b + 1) * length);
    const end = row.indexOf(3);
    return end < 0 ? row : row.slice(0, end);
  });
}

describe.each(VARIANTS)('seq2seq single-file greedy decoder (%s)', (variant) => {
  it.each(['node', 'web'] as const)('decodes in one onnxruntime-%s call to the library’s greedy tokens', async (flavour) => {
    for (const sources of SOURCES) {
      const expected = await translate(models[variant] as Model, sources, { maxLength: 100 });
      expect(await loopGreedy(flavour, variant, sources)).toEqual(expected.map((t) => t.tokens));
    }
  });
});

describe('seq2seq generate requests', () => {
  it('is offered as generate and describes both entries', () => {
    const model = served['additive-node'] as UnfoldModel;
    expect(model.describe().operations).toContain('generate');
    expect(model.describe().entries?.map((e) => e.name)).toEqual(['encoder', 'decoder_step', 'greedy']);
  });

  it.each([
    [{ inputs: [] }, 'E_REQUEST', 'inputs'],
    [{ inputs: ['abc'], strategy: 'beam', beamWidth: 0 }, 'E_REQUEST', 'beamWidth'],
    [{ inputs: ['abc'], strategy: 'beam', beamWidth: 17 }, 'E_REQUEST', 'beamWidth'],
    [{ inputs: ['abc'], strategy: 'viterbi' }, 'E_REQUEST', 'strategy'],
    [{ inputs: ['abc'], temperature: 2 }, 'E_REQUEST', 'temperature'],
    [{ inputs: ['abc'], maxLength: 1e9 }, 'E_REQUEST', 'maxLength'],
    [{ inputs: [[1, 2, 999]] }, 'E_TOKEN_RANGE', 'inputs[0][2]'],
    [{ inputs: ['abc'], beam: 3 }, 'E_REQUEST', 'request.beam'],
    [{ inputs: Array.from({ length: 40 }, () => 'ab'), strategy: 'beam', beamWidth: 4 }, 'E_LIMIT', 'beamWidth'],
  ])('rejects %j with %s at %s', async (request, code, where) => {
    try {
      await (served['additive-node'] as UnfoldModel).run('generate', request);
    } catch (error) {
      expect(isRuntimeError(error)).toBe(true);
      expect((error as { code: string }).code).toBe(code);
      expect((error as { details: { where?: string } }).details.where).toBe(where);
      return;
    }
    throw new Error('expected a rejection');
  });
});
