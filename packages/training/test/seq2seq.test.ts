import * as tf from '@tensorflow/tfjs-core';
import { attentionScorers, heads, layers } from '@unfold/architectures';
import { lstmCell } from '@unfold/cells/lstm';
import { BOS_ID, createRegistry, DataError, DECODER_INPUT_PORT, EOS_ID, setupBackend, type ModelSpec } from '@unfold/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, encodeTextPairs, exactMatch, fit, losses, pairSource, readPairs, reversalTask, translate, type Model } from '../src/index';
import { summingData, summingModel } from './helpers';

beforeAll(() => setupBackend());

const registry = createRegistry([lstmCell, ...layers, ...heads, ...losses, ...attentionScorers]);

function spec(sourceVocabulary: number, targetVocabulary: number, hidden = 24): ModelSpec {
  return {
    kind: 'seq2seq',
    children: {
      source: { kind: 'embedding', config: { vocabularySize: sourceVocabulary, embeddingSize: 8 } },
      encoder: { kind: 'lstm', config: { inputSize: 8, hiddenSize: hidden } },
      target: { kind: 'embedding', config: { vocabularySize: targetVocabulary, embeddingSize: 8 } },
      decoder: [{ kind: 'lstm', config: { inputSize: 8, hiddenSize: hidden } }],
      attention: { kind: 'general', config: { querySize: hidden, memorySize: hidden } },
      output: { kind: 'dense', config: { inputSize: hidden, outputSize: targetVocabulary } },
    },
  };
}

function reversalModel(seed = 1): { model: Model; train: ReturnType<typeof encodeTextPairs>; test: { sources: string[]; targets: string[] } } {
  const pairs = reversalTask({ count: 600, minLength: 2, maxLength: 5, alphabet: 'abcd', seed });
  const train = encodeTextPairs(pairs.sources, pairs.targets);
  const model = createModel(registry, { ...spec(train.sourceTokenizer.tokens.length, train.targetTokenizer.tokens.length), metadata: train.metadata }, { seed });
  return { model, train, test: reversalTask({ count: 60, minLength: 2, maxLength: 5, alphabet: 'abcd', seed: seed + 100 }) };
}

describe('seq2seq training data', () => {
  it('pads pairs into a batch: decoder inputs <bos> y, targets y <eos>, masked past each target', () => {
    const pairs = readPairs({ source: [[4, 5, 6], [7]], target: [[8, 9], [10, 11, 12]] }, { kind: 'tokens', size: 13 }, 13);
    const batch = pairSource(pairs, { kind: 'tokens', size: 13 }).batch([0, 1]);
    try {
      expect(batch.x.arraySync()).toEqual([[4, 5, 6], [7, 0, 0]]);
      expect(Array.from(batch.lengths)).toEqual([3, 1]);
      expect(batch.ports?.[DECODER_INPUT_PORT]?.x.arraySync()).toEqual([[BOS_ID, 8, 9, 0], [BOS_ID, 10, 11, 12]]);
      expect(Array.from(batch.ports?.[DECODER_INPUT_PORT]?.lengths ?? [])).toEqual([3, 4]);
      expect(batch.y.arraySync()).toEqual([[8, 9, EOS_ID, 0], [10, 11, 12, EOS_ID]]);
      expect(batch.mask.arraySync()).toEqual([[1, 1, 1, 0], [1, 1, 1, 1]]);
    } finally {
      tf.dispose([batch.x, batch.y, batch.mask, batch.ports?.[DECODER_INPUT_PORT]?.x as tf.Tensor]);
    }
  });

  it('names the pair and position of a bad id, and refuses the wrong kind of data for a model', async () => {
    expect(() => readPairs({ source: [[1, 2]], target: [[1, 99]] }, { kind: 'tokens', size: 5 }, 5)).toThrow(/data\.target\[0\]\[1\]/);
    expect(() => readPairs({ source: [[]], target: [[1]] }, { kind: 'tokens', size: 5 }, 5)).toThrow(DataError);
    const { model } = reversalModel();
    await expect(fit(model, summingData(4) as never, { epochs: 1, loss: 'cross-entropy', progress: 'none' })).rejects.toThrow(/trains on source\/target pairs/);
    await expect(fit(summingModel(), { source: [[1]], target: [[1]] }, { epochs: 1, loss: 'mse', progress: 'none' })).rejects.toThrow(/need a model with a decoder/);
    model.dispose();
  });
});

describe('seq2seq fit and translate', () => {
  it('learns to reverse short strings (teacher forcing, buckets) and decodes them greedily and by beam search', async () => {
    const { model, train, test } = reversalModel();
    const result = await fit(model, train.data, { epochs: 30, batchSize: 32, loss: 'cross-entropy', optimizer: { kind: 'adam', learningRate: 1e-2 }, clipNorm: 5, buckets: 'auto', progress: 'none', maxSteps: 400 });
    expect(result.finalLoss).toBeLessThan(0.2);
    const greedy = await translate(model, test.sources);
    const beam = await translate(model, test.sources, { strategy: 'beam', beamWidth: 3, nBest: 2 });
    expect(exactMatch(greedy.map((t) => t.text ?? ''), test.targets)).toBeGreaterThan(0.9);
    expect(exactMatch(beam.map((t) => t.text ?? ''), test.targets)).toBeGreaterThanOrEqual(exactMatch(greedy.map((t) => t.text ?? ''), test.targets) - 0.02);
    expect(beam.every((t) => t.nBest.length === 2 && (t.nBest[0]?.score ?? 0) >= (t.nBest[1]?.score ?? 0))).toBe(true);
    model.dispose();
  }, 120_000);

  it('beam width 1 gives greedy’s tokens; sampling is seeded; bad requests are typed errors', async () => {
    const { model, test } = reversalModel(2);
    const sources = test.sources.slice(0, 8);
    const greedy = await translate(model, sources);
    const beam = await translate(model, sources, { strategy: 'beam', beamWidth: 1 });
    expect(beam.map((t) => t.tokens)).toEqual(greedy.map((t) => t.tokens));
    const a = await translate(model, sources, { strategy: 'sample', temperature: 1.5, seed: 7, maxLength: 6 });
    const b = await translate(model, sources, { strategy: 'sample', temperature: 1.5, seed: 7, maxLength: 6 });
    expect(a.map((t) => t.tokens)).toEqual(b.map((t) => t.tokens));
    expect(a.every((t) => t.tokens.length <= 6)).toBe(true);
    await expect(translate(model, sources, { strategy: 'beam', beamWidth: 0 })).rejects.toThrow(/beamWidth/);
    await expect(translate(model, sources, { temperature: 2 })).rejects.toThrow(/temperature/);
    model.dispose();
  });

  it('trains under scheduled sampling (the decoder reads its own choices part of the time)', async () => {
    const { model, train } = reversalModel(3);
    const result = await fit(model, train.data, { epochs: 1, batchSize: 32, loss: 'cross-entropy', progress: 'none', maxSteps: 6, scheduledSampling: { kind: 'linear', k: 1, min: 0.5, c: 0.1 } });
    expect(result.stepLosses.every(Number.isFinite)).toBe(true);
    expect(result.stepLosses).toHaveLength(6);
    model.dispose();
  });
});
