import { ConfigError, isLoss, requireGradients, trainingContext, type LossPlugin } from '@unfold/core';
import { disposeBatch, epochOrder, makeBatch, type Batch } from './data/batches';
import { bucketBoundaries, bucketedOrder, paddingReport, type BucketSpec } from './data/buckets';
import { readExamples, type DataShape, type Example, type SequenceData } from './data/sequence-data';
import { crossEntropy } from './losses/cross-entropy';
import { mse } from './losses/mse';
import type { Model } from './model';
import { createOptimizer, learningRateAt } from './optimizers/create-optimizer';
import type { OptimizerConfig } from './optimizers/optimizer';
import { consoleProgress, type FitSummary, type ProgressListener } from './progress';
import { checkSchedule, truthProbability, type SamplingSchedule } from './sampling-schedules';
import { divergenceGuard, evaluateLoss, trainStep } from './train-step';

export interface FitOptions {
  readonly epochs: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** The loss: a built-in kind or a loss plugin. */
  readonly loss: 'mse' | 'cross-entropy' | LossPlugin;
  /** For a custom loss: whether targets are values or class ids (default: values). */
  readonly targets?: 'values' | 'classes';
  /** Default Adam with learning rate 1e-3. */
  readonly optimizer?: OptimizerConfig;
  readonly clipNorm?: number;
  readonly clipValue?: number;
  /** Shuffle examples every epoch (default true), seeded by `seed`. */
  readonly shuffle?: boolean;
  /** Seed for shuffling (default 0); weights are seeded when the model is created. */
  readonly seed?: number;
  readonly validation?: SequenceData;
  /**
   * Scheduled sampling for models that feed their outputs back (output-feedback, decoders): the probability
   * of feeding the ground truth at each step follows this schedule; default teacher forcing.
   */
  readonly scheduledSampling?: SamplingSchedule;
  /**
   * Group sequences of similar length into batches (data/buckets.ts): `"auto"` (length quantiles) or the
   * bucket boundaries; the padding saved against padding to the longest sequence is in the result.
   */
  readonly buckets?: BucketSpec;
  /**
   * The divergence guard (train-step.ts): a non-finite loss or gradient, or a smoothed loss above `factor`
   * (default 100) times its best, stops training with a DivergenceError (E_DIVERGED) naming the step, before
   * the bad update. `false` turns the rising-loss rule off (non-finite values always stop training).
   */
  readonly divergence?: { readonly factor?: number; readonly warmup?: number } | false;
  /** Stop after this many optimiser steps in total. */
  readonly maxSteps?: number;
  /** Stop when the monitored loss (validation if given, else training) has not improved by `minDelta` for `patience` epochs. */
  readonly earlyStopping?: { readonly patience: number; readonly minDelta?: number; readonly restoreBest?: boolean };
  /** Stop as soon as the monitored loss (validation if given, else training) is at or below this value. */
  readonly targetLoss?: number;
  /** Called after each epoch with the model, e.g. to save a checkpoint (see `checkpointEachEpoch`). */
  readonly onEpochEnd?: (epoch: number, model: Model, losses: { loss: number; validationLoss?: number }) => void | Promise<void>;
  /** Progress: 'auto' (bar on a TTY, lines otherwise), 'none', or a listener. Default 'auto'. */
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none' | ProgressListener;
}

export interface FitResult extends FitSummary {
  readonly history: readonly { readonly epoch: number; readonly loss: number; readonly validationLoss?: number }[];
  /** Why training ended: all epochs done, `maxSteps` reached, no improvement for `patience` epochs, or `targetLoss` reached. */
  readonly stopReason: 'epochs' | 'max-steps' | 'patience' | 'target';
  /** Loss of every optimiser step, in order. */
  readonly stepLosses: readonly number[];
  /** With `buckets`: the boundaries used and the share of padded steps saved against padding to the longest sequence (first epoch). */
  readonly buckets?: { readonly boundaries: readonly number[]; readonly savedFraction: number };
}

const BUILT_IN_LOSSES = { mse, 'cross-entropy': crossEntropy } as const;

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

function* batchesOf(examples: readonly Example[], shape: DataShape, batchSize: number): Generator<Batch> {
  for (const indices of epochOrder(examples.length, batchSize, false, 0, 0)) {
    const batch = makeBatch(examples, indices, shape);
    try {
      yield batch;
    } finally {
      disposeBatch(batch);
    }
  }
}

/**
 * Trains a model on sequence data: seeded shuffling, padded batches with masks, the optimiser with an
 * optional learning-rate schedule and gradient clipping, validation, early stopping, progress and a
 * summary. Deterministic: the same model seed, data and options give the same losses.
 */
export async function fit(model: Model, data: SequenceData, options: FitOptions): Promise<FitResult> {
  await requireGradients('fit');
  const epochs = positiveInteger(options.epochs, 'epochs', 1);
  const batchSize = positiveInteger(options.batchSize, 'batchSize', 32);
  const loss: LossPlugin = typeof options.loss === 'string' ? BUILT_IN_LOSSES[options.loss] : options.loss;
  if (!loss || typeof loss !== 'object' || !loss.familySpec || !isLoss(loss)) throw new ConfigError('unknown loss', { where: 'fit', expected: '"mse", "cross-entropy" or a loss plugin', got: JSON.stringify(options.loss) });
  const lossConfig = loss.validate({}, `loss ${loss.kind}`);
  const targets = options.targets ?? loss.targets ?? 'values';
  const shape: DataShape = { input: model.input, target: { readout: model.readout, kind: targets, size: model.outputSize } };
  const train = readExamples(data, shape, 'data');
  const validation = options.validation ? readExamples(options.validation, shape, 'validation') : undefined;
  const optimizerConfig = options.optimizer ?? { kind: 'adam', learningRate: 1e-3 };
  const sampling = options.scheduledSampling && checkSchedule(options.scheduledSampling, 'fit scheduledSampling');
  const lengths = Int32Array.from(train, (e) => e.length);
  const boundaries = options.buckets ? bucketBoundaries(lengths, options.buckets, batchSize) : undefined;
  let bucketing: FitResult['buckets'];
  const guard = options.divergence === false ? undefined : divergenceGuard(options.divergence);
  const optimizer = createOptimizer(optimizerConfig);
  const listen = listenerFor(options.progress);
  const seed = options.seed ?? 0;
  const stepsPerEpoch = Math.ceil(train.length / batchSize);
  const history: { epoch: number; loss: number; validationLoss?: number }[] = [];
  const stepLosses: number[] = [];
  const started = Date.now();
  let best = Infinity;
  let bestWeights: ReturnType<Model['toModelData']>['weights'] | undefined;
  let sinceBest = 0;
  let stopReason: FitResult['stopReason'] = 'epochs';
  listen({ type: 'start', epochs, stepsPerEpoch, examples: train.length });
  try {
    for (let epoch = 1; epoch <= epochs && stopReason === 'epochs'; epoch++) {
      const epochStart = Date.now();
      let epochLoss = 0;
      let epochCount = 0;
      const order = boundaries ? bucketedOrder(lengths, batchSize, boundaries, seed, epoch) : epochOrder(train.length, batchSize, options.shuffle ?? true, seed, epoch);
      if (boundaries && epoch === 1) bucketing = { boundaries, savedFraction: paddingReport(lengths, order).savedFraction };
      for (const [index, indices] of order.entries()) {
        if (options.maxSteps !== undefined && stepLosses.length >= options.maxSteps) {
          stopReason = 'max-steps';
          break;
        }
        const batch = makeBatch(train, indices, shape);
        try {
          const rate = learningRateAt(optimizerConfig.learningRate, optimizer.steps);
          const decoderInputs = sampling ? { kind: 'scheduled-sampling' as const, truthProbability: truthProbability(sampling, optimizer.steps) } : undefined;
          const context = trainingContext({ seed, step: optimizer.steps, ...(decoderInputs ? { decoderInputs } : {}) });
          const where = `epoch ${epoch}, step ${index + 1}`;
          const value = trainStep(model, loss, lossConfig, optimizer, batch, rate, options, where, context, guard).loss;
          stepLosses.push(value);
          epochLoss += value * batch.size;
          epochCount += batch.size;
        } finally {
          disposeBatch(batch);
        }
        const elapsed = (Date.now() - started) / 1000;
        const stepsPerSecond = stepLosses.length / Math.max(elapsed, 1e-9);
        const remaining = epochs * stepsPerEpoch - stepLosses.length;
        listen({ type: 'step', epoch, step: index + 1, stepsPerEpoch, loss: stepLosses.at(-1) as number, stepsPerSecond, etaSeconds: remaining / stepsPerSecond });
      }
      if (epochCount === 0) break;

      const trainLoss = epochLoss / epochCount;
      const validationLoss = validation ? evaluateLoss(model, loss, lossConfig, batchesOf(validation, shape, batchSize)) : undefined;
      history.push({ epoch, loss: trainLoss, ...(validationLoss !== undefined ? { validationLoss } : {}) });
      listen({ type: 'epoch', epoch, epochs, loss: trainLoss, ...(validationLoss !== undefined ? { validationLoss } : {}), seconds: (Date.now() - epochStart) / 1000 });
      await options.onEpochEnd?.(epoch, model, { loss: trainLoss, ...(validationLoss !== undefined ? { validationLoss } : {}) });
      const monitored = validationLoss ?? trainLoss;
      if (options.targetLoss !== undefined && monitored <= options.targetLoss) {
        best = Math.min(best, monitored);
        stopReason = 'target';
        break;
      }
      if (monitored < best - (options.earlyStopping?.minDelta ?? 0)) {
        best = monitored;
        sinceBest = 0;
        if (options.earlyStopping?.restoreBest) bestWeights = model.toModelData().weights;
      } else if (options.earlyStopping && ++sinceBest >= options.earlyStopping.patience) {
        stopReason = 'patience';
      }
    }
  } finally {
    optimizer.dispose();
  }
  // Restore-best: the weights of the best monitored epoch, whatever ended training.
  if (bestWeights && history.length > 0 && (history.at(-1)?.validationLoss ?? history.at(-1)?.loss) !== best) model.setWeights(bestWeights);
  const seconds = (Date.now() - started) / 1000;
  const last = history.at(-1);
  const summary: FitSummary = {
    epochs: history.length,
    steps: stepLosses.length,
    seconds,
    stepsPerSecond: stepLosses.length / Math.max(seconds, 1e-9),
    finalLoss: last?.loss ?? Number.NaN,
    ...(last?.validationLoss !== undefined ? { finalValidationLoss: last.validationLoss } : {}),
    ...(validation && Number.isFinite(best) ? { bestValidationLoss: best } : {}),
    stoppedEarly: stopReason === 'patience' || stopReason === 'target',
  };
  listen({ type: 'end', summary });
  return { ...summary, stopReason, history, stepLosses, ...(bucketing ? { buckets: bucketing } : {}) };
}
