import type { TokenizerSpec } from '@unfold/core/tokenizer';
import type { FitResult, Model, Normalisation } from '@unfold/training';
import { forecastPlot, lossCurves, nextTokenHeatmap, textSamples, type ForecastPlot, type SampleRequest } from './from-model';
import type { ReportModel } from './types';

/** Steps of the forecast chart: enough for several Mackey-Glass cycles (period ≈ 50). */
export const FORECAST_HORIZON = 300;

export interface TrainedForecast {
  readonly model: Model;
  readonly history: FitResult['history'];
  /** The series in model units. */
  readonly series: ArrayLike<number>;
  /** Where the held-out part starts (the chart starts here). */
  readonly testStart: number;
  readonly normalisation?: Normalisation;
  readonly nrmse?: number;
}

/** A forecaster's part of the report: loss curves and the forecast with its free-running rollout. */
export function forecasterReport(trained: TrainedForecast, options: { name: string; window: number; horizon?: number; description?: string }): { part: ReportModel; plot: ForecastPlot } {
  const horizon = Math.min(options.horizon ?? FORECAST_HORIZON, trained.series.length - trained.testStart);
  const plot = forecastPlot(`${options.name}-forecast`, trained.model, trained.series, { start: trained.testStart, horizon, window: options.window, ...(trained.normalisation ? { normalisation: trained.normalisation } : {}) });
  const last = trained.history.at(-1);
  return {
    plot,
    part: {
      name: options.name,
      description: options.description ?? `one-step-ahead forecaster over windows of ${options.window} steps`,
      facts: [
        ...(trained.nrmse !== undefined ? [{ label: 'test NRMSE (one step)', value: trained.nrmse.toFixed(4) }] : []),
        { label: 'epochs', value: String(trained.history.length) },
        ...(last ? [{ label: 'final training loss', value: last.loss.toPrecision(3) }] : []),
        ...(last?.validationLoss !== undefined ? [{ label: 'final validation loss', value: last.validationLoss.toPrecision(3) }] : []),
      ],
      sections: [lossCurves(`${options.name}-loss`, trained.history, 'mean squared error'), plot.section],
    },
  };
}

/** Prompts for a language model's samples: the empty prompt and the first words of the given texts. */
export function samplePrompts(texts: readonly string[], count: number, options: { temperature?: number; maxLength?: number } = {}): SampleRequest[] {
  const starts = ['', ...new Set(texts.map((t) => t.split(' ')[0] ?? '').filter((w) => w.length > 0).map((w) => `${w} `))];
  return Array.from({ length: count }, (_, i) => ({ prompt: starts[i % starts.length] as string, seed: i + 1, temperature: options.temperature ?? 0.8, maxLength: options.maxLength ?? 80 }));
}

/** A language model's part: loss curves, sampled text and the next-character probabilities along a sample. */
export function languageModelReport(model: Model, history: FitResult['history'], tokenizer: TokenizerSpec, options: { name: string; description: string; facts?: ReportModel['facts']; prompts: readonly SampleRequest[] }): ReportModel {
  const samples = textSamples(`${options.name}-samples`, model, options.prompts);
  const along = samples.samples.map((s) => s.prompt + s.text).find((t) => t.length >= 8 && t.length <= 48) ?? (samples.samples[0] ? samples.samples[0].prompt + samples.samples[0].text : '');
  return {
    name: options.name,
    description: options.description,
    facts: options.facts ?? [],
    sections: [lossCurves(`${options.name}-loss`, history, 'cross-entropy (nats per token)'), samples, nextTokenHeatmap(`${options.name}-next-token`, model, tokenizer, along)],
  };
}
