import { setupBackend, type CellPlugin, type JsonValue } from '@unfold/core';
import { cellGradients, differentiableNames, expectClose, expectResultsClose, makeCellCase, runCellHost } from '@unfold/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gruCell } from '../../src/gru/gru';
import { lstmCell } from '../../src/lstm/lstm';
import { rnnCell } from '../../src/rnn/rnn';

// The fused paths call kernels directly (_FusedMatMul) and read data back; the cpu fallback backend
// must give the same results as on wasm: fused vs step loop, with the mask, outputs and gradients.
const cases: readonly { plugin: CellPlugin; config: Record<string, JsonValue> }[] = [
  { plugin: rnnCell, config: { inputSize: 3, hiddenSize: 4, activation: 'relu' } },
  { plugin: lstmCell, config: { inputSize: 3, hiddenSize: 4, peepholes: true, clip: 0.6 } },
  { plugin: lstmCell, config: { inputSize: 3, hiddenSize: 4, inputForget: true, bias: false } },
  { plugin: gruCell, config: { inputSize: 3, hiddenSize: 4 } },
  { plugin: gruCell, config: { inputSize: 3, hiddenSize: 4, linearBeforeReset: false } },
];
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };

describe('fused paths on the cpu backend', () => {
  beforeAll(async () => {
    expect(await setupBackend({ backend: 'cpu' })).toBe('cpu');
  });

  for (const { plugin, config } of cases) {
    it(`${plugin.kind} ${JSON.stringify(config)}`, () => {
      expect(tf.getBackend()).toBe('cpu');
      const c = makeCellCase(plugin, config, { seed: 3, T: 6, B: 3 });
      expectResultsClose(runCellHost(c, 'sequence', { mask: c.mask }), runCellHost(c, 'step-loop', { mask: c.mask }), c, `${plugin.kind} cpu`, TOLERANCE);
      const fused = cellGradients(c, 'sequence', { masked: true });
      const loop = cellGradients(c, 'step-loop', { masked: true });
      for (const name of differentiableNames(c)) {
        expectClose(fused.gradients[name] as Float32Array, loop.gradients[name] as Float32Array, { ...TOLERANCE, label: `${plugin.kind} cpu d/d${name}` });
      }
    });
  }
});
