import { expect, it } from 'vitest';
import { lstmCell } from '../../src/lstm/lstm';
import type { DirectionCase } from '../shared/fixture-cases';
import { describeFixtures, fixtureCases } from '../shared/fixture-suite';

const cases = fixtureCases(/^lstm_/, /^(test_)?lstm_/);

function configFor(c: DirectionCase): Record<string, unknown> {
  if (c.activations.join() !== 'Sigmoid,Tanh,Tanh') throw new Error(`${c.name}: lstm computes [Sigmoid, Tanh, Tanh], the fixture has [${c.activations.join(', ')}]`);
  return {
    inputSize: c.weights.W?.shape[1],
    hiddenSize: c.weights.R?.shape[1],
    bias: c.bias,
    peepholes: c.weights.P !== undefined,
    inputForget: c.inputForget,
    ...(c.clip === undefined ? {} : { clip: c.clip }),
  };
}

it('covers forward, reverse, padded, initial-state, peephole, input-forget and clip fixture cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
  expect(cases.some((c) => c.reverse && c.lengths)).toBe(true);
  expect(cases.some((c) => c.state0[0] && c.state0[1])).toBe(true);
  expect(cases.some((c) => !c.bias)).toBe(true);
  expect(cases.some((c) => c.weights.P && c.clip !== undefined && c.lengths)).toBe(true);
  expect(cases.some((c) => c.inputForget && c.weights.P)).toBe(true);
});

describeFixtures(lstmCell, cases, configFor);
