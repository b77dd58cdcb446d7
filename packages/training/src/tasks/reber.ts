import { grammarSource, type GrammarArc, type GrammarSpec } from './finite-state-grammar';

/**
 * The embedded Reber grammar (Fahlman 1991, the benchmark of Hochreiter & Schmidhuber 1997): a Reber string
 * wrapped as `B T <reber> T E` or `B P <reber> P E`, each with probability ½. Predicting the second-to-last
 * symbol needs the second symbol, remembered across the whole inner string.
 *
 * The Reber grammar (every choice ½):
 *
 *     0 ─B→ 1;  1 ─T→ 2 | ─P→ 3;  2 ─S→ 2 | ─X→ 4;  3 ─T→ 3 | ─V→ 5;  4 ─X→ 3 | ─S→ 6;  5 ─P→ 4 | ─V→ 6;  6 ─E→ end
 *
 * e.g. `BTXSE`, `BPVVE`, `BTSSXXTVVE`; embedded: `BTBPVVETE`. Written as a finite-state grammar
 * (finite-state-grammar.ts) with the inner states copied for each branch, so the exact entropy rate and the
 * unigram baseline follow from its derivation. Texts are the strings themselves (B and E included; a model
 * still reads `<bos>` first and predicts `<eos>` last).
 */
function reberStates(branch: 'T' | 'P'): Record<string, GrammarArc[]> {
  const s = (n: number | string) => `${branch}${n}`;
  const half = (emit: string, to: string | null): GrammarArc => ({ probability: 0.5, emit, to });
  return {
    [s(0)]: [{ probability: 1, emit: 'B', to: s(1) }],
    [s(1)]: [half('T', s(2)), half('P', s(3))],
    [s(2)]: [half('S', s(2)), half('X', s(4))],
    [s(3)]: [half('T', s(3)), half('V', s(5))],
    [s(4)]: [half('X', s(3)), half('S', s(6))],
    [s(5)]: [half('P', s(4)), half('V', s(6))],
    [s(6)]: [{ probability: 1, emit: 'E', to: s('close') }],
    [s('close')]: [{ probability: 1, emit: `${branch}E`, to: null }],
  };
}

export const EMBEDDED_REBER: GrammarSpec = Object.freeze({
  start: 'begin',
  states: Object.freeze({
    begin: [{ probability: 1, emit: 'B', to: 'branch' }],
    branch: [
      { probability: 0.5, emit: 'T', to: 'T0' },
      { probability: 0.5, emit: 'P', to: 'P0' },
    ],
    ...reberStates('T'),
    ...reberStates('P'),
  }),
});

const source = grammarSource(EMBEDDED_REBER, 'embedded-reber');

/** The embedded Reber grammar: exact statistics, a sampler and a recogniser. */
export const embeddedReber = source.grammar;

/** `count` embedded Reber strings from `seed`, with the exact entropy rate and unigram baseline (bits/char). */
export const reberCorpus = source.corpus;
