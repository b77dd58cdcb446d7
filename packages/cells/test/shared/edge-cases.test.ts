import * as tf from '@tensorflow/tfjs-core';
import { createRegistry, initWeights, resolveModel, setupBackend, type CellPlugin, type JsonValue } from '@unfold/core';
import { expectBitEqual, expectClose, weightsToTensors } from '@unfold/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gruCell } from '../../src/gru/gru';
import { lstmCell } from '../../src/lstm/lstm';
import { rnnCell } from '../../src/rnn/rnn';

const BATCH = 3;
const I = 2;
const H = 4;
const cells: readonly { plugin: CellPlugin; config: Record<string, JsonValue> }[] = [
  { plugin: rnnCell, config: { inputSize: I, hiddenSize: H } },
  { plugin: lstmCell, config: { inputSize: I, hiddenSize: H, peepholes: true, clip: 3 } },
  { plugin: gruCell, config: { inputSize: I, hiddenSize: H, linearBeforeReset: false } },
];

beforeAll(async () => {
  await setupBackend();
});

for (const { plugin, config: raw } of cells) {
  describe(`${plugin.kind} fused path edge cases`, () => {
    const config = plugin.validate(raw);
    const sizes = plugin.state(config).map((s) => s.size as number); // the cells of this package declare [B, size] states
    const weights = initWeights(resolveModel(createRegistry([plugin]), { kind: plugin.kind, config: raw }), 2);
    const names = Object.keys(weights);
    let params: Record<string, tf.Tensor> = {};
    beforeAll(() => {
      params = weightsToTensors(weights);
    });
    afterAll(() => tf.dispose(Object.values(params)));
    const fused = plugin.sequence;
    if (!fused) throw new Error(`${plugin.kind} has no fused path`);
    const sequence = fused.bind(plugin);

    /** Gradients of Σ final state ⊙ G (and Σ outputs) w.r.t. x, the initial states and every parameter. */
    function gradients(T: number, mask?: tf.Tensor2D, B = BATCH): { initial: Float32Array[]; G: Float32Array[]; grads: Float32Array[]; outputs: Float32Array; final: Float32Array[] } {
      return tf.tidy(() => {
        const x = tf.randomUniform<tf.Rank.R3>([T, B, I], -1, 1, 'float32', 1);
        const state = sizes.map((size, k) => tf.randomUniform<tf.Rank.R2>([B, size], -1, 1, 'float32', 10 + k));
        const G = sizes.map((size, k) => tf.randomUniform<tf.Rank.R2>([B, size], -1, 1, 'float32', 20 + k));
        let outputs = new Float32Array();
        let final: Float32Array[] = [];
        const f = (...args: tf.Tensor[]): tf.Scalar => {
          const p = Object.fromEntries(names.map((name, k) => [name, args[1 + sizes.length + k] as tf.Tensor]));
          const result = sequence(p, args[0] as tf.Tensor3D, args.slice(1, 1 + sizes.length) as tf.Tensor2D[], config, mask ? { mask } : {});
          outputs = Float32Array.from(result.outputs.dataSync());
          final = result.state.map((s) => Float32Array.from(s.dataSync()));
          return tf.addN([tf.sum(result.outputs), ...result.state.map((s, k) => tf.sum(tf.mul(s, G[k] as tf.Tensor)))]) as tf.Scalar;
        };
        const grads = tf.grads(f)([x, ...state, ...names.map((name) => params[name] as tf.Tensor)]);
        return { initial: state.map((s) => Float32Array.from(s.dataSync())), G: G.map((g) => Float32Array.from(g.dataSync())), grads: grads.map((g) => Float32Array.from(g.dataSync())), outputs, final };
      }) as never;
    }

    it('T = 0: no outputs, the initial state passes through, dstate = dfinal and every other gradient is 0', () => {
      const { initial, G, grads, outputs, final } = gradients(0);
      expect(outputs).toHaveLength(0);
      initial.forEach((s, k) => expectBitEqual(final[k] as Float32Array, s, `final state ${k}`));
      expect(grads[0]).toHaveLength(0);
      G.forEach((g, k) => expectBitEqual(grads[1 + k] as Float32Array, g, `d initial state ${k}`));
      for (const g of grads.slice(1 + sizes.length)) expect(g.every((v) => v === 0)).toBe(true);
    });

    it('an empty batch (B = 0) gives empty outputs and zero parameter gradients', () => {
      const { grads, outputs, final } = gradients(4, undefined, 0);
      expect(outputs).toHaveLength(0);
      expect(final.every((s) => s.length === 0)).toBe(true);
      for (const g of grads.slice(1 + sizes.length)) expect(g.every((v) => v === 0)).toBe(true);
    });

    it('an all-padding mask carries the state, outputs 0 and passes the gradient straight through', () => {
      const T = 4;
      const mask = tf.zeros<tf.Rank.R2>([T, BATCH]);
      const { initial, G, grads, outputs, final } = gradients(T, mask);
      mask.dispose();
      expect(outputs.every((v) => v === 0)).toBe(true);
      initial.forEach((s, k) => expectBitEqual(final[k] as Float32Array, s, `final state ${k}`));
      G.forEach((g, k) => expectClose(grads[1 + k] as Float32Array, g, { atol: 0, rtol: 0, label: `d initial state ${k}` }));
      for (const g of [grads[0] as Float32Array, ...grads.slice(1 + sizes.length)]) expect(g.every((v) => v === 0)).toBe(true);
    });

    it('keeps nothing alive: forward-only, and under a tape whose gradient never reaches the cell', () => {
      const x = tf.randomNormal<tf.Rank.R3>([6, BATCH, I]);
      const state = sizes.map((size) => tf.zeros<tf.Rank.R2>([BATCH, size]));
      const v = tf.variable(tf.scalar(2));
      const before = tf.memory().numTensors;
      const result = sequence(params, x, state, config, {});
      tf.dispose([result.outputs, ...result.state]);
      expect(tf.memory().numTensors).toBe(before);
      const { value, grads } = tf.variableGrads(() => {
        sequence(params, x, state, config, {});
        return tf.square(v) as tf.Scalar;
      }, [v]);
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, ...state, v]);
    });
  });
}
