import * as tf from '@tensorflow/tfjs-core';
import { hostTensor, type CellPlugin, type HostTensor } from '@unfold/core';
import { compareClose, maxAbsDiff as absDiff, runCellPath, weightsToTensors, type CellPath } from '@unfold/testing';
import type { DirectionCase } from './fixture-cases';

/** Golden comparisons use |a − b| <= 1e-5 + 1e-5·|b| (b the fixture value). */
export const FIXTURE_TOLERANCE = { atol: 1e-5, rtol: 1e-5 } as const;

/** x [T, B, I] with each sequence b reversed within its length L_b (steps past L_b left as they are). */
function reverseWithin(x: HostTensor, lengths: readonly number[]): HostTensor {
  const [T = 0, B = 0, N = 0] = x.shape;
  const out = Float32Array.from(x.data);
  for (let b = 0; b < B; b++) {
    const L = lengths[b] as number;
    for (let t = 0; t < L; t++) out.set(x.data.subarray(((L - 1 - t) * B + b) * N, ((L - 1 - t) * B + b + 1) * N), (t * B + b) * N);
  }
  return hostTensor([T, B, N], out);
}

/**
 * Runs a cell over one direction case on one path, as a layer would: the reverse direction over each
 * sequence reversed within its length, padding masked. Returns outputs [T, B, H] in the original time
 * order and the final states.
 */
export function runDirectionCase<C>(plugin: CellPlugin<string, C>, config: C, c: DirectionCase, path: CellPath): { outputs: HostTensor; state: HostTensor[] } {
  const [T = 0, B = 0] = c.x.shape;
  const lengths = c.lengths ?? new Array<number>(B).fill(T);
  const x = c.reverse ? reverseWithin(c.x, lengths) : c.x;
  const params = weightsToTensors(c.weights);
  try {
    return runOnTensors(plugin, config, c, path, params, x, lengths);
  } finally {
    tf.dispose(Object.values(params));
  }
}

function runOnTensors<C>(plugin: CellPlugin<string, C>, config: C, c: DirectionCase, path: CellPath, params: Record<string, tf.Tensor>, x: HostTensor, lengths: readonly number[]): { outputs: HostTensor; state: HostTensor[] } {
  const [T = 0, B = 0] = c.x.shape;
  const sizes = plugin.state(config).map((s) => s.size as number); // the cells of this package declare [B, size] states
  const result = tf.tidy(() => {
    const state = sizes.map((size, k): tf.Tensor2D => {
      const given = c.state0[k];
      return given ? tf.tensor2d(given.data, [B, size]) : tf.zeros([B, size]);
    });
    const mask = c.lengths ? tf.tensor2d(Float32Array.from({ length: T * B }, (_, k) => (Math.floor(k / B) < (lengths[k % B] as number) ? 1 : 0)), [T, B]) : undefined;
    const run = runCellPath(plugin, path, params, tf.tensor3d(x.data, [T, B, x.shape[2] as number]), state, config, mask);
    return { outputs: run.outputs, state: [...run.state] };
  });
  const y = hostTensor(result.outputs.shape, Float32Array.from(result.outputs.dataSync()));
  const state = result.state.map((s) => hostTensor(s.shape, Float32Array.from(s.dataSync())));
  tf.dispose([result.outputs, ...result.state]);
  // The reverse direction's output for original step t sits at L_b − 1 − t: reversing within the lengths again restores the order.
  return { outputs: c.reverse ? reverseWithin(y, lengths) : y, state };
}

/** The largest |a − b| of each compared quantity, and the failures, of one direction case. */
export interface CaseReport {
  readonly name: string;
  readonly maxAbsDiff: number;
  readonly failures: readonly string[];
}

/** Compares a run with the fixture's expected outputs and final states. */
export function compareDirectionCase(c: DirectionCase, actual: { outputs: HostTensor; state: readonly HostTensor[] }, label: string): CaseReport {
  let maxAbsDiff = 0;
  const failures: string[] = [];
  const compare = (got: ArrayLike<number>, expected: ArrayLike<number>, what: string): void => {
    const report = compareClose(got, expected, FIXTURE_TOLERANCE);
    maxAbsDiff = Math.max(maxAbsDiff, absDiff(got, expected));
    if (report.failures > 0) failures.push(`${label} ${what}: ${report.failures} element(s) off, worst #${report.worst?.index} got ${report.worst?.actual} expected ${report.worst?.expected}`);
  };
  if (c.outputs) compare(actual.outputs.data, c.outputs.data, 'outputs');
  c.finalState.forEach((expected, k) => expected && compare((actual.state[k] as HostTensor).data, expected.data, `final state ${k}`));
  return { name: label, maxAbsDiff, failures };
}
