import { setupBackend, type ModelSpec } from '@unfold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInitializers, readOnnxModel, readUnfoldMetadata } from '../src/index';
import { elmanCell } from './cells/elman';
import { leakyCounterCell } from './cells/leaky-counter';
import { exportForTest } from './harness';
import { checkParity, checkStreaming, DiffLog } from './parity';

const log = new DiffLog('sequence-model with heads');
beforeAll(() => setupBackend());
afterAll(() => log.report());

const plugins = [elmanCell, leakyCounterCell];
const elman = (inputSize: number, hiddenSize: number): ModelSpec => ({ kind: 'acme/elman', config: { inputSize, hiddenSize } });
const dense = (inputSize: number, outputSize: number, activation = 'linear', bias = true): ModelSpec => ({ kind: 'dense', config: { inputSize, outputSize, activation, bias } });

describe('sequence-model', () => {
  it.each(['linear', 'tanh', 'sigmoid', 'relu', 'softmax'] as const)('reads out every step through a dense %s head; padded steps are 0', async (activation) => {
    const model = await exportForTest(`model.tagger-${activation}`, plugins, { kind: 'sequence-model', children: { body: elman(3, 5), output: dense(5, 4, activation) } });
    await checkParity(model, log);
    await model.session.release();
  });

  it('reads out at each sequence’s last real step, [batch, 1, O]', async () => {
    const spec: ModelSpec = { kind: 'sequence-model', config: { readout: 'last' }, children: { body: { kind: 'stacked', children: { layers: [elman(2, 4), { kind: 'acme/leaky-counter', config: { inputSize: 4, hiddenSize: 3 } }] } }, output: dense(3, 2, 'tanh') } };
    const model = await exportForTest('model.forecaster-last', plugins, spec);
    const summary = readOnnxModel(model.bytes);
    expect(summary.outputs[0]).toEqual({ name: 'output', dtype: 'float32', shape: ['batch', 1, 2] });
    expect(readUnfoldMetadata(summary).interface).toMatchObject({ version: 2, semantics: { readout: 'last' } });
    await checkParity(model, log);
    await model.session.release();
  });

  it('reads int32 token ids through an embedding and streams them in chunks', async () => {
    const spec: ModelSpec = {
      kind: 'sequence-model',
      children: { input: { kind: 'embedding', config: { vocabularySize: 11, embeddingSize: 3 } }, body: { kind: 'bidirectional', config: { merge: 'sum' }, children: { forward: elman(3, 4), backward: elman(3, 4) } }, output: dense(4, 11) },
      metadata: { vocabulary: ['<pad>', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] },
    };
    const model = await exportForTest('model.language-bidirectional', plugins, spec);
    expect(readOnnxModel(model.bytes).inputs[0]).toEqual({ name: 'input', dtype: 'int32', shape: ['batch', 'time'] });
    await checkParity(model, log);
    await model.session.release();
    const forward = await exportForTest('model.language-stream', plugins, { ...spec, children: { ...spec.children, body: elman(3, 4) } });
    expect(await checkStreaming(forward, log, 3, [5, 4])).toBeLessThanOrEqual(1e-5);
    await forward.session.release();
  });

  it('projects features through a dense input head without bias', async () => {
    const model = await exportForTest('model.dense-input', plugins, { kind: 'sequence-model', children: { input: dense(6, 3, 'relu', false), body: elman(3, 4) } });
    await checkParity(model, log);
    await model.session.release();
  });

  it('copies weights: the initializers are unfold’s tensors (dense W transposed once)', async () => {
    const model = await exportForTest('model.weights', plugins, { kind: 'sequence-model', children: { input: { kind: 'embedding', config: { vocabularySize: 5, embeddingSize: 3 } }, body: elman(3, 4), output: dense(4, 2) } });
    const initializers = readInitializers(model.bytes);
    expect(initializers['input.E']).toEqual({ shape: [5, 3], data: model.weights['input.E']?.data });
    expect(initializers['body.W']).toEqual({ shape: [1, 4, 3], data: model.weights['body.W']?.data });
    expect(initializers['output.b']).toEqual({ shape: [2], data: model.weights['output.b']?.data });
    const w = model.weights['output.W']?.data as Float32Array; // [2, 4]
    expect(initializers['output.W_t']).toEqual({ shape: [4, 2], data: Float32Array.from([0, 4, 1, 5, 2, 6, 3, 7], (i) => w[i] as number) });
    await model.session.release();
  });
});
