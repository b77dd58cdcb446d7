import { createRegistry, setupBackend } from '@unfold/core';
import { buildTokenizer } from '@unfold/core/tokenizer';
import { heads, layers } from '@unfold/architectures';
import { cells } from '@unfold/cells/all';
import { beforeAll, describe, expect, it } from 'vitest';
import { bitsPerToken, createModel, fit, generate, languageModelSpec, losses, nextTokenData, reberCorpus } from '../../src/index';

beforeAll(() => setupBackend());

const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);

/**
 * A character-level LSTM language model on the embedded Reber grammar (tasks/reber.ts): 2,000 training
 * strings, validation on 400 others. The exact limit is 7 bits per string over 13 predicted symbols,
 * 0.538 bits/char; the character unigram baseline is 2.917. Remembering the second symbol across the
 * inner string (to predict the second-to-last) is worth 1 bit per string, 0.077 bits/char.
 */
describe('a character LM on the embedded Reber grammar', () => {
  it('beats the unigram baseline by a wide margin, nears the entropy rate, and samples grammatical strings', async () => {
    const train = reberCorpus({ count: 2000, seed: 1 });
    const valid = reberCorpus({ count: 400, seed: 2 });
    const tokenizer = buildTokenizer('char', train.texts);
    const model = createModel(registry, languageModelSpec(tokenizer, { embeddingSize: 8, hiddenSize: 24 }), { seed: 1 });
    const started = Date.now();
    const result = await fit(model, nextTokenData(tokenizer, train.texts), { epochs: 20, batchSize: 32, loss: 'cross-entropy', optimizer: { kind: 'adam', learningRate: 0.01 }, clipNorm: 1, seed: 2, validation: nextTokenData(tokenizer, valid.texts), targetLoss: (train.entropyRate + 0.01) * Math.LN2, progress: 'none' });
    const bits = bitsPerToken(model, nextTokenData(tokenizer, valid.texts));
    const samples = Array.from({ length: 200 }, (_, seed) => generate(model, { maxLength: 60, seed }).text);
    const grammatical = samples.filter((s) => train.grammar.accepts(s)).length / samples.length;
    console.log(`embedded Reber char LM: ${bits.toFixed(3)} bits/char (exact ${train.entropyRate.toFixed(3)}, unigram ${train.unigramEntropy.toFixed(3)}), ${(grammatical * 100).toFixed(1)}% of 200 samples grammatical, ${result.history.length} epochs, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    model.dispose();
    expect(bits).toBeLessThan(train.unigramEntropy / 4);
    expect(bits).toBeLessThan(train.entropyRate + 0.06);
    expect(grammatical).toBeGreaterThan(0.9);
  }, 120_000);
});
