import { Rng } from '@unfold/core';
import type { SequenceData } from '../data/sequence-data';

/**
 * A two-time-scale task: the input is white noise u(t) ~ U(−1, 1); the two targets need memory at very
 * different time scales (Goodfellow et al. 2016, §10.9 motivates leaky units with it):
 *
 *   fast: y₁(t) = u(t − 1)                                       (one step of memory)
 *   slow: y₂(t) = s(t),  s(t) = (1 − a) s(t − 1) + a u(t),  a = `slowRate` (default 0.02: ~50 steps)
 *
 * s starts at 0, so both targets depend only on inputs the model has seen. The slow target is scaled by
 * 1/√(a/(2−a)) so it has the input's variance (1/3), like the fast target: both count equally in the MSE.
 * Per-step targets: x [N][T][1], y [N][T][2].
 */
export function twoTimescale(options: { count: number; length: number; seed: number; slowRate?: number }): SequenceData {
  const { count, length, seed, slowRate = 0.02 } = options;
  const rng = new Rng(seed).fork('two-timescale');
  const scale = 1 / Math.sqrt(slowRate / (2 - slowRate));
  const x: number[][][] = [];
  const y: number[][][] = [];
  for (let n = 0; n < count; n++) {
    let slow = 0;
    let previous = 0;
    const inputs: number[][] = [];
    const targets: number[][] = [];
    for (let t = 0; t < length; t++) {
      const u = rng.uniformIn(-1, 1);
      slow = (1 - slowRate) * slow + slowRate * u;
      inputs.push([u]);
      targets.push([previous, slow * scale]);
      previous = u;
    }
    x.push(inputs);
    y.push(targets);
  }
  return { x, y };
}
