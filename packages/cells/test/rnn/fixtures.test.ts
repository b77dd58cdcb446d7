import { expect, it } from 'vitest';
import { rnnCell } from '../../src/rnn/rnn';
import type { DirectionCase } from '../shared/fixture-cases';
import { describeFixtures, fixtureCases } from '../shared/fixture-suite';

const cases = fixtureCases(/^rnn_/, /^test_(simple_)?rnn_/);

function configFor(c: DirectionCase): Record<string, unknown> {
  const [activation] = c.activations;
  if (c.activations.length !== 1 || (activation !== 'Tanh' && activation !== 'Relu')) throw new Error(`${c.name}: rnn computes [Tanh] or [Relu], the fixture has [${c.activations.join(', ')}]`);
  const W = c.weights.W;
  return { inputSize: W?.shape[1], hiddenSize: c.weights.R?.shape[1], activation: activation === 'Relu' ? 'relu' : 'tanh', bias: c.bias };
}

it('covers forward, reverse, padded, initial-state and bias-free fixture cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(15);
  expect(cases.some((c) => c.reverse && c.lengths)).toBe(true);
  expect(cases.some((c) => c.state0[0])).toBe(true);
  expect(cases.some((c) => !c.bias)).toBe(true);
  expect(cases.some((c) => c.activations[0] === 'Relu')).toBe(true);
});

describeFixtures(rnnCell, cases, configFor);
