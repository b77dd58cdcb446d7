import * as tf from '@tensorflow/tfjs-core';
import { defineCell, int64Constant, uniform, type HostTensor } from '@unfold/core';
import { hiddenVectorCell } from './acme';

/**
 * A third-party cell defined in the tests with only a `step` (tfjs ops) and a per-step ONNX mapping
 * (`onnxStep`): no `sequence`, no whole-sequence `onnx`. Training differentiates `step`; the exporter's
 * shared Scan emitter runs `onnxStep` and owns padding, reversal, T = 0 and the final state.
 *
 * A minimal gated unit (G.-B. Zhou, J. Wu, C.-L. Zhang, Z.-H. Zhou, "Minimal gated unit for recurrent
 * neural networks", 2016): one forget gate that also gates the recurrent input of the candidate.
 *
 *   [pf, ph] = x Wᵀ + b                    W [2H, I] (rows: gate, candidate), b [2H]
 *   f  = σ(pf + h U_fᵀ)                     U_f [H, H]
 *   h̃  = tanh(ph + (f ⊙ h) U_hᵀ)            U_h [H, H]
 *   h' = (1 − f) ⊙ h + f ⊙ h̃               output h'
 */
export const mguCell = defineCell({
  ...hiddenVectorCell,
  kind: 'acme/mgu',
  summary: "test cell: minimal gated unit, h' = (1 − f) ⊙ h + f ⊙ tanh(W_h x + U_h (f ⊙ h) + b_h), exported per step",
  parameters(config) {
    const [I, H] = [config.inputSize, config.hiddenSize];
    const k = 1 / Math.sqrt(H);
    return [
      { name: 'W', shape: [2 * H, I], init: uniform(-k, k), doc: 'input weights [2H, I]: gate rows, then candidate rows' },
      { name: 'Uf', shape: [H, H], init: uniform(-k, k), doc: 'recurrent weights of the gate [H, H]' },
      { name: 'Uh', shape: [H, H], init: uniform(-k, k), doc: 'recurrent weights of the candidate [H, H]' },
      { name: 'b', shape: [2 * H], init: uniform(-k, k), doc: 'bias [2H]' },
    ];
  },
  step(params, x, state, config) {
    return tf.tidy(() => {
      const H = config.hiddenSize;
      const h = state[0] as tf.Tensor2D;
      const projected = tf.add(tf.matMul(x, params.W as tf.Tensor2D, false, true), params.b as tf.Tensor1D) as tf.Tensor2D; // [B, 2H]
      const [pf, ph] = tf.split(projected, [H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
      const f = tf.sigmoid(tf.add(pf, tf.matMul(h, params.Uf as tf.Tensor2D, false, true)));
      const candidate = tf.tanh(tf.add(ph, tf.matMul(tf.mul(f, h), params.Uh as tf.Tensor2D, false, true)));
      const hNext = tf.add(tf.mul(tf.sub(1, f), h), tf.mul(f, candidate)) as tf.Tensor2D;
      return { output: hNext, state: [hNext] };
    });
  },
  onnxStep: {
    prepare({ graph, weights, input }) {
      const W = weights.W as HostTensor;
      const [rows, cols] = W.shape as [number, number];
      const Wt = Float32Array.from({ length: rows * cols }, (_, i) => W.data[(i % rows) * cols + Math.floor(i / rows)] as number); // Wᵀ [I, 2H]
      const [product] = graph.node('MatMul', [input, graph.constant('W_t', { shape: [cols, rows], data: Wt })], {}, { stem: 'input_projection' }) as [string];
      return { input: graph.node('Add', [product, graph.constant('b', weights.b as HostTensor)], {}, { stem: 'projected' })[0] as string, size: rows };
    },
    step({ graph, config, weights, input, state }) {
      const H = config.hiddenSize;
      const transposed = (name: string): string => {
        const U = weights[name] as HostTensor;
        return graph.constant(`${name}_t`, { shape: [H, H], data: Float32Array.from({ length: H * H }, (_, i) => U.data[(i % H) * H + Math.floor(i / H)] as number) });
      };
      const h = state[0] as string;
      const [pf, ph] = graph.node('Split', [input, graph.constant('halves', int64Constant([H, H]))], { axis: 1 }, { outputs: 2, stem: 'p' }) as [string, string];
      const [gateRecurrent] = graph.node('MatMul', [h, transposed('Uf')], {}, { stem: 'gate_recurrent' }) as [string];
      const [f] = graph.node('Sigmoid', [graph.node('Add', [pf, gateRecurrent], {}, { stem: 'gate_pre' })[0] as string], {}, { stem: 'f' }) as [string];
      const [gated] = graph.node('Mul', [f, h], {}, { stem: 'gated' }) as [string];
      const [candidateRecurrent] = graph.node('MatMul', [gated, transposed('Uh')], {}, { stem: 'candidate_recurrent' }) as [string];
      const [candidate] = graph.node('Tanh', [graph.node('Add', [ph, candidateRecurrent], {}, { stem: 'candidate_pre' })[0] as string], {}, { stem: 'candidate' }) as [string];
      const [keep] = graph.node('Sub', [graph.constant('one', { shape: [], data: Float32Array.of(1) }), f], {}, { stem: 'keep' }) as [string];
      const [kept] = graph.node('Mul', [keep, h], {}, { stem: 'kept' }) as [string];
      const [drive] = graph.node('Mul', [f, candidate], {}, { stem: 'drive' }) as [string];
      const [next] = graph.node('Add', [kept, drive], {}, { stem: 'h_next' }) as [string];
      return { output: next, state: [next] };
    },
  },
});
