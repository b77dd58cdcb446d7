import * as tf from '@tensorflow/tfjs-core';
import { heads, layers, runSequence } from '@unfold/architectures';
import { bindNode, createRegistry, initWeights, resolveModel, Rng, setupBackend } from '@unfold/core';
import { exportModel } from '@unfold/onnx';
import { createRuntime } from '@unfold/runtime';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shapedMemoryCell, shapedMemoryModel } from '../../../packages/onnx/test/cells/shaped-memory';
import { createHandler, staticRegistry } from '../src/index';

/**
 * Contracts v2 end to end: a toy cell with a [B, 2, 3] state, defined in a test file with only a step and a
 * per-step ONNX mapping, exported by @unfold/onnx and served by the edge handler, whose `stream` endpoint
 * returns the state as nested JSON [batch][2][3] and takes it back for the next chunk. Three chunks equal
 * one call, and both equal unfold's own forward pass.
 */
const registry = createRegistry([shapedMemoryCell, ...layers, ...heads]);
const spec = shapedMemoryModel(3);
const rng = new Rng(11);
const sequences = [8, 5].map((length) => Array.from({ length }, () => [rng.uniformIn(-1, 1), rng.uniformIn(-1, 1), rng.uniformIn(-1, 1)]));
let handler: (request: Request) => Promise<Response>;
let release: () => Promise<void>;
let expected: number[][][];

const post = async (path: string, body: unknown) => {
  const response = await handler(new Request(`http://127.0.0.1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  expect(response.status).toBe(200);
  return response.json();
};

beforeAll(async () => {
  await setupBackend();
  const root = resolveModel(registry, spec);
  const weights = initWeights(root, 5);
  const tensors = Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, tf.tensor(w.data, [...w.shape])]));
  // unfold's forward over the padded batch, cut to each sequence's length.
  expected = tf.tidy(() => {
    const x = tf.tensor3d(sequences.map((s) => [...s, ...Array.from({ length: 8 - s.length }, () => [0, 0, 0])]));
    return runSequence(bindNode(root, tensors), { x, lengths: Int32Array.from(sequences, (s) => s.length) }).outputs.arraySync();
  }).map((rows, b) => rows.slice(0, (sequences[b] as number[][]).length));
  tf.dispose(Object.values(tensors));
  const model = await createRuntime(ort).load(exportModel(registry, { spec, weights }), { name: 'memory' });
  handler = createHandler({ models: staticRegistry({ memory: model }) });
  release = () => model.release();
});
afterAll(() => release?.());

describe('a shaped-state model at the edge', () => {
  it('lists the state with its shape and streams it as nested JSON', async () => {
    const described = await (await handler(new Request('http://127.0.0.1/models/memory'))).json();
    expect(JSON.stringify(described)).toContain('"shape":[2,3]');
    const whole = await post('/models/memory/stream', { inputs: sequences });
    let state: unknown;
    const pieces: number[][][] = sequences.map(() => []);
    for (const [from, to] of [[0, 3], [3, 4], [4, 8]] as const) {
      const chunk = await post('/models/memory/stream', { inputs: sequences.map((s) => s.slice(from, to)), ...(state ? { state } : {}) });
      state = chunk.state;
      const memory = (chunk.state as Record<string, number[][][]>)['body.cell.m'] as number[][][];
      expect(memory.map((m) => [m.length, m[0]?.length])).toEqual([[2, 3], [2, 3]]);
      chunk.outputs.forEach((rows: number[][], b: number) => pieces[b]!.push(...rows));
    }
    expect(pieces).toEqual(whole.outputs);
    expect(state).toEqual(whole.state);
    whole.outputs.forEach((rows: number[][], b: number) => rows.forEach((row, t) => row.forEach((v, o) => expect(Math.abs(v - expected[b]![t]![o]!)).toBeLessThan(1e-5 + 1e-5 * Math.abs(expected[b]![t]![o]!)))));
  });

  it('rejects a state of the wrong shape with a 4xx naming the axis', async () => {
    const response = await handler(new Request('http://127.0.0.1/models/memory/stream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: sequences, state: { 'body.cell.m': [[[0, 0, 0]], [[0, 0, 0]]] } }) }));
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.error.code).toBe('E_SHAPE');
    expect(JSON.stringify(body)).toMatch(/axis 1/);
  });
});
