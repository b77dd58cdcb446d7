import { isUnfoldError } from '@unfold/core';
import { describe, expect, it } from 'vitest';
import { connectionsPerUnit, reservoirConnectivity } from '../../src/esn/config';
import { esnCell } from '../../src/esn/esn';

/** The ConfigError a config raises, or a failure. */
function configError(config: unknown): { code: string; message: string; expected?: string; got?: string } {
  try {
    esnCell.validate(config, 'model');
  } catch (error) {
    if (!isUnfoldError(error)) throw error;
    return { code: error.code, message: error.message, expected: error.details.expected, got: error.details.got };
  }
  throw new Error(`expected ${JSON.stringify(config)} to be rejected`);
}

describe('esn config', () => {
  it('fills the documented defaults', () => {
    const config = esnCell.validate({ inputSize: 2, hiddenSize: 200 });
    expect(config).toEqual({ inputSize: 2, hiddenSize: 200, spectralRadius: 0.9, inputScaling: 1, biasScaling: 0.1, leakRate: 1, feedbackSize: 0 });
    expect(reservoirConnectivity(config)).toBe(0.05);
    expect(connectionsPerUnit(config)).toBe(10);
    expect(reservoirConnectivity(esnCell.validate({ inputSize: 2, hiddenSize: 5 }))).toBe(1);
  });

  it.each([
    [{ inputSize: 2, hiddenSize: 0 }, 'hiddenSize', 'an integer >= 1', '0'],
    [{ inputSize: 2, hiddenSize: 4, spectralRadius: 0 }, 'spectralRadius', 'a finite number > 0', '0'],
    [{ inputSize: 2, hiddenSize: 4, spectralRadius: -0.5 }, 'spectralRadius', 'a finite number > 0', '-0.5'],
    [{ inputSize: 2, hiddenSize: 4, leakRate: 0 }, 'leakRate', 'a finite number > 0 and <= 1', '0'],
    [{ inputSize: 2, hiddenSize: 4, leakRate: 1.5 }, 'leakRate', 'a finite number > 0 and <= 1', '1.5'],
    [{ inputSize: 2, hiddenSize: 4, connectivity: 0 }, 'connectivity', 'a finite number > 0 and <= 1', '0'],
    [{ inputSize: 2, hiddenSize: 4, connectivity: 1.01 }, 'connectivity', 'a finite number > 0 and <= 1', '1.01'],
    [{ inputSize: 2, hiddenSize: 4, inputScaling: -1 }, 'inputScaling', 'a finite number >= 0', '-1'],
  ])('rejects %j naming the option, the expected range and the value', (config, option, expected, got) => {
    const error = configError(config);
    expect(error.code).toBe('E_CONFIG');
    expect(error.message).toContain(`model: invalid option "${option}"`);
    expect(error.expected).toBe(expected);
    expect(error.got).toBe(got);
  });

  it('rejects feedbackScaling without feedback (an option that would be ignored)', () => {
    const error = configError({ inputSize: 2, hiddenSize: 4, feedbackScaling: 0.5 });
    expect(error.code).toBe('E_CONFIG');
    expect(error.expected).toBe('feedbackScaling only together with feedbackSize >= 1');
    expect(error.got).toBe('feedbackScaling 0.5 with feedbackSize 0');
    expect(esnCell.validate({ inputSize: 2, hiddenSize: 4, feedbackSize: 1, feedbackScaling: 0.5 }).feedbackScaling).toBe(0.5);
  });
});
