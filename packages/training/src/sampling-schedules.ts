import { ConfigError } from '@unfold/core';

/**
 * Scheduled-sampling schedules (Bengio et al. 2015, "Scheduled sampling for sequence prediction with
 * recurrent neural networks"): ε_i, the probability of feeding the ground truth rather than the model's
 * own prediction at training step i (0-based), decays from teacher forcing towards free running.
 *
 *   constant          ε_i = ε
 *   linear            ε_i = max(ε_min, k − c·i)
 *   exponential       ε_i = k^i                     (k < 1)
 *   inverse-sigmoid   ε_i = k / (k + exp(i / k))    (k >= 1)
 *
 * As text (the CLI's `--scheduled-sampling`): `constant:0.5`, `linear:K:MIN:C` (`linear:1:0.05:0.0001`),
 * `exponential:K` (`exponential:0.999`), `inverse-sigmoid:K` (`inverse-sigmoid:500`).
 */
export type SamplingSchedule =
  | { readonly kind: 'constant'; readonly truthProbability: number }
  | { readonly kind: 'linear'; readonly k: number; readonly min: number; readonly c: number }
  | { readonly kind: 'exponential'; readonly k: number }
  | { readonly kind: 'inverse-sigmoid'; readonly k: number };

function invalid(schedule: unknown, expected: string, where: string): ConfigError {
  return new ConfigError('invalid scheduled-sampling schedule', { where, expected, got: JSON.stringify(schedule), fix: 'e.g. { kind: "inverse-sigmoid", k: 500 } or "linear:1:0.05:0.0001"' });
}

const inUnit = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Checks a schedule's parameters; throws a ConfigError naming the rule it breaks. */
export function checkSchedule(schedule: SamplingSchedule, where = 'scheduled sampling'): SamplingSchedule {
  const s = schedule as Record<string, unknown>;
  switch (schedule?.kind) {
    case 'constant':
      if (inUnit(s.truthProbability)) return schedule;
      throw invalid(schedule, 'constant: truthProbability in [0, 1]', where);
    case 'linear':
      if (typeof s.k === 'number' && Number.isFinite(s.k) && inUnit(s.min) && typeof s.c === 'number' && s.c >= 0) return schedule;
      throw invalid(schedule, 'linear: finite k, min in [0, 1], c >= 0', where);
    case 'exponential':
      if (positive(s.k) && s.k <= 1) return schedule;
      throw invalid(schedule, 'exponential: k in (0, 1]', where);
    case 'inverse-sigmoid':
      if (positive(s.k) && s.k >= 1) return schedule;
      throw invalid(schedule, 'inverse-sigmoid: k >= 1', where);
    default:
      throw invalid(schedule, 'kind constant, linear, exponential or inverse-sigmoid', where);
  }
}

/** ε_i: the probability of feeding the ground truth at training step `i`, clamped to [0, 1]. */
export function truthProbability(schedule: SamplingSchedule, i: number): number {
  const value = (() => {
    switch (schedule.kind) {
      case 'constant':
        return schedule.truthProbability;
      case 'linear':
        return Math.max(schedule.min, schedule.k - schedule.c * i);
      case 'exponential':
        return schedule.k ** i;
      case 'inverse-sigmoid':
        return schedule.k / (schedule.k + Math.exp(i / schedule.k));
    }
  })();
  return Math.min(1, Math.max(0, value));
}

/** Parses the text form (see the module comment). */
export function parseSchedule(text: string): SamplingSchedule {
  const [kind, ...rest] = text.split(':');
  const numbers = rest.map(Number);
  const where = `scheduled sampling ${JSON.stringify(text)}`;
  const arity: Readonly<Record<string, number>> = { constant: 1, linear: 3, exponential: 1, 'inverse-sigmoid': 1 };
  if (!kind || arity[kind] === undefined || numbers.length !== arity[kind] || numbers.some((n) => !Number.isFinite(n))) {
    throw new ConfigError('cannot read the scheduled-sampling schedule', { where, expected: 'constant:E, linear:K:MIN:C, exponential:K or inverse-sigmoid:K', got: text, fix: 'e.g. linear:1:0.05:0.0001 or inverse-sigmoid:500' });
  }
  const [a = 0, b = 0, c = 0] = numbers;
  const schedule: SamplingSchedule =
    kind === 'constant' ? { kind, truthProbability: a } : kind === 'linear' ? { kind, k: a, min: b, c } : kind === 'exponential' ? { kind, k: a } : { kind: 'inverse-sigmoid', k: a };
  return checkSchedule(schedule, where);
}
