import { createRegistry, type ModelSpec } from '@unfold/core';
import { heads, layers } from '@unfold/architectures';
import { fakeCell } from '@unfold/testing';
import { createModel, losses, type Model } from '../src/index';

export const registry = createRegistry([fakeCell, ...layers, ...heads, ...losses]);

/** A running-sum body with a dense readout at the last step: learns y = w · Σ x. */
export const summingSpec: ModelSpec = {
  kind: 'sequence-model',
  config: { readout: 'last' },
  children: { body: { kind: 'fake-accumulator', config: { inputSize: 2, hiddenSize: 3 } }, output: { kind: 'dense', config: { inputSize: 3, outputSize: 1 } } },
};

export function summingModel(seed = 3): Model {
  return createModel(registry, summingSpec, { seed });
}

/** x [N][T][2] with ragged lengths; y = 0.1·Σ x₀ − 0.05·Σ x₁. */
export function summingData(count: number, seed = 1): { x: number[][][]; y: number[][] } {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const x: number[][][] = [];
  const y: number[][] = [];
  for (let n = 0; n < count; n++) {
    const length = 2 + (n % 4);
    const sequence = Array.from({ length }, () => [random(), random()]);
    x.push(sequence);
    y.push([sequence.reduce((sum, step) => sum + 0.1 * step[0]! - 0.05 * step[1]!, 0)]);
  }
  return { x, y };
}
