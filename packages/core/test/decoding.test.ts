import { describe, expect, it } from 'vitest';
import { beamSearch, lengthPenalty, readDecodeRequest, sampleSearch, type Hypothesis, type SearchDecoder } from '../src/decoding';
import { BOS_ID, EOS_ID } from '../src/tokenizer';

/**
 * A decoder whose next-token distribution depends on the previous token only (a bigram table); the state
 * counts the steps each row has taken, so `select` must carry rows correctly.
 */
function bigram(table: Record<number, Record<number, number>>, vocabulary: number): SearchDecoder<number[]> & { steps: number } {
  const decoder = {
    vocabulary,
    steps: 0,
    step(previous: Int32Array, state: number[]) {
      decoder.steps++;
      const logProbs = new Float32Array(previous.length * vocabulary).fill(-Infinity);
      previous.forEach((token, r) => {
        for (const [next, p] of Object.entries(table[token] ?? { [EOS_ID]: 1 })) logProbs[r * vocabulary + Number(next)] = Math.log(p);
      });
      return { logProbs, state: state.map((s) => s + 1) };
    },
    select: (state: number[], rows: Int32Array) => Array.from(rows, (r) => state[r] as number),
  };
  return decoder;
}

// From <bos>: token 4 (p 0.6) leads to a flat tail, token 5 (p 0.4) to a certain end: beam finds 5 <eos>.
const TABLE = {
  [BOS_ID]: { 4: 0.6, 5: 0.4 },
  4: { 6: 0.34, 7: 0.33, [EOS_ID]: 0.33 },
  5: { [EOS_ID]: 1 },
  6: { [EOS_ID]: 1 },
  7: { [EOS_ID]: 1 },
};

describe('decoding searches', () => {
  it('greedy takes the locally best token each step and stops at <eos>', async () => {
    const [hyp] = await sampleSearch(bigram(TABLE, 8), [0], 1, { maxLength: 10, sampling: { strategy: 'greedy', temperature: 1, topK: null } });
    expect(hyp?.tokens).toEqual([4, 6]);
    expect(hyp?.finished).toBe(true);
    expect(hyp?.logProb).toBeCloseTo(Math.log(0.6 * 0.34 * 1), 6);
  });

  it('beam search finds the more probable sequence greedy misses, n-best ranked, with log-probabilities', async () => {
    const [list] = await beamSearch(bigram(TABLE, 8), [0], 1, { maxLength: 10, width: 2, alpha: 0, nBest: 2 });
    // Width 2: 5 <eos> (0.4) and 4 6 (0.204) rank first and second at step 2; 4 <eos> ties 4 7 at 0.198, third.
    expect(list?.map((h) => h.tokens)).toEqual([[5], [4, 6]]);
    expect(list?.[0]?.logProb).toBeCloseTo(Math.log(0.4), 6);
    expect(list?.[0]?.score).toBeCloseTo(Math.log(0.4), 6);
  });

  it('beam width 1 is greedy; the length penalty divides by ((5 + n) / 6)^α', async () => {
    const [greedy] = await sampleSearch(bigram(TABLE, 8), [0], 1, { maxLength: 10, sampling: { strategy: 'greedy', temperature: 1, topK: null } });
    const beam = (await beamSearch(bigram(TABLE, 8), [0], 1, { maxLength: 10, width: 1, alpha: 0.6 }))[0]?.[0] as Hypothesis;
    expect(beam.tokens).toEqual(greedy?.tokens);
    expect(beam.score).toBeCloseTo(beam.logProb / lengthPenalty(3, 0.6), 9);
    expect(lengthPenalty(1, 0.6)).toBe(1);
  });

  it('cuts at maxLength (unfinished) and decodes several sources independently', async () => {
    const loop = { [BOS_ID]: { 4: 1 }, 4: { 4: 0.9, [EOS_ID]: 0.1 } };
    const results = await beamSearch(bigram(loop, 8), [0, 0], 2, { maxLength: 3, width: 1, alpha: 0 });
    for (const list of results) {
      expect(list[0]?.tokens).toEqual([4, 4, 4]);
      expect(list[0]?.finished).toBe(false);
    }
    const sampled = await sampleSearch(bigram(loop, 8), [0, 0, 0], 3, { maxLength: 3, sampling: { strategy: 'sample', temperature: 1, topK: null }, seed: 3 });
    expect(sampled.every((h) => h.tokens.length <= 3)).toBe(true);
    const again = await sampleSearch(bigram(loop, 8), [0, 0, 0], 3, { maxLength: 3, sampling: { strategy: 'sample', temperature: 1, topK: null }, seed: 3 });
    expect(again).toEqual(sampled);
  });

  it('reads requests: defaults, limits and misplaced options give the field at fault', () => {
    expect(readDecodeRequest({}, 10, 20)).toEqual({ strategy: 'greedy', maxLength: 20 });
    expect(readDecodeRequest({ strategy: 'beam' }, 10, 20)).toEqual({ strategy: 'beam', maxLength: 20, width: 4, alpha: 0.6, nBest: 1 });
    expect(readDecodeRequest({ strategy: 'beam', beamWidth: 0 }, 10, 20)).toMatchObject({ field: 'beamWidth' });
    expect(readDecodeRequest({ strategy: 'beam', beamWidth: 2, nBest: 3 }, 10, 20)).toMatchObject({ field: 'nBest' });
    expect(readDecodeRequest({ strategy: 'greedy', temperature: 2 }, 10, 20)).toMatchObject({ field: 'temperature' });
    expect(readDecodeRequest({ strategy: 'sample', beamWidth: 2 }, 10, 20)).toMatchObject({ field: 'beamWidth' });
    expect(readDecodeRequest({ maxLength: 10_000 }, 10, 20)).toMatchObject({ field: 'maxLength' });
    expect(readDecodeRequest({ strategy: 'viterbi' }, 10, 20)).toMatchObject({ field: 'strategy' });
    expect(readDecodeRequest({ strategy: 'sample', topK: 11 }, 10, 20)).toMatchObject({ field: 'topK' });
    expect(readDecodeRequest({ strategy: 'sample', temperature: 0.5, seed: 4 }, 10, 20)).toMatchObject({ strategy: 'sample', seed: 4, sampling: { temperature: 0.5 } });
  });
});
