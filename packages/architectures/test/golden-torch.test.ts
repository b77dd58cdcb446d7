import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { bindNode, createRegistry, hostTensor, resolveModel, setupBackend, type HostTensor, type ModelSpec } from '@unfold/core';
import { cells } from '@unfold/cells/all';
import { expectClose, listFixtures, loadFixture } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { layers, runSequence } from '../src/index';

/**
 * PyTorch 1.13 golden values (tools/fixtures/generate_torch.py) through unfold's layers: 1 and 2 layers,
 * uni- and bidirectional, with and without bias, variable lengths and initial states. Weights are already
 * in ONNX layout, so each fixture's (layer, direction) weights are copied to the matching parameter path.
 */
interface TorchFixture {
  name: string;
  config: { mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU'; inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; bias: boolean };
  x: HostTensor; // [T, B, I]
  lengths?: HostTensor;
  h0?: HostTensor; // [L·D, B, H]
  c0?: HostTensor;
  weights: { layer: number; direction: number; W: HostTensor; R: HostTensor; B: HostTensor }[];
  output: HostTensor; // [T, B, D·H]
  hN: HostTensor;
  cN?: HostTensor;
}

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = listFixtures(join(here, '../../cells/test/fixtures/torch')).map((path) => loadFixture<TorchFixture>(path));
const registry = createRegistry([...cells, ...layers]);

beforeAll(() => setupBackend());

function cellSpec(f: TorchFixture, inputSize: number): ModelSpec {
  const { mode, hiddenSize, bias } = f.config;
  if (mode === 'LSTM') return { kind: 'lstm', config: { inputSize, hiddenSize, bias } };
  if (mode === 'GRU') return { kind: 'gru', config: { inputSize, hiddenSize, bias, linearBeforeReset: true } };
  return { kind: 'rnn', config: { inputSize, hiddenSize, bias, activation: mode === 'RNN_RELU' ? 'relu' : 'tanh' } };
}

/** The unfold spec of torch's nn.RNN/LSTM/GRU(num_layers, bidirectional), and each weight's path prefix by l·D + d. */
function specOf(f: TorchFixture): { spec: ModelSpec; prefixes: string[] } {
  const { numLayers, bidirectional, inputSize, hiddenSize } = f.config;
  const D = bidirectional ? 2 : 1;
  const layerSpec = (l: number): ModelSpec => {
    const size = l === 0 ? inputSize : D * hiddenSize;
    return bidirectional ? { kind: 'bidirectional', children: { forward: cellSpec(f, size), backward: cellSpec(f, size) } } : cellSpec(f, size);
  };
  const prefixes: string[] = [];
  for (let l = 0; l < numLayers; l++) {
    const layer = numLayers > 1 ? `layers.${l}.` : bidirectional ? '' : 'cell.';
    for (let d = 0; d < D; d++) prefixes.push(bidirectional ? `${layer}${d === 0 ? 'forward' : 'backward'}.` : layer);
  }
  const spec = numLayers > 1 ? { kind: 'stacked', children: { layers: Array.from({ length: numLayers }, (_, l) => layerSpec(l)) } } : bidirectional ? layerSpec(0) : { kind: 'recurrent', children: { cell: layerSpec(0) } };
  return { spec, prefixes };
}

/** Slice k of a [L·D, B, H] state tensor: its [B, H] values. */
function stateRows(t: HostTensor, k: number): Float32Array {
  const [, B, H] = t.shape as [number, number, number];
  return t.data.subarray(k * B * H, (k + 1) * B * H);
}

function stateSlice(t: HostTensor, k: number): tf.Tensor2D {
  const [, B, H] = t.shape as [number, number, number];
  return tf.tensor2d(stateRows(t, k), [B, H]);
}

describe('golden values from PyTorch 1.13', () => {
  it('has fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(20));

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const { spec, prefixes } = specOf(f);
    const root = resolveModel(registry, spec);
    const tensors: Record<string, tf.Tensor> = {};
    f.weights.forEach((w, k) => {
      const prefix = prefixes[k] as string;
      tensors[`${prefix}W`] = tf.tensor(w.W.data, [...w.W.shape]);
      tensors[`${prefix}R`] = tf.tensor(w.R.data, [...w.R.shape]);
      if (f.config.bias) tensors[`${prefix}B`] = tf.tensor(w.B.data, [...w.B.shape]);
    });
    const lstm = f.config.mode === 'LSTM';
    const perCell = lstm ? 2 : 1;
    const result = tf.tidy(() => {
      const x = tf.transpose(tf.tensor3d(f.x.data, f.x.shape as [number, number, number]), [1, 0, 2]) as tf.Tensor3D;
      const initialState = f.h0 ? prefixes.flatMap((_, k) => (lstm ? [stateSlice(f.h0!, k), stateSlice(f.c0 ?? hostTensor(f.h0!.shape, new Float32Array(f.h0!.data.length)), k)] : [stateSlice(f.h0!, k)])) : undefined;
      const out = runSequence(bindNode(root, tensors), { x, ...(f.lengths ? { lengths: Int32Array.from(f.lengths.data) } : {}), ...(initialState ? { initialState } : {}) });
      return { outputs: tf.transpose(out.outputs, [1, 0, 2]).dataSync() as Float32Array, states: out.finalState.map((s) => s.dataSync() as Float32Array) };
    });
    tf.dispose(Object.values(tensors));
    expectClose(result.outputs, f.output.data, { label: `${f.name} output` });
    prefixes.forEach((_, k) => {
      expectClose(result.states[k * perCell] as Float32Array, stateRows(f.hN, k), { label: `${f.name} h_n[${k}]` });
      if (lstm) expectClose(result.states[k * perCell + 1] as Float32Array, stateRows(f.cN!, k), { label: `${f.name} c_n[${k}]` });
    });
  });
});
