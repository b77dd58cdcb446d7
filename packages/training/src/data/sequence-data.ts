import { DataError } from '@unfold/core';

/**
 * Training data as plain arrays, the form users hold it in. Sequences may differ in length; the pipeline
 * pads them per batch and masks the padding.
 *
 * - `x`: [N][Tₙ][I] float features, or [N][Tₙ] int token ids for a model that starts with an embedding.
 * - `y`: per-step targets [N][Tₙ][O] (regression) or [N][Tₙ] class ids, for readout "sequence";
 *        last-step targets [N][O] or [N] class ids, for readout "last". A per-step target may be `null`:
 *        that step has no target and is masked out of the loss (the copy task's input phase, say).
 * - `mask` (optional, readout "sequence"): per example, one weight per step in [0, 1], multiplied into
 *        the batch mask (0: the step does not count); an example without one (`undefined`) counts fully.
 */
export interface SequenceData {
  readonly x: readonly (readonly (readonly number[] | number)[])[];
  readonly y: readonly (readonly (readonly number[] | number | null)[] | number)[];
  readonly mask?: readonly (readonly number[] | undefined)[];
}

/** What the model reads and what the loss compares against. */
export interface DataShape {
  readonly input: { readonly kind: 'features' | 'tokens'; readonly size: number };
  readonly target: { readonly readout: 'sequence' | 'last'; readonly kind: 'values' | 'classes'; readonly size: number };
}

/** One validated example in flat typed arrays. */
export interface Example {
  readonly length: number;
  /** [T, I] float32 row-major, or [T] int32 ids. */
  readonly x: Float32Array | Int32Array;
  /** Per step: [T, O] or [T] ids; last step: [O] or [1] id. Zeros at masked steps. */
  readonly y: Float32Array | Int32Array;
  /** Per-step loss weights [T] (0 at a `null` target or where the data's mask says so); absent: all 1. */
  readonly mask?: Float32Array;
}

function fail(where: string, summary: string, expected: string, got: string, fix: string): never {
  throw new DataError(summary, { where, expected, got, fix });
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

function readVector(value: unknown, size: number, where: string, what: string): number[] {
  if (!Array.isArray(value)) fail(where, `${what} is not a list of numbers`, `a list of ${size} numbers`, describe(value), 'give every step the same number of values');
  if (value.length !== size) fail(where, `ragged ${what}`, `${size} values`, `${value.length}`, 'give every step the same number of values (pad or trim the features)');
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where}[${i}]`, `non-finite ${what} value`, 'a finite number', describe(v), 'clean the data (NaN often comes from missing values or division by zero)');
  });
  return value as number[];
}

function readClass(value: unknown, classes: number, where: string, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= classes) {
    fail(where, `${what} out of range`, `an integer in [0, ${classes})`, describe(value), what === 'label' ? 'relabel into 0..C−1, or enlarge the output size' : 'map unknown tokens to a reserved id, or enlarge the vocabulary');
  }
  return value;
}

/** Validates every example against the model's shape; errors name the example, step and feature. */
export function readExamples(data: SequenceData, shape: DataShape, name = 'data'): Example[] {
  if (!data || !Array.isArray(data.x) || !Array.isArray(data.y)) fail(name, 'data must have x and y lists', '{ x: [...], y: [...] }', describe(data), 'pass { x, y } arrays');
  if (data.x.length !== data.y.length) fail(name, 'x and y have different lengths', `${data.x.length} targets (one per sequence)`, `${data.y.length}`, 'give one target entry per input sequence');
  if (data.x.length === 0) fail(name, 'no examples', 'at least one sequence', '0', 'pass some data');
  const { input, target } = shape;
  return data.x.map((sequence, n) => {
    const at = `${name}.x[${n}]`;
    if (!Array.isArray(sequence)) fail(at, 'sequence is not a list', 'a list of steps', describe(sequence), 'give each sequence as a list of steps');
    const length = sequence.length;
    if (length === 0) fail(at, 'empty sequence', 'at least one step', '0 steps', 'drop empty sequences before training');
    const x = input.kind === 'tokens' ? new Int32Array(length) : new Float32Array(length * input.size);
    sequence.forEach((step, t) => {
      if (input.kind === 'tokens') x[t] = readClass(step, input.size, `${at}[${t}]`, 'token id');
      else (x as Float32Array).set(readVector(step, input.size, `${at}[${t}]`, 'input'), t * input.size);
    });
    const steps: Float32Array | undefined = target.readout === 'sequence' ? stepMask(data, n, length, name) : undefined;
    const y = readTarget(data.y[n], length, shape, `${name}.y[${n}]`, steps);
    return steps && steps.some((w) => w !== 1) ? { length, x, y, mask: steps } : { length, x, y };
  });
}

/** The data's per-step weights of example n ([T], 1 where not given); checked. */
function stepMask(data: SequenceData, n: number, length: number, name: string): Float32Array {
  const given = data.mask?.[n];
  if (given === undefined) return new Float32Array(length).fill(1);
  const at = `${name}.mask[${n}]`;
  if (!Array.isArray(given) || given.length !== length) fail(at, 'the mask does not match the sequence length', `${length} weights (one per step)`, describe(given), 'give one weight in [0, 1] per input step');
  given.forEach((w, t) => {
    if (typeof w !== 'number' || !(w >= 0 && w <= 1)) fail(`${at}[${t}]`, 'mask weight out of range', 'a number in [0, 1]', describe(w), 'use 1 for steps that count and 0 for steps that do not');
  });
  return Float32Array.from(given);
}

/** Reads one example's target; per-step `null` targets are left 0 and zero their weight in `mask`. */
function readTarget(value: unknown, length: number, shape: DataShape, where: string, mask?: Float32Array): Float32Array | Int32Array {
  const { target } = shape;
  const classes = target.kind === 'classes';
  if (target.readout === 'last') {
    return classes ? Int32Array.of(readClass(value, target.size, where, 'label')) : Float32Array.from(readVector(value, target.size, where, 'target'));
  }
  if (!Array.isArray(value) || value.length !== length) {
    fail(where, 'per-step targets do not match the sequence length', `${length} steps of targets`, describe(value), 'give one target per input step');
  }
  const y = classes ? new Int32Array(length) : new Float32Array(length * target.size);
  value.forEach((step, t) => {
    if (step === null && mask) {
      mask[t] = 0; // no target at this step
      return;
    }
    if (classes) y[t] = readClass(step, target.size, `${where}[${t}]`, 'label');
    else (y as Float32Array).set(readVector(step, target.size, `${where}[${t}]`, 'target'), t * target.size);
  });
  return y;
}
