import { gruCell } from '@unfold/cells/gru';
import { lstmCell } from '@unfold/cells/lstm';
import { rnnCell } from '@unfold/cells/rnn';
import { setupBackend, type JsonValue, type ModelSpec } from '@unfold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportForTest } from './harness';
import { checkParity, checkStreaming, DiffLog } from './parity';

// The built-in cells that map to the native ONNX RNN / LSTM / GRU ops, every option, alone and inside
// bidirectional and stacked layers with heads: exported, run in onnxruntime-node at times 1, 4, 9 and
// batches 1, 3 (variable lengths, initial states), compared with unfold's forward, and streamed in chunks.
const log = new DiffLog('native-op cells');
beforeAll(() => setupBackend());
afterAll(() => log.report());

const plugins = [rnnCell, lstmCell, gruCell];
const cell = (kind: string, inputSize: number, hiddenSize: number, options: Record<string, JsonValue> = {}): ModelSpec => ({ kind, config: { inputSize, hiddenSize, ...options } });

const options: [string, string, Record<string, JsonValue>][] = [
  ['rnn', 'tanh', { activation: 'tanh' }],
  ['rnn', 'relu-no-bias', { activation: 'relu', bias: false }],
  ['lstm', 'plain', {}],
  ['lstm', 'no-bias', { bias: false }],
  ['lstm', 'peepholes', { peepholes: true }],
  ['lstm', 'input-forget', { inputForget: true }],
  ['lstm', 'clip', { clip: 0.5 }],
  ['lstm', 'everything', { peepholes: true, inputForget: true, clip: 1.5, forgetBias: 1 }],
  ['gru', 'linear-before-reset', { linearBeforeReset: true }],
  ['gru', 'reset-before', { linearBeforeReset: false }],
  ['gru', 'reset-before-no-bias', { linearBeforeReset: false, bias: false }],
];

describe('native-op cells, every option', () => {
  it.each(options)('%s %s matches unfold, forward and reversed, and streams in chunks', async (kind, name, config) => {
    const forward = await exportForTest(`native.${kind}-${name}`, plugins, { kind: 'recurrent', children: { cell: cell(kind, 3, 4, config) } });
    await checkParity(forward, log);
    for (const chunks of [[4, 5], [1, 3, 0, 2, 3]]) expect(await checkStreaming(forward, log, 3, chunks)).toBeLessThanOrEqual(1e-5);
    await forward.session.release();
    // A reversed layer reads each sequence from its end, so it runs whole sequences (no streaming).
    const reversed = await exportForTest(`native.${kind}-${name}-reverse`, plugins, { kind: 'recurrent', config: { reverse: true }, children: { cell: cell(kind, 3, 4, config) } });
    await checkParity(reversed, log);
    await reversed.session.release();
  });
});

describe('native-op cells in layers with heads', () => {
  it('a bidirectional LSTM tagger (peepholes) with a dense softmax head', async () => {
    const spec: ModelSpec = {
      kind: 'sequence-model',
      children: {
        body: { kind: 'bidirectional', config: { merge: 'concat' }, children: { forward: cell('lstm', 3, 4, { peepholes: true }), backward: cell('lstm', 3, 4, { peepholes: true }) } },
        output: { kind: 'dense', config: { inputSize: 8, outputSize: 5, activation: 'softmax' } },
      },
    };
    const model = await exportForTest('native.bidirectional-tagger', plugins, spec);
    await checkParity(model, log);
    await model.session.release();
  });

  it('a stacked GRU → RNN → LSTM forecaster with residual connections and a last-step readout', async () => {
    const spec: ModelSpec = {
      kind: 'sequence-model',
      config: { readout: 'last' },
      children: {
        body: { kind: 'stacked', config: { residual: true }, children: { layers: [cell('gru', 2, 4, { linearBeforeReset: false }), cell('rnn', 4, 4, { activation: 'relu' }), cell('lstm', 4, 4, { clip: 2 })] } },
        output: { kind: 'dense', config: { inputSize: 4, outputSize: 1 } },
      },
    };
    const model = await exportForTest('native.stacked-forecaster', plugins, spec);
    await checkParity(model, log);
    await model.session.release();
    // Streamed through the same stack without the last-step head: every layer's state carries across chunks.
    const body = await exportForTest('native.stacked-body', plugins, spec.children!.body as ModelSpec);
    for (const chunks of [[2, 7], [3, 3, 3]]) expect(await checkStreaming(body, log, 2, chunks)).toBeLessThanOrEqual(1e-5);
    await body.session.release();
  });

  it('a stacked bidirectional GRU with mean merge, reversed inner layer', async () => {
    const spec: ModelSpec = {
      kind: 'stacked',
      children: {
        layers: [
          { kind: 'bidirectional', config: { merge: 'mean' }, children: { forward: cell('gru', 3, 4), backward: cell('gru', 3, 4) } },
          { kind: 'recurrent', config: { reverse: true }, children: { cell: cell('rnn', 4, 3) } },
        ],
      },
    };
    const model = await exportForTest('native.stacked-bidirectional', plugins, spec);
    await checkParity(model, log);
    await model.session.release();
  });
});
