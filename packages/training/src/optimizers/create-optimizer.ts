import { ConfigError } from '@unfold/core';
import { adam } from './adam';
import type { LearningRate, Optimizer, OptimizerConfig } from './optimizer';
import { rmsprop } from './rmsprop';
import { sgd } from './sgd';

function checkRange(where: string, name: string, value: number | undefined, low: number, high: number, lowOpen = false): void {
  if (value === undefined) return;
  const ok = Number.isFinite(value) && (lowOpen ? value > low : value >= low) && value < high;
  if (!ok) throw new ConfigError(`invalid ${name}`, { where, expected: `a number in ${lowOpen ? '(' : '['}${low}, ${high})`, got: String(value) });
}

/** Builds an optimizer from a typed config, checking every hyper-parameter. */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  const where = `optimizer ${JSON.stringify(config?.kind)}`;
  if (typeof config.learningRate === 'number') checkRange(where, 'learningRate', config.learningRate, 0, Infinity, true);
  else if (typeof config.learningRate !== 'function') throw new ConfigError('invalid learningRate', { where, expected: 'a positive number or a schedule (step) => rate', got: String(config.learningRate) });
  switch (config.kind) {
    case 'sgd':
      checkRange(where, 'momentum', config.momentum, 0, 1);
      return sgd(config.momentum ?? 0, config.nesterov ?? false);
    case 'adam':
      checkRange(where, 'beta1', config.beta1, 0, 1);
      checkRange(where, 'beta2', config.beta2, 0, 1);
      checkRange(where, 'epsilon', config.epsilon, 0, Infinity, true);
      if (config.restartEvery !== undefined && !(Number.isSafeInteger(config.restartEvery) && config.restartEvery >= 1)) {
        throw new ConfigError('invalid restartEvery', { where, expected: 'an integer >= 1 (updates between restarts of the moments), or leave it out', got: String(config.restartEvery), fix: 'e.g. restartEvery: 16' });
      }
      return adam(config.beta1, config.beta2, config.epsilon, config.restartEvery);
    case 'rmsprop':
      checkRange(where, 'decay', config.decay, 0, 1);
      checkRange(where, 'momentum', config.momentum, 0, 1);
      checkRange(where, 'epsilon', config.epsilon, 0, Infinity, true);
      return rmsprop(config.decay, config.momentum, config.epsilon);
    default:
      throw new ConfigError('unknown optimizer', { where: 'createOptimizer', expected: '"sgd", "adam" or "rmsprop"', got: JSON.stringify((config as { kind?: unknown })?.kind) });
  }
}

/** The learning rate at a step; a schedule must return a positive finite number. */
export function learningRateAt(rate: LearningRate, step: number): number {
  const value = typeof rate === 'number' ? rate : rate(step);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ConfigError('learning-rate schedule returned an invalid rate', { where: `step ${step}`, expected: 'a positive finite number', got: String(value) });
  }
  return value;
}
