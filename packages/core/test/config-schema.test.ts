import { describe, expect, it } from 'vitest';
import { defineConfig, field, isUnfoldError } from '../src/index';

const schema = defineConfig({
  hiddenSize: field.int({ doc: 'hidden units', min: 1 }),
  activation: field.oneOf(['tanh', 'relu'], { doc: 'activation', default: 'tanh' }),
  leak: field.number({ doc: 'leak rate', above: 0, max: 1, default: 1 }),
  alphas: field.optional(field.numbers({ doc: 'time constants', above: 0, max: 1 })),
});

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isUnfoldError(error, 'E_CONFIG')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('defineConfig', () => {
  it('fills documented defaults and returns a frozen config', () => {
    const config = schema.validate({ hiddenSize: 8 }, 'lstm');
    expect(config).toEqual({ hiddenSize: 8, activation: 'tanh', leak: 1 });
    expect(Object.isFrozen(config)).toBe(true);
    expect(schema.defaults).toEqual({ activation: 'tanh', leak: 1 });
  });

  it('says where, expected, got and the fix', () => {
    expect(messageOf(() => schema.validate({ hiddenSize: 0 }, 'layers.0.cell'))).toBe(
      'layers.0.cell: invalid option "hiddenSize" (hidden units); expected an integer >= 1; got 0. Fix: use an integer >= 1',
    );
    expect(messageOf(() => schema.validate({ hiddenSize: 2, leak: 1.5 }, 'esn'))).toContain('expected a finite number > 0 and <= 1; got 1.5');
    expect(messageOf(() => schema.validate({ hiddenSize: 2, leak: Number.NaN }, 'esn'))).toContain('got NaN');
    expect(messageOf(() => schema.validate({ hiddenSize: 2, activation: 'sigmoid' }, 'rnn'))).toContain('expected one of "tanh", "relu"; got "sigmoid"');
    expect(messageOf(() => schema.validate({}, 'rnn'))).toContain('missing required option "hiddenSize"');
    expect(messageOf(() => schema.validate({ hiddenSize: 2, hiden: 3 }, 'rnn'))).toContain('unknown option "hiden" (did you mean "hiddenSize"?)');
    expect(messageOf(() => schema.validate([1], 'rnn'))).toContain('config must be an object');
    expect(messageOf(() => schema.validate({ hiddenSize: 2, alphas: [0.5, 0] }, 'leaky'))).toContain('expected a list of finite numbers > 0 and <= 1');
  });

  it('describes itself as a markdown table', () => {
    expect(schema.describe()).toContain('| `activation` | activation | one of "tanh", "relu" | "tanh" |');
    expect(schema.describe()).toContain('| `hiddenSize` | hidden units | an integer >= 1 | (required) |');
  });
});
