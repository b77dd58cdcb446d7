import { createRegistry, initWeights, resolveModel, type CellPlugin, type JsonValue, type WeightMap } from '@unfold/core';
import { describe, expect, it } from 'vitest';
import { gruCell } from '../../src/gru/gru';
import { LSTM_GATES } from '../../src/lstm/layout';
import { lstmCell } from '../../src/lstm/lstm';
import { rnnCell } from '../../src/rnn/rnn';

function init(plugin: CellPlugin, config: Record<string, JsonValue>, seed = 4): WeightMap {
  return initWeights(resolveModel(createRegistry([plugin]), { kind: plugin.kind, config }), seed);
}

describe('initialisation: PyTorch default U(−1/√H, 1/√H) for every weight and bias', () => {
  const H = 64;
  const bound = 1 / Math.sqrt(H);
  const cases: readonly [CellPlugin, Record<string, JsonValue>, Record<string, number[]>][] = [
    [rnnCell, { inputSize: 5, hiddenSize: H }, { W: [H, 5], R: [H, H], B: [2 * H] }],
    [lstmCell, { inputSize: 5, hiddenSize: H, peepholes: true }, { W: [4 * H, 5], R: [4 * H, H], B: [8 * H], P: [3 * H] }],
    [gruCell, { inputSize: 5, hiddenSize: H }, { W: [3 * H, 5], R: [3 * H, H], B: [6 * H] }],
  ];
  for (const [plugin, config, shapes] of cases) {
    it(`${plugin.kind}: ONNX shapes, values inside ±1/√H and spread over the interval`, () => {
      const weights = init(plugin, config);
      expect(Object.fromEntries(Object.entries(weights).map(([name, t]) => [name, t.shape]))).toEqual(shapes);
      for (const [name, tensor] of Object.entries(weights)) {
        const values = Array.from(tensor.data);
        expect(values.every((v) => Math.abs(v) <= bound), name).toBe(true);
        expect(Math.min(...values), name).toBeLessThan(-0.9 * bound);
        expect(Math.max(...values), name).toBeGreaterThan(0.9 * bound);
        expect(Math.abs(values.reduce((a, b) => a + b, 0) / values.length), name).toBeLessThan(0.2 * bound);
      }
    });
  }

  it('bias: false declares no B', () => {
    expect(Object.keys(init(gruCell, { inputSize: 2, hiddenSize: 3, bias: false }))).toEqual(['W', 'R']);
    expect(Object.keys(init(lstmCell, { inputSize: 2, hiddenSize: 3, bias: false }))).toEqual(['W', 'R']);
    expect(Object.keys(init(rnnCell, { inputSize: 2, hiddenSize: 3, bias: false }))).toEqual(['W', 'R']);
  });
});

describe('lstm forgetBias', () => {
  it('adds forgetBias to the initial Wbf slice only (ONNX gate order i, o, f, c)', () => {
    const H = 8;
    const plain = init(lstmCell, { inputSize: 3, hiddenSize: H }).B?.data as Float32Array;
    const shifted = init(lstmCell, { inputSize: 3, hiddenSize: H, forgetBias: 1 }).B?.data as Float32Array;
    const forget = LSTM_GATES.f * H;
    for (let k = 0; k < 8 * H; k++) {
      const expected = k >= forget && k < forget + H ? Math.fround((plain[k] as number) + 1) : plain[k];
      expect(shifted[k], `B[${k}]`).toBe(expected);
    }
  });
});
