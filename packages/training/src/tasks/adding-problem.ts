import { ConfigError, Rng } from '@unfold/core';
import type { SequenceData } from '../data/sequence-data';

/**
 * The adding problem (Hochreiter & Schmidhuber 1997; the form of Le, Jaitly & Hinton 2015): each step
 * has two inputs, a value v ~ U(0, 1) and a marker m ∈ {0, 1}. Exactly two steps are marked, one in each
 * half of the sequence; the target is the sum of the two marked values.
 *
 *   x [N][T][2] = (vₜ, mₜ),   y [N][1] = Σₜ mₜ vₜ
 *
 * Predicting the mean (1) scores MSE 1/6 ≈ 0.167 (the variance of a sum of two U(0, 1)); solving it needs
 * memory across the whole sequence.
 */
export function addingProblem(options: { count: number; length: number; seed: number }): SequenceData {
  const { count, length, seed } = options;
  if (!Number.isSafeInteger(length) || length < 2) throw new ConfigError('invalid adding-problem length', { where: 'addingProblem', expected: 'an integer >= 2', got: String(length) });
  const rng = new Rng(seed).fork('adding-problem');
  const half = Math.floor(length / 2);
  const x: number[][][] = [];
  const y: number[][] = [];
  for (let n = 0; n < count; n++) {
    const first = rng.int(half);
    const second = half + rng.int(length - half);
    let sum = 0;
    const sequence: number[][] = [];
    for (let t = 0; t < length; t++) {
      const value = rng.uniform();
      const marked = t === first || t === second ? 1 : 0;
      if (marked) sum += value;
      sequence.push([value, marked]);
    }
    x.push(sequence);
    y.push([sum]);
  }
  return { x, y };
}
