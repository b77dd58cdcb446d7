import { ConfigError, Rng } from '@unfold/core';
import type { SequenceData } from '../data/sequence-data';

/**
 * The algorithmic tasks of Graves, Wayne & Danihelka, "Neural Turing Machines" (2014), §4: copy, repeat
 * copy and associative recall, on random bit vectors with delimiter channels. Steps without a target
 * have `null` targets (masked out of the loss by `fit`), so the loss and the bit-error metric count only
 * the answer phase. Targets are bits in {0, 1}: train a sigmoid output with binary cross-entropy (or MSE)
 * and read a bit as 1 when the output is above 0.5 (`bitErrors`). Literature's training: RMSProp or Adam
 * with the gradients clipped (Graves et al. clip each gradient component to [−10, 10]; we default to
 * `COPY_TASK_TRAINING.clipNorm`, the global norm).
 */
export interface BitTaskOptions {
  /** Sequences to make. */
  readonly count: number;
  /** Bits per vector (Graves: 8). */
  readonly bits: number;
  /** Shortest and longest sequence of vectors, both included. */
  readonly minLength: number;
  readonly maxLength: number;
  readonly seed: number;
}

/**
 * The training defaults for these tasks (the learning test, the bench experiment and
 * examples/specs/ntm-copy.json): binary cross-entropy on the sigmoid outputs (Graves et al.'s loss), the
 * gradient norm clipped at 10, Adam at 5e-3 with its moments restarted every 16 updates (`restartEvery`).
 * Keep one `fit` call over the whole stream; tools/bench/src/experiments/ntm-copy.ts also decays the rate
 * along a cosine to 1e-4 over its run (`schedules.cosine`). Measured there on copy (tools/bench/results/
 * ntm-copy.md): one Adam over the run with MSE left two of three seeds on a partial solution (3.8% and 5.3%
 * bit error), the restarts and the cross-entropy took them under 1%.
 */
export const COPY_TASK_TRAINING = Object.freeze({ loss: 'binary-cross-entropy' as const, clipNorm: 10, optimizer: Object.freeze({ kind: 'adam' as const, learningRate: 5e-3, restartEvery: 16 }) });

function check(where: string, options: BitTaskOptions): void {
  const { count, bits, minLength, maxLength } = options;
  const ok = [count, bits, minLength, maxLength].every((v) => Number.isSafeInteger(v) && v >= 1) && minLength <= maxLength;
  if (!ok) throw new ConfigError(`invalid ${where} options`, { where, expected: 'count, bits, minLength <= maxLength: integers >= 1', got: JSON.stringify({ count, bits, minLength, maxLength }) });
}

function randomBits(rng: Rng, bits: number): number[] {
  return Array.from({ length: bits }, () => (rng.uniform() < 0.5 ? 0 : 1));
}

const zeros = (n: number) => new Array<number>(n).fill(0);

/**
 * Copy: L random vectors of `bits` bits (L uniform in [minLength, maxLength]), a delimiter step, then L
 * blank steps during which the target is the L vectors in order.
 *
 *   x [2L+1][bits + 1]: (vₜ, 0) for t < L;  (0…0, 1) at t = L;  zeros after
 *   y [2L+1]:           null for t <= L;    v_{t−L−1} [bits] after
 */
export function copyTask(options: BitTaskOptions): SequenceData {
  check('copyTask', options);
  const rng = new Rng(options.seed).fork('copy');
  const { bits } = options;
  const x: number[][][] = [];
  const y: (number[] | null)[][] = [];
  for (let n = 0; n < options.count; n++) {
    const length = options.minLength + rng.int(options.maxLength - options.minLength + 1);
    const vectors = Array.from({ length }, () => randomBits(rng, bits));
    x.push([...vectors.map((v) => [...v, 0]), [...zeros(bits), 1], ...vectors.map(() => zeros(bits + 1))]);
    y.push([...vectors.map(() => null), null, ...vectors.map((v) => [...v])]);
  }
  return { x, y };
}

/**
 * Repeat copy: L vectors, then a delimiter step whose second extra channel holds the repeat count
 * r / maxRepeats (r uniform in [1, maxRepeats]); the target is the vectors r times over, then an end
 * marker (its own output channel).
 *
 *   x [L + 1 + rL + 1][bits + 2]: (vₜ, 0, 0); (0…0, 1, r / maxRepeats); zeros
 *   y: null for the first L + 1 steps, then (v, 0) r times over, then (0…0, 1)
 */
export function repeatCopyTask(options: BitTaskOptions & { readonly maxRepeats: number }): SequenceData {
  check('repeatCopyTask', options);
  const rng = new Rng(options.seed).fork('repeat-copy');
  const { bits, maxRepeats } = options;
  const x: number[][][] = [];
  const y: (number[] | null)[][] = [];
  for (let n = 0; n < options.count; n++) {
    const length = options.minLength + rng.int(options.maxLength - options.minLength + 1);
    const repeats = 1 + rng.int(maxRepeats);
    const vectors = Array.from({ length }, () => randomBits(rng, bits));
    const answer = Array.from({ length: repeats }, () => vectors.map((v) => [...v, 0])).flat();
    x.push([...vectors.map((v) => [...v, 0, 0]), [...zeros(bits), 1, repeats / maxRepeats], ...answer.map(() => zeros(bits + 2)), zeros(bits + 2)]);
    y.push([...vectors.map(() => null), null, ...answer, [...zeros(bits), 1]]);
  }
  return { x, y };
}

/**
 * Associative recall: `items` items (uniform in [minLength, maxLength], at least 2) of `itemLength`
 * vectors each, every item opened by a delimiter step (channel bits); then a query delimiter (channel
 * bits + 1), a copy of one item (not the last); the target, over the next itemLength blank steps, is the
 * item that followed the queried one.
 */
export function associativeRecallTask(options: BitTaskOptions & { readonly itemLength: number }): SequenceData {
  check('associativeRecallTask', options);
  if (options.maxLength < 2) throw new ConfigError('associative recall needs at least 2 items', { where: 'associativeRecallTask', expected: 'maxLength >= 2', got: String(options.maxLength) });
  const rng = new Rng(options.seed).fork('associative-recall');
  const { bits, itemLength } = options;
  const x: number[][][] = [];
  const y: (number[] | null)[][] = [];
  for (let n = 0; n < options.count; n++) {
    const count = Math.max(2, options.minLength + rng.int(options.maxLength - options.minLength + 1));
    const items = Array.from({ length: count }, () => Array.from({ length: itemLength }, () => randomBits(rng, bits)));
    const query = rng.int(count - 1);
    const steps: number[][] = [];
    for (const item of items) steps.push([...zeros(bits), 1, 0], ...item.map((v) => [...v, 0, 0]));
    steps.push([...zeros(bits), 0, 1], ...(items[query] as number[][]).map((v) => [...v, 0, 0]), [...zeros(bits), 0, 1]);
    const answer = items[query + 1] as number[][];
    x.push([...steps, ...answer.map(() => zeros(bits + 2))]);
    y.push([...steps.map(() => null), ...answer.map((v) => [...v])]);
  }
  return { x, y };
}

/** Bit errors of predictions against a bit task's targets (steps with a null target are not counted). */
export interface BitErrors {
  /** Wrong bits per sequence (Graves et al.'s "cost per sequence, bits"). */
  readonly perSequence: number[];
  /** Mean of perSequence. */
  readonly meanPerSequence: number;
  /** Wrong bits / target bits, over all sequences. */
  readonly rate: number;
  /** Sequences with no wrong bit. */
  readonly perfect: number;
}

/** Counts bits where (prediction > 0.5) differs from the target, at steps with a target. */
export function bitErrors(predictions: readonly (readonly (readonly number[])[])[], targets: SequenceData['y']): BitErrors {
  let wrong = 0;
  let total = 0;
  const perSequence = predictions.map((sequence, n) => {
    const target = targets[n];
    if (!Array.isArray(target)) throw new ConfigError('bitErrors needs per-step targets', { where: 'bitErrors', expected: 'targets [N][T][bits] (null at steps without one)', got: typeof target });
    let errors = 0;
    target.forEach((row, t) => {
      if (row === null || typeof row === 'number') return;
      (row as readonly number[]).forEach((bit: number, i: number) => {
        total++;
        if ((((sequence[t] as readonly number[])[i] as number) > 0.5 ? 1 : 0) !== (bit > 0.5 ? 1 : 0)) errors++;
      });
    });
    wrong += errors;
    return errors;
  });
  return { perSequence, meanPerSequence: perSequence.reduce((a, b) => a + b, 0) / Math.max(perSequence.length, 1), rate: total ? wrong / total : 0, perfect: perSequence.filter((e) => e === 0).length };
}
