import { trainingContext, type LossPlugin, type TrainingHistoryEntry, type TrainingState } from '@unfold/core';
import { disposeBatch } from '../data/batches';
import type { BatchSource } from '../data/batch-source';
import type { Model } from '../model';
import { learningRateAt } from '../optimizers/create-optimizer';
import type { LearningRate, Optimizer } from '../optimizers/optimizer';
import { truthProbability, type SamplingSchedule } from '../sampling-schedules';
import type { StepOptions } from '../train-step';
import type { EpochInfo, FitCallback, LoopControl, StopReason, TrainStep } from './callbacks';
import type { BatchSampler } from './sampler';
import { callbackSnapshots, optimizerSnapshot, restoreState } from './state';

/** Everything the loop runs on: the parts (sampler, step, callbacks) and the run's settings. */
export interface LoopSpec {
  readonly model: Model;
  /** The training examples (sequences or seq2seq pairs). */
  readonly source: BatchSource;
  readonly batchSize: number;
  readonly sampler: BatchSampler;
  readonly step: TrainStep;
  readonly callbacks: readonly FitCallback[];
  readonly optimizer: Optimizer;
  readonly learningRate: LearningRate;
  readonly loss: LossPlugin;
  readonly lossConfig: unknown;
  readonly clip: StepOptions;
  readonly epochs: number;
  readonly maxSteps?: number;
  readonly seed: number;
  /** The seed the caller asked for, if any (a resumed state must match it). */
  readonly requestedSeed?: number;
  readonly scheduledSampling?: SamplingSchedule;
  readonly resume?: TrainingState;
}

export interface LoopResult {
  readonly stopReason: StopReason;
  readonly history: readonly TrainingHistoryEntry[];
  readonly stepLosses: readonly number[];
}

/**
 * The fit loop: for each epoch the sampler's batches from the current position, the train step on each with
 * its forward context (seed, step, scheduled sampling's ε) and learning rate from the optimizer's step, then
 * the callbacks. Its position (epoch, batch, the epoch's running loss), history and step losses are the
 * loop's state; with the optimizer's and the callbacks' they make the TrainingState `resume` continues from.
 */
export async function runLoop(spec: LoopSpec): Promise<LoopResult> {
  const { model, optimizer, callbacks, resume } = spec;
  if (resume) restoreState(model, optimizer, callbacks, resume, { examples: spec.source.count, batchSize: spec.batchSize, ...(spec.requestedSeed !== undefined ? { seed: spec.requestedSeed } : {}) });
  const history: TrainingHistoryEntry[] = [...(resume?.history ?? [])];
  const stepLosses: number[] = [...(resume?.stepLosses ?? [])];
  let position = { epoch: resume?.position.epoch ?? 1, batch: resume?.position.batch ?? 0 };
  let progress = { lossSum: resume?.epochProgress.lossSum ?? 0, examples: resume?.epochProgress.examples ?? 0 };
  let stopReason: StopReason = 'epochs';
  let requested: StopReason | undefined;
  let frozen: TrainingState | undefined; // the state where training stopped mid-epoch
  const capture = (): TrainingState => ({
    weights: model.toModelData().weights,
    optimizer: optimizerSnapshot(model, optimizer),
    position: { ...position },
    epochProgress: { ...progress },
    seed: spec.seed,
    history: history.map((entry) => ({ ...entry })),
    stepLosses: [...stepLosses],
    callbacks: callbackSnapshots(callbacks),
    data: { examples: spec.source.count, batchSize: spec.batchSize },
  });
  const loop: LoopControl = { model, epochs: spec.epochs, stop: (reason) => void (requested ??= reason), state: () => frozen ?? capture() };
  const guards = callbacks.filter((c) => c.beforeUpdate);
  const guard = (loss: number, where: string, gradientNorm: number) => guards.forEach((c) => c.beforeUpdate?.(loss, where, gradientNorm));
  for (const callback of callbacks) await callback.onStart?.(loop);
  for (let epoch = position.epoch; epoch <= spec.epochs && stopReason === 'epochs'; epoch++) {
    const epochStart = Date.now();
    const order = spec.sampler.batches(epoch);
    for (let index = position.batch; index < order.length; index++) {
      if (spec.maxSteps !== undefined && stepLosses.length >= spec.maxSteps) {
        stopReason = 'max-steps';
        frozen = capture();
        break;
      }
      const batch = spec.source.batch(order[index] as Int32Array);
      let info;
      try {
        const learningRate = learningRateAt(spec.learningRate, optimizer.steps);
        const epsilon = spec.scheduledSampling ? truthProbability(spec.scheduledSampling, optimizer.steps) : undefined;
        const decoderInputs = epsilon !== undefined ? { kind: 'scheduled-sampling' as const, truthProbability: epsilon } : undefined;
        const forward = trainingContext({ seed: spec.seed, step: optimizer.steps, ...(decoderInputs ? { decoderInputs } : {}) });
        const where = `epoch ${epoch}, step ${index + 1}`;
        const result = await spec.step(model, batch, { forward, optimizer, learningRate, loss: spec.loss, lossConfig: spec.lossConfig, clip: spec.clip, where, guard });
        stepLosses.push(result.loss);
        progress = { lossSum: progress.lossSum + result.loss * batch.size, examples: progress.examples + batch.size };
        position = { epoch, batch: index + 1 };
        info = { epoch, batch: index + 1, batchesPerEpoch: order.length, step: stepLosses.length, loss: result.loss, gradientNorm: result.gradientNorm, learningRate, size: batch.size, ...(epsilon !== undefined ? { truthProbability: epsilon } : {}) };
      } finally {
        disposeBatch(batch);
      }
      for (const callback of callbacks) await callback.onStep?.(info, loop);
      if (requested) {
        stopReason = requested;
        frozen = capture();
        break;
      }
    }
    if (progress.examples === 0) break;

    const metrics: Record<string, number> = {};
    const epochInfo: EpochInfo = { epoch, epochs: spec.epochs, loss: progress.lossSum / progress.examples, seconds: (Date.now() - epochStart) / 1000, metrics };
    for (const callback of callbacks) await callback.onEpoch?.(epochInfo, loop);
    history.push({ epoch, loss: epochInfo.loss, ...(metrics.validationLoss !== undefined ? { validationLoss: metrics.validationLoss } : {}) });
    position = { epoch: epoch + 1, batch: 0 };
    progress = { lossSum: 0, examples: 0 };
    if (requested) stopReason = requested;
  }
  // A run stopped mid-epoch still reports the partial epoch (history, validation, early stopping), but its
  // state stays where it stopped, before that: resuming it finishes the epoch as if it had never stopped.
  const end = { stopReason, history, stepLosses };
  for (const callback of callbacks) await callback.onEnd?.(end, loop);
  return end;
}
