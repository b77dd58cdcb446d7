// Public API of @unfold/training. An explicit list: what is not named here is internal.
export { disposeBatch, epochOrder, makeBatch, type Batch } from './data/batches';
export { bucketBoundaries, bucketedOrder, paddingReport, type BucketSpec } from './data/buckets';
export { readExamples, type DataShape, type Example, type SequenceData } from './data/sequence-data';
export { csvColumn, parseCsv, type CsvTable } from './data/csv';
export { dataError, featureData, languageModelData, parseJsonLines, readRecords, tokenStreams, unionSizes, type FeatureData, type FeatureRecord, type JsonLine, type RecordSet } from './data/records';
export { AUTO, fillDataSizes, probeSpec, type DataSizes, type FilledOption } from './data/spec-sizes';
export { fit, type FitOptions, type FitResult } from './fit';
export type { EndInfo, EpochInfo, FitCallback, LoopControl, StepInfo, StopReason, TrainStep, TrainStepContext } from './loop/callbacks';
export { checkpointCallback } from './loop/checkpoints';
export { divergenceCallback, type DivergenceOptions } from './loop/divergence';
export { resolveLoss, type LossOption } from './loop/loss';
export { epochEndCallback, monitorCallback, validationCallback, type Monitor, type MonitorOptions } from './loop/monitor';
export { runLoop, type LoopResult, type LoopSpec } from './loop/run';
export { bucketSampler, sequentialSampler, shuffledSampler, type BatchSampler } from './loop/sampler';
export { optimizerSnapshot } from './loop/state';
export { crossEntropy } from './losses/cross-entropy';
export { maskedMean } from './losses/masked-mean';
export { mse } from './losses/mse';
export { createModel, type CreateModelOptions, type Model } from './model';
export { adam } from './optimizers/adam';
export { clipByGlobalNorm, clipByValue } from './optimizers/clipping';
export { createOptimizer, learningRateAt } from './optimizers/create-optimizer';
export type { LearningRate, Optimizer, OptimizerConfig, OptimizerState } from './optimizers/optimizer';
export { rmsprop } from './optimizers/rmsprop';
export { schedules } from './optimizers/schedules';
export { checkSchedule, parseSchedule, truthProbability, type SamplingSchedule } from './sampling-schedules';
export { sgd } from './optimizers/sgd';
export { freeRun } from './generate';
export { choleskySolve, ridgeRegression } from './linalg';
export { predict } from './predict';
export { fitReadout, type ReadoutOptions } from './readout';
export { consoleProgress, progressCallback, type FitSummary, type ProgressEvent, type ProgressListener } from './progress';
export { addingProblem } from './tasks/adding-problem';
export { mackeyGlass, type MackeyGlassOptions } from './tasks/mackey-glass';
export { narma10 } from './tasks/narma';
export { twoTimescale } from './tasks/two-timescale';
export { forecastingWindows, normalisationOf, nrmse, type Normalisation } from './tasks/windows';
export { batchLoss, evaluateLoss, fullBpttStep, trainStep, update, type StepOptions, type UpdateGuard, type UpdateResult } from './train-step';
export { fitStreams, type TbpttOptions, type TbpttResult } from './tbptt';

import { crossEntropy } from './losses/cross-entropy';
import { mse } from './losses/mse';

/** The losses of this package, for `createRegistry`. */
export const losses = Object.freeze([mse, crossEntropy] as const);
