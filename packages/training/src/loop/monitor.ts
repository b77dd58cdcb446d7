import type { LossPlugin, WeightMap } from '@unfold/core';
import { batchesOf, type BatchSource } from '../data/batch-source';
import type { Model } from '../model';
import { evaluateLoss } from '../train-step';
import type { FitCallback } from './callbacks';

/** Validation: after each epoch, the mean loss over `source` as `metrics.validationLoss` (inference context). */
export function validationCallback(source: BatchSource, batchSize: number, loss: LossPlugin, lossConfig: unknown): FitCallback {
  return {
    name: 'validation',
    onEpoch(info, loop) {
      info.metrics.validationLoss = evaluateLoss(loop.model, loss, lossConfig, batchesOf(source, batchSize));
    },
  };
}

export interface MonitorOptions {
  /** Stop when the monitored loss has not improved by `minDelta` for `patience` epochs. */
  readonly earlyStopping?: { readonly patience: number; readonly minDelta?: number; readonly restoreBest?: boolean };
  /** Stop as soon as the monitored loss is at or below this value. */
  readonly targetLoss?: number;
}

/** The monitor: a callback that also tells its best monitored loss. */
export type Monitor = FitCallback & { readonly best: number };

/**
 * Early stopping on the monitored loss (validation if there is one, else training): the best loss, `patience`
 * epochs without an improvement by `minDelta`, `targetLoss`, and restore-best: at the end, the weights of
 * the best epoch whatever ended training. Its state (best loss, epochs since, best weights) is resumable.
 */
export function monitorCallback(options: MonitorOptions): Monitor {
  const early = options.earlyStopping;
  let best = Infinity;
  let sinceBest = 0;
  let bestWeights: WeightMap | undefined;
  return {
    name: 'early-stopping',
    get best() {
      return best;
    },
    onEpoch(info, loop) {
      const monitored = info.metrics.validationLoss ?? info.loss;
      if (options.targetLoss !== undefined && monitored <= options.targetLoss) {
        best = Math.min(best, monitored);
        loop.stop('target');
        return;
      }
      if (monitored < best - (early?.minDelta ?? 0)) {
        best = monitored;
        sinceBest = 0;
        if (early?.restoreBest) bestWeights = loop.model.toModelData().weights;
      } else if (early && ++sinceBest >= early.patience) {
        loop.stop('patience');
      }
    },
    onEnd({ history }, loop) {
      const last = history.at(-1);
      if (bestWeights && last && (last.validationLoss ?? last.loss) !== best) loop.model.setWeights(bestWeights);
    },
    saveState: () => ({ json: { best: Number.isFinite(best) ? best : null, sinceBest }, ...(bestWeights ? { tensors: bestWeights } : {}) }),
    loadState(snapshot) {
      const json = snapshot.json as { best: number | null; sinceBest: number };
      best = json.best ?? Infinity;
      sinceBest = json.sinceBest;
      bestWeights = snapshot.tensors;
    },
  };
}

/** fit's `onEpochEnd` as a callback. */
export function epochEndCallback(onEpochEnd: (epoch: number, model: Model, losses: { loss: number; validationLoss?: number }) => void | Promise<void>): FitCallback {
  return {
    name: 'on-epoch-end',
    async onEpoch(info, loop) {
      const { validationLoss } = info.metrics;
      await onEpochEnd(info.epoch, loop.model, { loss: info.loss, ...(validationLoss !== undefined ? { validationLoss } : {}) });
    },
  };
}
