import { isUnfoldError, Rng } from '@unfold/core';
import { describe, expect, it } from 'vitest';
import { ALPHA_ONE_LOGIT, DEFAULT_ALPHA_RANGE, leakRates } from '../../src/leaky/config';
import { leakyCell } from '../../src/leaky/leaky';

function configError(config: unknown): { code: string; message: string; expected?: string; got?: string } {
  try {
    leakyCell.validate(config, 'layers.0.cell');
  } catch (error) {
    if (!isUnfoldError(error)) throw error;
    return { code: error.code, message: error.message, expected: error.details.expected, got: error.details.got };
  }
  throw new Error(`expected ${JSON.stringify(config)} to be rejected`);
}

describe('leaky config', () => {
  it('fills the documented defaults and leaves the rates to the default spectrum', () => {
    const config = leakyCell.validate({ inputSize: 2, hiddenSize: 3 });
    expect(config).toEqual({ inputSize: 2, hiddenSize: 3, activation: 'tanh', bias: true, learnAlpha: false });
    expect(Array.from(leakRates(config))).toEqual([1, 0.01 ** 0.5, 0.01]);
    expect(DEFAULT_ALPHA_RANGE).toEqual([0.01, 1]);
  });

  it('spreads alphaRange geometrically from max (unit 0) to min (unit H−1)', () => {
    const rates = leakRates(leakyCell.validate({ inputSize: 1, hiddenSize: 6, alphaRange: [0.001, 0.5] }));
    expect(rates[0]).toBe(0.5);
    expect(rates[5]).toBeCloseTo(0.001, 15);
    const ratios = Array.from(rates.subarray(1), (r, j) => r / (rates[j] as number));
    for (const ratio of ratios) expect(ratio).toBeCloseTo((0.001 / 0.5) ** (1 / 5), 12);
    expect(Array.from(leakRates(leakyCell.validate({ inputSize: 1, hiddenSize: 1, alphaRange: [0.1, 0.4] })))).toEqual([0.4]);
    expect(Array.from(leakRates(leakyCell.validate({ inputSize: 1, hiddenSize: 2, alpha: 0.25 })))).toEqual([0.25, 0.25]);
    expect(Array.from(leakRates(leakyCell.validate({ inputSize: 1, hiddenSize: 2, alphas: [0.5, 1] })))).toEqual([0.5, 1]);
  });

  it('initialises A = logit(α) and marks it trainable only with learnAlpha', () => {
    const config = leakyCell.validate({ inputSize: 1, hiddenSize: 3, alphas: [0.5, 0.1, 1] });
    const A = leakyCell.parameters(config).find((p) => p.name === 'A');
    expect(A?.trainable).toBe(false);
    const logits = A?.init([3], new Rng(0)) as Float32Array;
    expect(logits[0]).toBe(0);
    expect(logits[1]).toBeCloseTo(Math.log(0.1 / 0.9), 6);
    expect(logits[2]).toBe(Math.fround(ALPHA_ONE_LOGIT));
    const learned = leakyCell.validate({ inputSize: 1, hiddenSize: 3, learnAlpha: true });
    expect(leakyCell.parameters(learned).map((p) => [p.name, p.shape, p.trainable ?? true])).toEqual([
      ['W', [3, 1], true],
      ['R', [3, 3], true],
      ['B', [6], true],
      ['A', [3], true],
    ]);
  });

  it.each([
    [{ inputSize: 2, hiddenSize: 0 }, 'invalid option "hiddenSize"', 'an integer >= 1', '0'],
    [{ inputSize: 2, hiddenSize: 3, alpha: 0 }, 'invalid option "alpha"', 'a finite number > 0 and <= 1', '0'],
    [{ inputSize: 2, hiddenSize: 3, alpha: 1.2 }, 'invalid option "alpha"', 'a finite number > 0 and <= 1', '1.2'],
    [{ inputSize: 2, hiddenSize: 3, alphas: [0.5, 0, 0.2] }, 'invalid option "alphas"', 'a list of finite numbers > 0 and <= 1', '[0.5,0,0.2]'],
    [{ inputSize: 2, hiddenSize: 3, alphas: [0.5, 0.2] }, 'invalid option "alphas" (one leak rate per unit)', '3 values (hiddenSize) in (0, 1]', '2 values'],
    [{ inputSize: 2, hiddenSize: 3, alphaRange: [0.5] }, 'invalid option "alphaRange"', 'a list of 2 finite numbers > 0 and <= 1', '[0.5]'],
    [{ inputSize: 2, hiddenSize: 3, alphaRange: [0.5, 0.1] }, 'invalid option "alphaRange" (min above max)', '[min, max] with 0 < min <= max <= 1', '[0.5,0.1]'],
    [{ inputSize: 2, hiddenSize: 3, alpha: 0.5, alphaRange: [0.1, 0.5] }, 'the leak rates are given more than once', 'at most one of alpha, alphaRange, alphas', 'alpha and alphaRange'],
    [{ inputSize: 2, hiddenSize: 3, alpha: 0.5, alphaRange: [0.1, 0.5], alphas: [1, 1, 1] }, 'the leak rates are given more than once', 'at most one of alpha, alphaRange, alphas', 'alpha and alphaRange and alphas'],
    [{ inputSize: 2, hiddenSize: 3, activation: 'sigmoid' }, 'invalid option "activation"', 'one of "tanh", "relu"', '"sigmoid"'],
  ])('rejects %j with a ConfigError saying what was expected and got', (config, summary, expected, got) => {
    const error = configError(config);
    expect(error.code).toBe('E_CONFIG');
    expect(error.message).toContain(`layers.0.cell: ${summary}`);
    expect(error.expected).toBe(expected);
    expect(error.got).toBe(got);
  });
});
