import { ConfigError, defineConfig, field, type ConfigInput, type ConfigOf } from '@unfold/core';

/** Options of the `esn` reservoir (the equations are in esn.ts). */
const esnFields = {
  inputSize: field.int({ doc: 'external input features K (the cell input is [u, y_prev], K + feedbackSize wide)', min: 1 }),
  hiddenSize: field.int({ doc: 'reservoir units H (= output size)', min: 1 }),
  connectivity: field.optional(field.number({ doc: 'fraction of non-zero recurrent weights; default min(1, 10/H), about 10 per unit', above: 0, max: 1 })),
  spectralRadius: field.number({ doc: 'spectral radius ρ(W) the reservoir is scaled to', above: 0, default: 0.9 }),
  inputScaling: field.number({ doc: 'W_in entries are U(−s, s)', min: 0, default: 1 }),
  biasScaling: field.number({ doc: 'b entries are U(−s, s)', min: 0, default: 0.1 }),
  leakRate: field.number({ doc: 'leak rate a: x′ = (1 − a) x + a x̃', above: 0, max: 1, default: 1 }),
  feedbackSize: field.int({ doc: 'output feedback L: the last L input columns carry y_{t−1}', min: 0, default: 0 }),
  feedbackScaling: field.optional(field.number({ doc: 'W_fb entries are U(−s, s); only with feedbackSize > 0 (default 1 there)', min: 0 })),
};

/** A validated `esn` config (defaults filled in). */
export type EsnConfig = ConfigOf<typeof esnFields>;
/** An `esn` config as a user writes it. */
export type EsnConfigInput = ConfigInput<typeof esnFields>;

export const esnConfig = defineConfig(esnFields);

/** Average non-zero recurrent weights per unit when `connectivity` is not set (Lukoševičius 2012, §3.2.2). */
export const DEFAULT_CONNECTIONS_PER_UNIT = 10;

export const DEFAULT_FEEDBACK_SCALING = 1;

/** The fraction of non-zero recurrent weights: the option, or min(1, 10/H). */
export function reservoirConnectivity(config: EsnConfig): number {
  return config.connectivity ?? Math.min(1, DEFAULT_CONNECTIONS_PER_UNIT / config.hiddenSize);
}

/** Non-zero recurrent weights per row: round(connectivity · H), at least 1 (every unit listens to the reservoir). */
export function connectionsPerUnit(config: EsnConfig): number {
  return Math.max(1, Math.round(reservoirConnectivity(config) * config.hiddenSize));
}

export function feedbackScaling(config: EsnConfig): number {
  return config.feedbackScaling ?? DEFAULT_FEEDBACK_SCALING;
}

/** Cross-option checks: feedbackScaling means nothing without feedback. */
export function checkEsnConfig(config: EsnConfig, where: string): void {
  if (config.feedbackScaling !== undefined && config.feedbackSize === 0) {
    throw new ConfigError('feedbackScaling is set but there is no output feedback', {
      where,
      expected: 'feedbackScaling only together with feedbackSize >= 1',
      got: `feedbackScaling ${config.feedbackScaling} with feedbackSize 0`,
      fix: 'set feedbackSize to the number of fed-back outputs, or remove feedbackScaling',
    });
  }
}
