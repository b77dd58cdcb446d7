import * as tf from '@tensorflow/tfjs-core';
import { esnCell } from '@unfold/cells/esn';
import { leakyCell } from '@unfold/cells/leaky';
import { rnnCell } from '@unfold/cells/rnn';
import { initWeights, int64Constant, resolveModel, Rng, setupBackend, type CellPlugin, type HostTensor, type JsonValue, type ModelSpec } from '@unfold/core';
import { expectClose } from '@unfold/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelBuilder, readInitializers, readOnnxModel, serializeGraph } from '../src/index';
import { writeForChecker } from './checker-dir';
import { exportForTest, randomFloats, registryWith, type ExportedModel } from './harness';
import { openSession, type HostValue } from './ort';
import { checkEmptyTime, checkParity, checkStreaming, DiffLog } from './parity';

// `leaky` and `esn` export through their per-step mappings (packages/cells/src/leaky/onnx.ts) and the
// shared Scan emitter (packages/onnx/src/step-scan.ts).
// Each is checked alone and inside recurrent, bidirectional, stacked and sequence-model layers against
// unfold's forward pass at times 1, 4 and 9 (plus 0) and batches 1 and 3, and streamed in chunks.
const log = new DiffLog('leaky and esn cells');
beforeAll(() => setupBackend());
afterAll(() => log.report());

const plugins = [leakyCell, esnCell, rnnCell];
const leaky = (inputSize: number, hiddenSize: number, options: Record<string, JsonValue> = {}): ModelSpec => ({ kind: 'leaky', config: { inputSize, hiddenSize, ...options } });
const esn = (inputSize: number, hiddenSize: number, options: Record<string, JsonValue> = {}): ModelSpec => ({ kind: 'esn', config: { inputSize, hiddenSize, ...options } });

async function parity(name: string, spec: ModelSpec): Promise<ExportedModel> {
  const model = await exportForTest(`leaky-esn.${name}`, plugins, spec);
  await checkParity(model, log);
  return model;
}

describe('leaky at the root', () => {
  it.each([
    ['alpha', { alpha: 0.35 }, 'R_scaled_t'],
    ['alpha-range-relu', { alphaRange: [0.05, 0.8], activation: 'relu' }, 'R_scaled_t'],
    ['alphas-no-bias', { alphas: [0.9, 0.2, 1, 0.04, 0.5], bias: false }, 'R_scaled_t'],
    ['default-rates-learned', { learnAlpha: true }, 'R_scaled_t'],
    ['tiny-alpha-relu', { alphas: [0.5, 1e-5, 1, 0.3, 0.01], activation: 'relu' }, 'R_scaled_t'],
    ['alpha-one-relu-no-bias', { alpha: 1, activation: 'relu', bias: false }, 'R_t'],
    ['tiny-alpha', { alphas: [0.5, 1e-5, 1, 0.3, 0.01] }, 'R_t'],
  ] as const)('%s matches unfold at 3 lengths and 2 batch sizes', async (name, options, recurrent) => {
    const model = await parity(`leaky-${name}`, leaky(3, 5, options));
    const ops = readOnnxModel(model.bytes).ops;
    expect([ops.Scan, ops.Pad, ops.If, ops.Loop]).toEqual([1, 1, undefined, undefined]);
    expect(Object.keys(readInitializers(model.bytes))).toContain(recurrent);
    await checkEmptyTime(model, log, 2);
    await model.session.release();
  });

  it('the step: v = h ⊘ α carried (tanh), α folded into the weights (relu), h\' = g for α = 1; no Identity in the body with a leak', async () => {
    const counts = async (name: string, options: Record<string, JsonValue>) => {
      const model = await exportForTest(`leaky-esn.ops-${name}`, plugins, leaky(2, 3, options));
      await model.session.release();
      const ops = readOnnxModel(model.bytes).ops;
      return { Div: ops.Div ?? 0, Mul: ops.Mul ?? 0, MatMul: ops.MatMul ?? 0, Act: (ops.Tanh ?? 0) + (ops.Relu ?? 0), GatherElements: ops.GatherElements ?? 0, Identity: ops.Identity ?? 0 };
    };
    // MatMul: the input projection before the loop and the recurrent product in the body. tanh: Div (v₀ = h₀ ⊘ α)
    // and one Mul by α (h at every step, the final state gathered from it) outside the loop, κ ⊙ v the body's only Mul. Identity: the
    // exporter's two at the outputs; with every α = 1 a third in the body (h' = g is both state and output).
    expect(await counts('tanh', { alpha: 0.5 })).toEqual({ Div: 1, Mul: 2, MatMul: 2, Act: 1, GatherElements: 1, Identity: 2 });
    expect(await counts('relu', { alpha: 0.5, activation: 'relu' })).toEqual({ Div: 0, Mul: 1, MatMul: 2, Act: 1, GatherElements: 1, Identity: 2 });
    expect(await counts('tiny-alpha', { alphas: [0.5, 1e-5, 1] })).toEqual({ Div: 0, Mul: 2, MatMul: 2, Act: 1, GatherElements: 1, Identity: 2 });
    expect(await counts('alpha-one', { alpha: 1 })).toEqual({ Div: 0, Mul: 0, MatMul: 2, Act: 1, GatherElements: 1, Identity: 3 });
  });
});

describe('esn at the root', () => {
  it.each([
    ['leak-1', esn(3, 6)],
    ['leak-0.3', esn(3, 6, { leakRate: 0.3, spectralRadius: 1.1 })],
    ['feedback-leak-0.6', esn(2, 6, { leakRate: 0.6, feedbackSize: 2, feedbackScaling: 0.5 })],
    ['feedback-leak-1', esn(2, 4, { feedbackSize: 1, connectivity: 1 })],
  ] as const)('%s matches unfold at 3 lengths and 2 batch sizes', async (name, spec) => {
    const model = await parity(`esn-${name}`, spec);
    expect(readOnnxModel(model.bytes).ops.Scan).toBe(1);
    await checkEmptyTime(model, log, 3);
    await model.session.release();
  });

  it('exports [Win | Wfb] as one input projection over [u, y_prev]', async () => {
    const model = await exportForTest('leaky-esn.esn-weights', plugins, esn(2, 3, { feedbackSize: 1 }));
    const Win = model.weights.Win?.data as Float32Array; // [3, 2]
    const Wfb = model.weights.Wfb?.data as Float32Array; // [3, 1]
    const Ut = readInitializers(model.bytes).U_t; // [K + L, H] = [Win | Wfb]ᵀ
    expect(Ut).toEqual({ shape: [3, 3], data: Float32Array.of(Win[0]!, Win[2]!, Win[4]!, Win[1]!, Win[3]!, Win[5]!, Wfb[0]!, Wfb[1]!, Wfb[2]!) });
    await model.session.release();
  });
});

describe('inside layers', () => {
  it.each([
    ['leaky-forward', leaky(3, 4, { alphaRange: [0.1, 0.9] }), false],
    ['leaky-reverse', leaky(3, 4, { alphaRange: [0.1, 0.9], activation: 'relu' }), true],
    ['esn-reverse', esn(2, 5, { leakRate: 0.4, feedbackSize: 1 }), true],
    ['leaky-tiny-alpha-reverse', leaky(3, 4, { alphas: [1e-5, 0.2, 0.7, 1] }), true],
  ] as const)('recurrent %s matches unfold, reversal within each length included', async (name, cell, reverse) => {
    const model = await parity(`recurrent-${name}`, { kind: 'recurrent', config: { reverse }, children: { cell } });
    expect(readOnnxModel(model.bytes).ops.ReverseSequence).toBe(reverse ? 2 : undefined);
    await checkEmptyTime(model, log, 2);
    await model.session.release();
  });

  it('bidirectional leaky forward, esn backward (concat)', async () => {
    const model = await parity('bidirectional', { kind: 'bidirectional', children: { forward: leaky(3, 4, { alpha: 0.3 }), backward: esn(3, 5, { leakRate: 0.5 }) } });
    expect(readOnnxModel(model.bytes).ops.Scan).toBe(2);
    await checkEmptyTime(model, log, 2);
    await model.session.release();
  });

  it('stacked esn → leaky → rnn with residual connections', async () => {
    const spec: ModelSpec = { kind: 'stacked', config: { residual: true }, children: { layers: [esn(3, 4, { leakRate: 0.7 }), leaky(4, 4, { activation: 'relu', alpha: 0.6 }), { kind: 'rnn', config: { inputSize: 4, hiddenSize: 4 } }] } };
    const model = await parity('stacked', spec);
    expect(model.session.inputNames).toEqual(['input', 'sequence_lens', 'state_in.layers.0.x', 'state_in.layers.1.h', 'state_in.layers.2.h']);
    await checkEmptyTime(model, log, 2);
    await model.session.release();
  });

  it('sequence-model: bidirectional leaky body with a dense head; and an esn forecaster reading out the last step', async () => {
    const tagger: ModelSpec = { kind: 'sequence-model', children: { body: { kind: 'bidirectional', config: { merge: 'sum' }, children: { forward: leaky(3, 4), backward: leaky(3, 4, { alpha: 0.2 }) } }, output: { kind: 'dense', config: { inputSize: 4, outputSize: 2, activation: 'tanh' } } } };
    const model = await parity('model-tagger', tagger);
    await checkEmptyTime(model, log, 2);
    await model.session.release();
    const forecaster: ModelSpec = { kind: 'sequence-model', config: { readout: 'last' }, children: { body: esn(1, 8, { leakRate: 0.5, feedbackSize: 1 }), output: { kind: 'dense', config: { inputSize: 8, outputSize: 1 } } } };
    const forecast = await parity('model-forecaster', forecaster);
    await checkEmptyTime(forecast, log, 2); // readout 'last' of an empty sequence reads zeros
    await forecast.session.release();
  });
});

describe('streaming through state_in / state_out', () => {
  it.each([
    ['leaky', leaky(3, 4, { alphaRange: [0.05, 1] })],
    ['esn-feedback', esn(2, 5, { leakRate: 0.5, feedbackSize: 1 })],
    ['stacked', { kind: 'stacked', children: { layers: [leaky(3, 4, { activation: 'relu', alpha: 0.4 }), esn(4, 4, { leakRate: 0.8 })] } } as ModelSpec],
  ] as const)('%s in chunks, an empty chunk included, equals one call', async (name, cell) => {
    const model = await exportForTest(`leaky-esn.stream-${name}`, plugins, cell.kind === 'stacked' ? cell : { kind: 'recurrent', children: { cell } });
    for (const chunks of [[4, 5], [1, 3, 0, 2, 3]]) expect(await checkStreaming(model, log, 3, chunks)).toBeLessThanOrEqual(1e-5);
    await model.session.release();
  });
});

describe('the step mapping on its own', () => {
  it.each([
    ['leaky-tanh', leakyCell, leaky(3, 4, { alphas: [0.3, 1, 0.05, 0.6] })],
    ['leaky-relu', leakyCell, leaky(3, 4, { alphas: [0.3, 1, 0.05, 0.6], activation: 'relu' })],
    ['esn-feedback', esnCell, esn(2, 5, { leakRate: 0.5, feedbackSize: 1 })],
  ] as const)("%s: prepare and step in a plain graph equal the cell's tfjs step", async (name, plugin, spec) => {
    const cell = plugin as CellPlugin;
    const mapping = cell.onnxStep;
    if (!mapping) throw new Error(`${cell.kind} has no per-step ONNX mapping`);
    const config = cell.validate(spec.config ?? {});
    const [I, H] = [cell.inputSize(config), cell.outputSize(config)];
    const weights = initWeights(resolveModel(registryWith(plugins), spec), 11) as Record<string, HostTensor>;
    const graph = createModelBuilder(['x', 'h0', 'y', 'h']);
    const x = graph.input('x', { dtype: 'float32', shape: [1, 'batch', I] });
    const h0 = graph.input('h0', { dtype: 'float32', shape: ['batch', H] });
    const prepared = mapping.prepare ? mapping.prepare({ graph, config, weights, input: x }) : { input: x, size: I };
    const [pt] = graph.node('Squeeze', [prepared.input, graph.constant('time_axis', int64Constant([0]))]) as [string];
    // The carried form (tanh: v = h ⊘ α) in and out, as the emitter does around its Scan.
    const carry = mapping.carry;
    const encoded = carry ? carry.encode({ graph, config, weights, index: 0, value: h0 }) : h0;
    const step = mapping.step({ graph, config, weights, input: pt, state: [encoded] });
    const decode = (value: string): string => (carry ? carry.decode({ graph, config, weights, index: 0, value }) : value);
    graph.output('y', decode(step.output), { dtype: 'float32', shape: ['batch', H] });
    graph.output('h', decode(step.state[0] as string), { dtype: 'float32', shape: ['batch', H] });
    const bytes = serializeGraph(graph, { name: `${name}-step` });
    await writeForChecker(`leaky-esn.step-${name}`, bytes);
    const session = await openSession(bytes);
    const rng = new Rng(`step/${name}`);
    for (const batch of [1, 3]) {
      const xs = randomFloats(rng, [1, batch, I]);
      const hs = randomFloats(rng, [batch, H]);
      const got = await session.run({ x: xs, h0: hs });
      const want = tf.tidy(() => {
        const params = Object.fromEntries(Object.entries(weights).map(([key, w]) => [key, tf.tensor(w.data, [...w.shape])]));
        const result = cell.step(params, tf.tensor2d(xs.data as Float32Array, [batch, I]), [tf.tensor2d(hs.data as Float32Array, [batch, H])], config);
        return [result.output.dataSync(), (result.state[0] as tf.Tensor).dataSync()];
      });
      expectClose((got.y as HostValue).data, want[0] as Float32Array, { label: `${name} B=${batch} output` });
      expectClose((got.h as HostValue).data, want[1] as Float32Array, { label: `${name} B=${batch} state` });
    }
    await session.release();
  });
});
