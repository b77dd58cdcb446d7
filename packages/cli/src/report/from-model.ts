import * as tf from '@tensorflow/tfjs-core';
import { BOS_ID, encodeText, EOS_ID, type TokenizerSpec } from '@unfold/core/tokenizer';
import { generate, predict, type FitResult, type Model, type Normalisation } from '@unfold/training';
import type { HeatmapSection, LineChartSection, SamplesSection } from './types';

/**
 * Report sections built from a trained model and its data (these run the model; the rendering in
 * line-chart.ts, heatmap.ts and html.ts is pure).
 */

/** Training and validation loss by epoch (validation only where the run had validation data). */
export function lossCurves(id: string, history: FitResult['history'], lossName: string): LineChartSection {
  const validation = history.filter((h) => h.validationLoss !== undefined);
  const values = [...history.map((h) => h.loss), ...validation.map((h) => h.validationLoss as number)];
  // A log axis once the loss falls by more than 10×, so the later epochs stay readable.
  const logY = values.every((v) => v > 0) && Math.max(...values) > 10 * Math.min(...values);
  return {
    kind: 'line-chart',
    id,
    title: 'Loss by epoch',
    caption: `The training loss averaged over each epoch's batches${validation.length ? ', and the loss on the held-out validation data at the end of each epoch' : ''}.`,
    xLabel: 'epoch',
    yLabel: logY ? `${lossName} (log scale)` : lossName,
    logY,
    series: [{ name: 'training', points: history.map((h) => [h.epoch, h.loss] as const) }, ...(validation.length ? [{ name: 'validation', points: validation.map((h) => [h.epoch, h.validationLoss as number] as const) }] : [])],
  };
}

/**
 * A last-step forecaster's free-running rollout: from the `window` values before it, each prediction is
 * appended and the next window (the last `window` values, predictions included) predicts the next value,
 * as the runtime's rollout with feedback "window". Values in model (normalised) units.
 */
export function windowRollout(model: Model, context: readonly number[], window: number, steps: number): number[] {
  const history = [...context];
  const out: number[] = [];
  for (let k = 0; k < steps; k++) {
    const [row] = predict(model, [history.slice(-window).map((v) => [v])]);
    const value = row?.[0]?.[0] as number;
    out.push(value);
    history.push(value);
  }
  return out;
}

export interface ForecastPlot {
  readonly section: LineChartSection;
  /** One-step forecasts and the rollout in the series' units, `horizon` values each. */
  readonly oneStep: readonly number[];
  readonly rollout: readonly number[];
}

/**
 * The forecast against the truth over `horizon` steps from `start`: one-step forecasts (each from the true
 * window before it) and the free-running rollout (from the true window before `start`, then on its own
 * predictions). `series` is in model units; `normalisation` maps back to the data's units for the chart.
 */
export function forecastPlot(id: string, model: Model, series: ArrayLike<number>, options: { start: number; horizon: number; window: number; normalisation?: Normalisation; unitsLabel?: string }): ForecastPlot {
  const { start, horizon, window } = options;
  const n = options.normalisation;
  const toData = (z: number) => (n ? z * n.std + n.mean : z);
  const values = Array.from(series);
  const windows = Array.from({ length: horizon }, (_, i) => values.slice(start + i - window, start + i).map((v) => [v]));
  const oneStep = predict(model, windows).map((rows) => toData(rows[0]?.[0] as number));
  const rollout = windowRollout(model, values.slice(start - window, start), window, horizon).map(toData);
  const before = Math.min(window, start);
  const truth = values.slice(start - before, start + horizon).map((v, i) => [start - before + i, toData(v)] as const);
  return {
    oneStep,
    rollout,
    section: {
      kind: 'line-chart',
      id,
      title: 'Forecast against the truth',
      caption: `Held-out series from step ${start}: one-step forecasts read the true previous ${window} values; the free-running rollout reads them once, at the marker, then only its own predictions (${horizon} steps).`,
      xLabel: 'time step',
      yLabel: options.unitsLabel ?? 'value',
      marker: { x: start, label: 'rollout starts' },
      series: [
        { name: 'truth', points: truth, colour: '#334155' },
        { name: 'one-step forecast', points: oneStep.map((v, i) => [start + i, v] as const), dashed: true, colour: '#2563eb' },
        { name: 'free-running rollout', points: rollout.map((v, i) => [start + i, v] as const), colour: '#ea580c' },
      ],
    },
  };
}

export interface SampleRequest {
  readonly prompt: string;
  readonly seed: number;
  readonly temperature: number;
  readonly maxLength: number;
}

/** Text sampled from a token language model, one line per request (the library's generate). */
export function textSamples(id: string, model: Model, requests: readonly SampleRequest[]): SamplesSection {
  return {
    kind: 'samples',
    id,
    title: 'Sampled text',
    caption: 'Each line: the prompt (grey), then what the model wrote, a token at a time fed back, until <eos> or the length limit.',
    samples: requests.map((r) => {
      const result = generate(model, { prompt: r.prompt, maxLength: r.maxLength, temperature: r.temperature, seed: r.seed });
      return { prompt: r.prompt, text: result.text, note: `seed ${r.seed}, temperature ${r.temperature}${result.stopReason === 'max-length' ? ', length limit' : ''}` };
    }),
  };
}

/** A token as a row or column label: specials as they are, a space as ␣, a newline as ⏎. */
function tokenLabel(token: string): string {
  return token === ' ' ? '␣' : token === '\n' ? '⏎' : token;
}

/**
 * The model's next-token distribution at every position of a text: row t is P(next token | <bos> and the
 * first t tokens), labelled with the token just read; columns are the vocabulary without <pad>, <unk>
 * and <bos> (which a trained model never predicts). Probabilities are the softmax of the model's logits
 * (or its probabilities as they are).
 */
export function nextTokenHeatmap(id: string, model: Model, tokenizer: TokenizerSpec, text: string): HeatmapSection {
  const ids = [BOS_ID, ...encodeText(tokenizer, text)];
  const rows = tf.tidy(() => {
    const x = tf.tensor2d([ids], [1, ids.length], 'int32');
    const outputs = model.forward(x as unknown as tf.Tensor3D).outputs.squeeze([0]);
    return (model.semantics.emits === 'probabilities' ? outputs : tf.softmax(outputs)).arraySync() as number[][];
  });
  const columns = tokenizer.tokens.map((_, i) => i).filter((i) => i >= EOS_ID);
  return {
    kind: 'heatmap',
    id,
    title: 'Next-character probabilities along a sentence',
    caption: `Row t: the model's distribution over the next character after reading the characters up to row t of "${text}" (brighter = likelier). A well-trained model is sure inside words and hesitates where the grammar allows a choice.`,
    matrix: rows.map((row) => columns.map((c) => row[c] as number)),
    rowLabels: ids.map((id) => tokenLabel(tokenizer.tokens[id] as string)),
    columnLabels: columns.map((c) => tokenLabel(tokenizer.tokens[c] as string)),
    rowAxis: 'character read',
    columnAxis: 'next character',
    range: [0, 1],
  };
}
