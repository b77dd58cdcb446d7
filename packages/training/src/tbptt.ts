import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataError, requireGradients, trainingContext, type LossPlugin } from '@unfold/core';
import { readExamples, type DataShape, type Example, type SequenceData } from './data/sequence-data';
import type { Model } from './model';
import { createOptimizer, learningRateAt } from './optimizers/create-optimizer';
import type { OptimizerConfig } from './optimizers/optimizer';
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
  if (model.readout !== 'sequence') {
    throw new ConfigError('truncated BPTT needs per-step outputs', { where: 'truncated BPTT', expected: 'a model with readout "sequence" (a target at every step)', got: `readout "${model.semantics.readout}"` });
  }
  const shape: DataShape = { input: model.input, target: { readout: 'sequence', kind: loss.targets ?? 'values', size: model.outputSize } };
  const examples = readExamples(data, shape, 'streams');
  const length = examples[0]?.length ?? 0;
  const ragged = examples.findIndex((e) => e.length !== length);
  if (ragged >= 0) throw new DataError('streams of different lengths', { where: `streams.x[${ragged}]`, expected: `${length} steps (every stream advances in lockstep)`, got: `${examples[ragged]?.length}`, fix: 'cut the streams to one length, or train them in separate calls' });
  return { examples, shape, length };
}

/** Steps [from, to) of every stream as one batch: x [B, n, I] (or ids [B, n]) and targets [B, n, O] (or ids). */
function window(examples: readonly Example[], shape: DataShape, from: number, to: number): { x: tf.Tensor; y: tf.Tensor } {
  const n = to - from;
  const B = examples.length;
  const tokens = shape.input.kind === 'tokens';
  const I = tokens ? 1 : shape.input.size;
  const classes = shape.target.kind === 'classes';
  const O = classes ? 1 : shape.target.size;
  const x = tokens ? new Int32Array(B * n) : new Float32Array(B * n * I);
  const y = classes ? new Int32Array(B * n) : new Float32Array(B * n * O);
  examples.forEach((e, b) => {
    x.set(e.x.subarray(from * I, to * I), b * n * I);
    y.set(e.y.subarray(from * O, to * O), b * n * O);
  });
  return {
    x: tokens ? tf.tensor2d(x, [B, n], 'int32') : tf.tensor3d(x as Float32Array, [B, n, I]),
    y: classes ? tf.tensor2d(y, [B, n], 'int32') : tf.tensor3d(y as Float32Array, [B, n, O]),
  };
}

/** Trains `model` on long streams with BPTT(k1, k2); see the module comment. */
export async function fitStreams(model: Model, data: SequenceData, options: TbpttOptions): Promise<TbpttResult> {
  await requireGradients('fitStreams');
  const k1 = options.k1;
  const k2 = options.k2 ?? k1;
  checkWindow(k1, k2);
  const { examples, shape, length } = readStreams(model, data, options.loss);
  const lossConfig = options.loss.validate(options.lossConfig ?? {}, `loss ${options.loss.kind}`);
  const optimizerConfig = options.optimizer ?? { kind: 'adam', learningRate: 1e-3 };
  const optimizer = createOptimizer(optimizerConfig);
  const losses: number[] = [];
  try {
    for (let epoch = 1; epoch <= (options.epochs ?? 1); epoch++) {
      let carried: tf.Tensor[] | undefined; // s(w) for the next window, detached; undefined = zeros
      let carriedAt = 0;
      let counted = 0; // steps whose loss an earlier update of this epoch took
      for (let end = Math.min(k1, length); ; end = Math.min(end + k1, length)) {
        const start = Math.max(0, end - k2);
        const newFrom = counted;
        const nextStart = Math.max(0, Math.min(end + k1, length) - k2);
        if (start !== carriedAt) throw new Error(`internal: window starts at ${start}, state carried at ${carriedAt}`);
        const { x, y } = window(examples, shape, start, end);
        let kept: tf.Tensor[] = [];
        const mask = tf.tidy(() => tf.concat([tf.zeros([examples.length, newFrom - start]), tf.ones([examples.length, end - newFrom])], 1));
        const context = trainingContext({ seed: options.seed ?? 0, step: optimizer.steps });
        const lossOf = (): tf.Scalar => {
          // Two calls when the next window starts inside this one, so its state can be kept (detached).
          const split = nextStart > start && nextStart < end ? nextStart - start : 0;
          const initial = carried ? { initialState: carried } : {};
          const first = split ? model.forward(tf.slice(x, [0, 0], [-1, split]), { ...initial, checked: false, context }) : undefined;
          if (first) kept = first.finalState.map((s) => tf.keep(tf.clone(s)));
          const rest = model.forward(split ? tf.slice(x, [0, split], [-1, -1]) : x, { ...(first ? { initialState: first.finalState } : initial), checked: false, context });
          if (nextStart === end) kept = rest.finalState.map((s) => tf.keep(tf.clone(s)));
          const outputs = first ? tf.concat([first.outputs, rest.outputs], 1) : rest.outputs;
          return options.loss.compute(outputs, y, mask, lossConfig);
        };
        try {
          const rate = learningRateAt(optimizerConfig.learningRate, optimizer.steps);
          const result = update(model, optimizer, lossOf, rate, options, `truncated BPTT epoch ${epoch}, steps ${newFrom}..${end}`);
          losses.push(result.loss);
          options.onUpdate?.({ update: losses.length, epoch, end, loss: result.loss, gradientNorm: result.gradientNorm });
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
      tf.dispose(carried ?? []);
    }
  } finally {
    optimizer.dispose();
  }
  return { losses, updates: losses.length };
}
