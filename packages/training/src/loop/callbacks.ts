import type { CallbackSnapshot, ForwardContext, LossPlugin, TrainingHistoryEntry, TrainingState } from '@unfold/core';
import type { Batch } from '../data/batches';
import type { Model } from '../model';
import type { Optimizer } from '../optimizers/optimizer';
import type { StepOptions, UpdateResult } from '../train-step';

/**
 * The parts of the fit loop (loop/run.ts) besides the batch sampler: the train step and callbacks.
 *
 * A callback is an object with any of these hooks, called in the order the callbacks are listed:
 *
 * - `onStart(loop)` once, before the first step (also when resuming);
 * - `beforeUpdate(loss, where, gradientNorm)` inside each step, after the gradients and before the update:
 *   throwing stops training with the weights of the last good step (the divergence guard);
 * - `onStep(info, loop)` after each update, with the loss, the pre-clip gradient norm, the learning rate
 *   and scheduled sampling's ε;
 * - `onEpoch(info, loop)` after each epoch; `info.metrics` is shared down the list (validation adds
 *   `validationLoss` for the callbacks after it); the loop then records the epoch in the history;
 * - `onEnd(info, loop)` once when training ends without an error;
 * - `saveState()` / `loadState(snapshot)`: a callback with state of its own (a best loss, a moving average)
 *   puts it into the training state by `name`, so that a resumed run continues it.
 *
 * `loop.stop(reason)` ends training after the current step (or epoch, from `onEpoch`).
 */
export interface FitCallback {
  /** Names the callback's state in a TrainingState (no `/`). */
  readonly name: string;
  onStart?(loop: LoopControl): void | Promise<void>;
  beforeUpdate?(loss: number, where: string, gradientNorm: number): void;
  onStep?(info: StepInfo, loop: LoopControl): void | Promise<void>;
  onEpoch?(info: EpochInfo, loop: LoopControl): void | Promise<void>;
  onEnd?(info: EndInfo, loop: LoopControl): void | Promise<void>;
  saveState?(): CallbackSnapshot;
  loadState?(snapshot: CallbackSnapshot): void;
}

/** Why training ended: all epochs done, `maxSteps` reached, no improvement for `patience` epochs, `targetLoss` reached, or a callback's `stop`. */
export type StopReason = 'epochs' | 'max-steps' | 'patience' | 'target' | 'callback';

export interface LoopControl {
  readonly model: Model;
  /** Epochs the run trains for. */
  readonly epochs: number;
  /** Ends training once the current step (or epoch) is done. */
  stop(reason: Exclude<StopReason, 'epochs' | 'max-steps'>): void;
  /** The training state now, copied to host memory (weights, optimizer slots, position, callbacks' state). */
  state(): TrainingState;
}

export interface StepInfo {
  readonly epoch: number;
  /** 1-based index of the batch in its epoch. */
  readonly batch: number;
  readonly batchesPerEpoch: number;
  /** Optimizer steps taken, this one included. */
  readonly step: number;
  /** The loss before the update. */
  readonly loss: number;
  /** The global gradient norm before any clipping. */
  readonly gradientNorm: number;
  readonly learningRate: number;
  /** Scheduled sampling's ε (probability of feeding the ground truth) at this step, when it is on. */
  readonly truthProbability?: number;
  /** Sequences in the batch. */
  readonly size: number;
}

export interface EpochInfo {
  readonly epoch: number;
  readonly epochs: number;
  /** Mean training loss of the epoch's steps, weighted by batch size. */
  readonly loss: number;
  readonly seconds: number;
  /** Shared down the callback list: validation writes `validationLoss`. */
  readonly metrics: Record<string, number>;
}

export interface EndInfo {
  readonly stopReason: StopReason;
  readonly history: readonly TrainingHistoryEntry[];
  readonly stepLosses: readonly number[];
}

/** What a train step is handed besides the model and the batch. */
export interface TrainStepContext {
  /** The step's forward context: training, the rng forked from (seed, step), the decoder-input policy. */
  readonly forward: ForwardContext;
  readonly optimizer: Optimizer;
  readonly learningRate: number;
  readonly loss: LossPlugin;
  readonly lossConfig: unknown;
  /** Gradient clipping to apply. */
  readonly clip: StepOptions;
  /** Names the step in errors (`epoch 2, step 5`). */
  readonly where: string;
  /** Call with the loss before applying the update (runs the callbacks' `beforeUpdate`). */
  readonly guard: (loss: number, where: string, gradientNorm: number) => void;
}

/**
 * One optimisation step on a batch: gradients, the update, and what it did. The default is full BPTT
 * over the padded batch (`fullBpttStep`); a custom step must call `context.guard` before updating and use
 * `context.optimizer` so that checkpoints hold its state.
 */
export type TrainStep = (model: Model, batch: Batch, context: TrainStepContext) => UpdateResult | Promise<UpdateResult>;
