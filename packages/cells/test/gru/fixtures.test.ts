import { expect, it } from 'vitest';
import { gruCell } from '../../src/gru/gru';
import type { DirectionCase } from '../shared/fixture-cases';
import { describeFixtures, fixtureCases } from '../shared/fixture-suite';

const cases = fixtureCases(/^gru_/, /^(test_)?gru_/);

function configFor(c: DirectionCase): Record<string, unknown> {
  if (c.activations.join() !== 'Sigmoid,Tanh') throw new Error(`${c.name}: gru computes [Sigmoid, Tanh], the fixture has [${c.activations.join(', ')}]`);
  return { inputSize: c.weights.W?.shape[1], hiddenSize: c.weights.R?.shape[1], bias: c.bias, linearBeforeReset: c.linearBeforeReset };
}

it('covers both reset placements, reverse, padded, initial-state and bias-free fixture cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(15);
  expect(cases.some((c) => c.linearBeforeReset)).toBe(true);
  expect(cases.some((c) => !c.linearBeforeReset && c.reverse && c.lengths && c.state0[0])).toBe(true);
  expect(cases.some((c) => !c.bias)).toBe(true);
});

describeFixtures(gruCell, cases, configFor);
