import { DivergenceError } from '@unfold/core';
import type { FitCallback } from './callbacks';

export interface DivergenceOptions {
  readonly factor?: number;
  readonly warmup?: number;
}

/**
 * The divergence guard's rising-loss rule, as a callback: training has diverged when the exponential moving
 * average of the step loss (β = 0.9) exceeds `factor` times its lowest value so far, after `warmup` steps;
 * it throws a DivergenceError (E_DIVERGED) naming the step, before that step's update. Smoothing keeps one
 * hard batch from tripping it; a run that blows up (Adam at a learning rate of 1e6 reaches 1e13) trips it
 * within a few steps. Defaults: factor 100, warm-up 10 steps. (A non-finite loss or gradient always stops
 * training, in `update`.) Its average travels in the training state.
 */
export function divergenceCallback(options: DivergenceOptions = {}): FitCallback {
  const factor = options.factor ?? 100;
  const warmup = options.warmup ?? 10;
  let average: number | undefined;
  let lowest = Infinity;
  let steps = 0;
  return {
    name: 'divergence',
    beforeUpdate(loss, where) {
      average = average === undefined ? loss : 0.9 * average + 0.1 * loss;
      steps++;
      if (steps > warmup && average > factor * lowest) {
        throw new DivergenceError('training diverged: the loss rose far above its best', { where, expected: `a smoothed loss below ${factor} × its best (${lowest.toExponential(3)})`, got: average.toExponential(3), fix: 'lower the learning rate or clip gradients (clipNorm); the weights of the last good step were kept' });
      }
      lowest = Math.min(lowest, average);
    },
    saveState: () => ({ json: { average: average ?? null, lowest: Number.isFinite(lowest) ? lowest : null, steps } }),
    loadState(snapshot) {
      const json = snapshot.json as { average: number | null; lowest: number | null; steps: number };
      average = json.average ?? undefined;
      lowest = json.lowest ?? Infinity;
      steps = json.steps;
    },
  };
}
