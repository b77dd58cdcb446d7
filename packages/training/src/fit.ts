import { ConfigError, DataError, DECODER_INPUT_PORT, portsOf, requireGradients, type TrainingState } from '@unfold/core';
import { exampleSource, type BatchSource } from './data/batch-source';
import { bucketBoundaries, paddingReport, type BucketSpec } from './data/buckets';
import { isPairData, pairSource, readPairs, type PairData } from './data/pairs';
import { readExamples, type DataShape, type SequenceData } from './data/sequence-data';
import type { FitCallback, StopReason, TrainStep } from './loop/callbacks';
import { checkpointCallback } from './loop/checkpoints';
import { divergenceCallback, type DivergenceOptions } from './loop/divergence';
import { resolveLoss, type LossOption } from './loop/loss';
import { epochEndCallback, monitorCallback, validationCallback, type MonitorOptions } from './loop/monitor';
import { runLoop } from './loop/run';
import { bucketSampler, shuffledSampler, sequentialSampler, type BatchSampler } from './loop/sampler';
import type { Model } from './model';
import { createOptimizer } from './optimizers/create-optimizer';
import type { OptimizerConfig } from './optimizers/optimizer';
import { consoleProgress, progressCallback, type FitSummary, type ProgressListener } from './progress';
import { checkSchedule, type SamplingSchedule } from './sampling-schedules';
import { fullBpttStep } from './train-step';

export interface FitOptions extends MonitorOptions {
  readonly epochs: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** The loss: a built-in kind, a loss plugin, or `{ kind, config }` (config validated by the loss). */
  readonly loss: LossOption;
  /** For a custom loss: whether targets are values or class ids (default: the loss's, else values). */
  readonly targets?: 'values' | 'classes';
  /** Default Adam with learning rate 1e-3. */
  readonly optimizer?: OptimizerConfig;
  readonly clipNorm?: number;
  readonly clipValue?: number;
  /** Shuffle examples every epoch (default true), seeded by `seed`. */
  readonly shuffle?: boolean;
  /** Seed for shuffling, buckets and the training contexts (default 0); weights are seeded when the model is created. */
  readonly seed?: number;
  readonly validation?: SequenceData | PairData;
  /** Scheduled sampling for models that feed their outputs back: ε follows this schedule of the optimizer step; default teacher forcing. */
  readonly scheduledSampling?: SamplingSchedule;
  /** Length buckets (data/buckets.ts): `"auto"` (length quantiles) or the boundaries; the padding saved is in the result. */
  readonly buckets?: BucketSpec;
  /**
   * The divergence guard (loop/divergence.ts): a non-finite loss or gradient, or a smoothed loss above `factor`
   * (default 100) times its best, stops training with a DivergenceError (E_DIVERGED) naming the step, before
   * the bad update. `false` turns the rising-loss rule off (non-finite values always stop training).
   */
  readonly divergence?: DivergenceOptions | false;
  /** Stop after this many optimiser steps in total. */
  readonly maxSteps?: number;
  /** Called after each epoch with the model. */
  readonly onEpochEnd?: (epoch: number, model: Model, losses: { loss: number; validationLoss?: number }) => void | Promise<void>;
  /** Progress: 'auto' (bar on a TTY, lines otherwise), 'none', or a listener. Default 'auto'. */
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none' | ProgressListener;
  /** Call `onCheckpoint` with the training state every this many optimizer steps (and always at the end). */
  readonly checkpointEvery?: number;
  /** Receives the training state (e.g. `saveTrainingCheckpoint` from `@unfold/core/node`); awaited. */
  readonly onCheckpoint?: (state: TrainingState) => void | Promise<void>;
  /** Continue a run from a state `onCheckpoint` received: the result is that of the run that never stopped. */
  readonly resume?: TrainingState;
  /** The epoch order (default: shuffled, or buckets with `buckets`, sequential with `shuffle: false`). */
  readonly sampler?: BatchSampler;
  /** The train step (default full BPTT over the padded batch, `fullBpttStep`). */
  readonly trainStep?: TrainStep;
  /** More callbacks, after the built-in ones (see loop/callbacks.ts). */
  readonly callbacks?: readonly FitCallback[];
}

export interface FitResult extends FitSummary {
  readonly history: readonly { readonly epoch: number; readonly loss: number; readonly validationLoss?: number }[];
  /** Why training ended: all epochs done, `maxSteps` reached, no improvement for `patience` epochs, `targetLoss` reached, or a callback stopped it. */
  readonly stopReason: StopReason;
  /** Loss of every optimiser step, in order (a resumed run's include the steps before it). */
  readonly stepLosses: readonly number[];
  /** With `buckets`: the boundaries used and the share of padded steps saved against padding to the longest sequence (first epoch). */
  readonly buckets?: { readonly boundaries: readonly number[]; readonly savedFraction: number };
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result < 1) throw new ConfigError(`invalid ${name}`, { where: 'fit', expected: 'an integer >= 1', got: String(value) });
  return result;
}

function listenerFor(progress: FitOptions['progress']): ProgressListener {
  if (typeof progress === 'function') return progress;
  if (progress === 'none') return () => {};
  return consoleProgress({ mode: progress === 'bar' || progress === 'lines' ? progress : 'auto' });
}

/** Training data as a batch source: sequence data, or source/target pairs for a model with a decoder. */
function sourceOf(model: Model, data: SequenceData | PairData, shape: DataShape, name: string): BatchSource {
  const decodes = portsOf(model.root).inputs.some((port) => port.name === DECODER_INPUT_PORT);
  if (isPairData(data) !== decodes) {
    throw new DataError(decodes ? 'a model with a decoder trains on source/target pairs' : 'source/target pairs need a model with a decoder', {
      where: name,
      expected: decodes ? '{ source: [...], target: [...] } (PairData)' : '{ x: [...], y: [...] } (SequenceData)',
      got: isPairData(data) ? 'pairs' : 'x/y sequences',
      fix: decodes ? 'pass { source, target }: source ids (or feature rows) and target ids per pair' : 'use a seq2seq model for pairs',
    });
  }
  if (isPairData(data)) return pairSource(readPairs(data, model.input, model.outputSize, name), model.input);
  return exampleSource(readExamples(data, shape, name), shape);
}

/**
 * Trains a model on sequence data, or a seq2seq model on source/target pairs (data/pairs.ts). The loop (loop/run.ts) is made of parts, each replaceable: a batch
 * sampler (shuffled, buckets or sequential), a train step (full BPTT) and callbacks (validation, progress,
 * early stopping with restore-best, checkpoints, the divergence guard). Deterministic: the same model seed,
 * data and options give the same losses, and resuming from a checkpointed state gives the same run.
 */
export async function fit(model: Model, data: SequenceData | PairData, options: FitOptions): Promise<FitResult> {
  await requireGradients('fit');
  const epochs = positiveInteger(options.epochs, 'epochs', 1);
  const batchSize = positiveInteger(options.batchSize, 'batchSize', 32);
  const { loss, config: lossConfig } = resolveLoss(options.loss, model.registry);
  const shape: DataShape = { input: model.input, target: { readout: model.readout, kind: options.targets ?? loss.targets ?? 'values', size: model.outputSize } };
  const train = sourceOf(model, data, shape, 'data');
  const validation = options.validation ? sourceOf(model, options.validation, shape, 'validation') : undefined;
  const optimizerConfig = options.optimizer ?? { kind: 'adam', learningRate: 1e-3 };
  const sampling = options.scheduledSampling && checkSchedule(options.scheduledSampling, 'fit scheduledSampling');
  const seed = options.resume?.seed ?? options.seed ?? 0;
  const lengths = train.lengths;
  const boundaries = options.buckets ? bucketBoundaries(lengths, options.buckets, batchSize) : undefined;
  const sampler = options.sampler ?? (boundaries ? bucketSampler(lengths, batchSize, boundaries, seed) : options.shuffle ?? true ? shuffledSampler(train.count, batchSize, seed) : sequentialSampler(train.count, batchSize));
  if (options.checkpointEvery !== undefined && !options.onCheckpoint) throw new ConfigError('checkpointEvery without onCheckpoint', { where: 'fit', expected: 'onCheckpoint: (state) => … to receive the checkpoints', got: `checkpointEvery ${options.checkpointEvery}` });
  const listen = listenerFor(options.progress);
  const monitor = monitorCallback(options);
  const callbacks: FitCallback[] = [
    ...(validation ? [validationCallback(validation, batchSize, loss, lossConfig)] : []),
    progressCallback(listen, train.count, Math.ceil(train.count / batchSize)),
    ...(options.onEpochEnd ? [epochEndCallback(options.onEpochEnd)] : []),
    ...(options.onCheckpoint ? [checkpointCallback(options.checkpointEvery, options.onCheckpoint)] : []),
    monitor, // after the checkpoint: its end (restore-best) comes after the end checkpoint
    ...(options.divergence === false ? [] : [divergenceCallback(options.divergence)]),
    ...(options.callbacks ?? []),
  ];
  const optimizer = createOptimizer(optimizerConfig);
  const started = Date.now();
  let result;
  try {
    result = await runLoop({
      model,
      source: train,
      batchSize,
      sampler,
      step: options.trainStep ?? fullBpttStep,
      callbacks,
      optimizer,
      learningRate: optimizerConfig.learningRate,
      loss,
      lossConfig,
      clip: options,
      epochs,
      ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
      seed,
      ...(options.resume && options.seed !== undefined ? { requestedSeed: options.seed } : {}),
      ...(sampling ? { scheduledSampling: sampling } : {}),
      ...(options.resume ? { resume: options.resume } : {}),
    });
  } finally {
    optimizer.dispose();
  }
  const { history, stepLosses, stopReason } = result;
  const seconds = (Date.now() - started) / 1000;
  const last = history.at(-1);
  const summary: FitSummary = {
    epochs: history.length,
    steps: stepLosses.length,
    seconds,
    stepsPerSecond: stepLosses.length / Math.max(seconds, 1e-9),
    finalLoss: last?.loss ?? Number.NaN,
    ...(last?.validationLoss !== undefined ? { finalValidationLoss: last.validationLoss } : {}),
    ...(validation && Number.isFinite(monitor.best) ? { bestValidationLoss: monitor.best } : {}),
    stoppedEarly: stopReason === 'patience' || stopReason === 'target',
  };
  listen({ type: 'end', summary });
  const bucketing = boundaries ? { boundaries, savedFraction: paddingReport(lengths, sampler.batches(1)).savedFraction } : undefined;
  return { ...summary, stopReason, history: [...history], stepLosses: [...stepLosses], ...(bucketing ? { buckets: bucketing } : {}) };
}
