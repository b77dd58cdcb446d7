import { checkTokenizer } from '@unfold/core/tokenizer';
import type { ModelSpec } from '@unfold/core';
import type { FitResult, Model, Normalisation } from '@unfold/training';
import { forecastPlot, lossCurves } from './from-model';
import { FORECAST_HORIZON, languageModelReport, samplePrompts } from './model-reports';
import type { ReportModel } from './types';
import { writeReport } from './write';

export interface SpecRun {
  readonly model: Model;
  readonly spec: ModelSpec;
  readonly history: FitResult['history'];
  /** The loss plugin's kind (the curves' axis). */
  readonly loss: string;
  readonly prepared: {
    readonly metadata: Readonly<Record<string, unknown>>;
    readonly forecast?: { readonly series: Float64Array; readonly start: number; readonly window: number; readonly normalisation: Normalisation };
    readonly texts?: readonly string[];
  };
  /** The spec file (or checkpoint) the run came from. */
  readonly source: string;
}

/**
 * The report of an `unfold train --spec` run: loss curves always; for a language model (text data) sampled
 * text and the next-token probabilities along a sample; for a CSV forecaster the forecast against the held-out
 * series (the --valid file, else the training series) with its free-running rollout.
 */
export async function writeSpecReport(dir: string, run: SpecRun): Promise<string> {
  const name = run.source.replace(/^.*[\\/]/, '').replace(/\.(json|unfold)$/, '');
  const description = typeof run.spec.metadata?.description === 'string' ? run.spec.metadata.description : `${run.spec.kind} from ${run.source}`;
  const last = run.history.at(-1);
  const facts = [
    { label: 'epochs', value: String(run.history.length) },
    ...(last ? [{ label: 'final training loss', value: last.loss.toPrecision(3) }] : []),
    ...(last?.validationLoss !== undefined ? [{ label: 'final validation loss', value: last.validationLoss.toPrecision(3) }] : []),
  ];
  let part: ReportModel;
  if (run.prepared.texts && run.prepared.metadata.tokenizer !== undefined) {
    const tokenizer = checkTokenizer(run.prepared.metadata.tokenizer, 'report: tokenizer');
    part = languageModelReport(run.model, run.history, tokenizer, { name, description, facts, prompts: samplePrompts(run.prepared.texts, 6) });
  } else {
    const sections = [lossCurves(`${name}-loss`, run.history, run.loss)];
    const f = run.prepared.forecast;
    if (f && f.series.length > f.start) sections.push(forecastPlot(`${name}-forecast`, run.model, f.series, { start: f.start, horizon: Math.min(FORECAST_HORIZON, f.series.length - f.start), window: f.window, normalisation: f.normalisation }).section);
    part = { name, description, facts, sections };
  }
  return writeReport(dir, { title: 'unfold training report', subtitle: `unfold train --spec ${run.source}`, models: [part] });
}
