import { resolve } from 'node:path';
import { setupBackend, type Registry } from '@unfold/core';
import { saveModel } from '@unfold/core/node';
import { consoleProgress, createModel, fit, forecastingWindows, mackeyGlass, normalisationOf, nrmse, predict, type FitResult, type Model, type Normalisation, type SequenceData } from '@unfold/training';
import type { Io } from '../io';
import { forecasterReport } from '../report/model-reports';
import { writeReport } from '../report/write';
import { FORECASTER_CELLS, builtInRegistry, forecasterSpec, type ForecasterCell } from '../models';
import { choiceOption, integerOption, numberOption, parseOptions } from '../options';
import { UsageError } from '../usage-error';
import { SPEC_HELP, SPEC_OPTIONS, trainFromSpec } from './train-spec';
import { backendLine } from '../backend-line';

export const TRAIN_HELP = `unfold train — train a model on your own data (--spec, --data), or the built-in Mackey-Glass forecaster

Usage: unfold train [options]                                  the built-in forecaster (below)
       unfold train --spec model.json --data train.jsonl …     your own model and data (further below)

Options:
  --cell <lstm|gru|rnn|leaky>   recurrent cell (default lstm)
  --hidden <n>                  hidden units (default 32)
  --window <n>                  input window length in steps (default 24)
  --epochs <n>                  training epochs (default 12)
  --batch <n>                   batch size (default 32)
  --lr <x>                      Adam learning rate (default 0.005)
  --seed <n>                    seed for weights and shuffling (default 1)
  --backend <wasm|cpu>          tensor backend (default wasm)
  -o, --out <path>              checkpoint to write (default forecaster.unfold)
  --report <dir>                write a training report to dir/report.html (self-contained: loss curves, and
                                per task the forecast with its free-running rollout or sampled text) and
                                its data to dir/report.json; with --spec too
  -h, --help                    show this help

The series is generated (4,000 samples, one per time unit); the first 60% trains, the next 20% validates and
the last 20% tests. Prints progress, the test NRMSE of one-step-ahead forecasts (1.0 = predicting the mean),
and writes the checkpoint atomically with the normalisation constants in its metadata.
${SPEC_HELP}`;

export interface ForecasterOptions {
  readonly cell: ForecasterCell;
  readonly hidden: number;
  readonly window: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly backend: 'wasm' | 'cpu';
  readonly out: string;
}

export const TRAIN_OPTIONS = {
  cell: { type: 'string' },
  hidden: { type: 'string' },
  window: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string', short: 'o' },
  report: { type: 'string' },
} as const;

/** The forecaster options from parsed command-line values, with their documented defaults. */
export function forecasterOptions(values: Partial<Record<keyof typeof TRAIN_OPTIONS, string>>, defaultOut = 'forecaster.unfold'): ForecasterOptions {
  return {
    cell: choiceOption(values.cell, 'cell', FORECASTER_CELLS, 'lstm'),
    hidden: integerOption(values.hidden, 'hidden', 32),
    window: integerOption(values.window, 'window', 24),
    epochs: integerOption(values.epochs, 'epochs', 12),
    batchSize: integerOption(values.batch, 'batch', 32),
    learningRate: numberOption(values.lr, 'lr', 0.005),
    seed: integerOption(values.seed, 'seed', 1, 0),
    backend: choiceOption(values.backend, 'backend', ['wasm', 'cpu'] as const, 'wasm'),
    out: resolve(values.out ?? defaultOut),
  };
}

export interface TrainedForecaster {
  readonly registry: Registry;
  readonly model: Model;
  /** Held-out windows the score was computed on. */
  readonly test: SequenceData;
  readonly nrmse: number;
  readonly history: FitResult['history'];
  /** The whole series in model units (z-scored with the training part's mean and std). */
  readonly series: Float64Array;
  /** Where the test part of the series starts. */
  readonly testStart: number;
  readonly normalisation: Normalisation;
}

/** Trains the Mackey-Glass forecaster, reports the test NRMSE and writes the checkpoint. Dispose `model` after use. */
export async function trainForecaster(options: ForecasterOptions, io: Io): Promise<TrainedForecaster> {
  const { cell, hidden, window, epochs, batchSize, learningRate, seed, backend, out } = options;
  await setupBackend({ backend });
  const series = mackeyGlass({ length: 4000 });
  const trainEnd = 2400;
  const validationEnd = 3200;
  const normalisation = normalisationOf(series.subarray(0, trainEnd));
  const windows = (from: number, to: number) => forecastingWindows(series.subarray(from, to), { window, normalisation });
  const trainData = windows(0, trainEnd);
  const validation = windows(trainEnd - window, validationEnd);
  const test = windows(validationEnd - window, series.length);
  const registry = builtInRegistry();
  const metadata = { task: 'mackey-glass', description: `one-step-ahead Mackey-Glass forecaster (${cell}, ${hidden} units, window ${window})`, window, normalisation: { mean: normalisation.mean, std: normalisation.std } };
  const model = createModel(registry, forecasterSpec(cell, hidden, metadata), { seed });
  io.err(`model: ${cell} with ${hidden} units, window ${window}, ${[...model.variables.values()].reduce((n, v) => n + v.size, 0)} parameters, ${backendLine(backend)}\n`);
  try {
    const result = await fit(model, trainData, {
      epochs,
      batchSize,
      loss: 'mse',
      optimizer: { kind: 'adam', learningRate },
      clipNorm: 1,
      seed,
      validation,
      earlyStopping: { patience: 4, restoreBest: true },
      progress: consoleProgress({ output: { write: (text: string) => io.err(text), isTTY: io.interactive } }),
    });
    const predicted = predict(model, test.x).map(([row]) => row?.[0] as number);
    const actual = (test.y as number[][]).map((row) => row[0] as number);
    const score = nrmse(predicted, actual);
    await saveModel(registry, out, model.toModelData());
    io.out(`test NRMSE ${score.toFixed(4)} over ${actual.length} one-step forecasts (mean predictor: 1.0)\n`);
    io.out(`checkpoint written to ${out}\n`);
    const normalised = series.map((v) => (v - normalisation.mean) / normalisation.std);
    return { registry, model, test, nrmse: score, history: result.history, series: normalised, testStart: validationEnd, normalisation };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

export async function train(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseOptions('train', argv, { ...TRAIN_OPTIONS, ...SPEC_OPTIONS });
  if (values.help) {
    io.out(TRAIN_HELP);
    return 0;
  }
  if (values.spec !== undefined || values.resume !== undefined) return trainFromSpec(values, io);
  const specOnly = Object.keys(SPEC_OPTIONS).find((name) => values[name as keyof typeof values] !== undefined);
  if (specOnly) throw new UsageError(`--${specOnly} needs --spec`, 'pass --spec model.json --data train.jsonl (see unfold train --help), or leave it out to train the built-in forecaster');
  const options = forecasterOptions(values);
  const trained = await trainForecaster(options, io);
  try {
    if (values.report !== undefined) {
      const { part } = forecasterReport(trained, { name: 'forecaster', window: options.window });
      io.out(`report written to ${await writeReport(values.report, { title: 'unfold training report', subtitle: `unfold train: ${part.description}`, models: [part] })}\n`);
    }
  } finally {
    trained.model.dispose();
  }
  return 0;
}
