// Character-level language models on grammars with an exact entropy rate (issue 10's acceptance): the
// embedded Reber grammar and the English-like grammar (packages/training/src/tasks). An embedding → LSTM →
// linear head over the characters, cross-entropy on next-character targets (`<bos>` text → text `<eos>`).
// Reports validation bits/char against the character unigram baseline and the exact entropy rate of the
// generating process (both count `<eos>` as a character), and the fraction of sampled sentences (temperature
// 1, no top-k, seeds 0..N−1) the grammar accepts. Writes tools/bench/results/char-lm.{json,md}.
import { cells } from '@unfold/cells/all';
import { heads, layers } from '@unfold/architectures';
import { createRegistry, setupBackend } from '@unfold/core';
import { buildTokenizer } from '@unfold/core/tokenizer';
import { bitsPerToken, createModel, englishLikeCorpus, fit, generate, languageModelSpec, losses, nextTokenData, reberCorpus, type GrammarCorpus } from '@unfold/training';
// @ts-expect-error: plain ESM helpers without types
import { writeResults } from '../stats.mjs';

const SAMPLES = 500;

interface Setup {
  readonly corpus: string;
  readonly train: GrammarCorpus;
  readonly valid: GrammarCorpus;
  readonly hidden: number;
  readonly embedding: number;
  readonly epochs: number;
  readonly learningRate: number;
}

const SETUPS: Setup[] = [
  { corpus: 'embedded Reber', train: reberCorpus({ count: 2000, seed: 1 }), valid: reberCorpus({ count: 500, seed: 2 }), hidden: 24, embedding: 8, epochs: 20, learningRate: 0.01 },
  { corpus: 'English-like', train: englishLikeCorpus({ count: Number(process.env.EXPERIMENT_SENTENCES ?? 4000), seed: 1 }), valid: englishLikeCorpus({ count: 500, seed: 2 }), hidden: 96, embedding: 16, epochs: Number(process.env.EXPERIMENT_EPOCHS ?? 10), learningRate: 0.005 },
];

await setupBackend({ backend: 'wasm' });
const registry = createRegistry([...cells, ...layers, ...heads, ...losses]);
const rows: Record<string, unknown>[] = [];
for (const { corpus, train, valid, hidden, embedding, epochs, learningRate } of SETUPS) {
  const tokenizer = buildTokenizer('char', train.texts);
  const vocabulary = tokenizer.tokens.length;
  const model = createModel(registry, languageModelSpec(tokenizer, { embeddingSize: embedding, hiddenSize: hidden }), { seed: 1 });
  const started = Date.now();
  const validation = nextTokenData(tokenizer, valid.texts);
  const result = await fit(model, nextTokenData(tokenizer, train.texts), { epochs, batchSize: 32, loss: 'cross-entropy', optimizer: { kind: 'adam', learningRate }, clipNorm: 1, seed: 2, validation, buckets: 'auto', progress: 'none' });
  const seconds = (Date.now() - started) / 1000;
  const bits = bitsPerToken(model, validation);
  const samples = Array.from({ length: SAMPLES }, (_, seed) => generate(model, { maxLength: 200, seed }).text);
  const accepted = samples.filter((s) => train.grammar.accepts(s));
  const row = {
    corpus,
    trainTexts: train.texts.length,
    validTexts: valid.texts.length,
    vocabulary,
    hidden,
    epochs: result.history.length,
    steps: result.stepLosses.length,
    validBitsPerChar: bits,
    entropyRate: train.entropyRate,
    unigram: train.unigramEntropy,
    meanLength: train.statistics.meanLength,
    grammatical: accepted.length / SAMPLES,
    examples: samples.slice(0, 5),
    seconds,
  };
  console.log(JSON.stringify(row));
  rows.push(row);
  model.dispose();
}

const f3 = (v: unknown) => (v as number).toFixed(3);
writeResults(`${process.env.UNFOLD_RESULTS_DIR}char-lm`, 'Character LMs on grammars with an exact entropy rate: validation bits/char vs the unigram baseline and the limit', rows, [
  { label: 'corpus', format: (r: Record<string, unknown>) => String(r.corpus) },
  { label: 'train / valid texts', format: (r: Record<string, unknown>) => `${r.trainTexts} / ${r.validTexts}` },
  { label: 'LSTM', format: (r: Record<string, unknown>) => String(r.hidden) },
  { label: 'epochs', format: (r: Record<string, unknown>) => String(r.epochs) },
  { label: 'valid bits/char', format: (r: Record<string, unknown>) => f3(r.validBitsPerChar) },
  { label: 'exact entropy rate', format: (r: Record<string, unknown>) => f3(r.entropyRate) },
  { label: 'unigram', format: (r: Record<string, unknown>) => f3(r.unigram) },
  { label: 'grammatical samples', format: (r: Record<string, unknown>) => `${((r.grammatical as number) * 100).toFixed(1)}%` },
  { label: 's', format: (r: Record<string, unknown>) => (r.seconds as number).toFixed(0) },
], {
  command: 'node tools/bench/src/experiments/run.mjs char-lm',
  units: 'bits per character with <eos> counted as one character, for the model (mean −log2 p over every target) and for the grammar (H(sentence) / E[length + 1]; derivation in packages/training/src/tasks/finite-state-grammar.ts)',
  sampling: `${SAMPLES} samples per model at temperature 1 (seeds 0..${SAMPLES - 1}, at most 200 characters), each checked by the grammar's recogniser`,
  training: 'Adam, batch 32, clip norm 1, length buckets (auto), next-character cross-entropy; weights seed 1, shuffling seed 2',
});
