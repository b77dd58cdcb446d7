import { Rng } from '@unfold/core';
import { buildTokenizer } from '@unfold/core/tokenizer';
import { describe, expect, it } from 'vitest';
import { createGrammar, embeddedReber, englishLike, englishLikeCorpus, grammarStatistics, nextTokenData, reberCorpus, type Grammar } from '../src/index';

/** Monte-Carlo estimates from `count` samples: Σ −log₂ P(s) / Σ (|s| + 1), and the empirical unigram entropy. */
function monteCarlo(grammar: Grammar, count: number, seed: number): { rate: number; unigram: number } {
  const rng = new Rng(seed);
  let bits = 0;
  let symbols = 0;
  const counts = new Map<string, number>();
  for (let n = 0; n < count; n++) {
    const text = grammar.sample(rng);
    bits += grammar.bits(text) as number;
    symbols += Array.from(text).length + 1;
    for (const c of [...text, '<eos>']) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const unigram = -[...counts.values()].reduce((sum, k) => sum + (k / symbols) * Math.log2(k / symbols), 0);
  return { rate: bits / symbols, unigram };
}

describe('the embedded Reber grammar', () => {
  it('has 7 bits per string over 12 characters + <eos>: 7/13 bits/char, as the derivation gives', () => {
    const { sentenceEntropy, meanLength, entropyRate, unigramEntropy, unigram } = embeddedReber().statistics;
    // Outer T/P: 1 bit. Inner Reber: every choice 1 bit; expected visits to states 1..5 are 1, 1, 2, 1, 1: 6 bits, and 2 + 6 inner characters.
    expect(sentenceEntropy).toBeCloseTo(7, 12);
    expect(meanLength).toBeCloseTo(12, 12);
    expect(entropyRate).toBeCloseTo(7 / 13, 12);
    expect(Object.values(unigram).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(unigram['<eos>']).toBeCloseTo(1 / 13, 12);
    expect(unigramEntropy).toBeCloseTo(2.9172, 4);
  });

  it('matches a Monte-Carlo estimate of the entropy rate and the unigram entropy', () => {
    const estimate = monteCarlo(embeddedReber(), 20_000, 3);
    expect(Math.abs(estimate.rate - embeddedReber().statistics.entropyRate)).toBeLessThan(0.005);
    expect(Math.abs(estimate.unigram - embeddedReber().statistics.unigramEntropy)).toBeLessThan(0.01);
  });

  it('recognises its strings and scores them; rejects the rest', () => {
    const grammar = embeddedReber();
    expect(grammar.bits('BTBTXSETE')).toBeCloseTo(4, 12); // T, T, X, S: four fair choices
    expect(grammar.bits('BPBPVVEPE')).toBeCloseTo(4, 12);
    for (const bad of ['BTBTXSEPE', 'BPBPVVETE', '', 'BTBTXSET', 'BTBTXSETEE', 'BTBTXXETE', 'TBTXSETE', 'btbtxsete']) expect(grammar.accepts(bad)).toBe(false);
    const corpus = reberCorpus({ count: 500, seed: 4 });
    expect(corpus.texts.every((text) => grammar.accepts(text))).toBe(true);
    expect(corpus.entropyRate).toBe(grammar.statistics.entropyRate);
    expect(corpus.unigramEntropy).toBe(grammar.statistics.unigramEntropy);
  });

  it('draws the same corpus from the same seed, another from another', () => {
    expect(reberCorpus({ count: 50, seed: 1 }).texts).toEqual(reberCorpus({ count: 50, seed: 1 }).texts);
    expect(reberCorpus({ count: 50, seed: 1 }).texts).not.toEqual(reberCorpus({ count: 50, seed: 2 }).texts);
    expect(() => reberCorpus({ count: 0, seed: 1 })).toThrow(/invalid corpus size/);
  });
});

describe('the English-like grammar', () => {
  it('has an exact entropy rate well below its unigram entropy, confirmed by Monte Carlo', () => {
    const { entropyRate, unigramEntropy, meanLength } = englishLike().statistics;
    expect(entropyRate).toBeCloseTo(0.6941, 3);
    expect(unigramEntropy).toBeCloseTo(4.3388, 3);
    expect(meanLength).toBeGreaterThan(30);
    const estimate = monteCarlo(englishLike(), 20_000, 5);
    expect(Math.abs(estimate.rate - entropyRate) / entropyRate).toBeLessThan(0.01);
    expect(Math.abs(estimate.unigram - unigramEntropy)).toBeLessThan(0.01);
  });

  it('recognises English-like sentences and rejects broken ones', () => {
    const grammar = englishLike();
    for (const good of ['The dog sleeps.', 'A old cat sees the fox.', 'My teacher sleeps quietly and this small bird follows the farmer.', 'Some boy runs near a king.']) expect(grammar.accepts(good)).toBe(true);
    for (const bad of ['the dog sleeps.', 'The dog sleeps', 'The dog dog sleeps.', 'The dog sleeps .', 'The  dog sleeps.', 'The dog sees.', 'The dog sleeps. ', 'The dog sleeps quietly quietly.']) expect(grammar.accepts(bad)).toBe(false);
    const corpus = englishLikeCorpus({ count: 300, seed: 6 });
    expect(corpus.texts.every((text) => grammar.accepts(text))).toBe(true);
    expect(new Set(corpus.texts).size).toBeGreaterThan(250);
  });
});

describe('grammars are checked', () => {
  const arc = (probability: number, emit: string, to: string | null) => ({ probability, emit, to });
  it('rejects ambiguous emissions, bad probabilities, unknown states and grammars that never end', () => {
    expect(() => createGrammar({ start: 's', states: { s: [arc(0.5, 'a', null), arc(0.5, 'ab', null)] } })).toThrow(/prefix/);
    expect(() => createGrammar({ start: 's', states: { s: [arc(0.5, 'a', null), arc(0.4, 'b', null)] } })).toThrow(/sum to 1/);
    expect(() => createGrammar({ start: 's', states: { s: [arc(1, 'a', 't')] } })).toThrow(/unknown state/);
    expect(() => createGrammar({ start: 's', states: { s: [arc(1, 'a', 's')] } })).toThrow(/terminate/);
    expect(() => createGrammar({ start: 'x', states: { s: [arc(1, 'a', null)] } })).toThrow(/start/);
  });

  it('computes a geometric grammar’s statistics in closed form', () => {
    // s → "a" s with p, "." end with 1 − p: H(S) = h(p) / (1 − p), E[L] = p / (1 − p) + 1.
    const p = 0.75;
    const stats = grammarStatistics({ start: 's', states: { s: [arc(p, 'a', 's'), arc(1 - p, '.', null)] } });
    const h = -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
    expect(stats.sentenceEntropy).toBeCloseTo(h / (1 - p), 12);
    expect(stats.meanLength).toBeCloseTo(p / (1 - p) + 1, 12);
    expect(stats.entropyRate).toBeCloseTo(h / (1 - p) / (p / (1 - p) + 2), 12);
  });
});

describe('next-token data', () => {
  it('reads <bos> and the text, and predicts the text and <eos>', () => {
    const tokenizer = buildTokenizer('char', ['ab', 'b']);
    expect(tokenizer.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'b', 'a']);
    expect(nextTokenData(tokenizer, ['ab', 'b'])).toEqual({ x: [[2, 5, 4], [2, 4]], y: [[5, 4, 3], [4, 3]] });
  });
});
