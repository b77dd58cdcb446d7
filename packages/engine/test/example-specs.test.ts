import { inputSpecOf, stateOf } from '@unfold/architectures';
import { resolveModel, Rng, setupBackend } from '@unfold/core';
import { readOnnxModel } from '@unfold/onnx';
import { probeSpec } from '@unfold/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedModel } from '../../onnx/test/harness';
import { onnxForward, unfoldForward } from '../../onnx/test/harness';
import { openSession, type HostValue, type OrtSession } from '../../onnx/test/ort';
import { checkEmptyTime, checkParity, checkStreaming, DiffLog, expectRunsClose } from '../../onnx/test/parity';
import { InferenceSession, Tensor } from '../src/index';
import { EXAMPLE_DATA, exampleModel, exampleSpecNames } from './example-models';

/*
 * Every sequence model of examples/specs (built from its spec and data as `unfold train --spec` builds it,
 * exported as `unfold export` writes it) on the compact engine and onnxruntime-node, each run compared
 * within 1e-5 (packages/onnx/test/ort.ts) and against unfold's own forward pass (the onnx parity kit):
 * lengths 1, 4 and 9 at batches 1 and 3, padded batches with an empty sequence (sequence_lens), random and
 * broadcast initial states, length 0, streaming in chunks (one of 0 steps) through state_out → state_in,
 * and batch 0. onnxruntime-node 1.30 crashes the process (SIGSEGV) on an LSTM, GRU or RNN node with batch
 * 0, so those files run batch 0 on the engine alone, still against unfold.
 * The seq2seq folder and the tree model have their own files (example-seq2seq, example-tree).
 */
const log = new DiffLog('examples/specs');
beforeAll(() => setupBackend());
afterAll(() => log.report());

const SEQUENCE_SPECS = ['char-lm', 'forecaster', 'ntm-copy', 'sequence-classifier', 'tagger'];
const OWN_FILES = ['seq2seq-attention', 'tree-lstm'];
const RECURRENT_OPS = ['LSTM', 'GRU', 'RNN'];

/** The engine alone behind the onnx kit's session interface. */
async function engineSession(bytes: Uint8Array): Promise<OrtSession> {
  const session = await InferenceSession.create(bytes);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const tensors = Object.fromEntries(Object.entries(feeds).map(([name, v]) => [name, new Tensor(v.data instanceof Int32Array ? 'int32' : 'float32', v.data, v.shape)]));
      const results = await session.run(tensors);
      return Object.fromEntries(Object.entries(results).map(([name, t]): [string, HostValue] => [name, { shape: t.dims, data: t.data as Float32Array }]));
    },
    release: () => session.release(),
  };
}

/**
 * Batch 0 at `time` steps: on both engines where onnxruntime-node takes it (compared by the kit), else on
 * the engine alone against unfold's forward pass. (unfold's own forward pass of the NTM fails at batch 0 on
 * tfjs' wasm backend, a divide by zero in its Sum kernel; onnxruntime-node runs that file at batch 0.)
 */
async function checkEmptyBatch(model: ExportedModel, time: number): Promise<void> {
  const ops = readOnnxModel(model.bytes).ops;
  const engineOnly = RECURRENT_OPS.some((op) => ops[op] !== undefined);
  const input = inputSpecOf(model.root);
  const x: HostValue = input.kind === 'tokens' ? { shape: [0, time], data: new Int32Array(0) } : { shape: [0, time, input.size], data: new Float32Array(0) };
  const lengths = new Int32Array(0);
  const initialState = stateOf(model.root).map((s): HostValue => ({ shape: [0, ...s.shape], data: new Float32Array(0) }));
  const feeds = { x, lengths: { shape: [0], data: lengths }, initialState };
  if (!engineOnly) {
    const both = await onnxForward(model, feeds);
    expect(both.output.shape[0]).toBe(0);
    both.finalState.forEach((state, i) => expect(state.shape).toEqual(initialState[i]?.shape));
    return;
  }
  const session = await engineSession(model.bytes);
  try {
    const got = await onnxForward({ ...model, session }, feeds);
    log.record(expectRunsClose(`${model.name} B=0 T=${time} (engine alone)`, got, unfoldForward(model, { x, lengths, initialState }), lengths, 'sequence'));
  } finally {
    await session.release();
  }
}

/**
 * Streaming a readout-"last" model (the onnx kit's checkStreaming concatenates per-step outputs): full-length
 * sequences fed in chunks, state_out.* of each call the next call's state_in.*, must end in the final
 * states and last-step output of one call over the whole sequence (both engines on every call).
 */
async function checkStreamingLast(model: ExportedModel, chunks: readonly number[]): Promise<void> {
  const time = chunks.reduce((a, b) => a + b, 0);
  const batch = 3;
  const input = inputSpecOf(model.root);
  const rng = new Rng(`${model.name}/stream-last/${chunks}`);
  const random = (size: number) => Float32Array.from({ length: size }, () => rng.uniformIn(-1, 1));
  // Step t of sequence b, the same wherever a window starts: a window of the whole input is one call's x.
  const steps = Array.from({ length: batch * time }, () => (input.kind === 'tokens' ? [rng.int(input.size)] : Array.from(random(input.size))));
  const window = (start: number, count: number): HostValue => {
    const rows = Array.from({ length: batch * count }, (_, i) => steps[Math.floor(i / count) * time + start + (i % count)] as number[]);
    return input.kind === 'tokens' ? { shape: [batch, count], data: Int32Array.from(rows.flat()) } : { shape: [batch, count, input.size], data: Float32Array.from(rows.flat()) };
  };
  const start = stateOf(model.root).map((s): HostValue => ({ shape: [batch, ...s.shape], data: random(batch * s.size) }));
  const whole = await onnxForward(model, { x: window(0, time), lengths: { shape: [batch], data: new Int32Array(batch).fill(time) }, initialState: start });
  let state: readonly HostValue[] = start;
  let last: HostValue | undefined;
  let offset = 0;
  for (const count of chunks) {
    const part = await onnxForward(model, { x: window(offset, count), lengths: { shape: [batch], data: new Int32Array(batch).fill(count) }, initialState: state });
    if (count > 0) last = part.output;
    state = part.finalState;
    offset += count;
  }
  expectRunsClose(`${model.name} chunks ${chunks}`, { output: last as HostValue, finalState: state }, whole, undefined, 'last');
}

describe('examples/specs on the compact engine', () => {
  it('covers every spec in the folder, each with its data file', () => {
    expect(exampleSpecNames()).toEqual(Object.keys(EXAMPLE_DATA).sort());
    expect([...SEQUENCE_SPECS, ...OWN_FILES].sort()).toEqual(exampleSpecNames());
  });

  it.each(SEQUENCE_SPECS)('%s: every shape, length 0, streaming and batch 0 match onnxruntime-node and unfold', async (name) => {
    const example = exampleModel(name);
    const bytes = example.files['model.onnx'] as Uint8Array;
    expect(Object.keys(example.files)).toEqual(['model.onnx']);
    const model: ExportedModel = { name, registry: example.registry, spec: example.spec, root: resolveModel(example.registry, example.spec), weights: example.weights, bytes, session: await openSession(bytes), options: {} };
    try {
      await checkParity(model, log);
      for (const batch of [1, 3]) await checkEmptyTime(model, log, batch);
      const readout = probeSpec(example.registry, example.spec).readout;
      for (const chunks of [[4, 0, 5], [1, 2, 3]]) {
        if (readout === 'sequence') expect(await checkStreaming(model, log, 3, chunks)).toBeLessThanOrEqual(1e-5);
        else await checkStreamingLast(model, chunks);
      }
      for (const time of [0, 4]) await checkEmptyBatch(model, time);
    } finally {
      await model.session.release();
    }
  });
});
