import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataError, requireGradients, trainingContext, type LossPlugin } from '@unfold/core';
import { readExamples, type DataShape, type Example, type SequenceData } from './data/sequence-data';
import type { Model } from './model';
import { createOptimizer, learningRateAt } from './optimizers/create-optimizer';
import type { Optimizer, OptimizerConfig } from './optimizers/optimizer';
import { update, type StepOptions } from './train-step';

/**
 * Truncated backpropagation through time, Williams & Peng's BPTT(k1, k2) ("An efficient gradient-based
 * algorithm for on-line training of recurrent network trajectories", 1990): over long streams, every k1
 * steps the model is updated from the loss of those k1 newest steps, backpropagated through the last k2
 * steps (k2 >= k1); the state is carried across windows, with no gradient past the truncation.
 *
 *   update u (u = 1, 2, …):  t = min(u·k1, L), window [w, t) with w = max(0, t − k2)
 *                            s(w) is the carried state, detached; run the window from it with gradients
 *                            loss = mean of the per-step loss over [t − k1, t) (the new steps)
 *                            keep s(w') detached, w' = max(0, t + k1 − k2), for the next window
 *
 * Every stream in the batch carries its own state (they advance in lockstep and have one length L). Tensors
 * live for one window: memory depends on k2 and the batch, not on L. With k1 = k2 = L this is full BPTT.
 *
 * A model with a last-step readout (a classifier or regressor of a whole long stream, one target per
 * stream) trains on chunked streams too: the stream runs forward in chunks of k1 steps carrying the state,
 * with no gradients, up to L − k2; the last k2 steps run with gradients, and the one update backpropagates
 * the loss at the last step through them. Memory again depends on k1, k2 and the batch, not on L.
 */
export interface TbpttOptions extends StepOptions {
  /** Steps between updates. */
  readonly k1: number;
  /** Steps backpropagated per update (>= k1; default k1). */
  readonly k2?: number;
  /** Passes over the streams, each from a zero state (default 1). */
  readonly epochs?: number;
  readonly loss: LossPlugin;
  readonly lossConfig?: unknown;
  /** Default Adam with learning rate 1e-3. */
  readonly optimizer?: OptimizerConfig;
  /** Seed of the training contexts (default 0). */
  readonly seed?: number;
  /** Called after every update. */
  readonly onUpdate?: (event: { readonly update: number; readonly epoch: number; readonly end: number; readonly loss: number; readonly gradientNorm: number }) => void;
}

export interface TbpttResult {
  /** Loss of every update, in order. */
  readonly losses: readonly number[];
  readonly updates: number;
}

function checkWindow(k1: number, k2: number): void {
  if (!Number.isSafeInteger(k1) || k1 < 1) throw new ConfigError('invalid k1', { where: 'truncated BPTT', expected: 'an integer >= 1 (steps between updates)', got: String(k1) });
  if (!Number.isSafeInteger(k2) || k2 < k1) throw new ConfigError('invalid k2', { where: 'truncated BPTT', expected: `an integer >= k1 = ${k1} (steps backpropagated per update)`, got: String(k2), fix: 'set k2 >= k1, or leave it out (k2 = k1)' });
}

/** The streams as validated examples of one common length. */
function readStreams(model: Model, data: SequenceData, loss: LossPlugin): { examples: Example[]; shape: DataShape; length: number } {
  const shape: DataShape = { input: model.input, target: { readout: model.readout, kind: loss.targets ?? 'values', size: model.outputSize } };
  const examples = readExamples(data, shape, 'streams');
  const length = examples[0]?.length ?? 0;
  const ragged = examples.findIndex((e) => e.length !== length);
  if (ragged >= 0) throw new DataError('streams of different lengths', { where: `streams.x[${ragged}]`, expected: `${length} steps (every stream advances in lockstep)`, got: `${examples[ragged]?.length}`, fix: 'cut the streams to one length, or train them in separate calls' });
  return { examples, shape, length };
}

/**
 * Steps [from, to) of every stream as one batch: x [B, n, I] (or ids [B, n]) and targets [B, n, O] (or ids),
 * or for a last-step readout each stream's one target, [B, 1, O] (or ids [B, 1]).
 */
function window(examples: readonly Example[], shape: DataShape, from: number, to: number): { x: tf.Tensor; y: tf.Tensor } {
  const n = to - from;
  const last = shape.target.readout === 'last';
  const B = examples.length;
  const tokens = shape.input.kind === 'tokens';
  const I = tokens ? 1 : shape.input.size;
  const classes = shape.target.kind === 'classes';
  const O = classes ? 1 : shape.target.size;
  const x = tokens ? new Int32Array(B * n) : new Float32Array(B * n * I);
  const steps = last ? 1 : n;
  const y = classes ? new Int32Array(B * steps) : new Float32Array(B * steps * O);
  examples.forEach((e, b) => {
    x.set(e.x.subarray(from * I, to * I), b * n * I);
    y.set(last ? e.y : e.y.subarray(from * O, to * O), b * steps * O);
  });
  return {
    x: tokens ? tf.tensor2d(x, [B, n], 'int32') : tf.tensor3d(x as Float32Array, [B, n, I]),
    y: classes ? tf.tensor2d(y, [B, steps], 'int32') : tf.tensor3d(y as Float32Array, [B, steps, O]),
  };
}

/** What one epoch over the streams needs. */
interface Run {
  readonly model: Model;
  readonly examples: readonly Example[];
  readonly shape: DataShape;
  readonly length: number;
  readonly k1: number;
  readonly k2: number;
  readonly options: TbpttOptions;
  readonly lossConfig: unknown;
  readonly optimizer: Optimizer;
  readonly optimizerConfig: OptimizerConfig;
  readonly losses: number[];
}

/** One update from `lossOf`, recorded and reported. */
function step(run: Run, epoch: number, end: number, label: string, lossOf: () => tf.Scalar): void {
  const rate = learningRateAt(run.optimizerConfig.learningRate, run.optimizer.steps);
  const result = update(run.model, run.optimizer, lossOf, rate, run.options, `truncated BPTT epoch ${epoch}, ${label}`);
  run.losses.push(result.loss);
  run.options.onUpdate?.({ update: run.losses.length, epoch, end, loss: result.loss, gradientNorm: result.gradientNorm });
}

/** One epoch of BPTT(k1, k2) with a loss at every step (the module comment). */
function perStepEpoch(run: Run, epoch: number): void {
  const { model, examples, shape, length, k1, k2, options } = run;
  let carried: tf.Tensor[] | undefined; // s(w) for the next window, detached; undefined = zeros
  let carriedAt = 0;
  let counted = 0; // steps whose loss an earlier update of this epoch took
  try {
    for (let end = Math.min(k1, length); ; end = Math.min(end + k1, length)) {
      const start = Math.max(0, end - k2);
      const newFrom = counted;
      const nextStart = Math.max(0, Math.min(end + k1, length) - k2);
      if (start !== carriedAt) throw new Error(`internal: window starts at ${start}, state carried at ${carriedAt}`);
      const { x, y } = window(examples, shape, start, end);
      let kept: tf.Tensor[] = [];
      const mask = tf.tidy(() => tf.concat([tf.zeros([examples.length, newFrom - start]), tf.ones([examples.length, end - newFrom])], 1));
      const context = trainingContext({ seed: options.seed ?? 0, step: run.optimizer.steps });
      try {
        step(run, epoch, end, `steps ${newFrom}..${end}`, () => {
          // Two calls when the next window starts inside this one, so its state can be kept (detached).
          const split = nextStart > start && nextStart < end ? nextStart - start : 0;
          const initial = carried ? { initialState: carried } : {};
          const first = split ? model.forward(tf.slice(x, [0, 0], [-1, split]), { ...initial, checked: false, context }) : undefined;
          if (first) kept = first.finalState.map((s) => tf.keep(tf.clone(s)));
          const rest = model.forward(split ? tf.slice(x, [0, split], [-1, -1]) : x, { ...(first ? { initialState: first.finalState } : initial), checked: false, context });
          if (nextStart === end) kept = rest.finalState.map((s) => tf.keep(tf.clone(s)));
          const outputs = first ? tf.concat([first.outputs, rest.outputs], 1) : rest.outputs;
          return options.loss.compute(outputs, y, mask, run.lossConfig);
        });
      } finally {
        tf.dispose([x, y, mask]);
      }
      counted = end;
      if (nextStart !== start) {
        tf.dispose(carried ?? []);
        carried = kept;
        carriedAt = nextStart;
      } else tf.dispose(kept);
      if (end === length) break;
    }
  } finally {
    tf.dispose(carried ?? []);
  }
}

/** One epoch for a last-step readout: chunks of k1 forward without gradients, then one update over the last k2 steps. */
function lastStepEpoch(run: Run, epoch: number): void {
  const { model, examples, shape, length, k1, k2, options } = run;
  const tail = Math.max(0, length - k2);
  let carried: tf.Tensor[] | undefined;
  try {
    for (let from = 0; from < tail; from += k1) {
      const { x, y } = window(examples, shape, from, Math.min(from + k1, tail));
      const next = tf.tidy(() => model.forward(x, { ...(carried ? { initialState: carried } : {}), checked: false }).finalState.map((s) => tf.keep(s)));
      tf.dispose([x, y, ...(carried ?? [])]);
      carried = next;
    }
    const { x, y } = window(examples, shape, tail, length);
    const context = trainingContext({ seed: options.seed ?? 0, step: run.optimizer.steps });
    try {
      step(run, epoch, length, `last step after steps ${tail}..${length}`, () => {
        const { outputs } = model.forward(x, { ...(carried ? { initialState: carried } : {}), checked: false, context });
        return options.loss.compute(outputs, y, tf.ones([examples.length, 1]), run.lossConfig);
      });
    } finally {
      tf.dispose([x, y]);
    }
  } finally {
    tf.dispose(carried ?? []);
  }
}

/** Trains `model` on long streams with BPTT(k1, k2); see the module comment. */
export async function fitStreams(model: Model, data: SequenceData, options: TbpttOptions): Promise<TbpttResult> {
  await requireGradients('fitStreams');
  const k1 = options.k1;
  const k2 = options.k2 ?? k1;
  checkWindow(k1, k2);
  const { examples, shape, length } = readStreams(model, data, options.loss);
  const optimizerConfig = options.optimizer ?? { kind: 'adam', learningRate: 1e-3 };
  const run: Run = { model, examples, shape, length, k1, k2, options, lossConfig: options.loss.validate(options.lossConfig ?? {}, `loss ${options.loss.kind}`), optimizer: createOptimizer(optimizerConfig), optimizerConfig, losses: [] };
  try {
    for (let epoch = 1; epoch <= (options.epochs ?? 1); epoch++) (model.readout === 'last' ? lastStepEpoch : perStepEpoch)(run, epoch);
  } finally {
    run.optimizer.dispose();
  }
  return { losses: run.losses, updates: run.losses.length };
}
