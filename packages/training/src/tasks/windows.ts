import { ConfigError } from '@unfold/core';
import type { SequenceData } from '../data/sequence-data';

/** Mean and standard deviation used to normalise a series: z = (x − mean) / std. */
export interface Normalisation {
  readonly mean: number;
  readonly std: number;
}

export function normalisationOf(series: ArrayLike<number>): Normalisation {
  let mean = 0;
  for (let i = 0; i < series.length; i++) mean += series[i] as number;
  mean /= series.length;
  let variance = 0;
  for (let i = 0; i < series.length; i++) variance += ((series[i] as number) - mean) ** 2;
  const std = Math.sqrt(variance / series.length);
  return { mean, std: std > 0 ? std : 1 };
}

/**
 * Sliding windows over a (normalised) series for one-step-ahead forecasting with readout "last":
 * input x = z[t .. t+window−1] as [window][1], target y = z[t+window+horizon−1] as [1].
 */
export function forecastingWindows(series: ArrayLike<number>, options: { window: number; horizon?: number; stride?: number; normalisation: Normalisation }): SequenceData {
  const { window, horizon = 1, stride = 1, normalisation } = options;
  if (!Number.isSafeInteger(window) || window < 1 || series.length < window + horizon) {
    throw new ConfigError('series too short for the window', { where: 'forecastingWindows', expected: `at least window + horizon = ${window + horizon} values`, got: `${series.length}` });
  }
  const z = (i: number) => ((series[i] as number) - normalisation.mean) / normalisation.std;
  const x: number[][][] = [];
  const y: number[][] = [];
  for (let start = 0; start + window + horizon - 1 < series.length; start += stride) {
    x.push(Array.from({ length: window }, (_, k) => [z(start + k)]));
    y.push([z(start + window + horizon - 1)]);
  }
  return { x, y };
}

/** Normalised root-mean-square error: √(mean((ŷ − y)²) / var(y)). 1 is the mean predictor's score. */
export function nrmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const { std } = normalisationOf(actual);
  let squared = 0;
  for (let i = 0; i < actual.length; i++) squared += ((predicted[i] as number) - (actual[i] as number)) ** 2;
  return Math.sqrt(squared / actual.length) / std;
}
