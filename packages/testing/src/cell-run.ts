import * as tf from '@tensorflow/tfjs-core';
import { hostTensor, type CellPlugin, type CellSequenceResult, type HostTensor, type ParamTensors } from '@unfold/core';
import { weightsToTensors, type CellCase } from './cell-case';

/**
 * Running a cell over a sequence, two ways: the plugin's fused `sequence` path, and the oracle below,
 * a plain loop of `step` that is the reference the fused path must agree with. The oracle is kept
 * deliberately simple and independent of @unfold/architectures (which own the real time loop).
 */
export type CellPath = 'sequence' | 'step-loop';

/** The fused path when the plugin has one, else the step loop. */
export function preferredPath(plugin: CellPlugin): CellPath {
  return plugin.sequence ? 'sequence' : 'step-loop';
}

/**
 * Loops `step` over x [T, B, I] (time-major). With a mask [T, B] (1 real, 0 padding), a padded step
 * carries the state unchanged and outputs 0: state' = m·step + (1 − m)·state, output = m·step (exact for
 * m ∈ {0, 1}). Every returned tensor is new and owned by the caller; intermediates are disposed.
 */
export function runStepLoop<C>(
  plugin: CellPlugin<string, C>,
  params: ParamTensors,
  x: tf.Tensor3D,
  state: readonly tf.Tensor[],
  config: NoInfer<C>,
  mask?: tf.Tensor2D,
): CellSequenceResult {
  return tf.tidy(() => {
    const [T, B, I] = x.shape;
    let current: tf.Tensor[] = [...state];
    const outputs: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      const xt = tf.reshape(tf.slice(x, [t, 0, 0], [1, B, I]), [B, I]) as tf.Tensor2D;
      const result = plugin.step(params, xt, current, config);
      if (!mask) {
        outputs.push(result.output);
        current = [...result.state];
        continue;
      }
      const m = tf.reshape(tf.slice(mask, [t, 0], [1, B]), [B, 1]);
      const keep = tf.sub(tf.scalar(1), m);
      outputs.push(tf.mul(result.output, m) as tf.Tensor2D);
      // m and keep are [B, 1]; a state of rank r > 2 ([B, N, M]) takes them as [B, 1, 1].
      const at = (v: tf.Tensor, rank: number) => (rank > 2 ? tf.reshape(v, [B, ...Array.from({ length: rank - 1 }, () => 1)]) : v);
      current = result.state.map((next, k) => tf.add(tf.mul(next, at(m, next.rank)), tf.mul(current[k] as tf.Tensor, at(keep, next.rank))));
    }
    const stacked = T === 0 ? tf.zeros([0, B, plugin.outputSize(config)]) : tf.stack(outputs);
    // At T = 0 (or when a step passes a state through) the state would be the caller's own tensors;
    // return copies so the caller may always dispose the whole result.
    return { outputs: stacked as tf.Tensor3D, state: current.map((s) => (state.includes(s) ? tf.clone(s) : s)) };
  });
}

/** Runs one path; the fused path is called inside a tidy, as an architecture would. */
export function runCellPath<C>(
  plugin: CellPlugin<string, C>,
  path: CellPath,
  params: ParamTensors,
  x: tf.Tensor3D,
  state: readonly tf.Tensor[],
  config: NoInfer<C>,
  mask?: tf.Tensor2D,
): CellSequenceResult {
  if (path === 'step-loop') return runStepLoop(plugin, params, x, state, config, mask);
  const sequence = plugin.sequence;
  if (!sequence) throw new Error(`runCellPath: cell ${JSON.stringify(plugin.kind)} has no fused sequence path; use 'step-loop'`);
  return tf.tidy(() => {
    const result = sequence.call(plugin, params, x, state, config, mask ? { mask } : {});
    return { outputs: result.outputs, state: [...result.state] };
  });
}

/** Disposes a result's tensors except those in `inputs` (a cell may hand an input tensor back). */
export function disposeResult(result: CellSequenceResult, inputs: readonly tf.Tensor[]): void {
  for (const tensor of [result.outputs, ...result.state]) if (!inputs.includes(tensor)) tensor.dispose();
}

export interface HostCellResult {
  readonly outputs: HostTensor;
  readonly state: readonly HostTensor[];
}

/** Overrides of a case's inputs for one run. */
export interface CellRunInputs {
  readonly weights?: Readonly<Record<string, HostTensor>>;
  readonly x?: HostTensor;
  readonly state0?: readonly HostTensor[];
  /** A [T, B] mask, or undefined (the default) for none. */
  readonly mask?: HostTensor;
}

function toHost(tensor: tf.Tensor): HostTensor {
  return hostTensor(tensor.shape, Float32Array.from(tensor.dataSync()));
}

/** Runs a case on one path from host memory to host memory; no tensor outlives the call. */
export function runCellHost(c: CellCase, path: CellPath, inputs: CellRunInputs = {}): HostCellResult {
  const params = weightsToTensors(inputs.weights ?? c.weights);
  const xHost = inputs.x ?? c.x;
  const x = tf.tensor3d(xHost.data, xHost.shape as [number, number, number]);
  const state = (inputs.state0 ?? c.state0).map((s) => tf.tensor(s.data, s.shape as number[]));
  const mask = inputs.mask ? tf.tensor2d(inputs.mask.data, inputs.mask.shape as [number, number]) : undefined;
  const owned = [...Object.values(params), x, ...state, ...(mask ? [mask] : [])];
  try {
    const result = runCellPath(c.plugin, path, params, x, state, c.config, mask);
    try {
      return { outputs: toHost(result.outputs), state: result.state.map(toHost) };
    } finally {
      disposeResult(result, owned);
    }
  } finally {
    tf.dispose(owned);
  }
}
