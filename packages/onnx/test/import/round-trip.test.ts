import { inputSpecOf } from '@unfold/architectures';
import { initWeights, resolveModel, setupBackend, type JsonValue, type ModelSpec, type ResolvedNode } from '@unfold/core';
import { expectBitEqual } from '@unfold/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, FULL_LENGTH, importOnnx, type ExportOptions, type FeedTensor } from '../../src/index';
import { expectWithin, fullRegistry, MaxDiffs, runImported, runOrt } from './helpers';

// unfold → exportModel → importOnnx gives the same model back: the same spec (modulo metadata, defaults
// filled in) and bit-identical weights, for every cell option, layer and head the import maps. The
// imported model, fed under the exported file's own input names, also matches onnxruntime on that file.
const diffs = new MaxDiffs();
beforeAll(() => setupBackend());
afterAll(() => diffs.report('round trip'));

/** A spec as resolved: kind, every config option (defaults filled in) and children, without metadata. */
function canonical(node: ResolvedNode): JsonValue {
  const children = Object.fromEntries(Object.entries(node.children).map(([slot, child]) => [slot, Array.isArray(child) ? child.map(canonical) : canonical(child as ResolvedNode)]));
  return { kind: node.plugin.kind, config: node.config as JsonValue, children };
}

const lstm = (inputSize: number, extra: Record<string, JsonValue> = {}): ModelSpec => ({ kind: 'lstm', config: { inputSize, hiddenSize: 4, ...extra } });
const gru = (inputSize: number, extra: Record<string, JsonValue> = {}): ModelSpec => ({ kind: 'gru', config: { inputSize, hiddenSize: 3, ...extra } });
const rnn = (inputSize: number, extra: Record<string, JsonValue> = {}): ModelSpec => ({ kind: 'rnn', config: { inputSize, hiddenSize: 5, ...extra } });
const bidirectional = (forward: ModelSpec, backward: ModelSpec): ModelSpec => ({ kind: 'bidirectional', children: { forward, backward } });
const reverse = (cell: ModelSpec): ModelSpec => ({ kind: 'recurrent', config: { reverse: true }, children: { cell } });
const dense = (inputSize: number, outputSize: number, extra: Record<string, JsonValue> = {}): ModelSpec => ({ kind: 'dense', config: { inputSize, outputSize, ...extra } });

const CASES: readonly (readonly [label: string, spec: ModelSpec, options: ExportOptions])[] = [
  ['lstm cell', lstm(3), {}],
  ['lstm with peepholes, clip and input_forget', lstm(3, { peepholes: true, clip: 0.3, inputForget: true }), {}],
  ['reversed gru, reset before the product, no bias', reverse(gru(2, { linearBeforeReset: false, bias: false })), {}],
  ['bidirectional relu rnn', bidirectional(rnn(3, { activation: 'relu' }), rnn(3, { activation: 'relu' })), {}],
  ['bidirectional with different cells per direction', bidirectional(rnn(3), rnn(3, { activation: 'relu', bias: false })), {}],
  ['stack of bidirectional lstm and gru', { kind: 'stacked', children: { layers: [bidirectional(lstm(3), lstm(3)), gru(8)] } }, {}],
  ['stack of rnn, reversed lstm and bidirectional gru', { kind: 'stacked', children: { layers: [rnn(2), reverse(lstm(5, { peepholes: true })), bidirectional(gru(4), gru(4))] } }, {}],
  ['tagger: lstm and a dense head', { kind: 'sequence-model', children: { body: lstm(3), output: dense(4, 2) } }, {}],
  ['tagger: stacked bidirectional gru and a softmax head without bias', { kind: 'sequence-model', children: { body: { kind: 'stacked', children: { layers: [bidirectional(gru(3), gru(3)), bidirectional(gru(6), gru(6))] } }, output: dense(6, 3, { activation: 'softmax', bias: false }) } }, {}],
  ['dense input projection, rnn, tanh head', { kind: 'sequence-model', children: { input: dense(3, 4, { activation: 'relu' }), body: rnn(4), output: dense(5, 2, { activation: 'tanh' }) } }, {}],
  ['lstm without sequence_lens and state inputs', lstm(3), { sequenceLens: false, initialStates: false }],
  ['bidirectional gru without state inputs', bidirectional(gru(2), gru(2)), { initialStates: false }],
];

function randomFeed(shape: readonly number[], seed: number): FeedTensor {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next) };
}

describe('unfold → ONNX → unfold', () => {
  it.each(CASES)('%s: same spec, bit-identical weights, same outputs as onnxruntime', async (label, spec, options) => {
    const registry = fullRegistry();
    const root = resolveModel(registry, spec);
    const weights = initWeights(root, label);
    const bytes = exportModel(registry, { spec, weights }, options);
    const imported = importOnnx(bytes, { where: `${label}.onnx`, registry });
    expect(canonical(resolveModel(registry, imported.spec))).toEqual(canonical(root));
    expect(Object.keys(imported.weights).sort()).toEqual(Object.keys(weights).sort());
    for (const [name, tensor] of Object.entries(weights)) {
      expect(imported.weights[name]?.shape).toEqual(tensor.shape);
      expectBitEqual(imported.weights[name]?.data as Float32Array, tensor.data, `${label} ${name}`);
    }
    const x = randomFeed([3, 6, inputSpecOf(root).size], 7);
    const feeds: Record<string, FeedTensor> = { input: x };
    for (const input of imported.interface.inputs) {
      if (input.role === 'sequence_lens') feeds[input.name] = { shape: [3], data: Int32Array.of(FULL_LENGTH, 4, 1) };
      if (input.role === 'initial_state') feeds[input.name] = randomFeed([1, input.shape[1] as number], input.name.length);
    }
    const ours = runImported(imported, feeds);
    const ort = await runOrt(bytes, feeds);
    for (const output of imported.interface.outputs) diffs.record('onnxruntime', expectWithin(`${label} ${output.name}`, ours[output.name]!.data, ort[output.name]!.data));
  });
});

describe('equivalent specs the file cannot tell apart', () => {
  // A `recurrent` layer running forward exports exactly as its bare cell, and a one-layer `stacked` as its
  // layer; the import returns the canonical form (bare cell, no one-layer stack): same outputs and states,
  // the same weights under the canonical paths.
  it.each([
    ['forward recurrent', { kind: 'recurrent', children: { cell: lstm(3) } }, lstm(3), (path: string) => path.replace(/^cell\./, '')],
    ['one-layer stack', { kind: 'stacked', children: { layers: [bidirectional(gru(3), gru(3))] } }, bidirectional(gru(3), gru(3)), (path: string) => path.replace(/^layers\.0\./, '')],
  ] as const)('%s imports as its canonical form', (label, spec, expected, rename) => {
    const registry = fullRegistry();
    const weights = initWeights(resolveModel(registry, spec), label);
    const imported = importOnnx(exportModel(registry, { spec, weights }), { registry });
    expect(canonical(resolveModel(registry, imported.spec))).toEqual(canonical(resolveModel(registry, expected)));
    for (const [name, tensor] of Object.entries(weights)) expectBitEqual(imported.weights[rename(name)]?.data as Float32Array, tensor.data, name);
  });
});
