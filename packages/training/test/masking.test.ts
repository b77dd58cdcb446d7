import * as tf from '@tensorflow/tfjs-core';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { createRegistry, setupBackend, type ModelSpec } from '@unfold/core';
import { unfoldErrorOf } from '@unfold/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, disposeBatch, featureData, fit, losses, makeBatch, readExamples, readRecords, type DataShape, type SequenceData } from '../src/index';

// Per-step targets may be null (no target at that step) and examples may carry a per-step mask; both are
// multiplied into the batch mask, so such steps take no part in the loss or its gradients.
beforeAll(() => setupBackend());
const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const spec: ModelSpec = { kind: 'sequence-model', children: { body: { kind: 'recurrent', children: { cell: { kind: 'gru', config: { inputSize: 2, hiddenSize: 4 } } } }, output: { kind: 'dense', config: { inputSize: 4, outputSize: 1 } } } };
const shape: DataShape = { input: { kind: 'features', size: 2 }, target: { readout: 'sequence', kind: 'values', size: 1 } };
const x = [
  [[0.1, 0.2], [0.3, -0.1], [0.5, 0.5]],
  [[-0.2, 0.4], [0.1, 0.1]],
  [[0.3, 0.3], [0.2, -0.4], [-0.1, 0.2], [0.4, 0.1]],
];

async function trainedWeights(data: SequenceData): Promise<Float32Array[]> {
  const model = createModel(registry, spec, { seed: 4 });
  await fit(model, data, { epochs: 3, batchSize: 2, loss: 'mse', optimizer: { kind: 'adam', learningRate: 0.05 }, seed: 1, progress: 'none' });
  const weights = Object.values(model.toModelData().weights).map((w) => Float32Array.from(w.data));
  model.dispose();
  return weights;
}

describe('null per-step targets and per-step masks', () => {
  it('readExamples turns null targets into mask 0 (target 0) and multiplies a given mask in; makeBatch carries it', () => {
    const examples = readExamples({ x, y: [[null, [1], [2]], [[3], null], [[1], [1], [1], [1]]], mask: [undefined, [1, 1], [1, 0, 0.5, 1]] }, shape);
    expect(Array.from(examples[0]?.mask ?? [])).toEqual([0, 1, 1]);
    expect(Array.from(examples[0]?.y ?? [])).toEqual([0, 1, 2]);
    expect(Array.from(examples[1]?.mask ?? [])).toEqual([1, 0]);
    expect(Array.from(examples[2]?.mask ?? [])).toEqual([1, 0, 0.5, 1]);
    const batch = makeBatch(examples, [0, 1, 2], shape);
    expect(Array.from(batch.mask.dataSync())).toEqual([0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0.5, 1]);
    disposeBatch(batch);
    const plain = readExamples({ x, y: x.map((s) => s.map(() => [0])) }, shape);
    expect(plain.every((e) => e.mask === undefined)).toBe(true);
  });

  it('a masked step takes no part in training: null targets train exactly as any value there with mask 0, unlike the value unmasked', async () => {
    const targets = (fill: number | null) => [[fill, [1], [-1]], [[0.5], fill], [[1], fill, [0], [0.2]]].map((s) => s.map((v) => (typeof v === 'number' ? [v] : v)));
    const withNull = await trainedWeights({ x, y: targets(null) });
    const withMask = await trainedWeights({ x, y: targets(50), mask: [[0, 1, 1], [1, 0], [1, 0, 1, 1]] });
    const unmasked = await trainedWeights({ x, y: targets(50) });
    expect(withMask).toEqual(withNull);
    expect(unmasked).not.toEqual(withNull);
    expect(tf.memory().numTensors).toBeLessThan(1e6);
  });

  it('rejects a mask of the wrong length or out of [0, 1], and null for a last-step readout', () => {
    expect(unfoldErrorOf(() => readExamples({ x, y: x.map((s) => s.map(() => [0])), mask: [[1, 1], undefined, undefined] }, shape)).code).toBe('E_DATA');
    expect(unfoldErrorOf(() => readExamples({ x, y: x.map((s) => s.map(() => [0])), mask: [[1, 2, 1], undefined, undefined] }, shape)).code).toBe('E_DATA');
    expect(unfoldErrorOf(() => readExamples({ x, y: [null as never, [0], [0]] }, { ...shape, target: { ...shape.target, readout: 'last' } })).code).toBe('E_DATA');
  });

  it('JSON lines: null per-step targets are read as null (masked), an all-null file and a null last-step target are errors', () => {
    const set = readRecords('{"x": [[1, 0], [0, 1]], "y": [null, [1, 0]]}\n{"x": [[1, 1]], "y": [[0, 1]]}\n', 'copy.jsonl');
    if (set.format !== 'features') throw new Error('expected features');
    const { data, sizes } = featureData(set, 'sequence');
    expect(data.y).toEqual([[null, [1, 0]], [[0, 1]]]);
    expect(sizes.output).toEqual({ kind: 'values', size: 2 });
    const allNull = readRecords('{"x": [[1, 0]], "y": [null]}\n', 'none.jsonl');
    if (allNull.format !== 'features') throw new Error('expected features');
    expect(unfoldErrorOf(() => featureData(allNull, 'sequence')).message).toContain('every target is null');
    const last = readRecords('{"x": [[1, 0]], "y": null}\n', 'last.jsonl');
    if (last.format !== 'features') throw new Error('expected features');
    expect(unfoldErrorOf(() => featureData(last, 'last')).message).toContain('is null');
  });
});
