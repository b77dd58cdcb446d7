import * as tf from '@tensorflow/tfjs-core';
import { defineCell, defineConfig, field, uniform, type CellOnnxContext, type HostTensor, type OnnxConstant, type OnnxGraphBuilder } from '@unfold/core';
import { ACME, sizeFields } from './acme';

/**
 * A third-party cell no native ONNX op computes, exported as a `Scan` whose body is plain
 * MatMul / Add / Tanh / Where nodes. Two states of different sizes exercise the state plumbing.
 *
 *   z      = tanh(x Wᵀ + h Rᵀ + b)        x [B, I], W [H, I], R [H, H], b [H]
 *   h'     = (1 − a)·h + a·z              leaky integration, a = config.leak
 *   count' = count + 1                    count [B, 1]: the number of real steps taken
 *   output = h'
 *
 * Padding (steps at or past a sequence's length) keeps both states and outputs 0, selected with Where
 * so real steps are bit-identical to an unmasked step. A reversed run reverses each sequence within its
 * length with ReverseSequence before and after the Scan.
 */
export const leakyCounterCell = defineCell({
  ...ACME,
  kind: 'acme/leaky-counter',
  summary: "test cell: h' = (1 − a)h + a·tanh(x Wᵀ + h Rᵀ + b), count' = count + 1, exported as a Scan",
  config: defineConfig({
    ...sizeFields,
    leak: field.number({ doc: 'leak rate a', min: 0, max: 1, default: 0.6 }),
  }),
  inputSize: (config) => config.inputSize,
  outputSize: (config) => config.hiddenSize,
  state: (config) => [
    { name: 'h', size: config.hiddenSize },
    { name: 'count', size: 1 },
  ],
  parameters(config) {
    const k = 1 / Math.sqrt(config.hiddenSize);
    return [
      { name: 'W', shape: [config.hiddenSize, config.inputSize], init: uniform(-k, k) },
      { name: 'R', shape: [config.hiddenSize, config.hiddenSize], init: uniform(-k, k) },
      { name: 'b', shape: [config.hiddenSize], init: uniform(-k, k) },
    ];
  },
  step(params, x, state, config) {
    return tf.tidy(() => {
      const [h, count] = state as [tf.Tensor2D, tf.Tensor2D];
      const z = tf.tanh(tf.add(tf.add(tf.matMul(x, params.W as tf.Tensor2D, false, true), tf.matMul(h, params.R as tf.Tensor2D, false, true)), params.b as tf.Tensor1D));
      const hNext = tf.add(tf.mul(h, 1 - config.leak), tf.mul(z, config.leak)) as tf.Tensor2D;
      return { output: hNext, state: [hNext, tf.add(count, 1) as tf.Tensor2D] };
    });
  },
  onnx: scanMapping,
});

function transposed(w: HostTensor): HostTensor {
  const [rows, cols] = w.shape as [number, number];
  return { shape: [cols, rows], data: Float32Array.from({ length: rows * cols }, (_, i) => w.data[(i % rows) * cols + Math.floor(i / rows)] as number) };
}

const scalar = (value: number): HostTensor => ({ shape: [], data: Float32Array.of(value) });
const int64 = (values: readonly number[], shape = [values.length]): OnnxConstant => ({ dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) });

/** [T, B, 1] bool: true at real steps (t < length). */
function realSteps(graph: OnnxGraphBuilder, input: string, sequenceLens: string): string {
  const [shape] = graph.node('Shape', [input]);
  const [time] = graph.node('Gather', [shape as string, graph.constant('t_axis', int64([0], []))], { axis: 0 });
  const [steps] = graph.node('Range', [graph.constant('t0', int64([0], [])), time as string, graph.constant('dt', int64([1], []))]);
  const [stepColumn] = graph.node('Unsqueeze', [steps as string, graph.constant('axis_1', int64([1]))]);
  const [lengths] = graph.node('Cast', [sequenceLens], { to: 7 }); // INT64
  const [real] = graph.node('Less', [stepColumn as string, lengths as string]);
  return graph.node('Unsqueeze', [real as string, graph.constant('axis_2', int64([2]))], {}, { stem: 'real' })[0] as string;
}

/** int32 [B] lengths T for a time-major input [T, B, I], for callers that give no lengths. */
function fullLengths(graph: OnnxGraphBuilder, input: string): string {
  const [shape] = graph.node('Shape', [input]);
  const [time] = graph.node('Slice', [shape as string, graph.constant('t_from', int64([0])), graph.constant('t_to', int64([1]))]);
  const [batch] = graph.node('Slice', [shape as string, graph.constant('b_from', int64([1])), graph.constant('b_to', int64([2]))]);
  const [time32] = graph.node('Cast', [time as string], { to: 6 }); // INT32
  return graph.node('Expand', [time32 as string, batch as string], {}, { stem: 'full_lengths' })[0] as string;
}

function scanMapping({ graph, config, weights, input, initialState, sequenceLens, reverse }: CellOnnxContext<{ readonly inputSize: number; readonly hiddenSize: number; readonly leak: number }>) {
  const H = config.hiddenSize;
  const lengths = sequenceLens ?? fullLengths(graph, input);
  const lengths64 = graph.node('Cast', [lengths], { to: 7 })[0] as string;
  const x = reverse ? (graph.node('ReverseSequence', [input, lengths64], { batch_axis: 1, time_axis: 0 })[0] as string) : input;
  const real = realSteps(graph, input, lengths);
  const Wt = graph.constant('W_t', transposed(weights.W as HostTensor));
  const Rt = graph.constant('R_t', transposed(weights.R as HostTensor));
  const b = graph.constant('b', weights.b as HostTensor);
  const keep = graph.constant('keep', scalar(1 - config.leak));
  const leak = graph.constant('leak', scalar(config.leak));
  const one = graph.constant('one', scalar(1));
  const zero = graph.constant('zero', scalar(0));
  const body = graph.subgraph(
    'step',
    {
      inputs: [
        { dtype: 'float32', shape: [null, H], stem: 'h' },
        { dtype: 'float32', shape: [null, 1], stem: 'count' },
        { dtype: 'float32', shape: [null, config.inputSize], stem: 'x_t' },
        { dtype: 'bool', shape: [null, 1], stem: 'real_t' },
      ],
      outputs: [{ dtype: 'float32', shape: [null, H] }, { dtype: 'float32', shape: [null, 1] }, { dtype: 'float32', shape: [null, H] }],
    },
    (step, [h, count, xt, isReal]) => {
      const [xw] = step.node('MatMul', [xt as string, Wt]);
      const [hr] = step.node('MatMul', [h as string, Rt]);
      const [sum] = step.node('Add', [xw as string, hr as string]);
      const [z] = step.node('Tanh', [step.node('Add', [sum as string, b])[0] as string]);
      const [kept] = step.node('Mul', [h as string, keep]);
      const [drive] = step.node('Mul', [z as string, leak]);
      const [hNext] = step.node('Add', [kept as string, drive as string]);
      const [countNext] = step.node('Add', [count as string, one]);
      return [
        step.node('Where', [isReal as string, hNext as string, h as string], {}, { stem: 'h_next' })[0] as string,
        step.node('Where', [isReal as string, countNext as string, count as string], {}, { stem: 'count_next' })[0] as string,
        step.node('Where', [isReal as string, hNext as string, zero], {}, { stem: 'y_t' })[0] as string,
      ];
    },
  );
  const [h, count, ys] = graph.node('Scan', [initialState[0] as string, initialState[1] as string, x, real], { body, num_scan_inputs: 2 }, { outputs: 3, stem: 'scan' }) as [string, string, string];
  const outputs = reverse ? (graph.node('ReverseSequence', [ys, lengths64], { batch_axis: 1, time_axis: 0 })[0] as string) : ys;
  return { outputs, finalState: [h, count] };
}
