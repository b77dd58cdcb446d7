import { ConfigError, defineConfig, field, type ConfigInput, type ConfigOf, type Initializer } from '@unfold/core';

/**
 * Options of the `leaky` cell and its time scales α (the equations are in leaky.ts).
 *
 * The leak rates α ∈ (0, 1] are given in one of three forms (at most one may be set):
 *   alpha: a             every unit αⱼ = a
 *   alphaRange: [lo, hi] a spectrum of time scales, geometric from hi (unit 0) to lo (unit H−1):
 *                        αⱼ = hi · (lo / hi)^(j / (H−1)),  a single unit gets hi
 *   alphas: [α₀ … α_{H−1}] one per unit
 * Neither set: alphaRange [0.01, 1], time constants τ = 1/α from 1 to 100 steps spaced evenly in log τ,
 * the "multiple time scales" the leaky units are for (Goodfellow et al. §10.9). An equal log spacing is
 * a log-uniform spectrum laid out deterministically: no seed decides which time scales a model gets.
 */
const leakyFields = {
  inputSize: field.int({ doc: 'input features I', min: 1 }),
  hiddenSize: field.int({ doc: 'hidden units H (= output size)', min: 1 }),
  activation: field.oneOf(['tanh', 'relu'], { doc: 'the nonlinearity act', default: 'tanh' }),
  bias: field.boolean({ doc: 'learn the biases B = [Wb; Rb]', default: true }),
  alpha: field.optional(field.number({ doc: 'one leak rate α for every unit', above: 0, max: 1 })),
  alphaRange: field.optional(field.numbers({ doc: 'leak rates spread geometrically from max (unit 0) to min (unit H−1): [min, max]', length: 2, above: 0, max: 1 })),
  alphas: field.optional(field.numbers({ doc: 'one leak rate per unit, H values', above: 0, max: 1 })),
  learnAlpha: field.boolean({ doc: 'train the leak rates (α = σ(A))', default: false }),
};

/** A validated `leaky` config (defaults filled in; at most one of alpha, alphaRange, alphas). */
export type LeakyConfig = ConfigOf<typeof leakyFields>;
/** A `leaky` config as a user writes it. */
export type LeakyConfigInput = ConfigInput<typeof leakyFields>;

export const leakyConfig = defineConfig(leakyFields);

/** The time-scale spectrum used when none of alpha, alphaRange, alphas is set. */
export const DEFAULT_ALPHA_RANGE: readonly [number, number] = Object.freeze([0.01, 1] as [number, number]);

const ALPHA_FORMS = ['alpha', 'alphaRange', 'alphas'] as const;

/** Cross-option checks: one form of α at most, alphaRange ordered, alphas of length H. */
export function checkLeakyConfig(config: LeakyConfig, where: string): void {
  const given = ALPHA_FORMS.filter((name) => config[name] !== undefined);
  if (given.length > 1) {
    throw new ConfigError('the leak rates are given more than once', {
      where,
      expected: 'at most one of alpha, alphaRange, alphas',
      got: given.join(' and '),
      fix: `keep one of ${given.join(', ')} (alpha: one rate for all units; alphaRange: a spectrum; alphas: one per unit)`,
    });
  }
  const range = config.alphaRange;
  if (range && (range[0] as number) > (range[1] as number)) {
    throw new ConfigError('invalid option "alphaRange" (min above max)', { where, expected: '[min, max] with 0 < min <= max <= 1', got: JSON.stringify(range), fix: `write it as [${range[1]}, ${range[0]}]` });
  }
  const alphas = config.alphas;
  if (alphas && alphas.length !== config.hiddenSize) {
    throw new ConfigError('invalid option "alphas" (one leak rate per unit)', { where, expected: `${config.hiddenSize} values (hiddenSize) in (0, 1]`, got: `${alphas.length} values`, fix: 'give one α per hidden unit, or use alpha / alphaRange' });
  }
}

/** The configured leak rates α [H] in float64, from whichever form is set (see the module comment). */
export function leakRates(config: LeakyConfig): Float64Array {
  const H = config.hiddenSize;
  if (config.alphas) return Float64Array.from(config.alphas);
  if (config.alpha !== undefined) return new Float64Array(H).fill(config.alpha);
  const [lo, hi] = (config.alphaRange ?? DEFAULT_ALPHA_RANGE) as [number, number];
  return Float64Array.from({ length: H }, (_, j) => (H === 1 ? hi : hi * (lo / hi) ** (j / (H - 1))));
}

/**
 * A = logit(α) = ln(α / (1 − α)), so α = σ(A) lies in (0, 1) for any A and gradient steps on A never
 * leave the valid range. α = 1 has no finite logit: it is stored as logit(1 − 1e-9) ≈ 20.7, whose float32
 * σ is exactly 1 (1 + e^−20.7 rounds to 1).
 */
export const ALPHA_ONE_LOGIT = Math.log((1 - 1e-9) / 1e-9);

export function alphaLogit(alpha: number): number {
  return alpha >= 1 - 1e-9 ? ALPHA_ONE_LOGIT : Math.log(alpha / (1 - alpha));
}

/** The initializer of A [H]: logit of the configured leak rates (no randomness). */
export function alphaLogits(config: LeakyConfig): Initializer {
  const rates = leakRates(config);
  return (shape) => {
    if (shape.length !== 1 || shape[0] !== rates.length) throw new RangeError(`leaky: A has shape [${rates.length}], asked for [${shape.join(', ')}]`);
    return Float32Array.from(rates, alphaLogit);
  };
}
