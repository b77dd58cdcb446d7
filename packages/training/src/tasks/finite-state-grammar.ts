import { ConfigError, Rng } from '@unfold/core';

/**
 * Probabilistic finite-state grammars whose text has an exactly computable entropy rate, for judging
 * character-level language models against the true limit (the embedded Reber grammar, an English-like
 * grammar: reber.ts, english-like.ts).
 *
 * A grammar is a set of states; each state has arcs (probability p, an emitted string, a next state or
 * `null` for the end of the sentence); a sentence is the concatenation of the strings emitted on a walk from
 * `start` to the end. Sentences are drawn independently. Two conditions make everything exact:
 *
 * - **Unambiguous**: at every state the emitted strings are non-empty and prefix-free (none is a prefix of
 *   another), so a string has at most one walk and the recogniser parses it deterministically. Then a
 *   sentence's probability is its walk's probability and H(sentence) = H(walk).
 * - **Terminating**: the end is reached with probability 1 (I − Q below is invertible).
 *
 * **Derivation.** A language model reads `<bos>` and predicts every character of the sentence and then
 * `<eos>`: L + 1 predicted symbols for a sentence of L characters. Text is a stream of independent
 * sentences, each closed by `<eos>` (a self-delimiting code), so n sentences carry n·H(S) bits in
 * n·E[L + 1] symbols, and the entropy rate in bits per symbol is
 *
 *     h = H(S) / E[L + 1].
 *
 * The walk is an absorbing Markov chain: with Q the transition matrix among states (Q_st = Σ p over arcs
 * s → t), the expected number of visits v_s to each state solves (I − Qᵀ) v = e_start (v is row `start` of
 * the fundamental matrix (I − Q)⁻¹). By the chain rule, the walk's entropy is the expected sum of the
 * per-visit choice entropies, and expected counts add the same way:
 *
 *     H(S)    = Σ_s v_s · H_s,              H_s = −Σ_arcs p log₂ p
 *     E[L]    = Σ_s v_s · Σ_arcs p · |emit|
 *     E[n_c]  = Σ_s v_s · Σ_arcs p · (occurrences of character c in emit)
 *
 * The **unigram baseline** is the entropy of the stationary symbol distribution q_c = E[n_c] / E[L + 1]
 * (with q_<eos> = 1 / E[L + 1]): the best a model that ignores context can do, in the same units.
 * Both are "bits per character" counting `<eos>` as a character, as a model's validation cross-entropy
 * over its targets (every character and the final `<eos>`) does. Characters are Unicode code points.
 */
export interface GrammarArc {
  readonly probability: number;
  readonly emit: string;
  /** The next state, or null: the sentence ends after this arc. */
  readonly to: string | null;
}

export interface GrammarSpec {
  readonly start: string;
  readonly states: Readonly<Record<string, readonly GrammarArc[]>>;
}

export interface GrammarStatistics {
  /** H(S): bits per sentence. */
  readonly sentenceEntropy: number;
  /** E[L]: characters per sentence (without `<eos>`). */
  readonly meanLength: number;
  /** h = H(S) / E[L + 1]: the limit in bits per character (`<eos>` counted). */
  readonly entropyRate: number;
  /** Entropy of the character unigram distribution (`<eos>` included), bits per character. */
  readonly unigramEntropy: number;
  /** q_c, `<eos>` under the key "<eos>". */
  readonly unigram: Readonly<Record<string, number>>;
}

export interface Grammar {
  readonly spec: GrammarSpec;
  readonly statistics: GrammarStatistics;
  /** One sentence drawn with `rng`. */
  sample(rng: Rng): string;
  /** −log₂ P(text), or null when the grammar does not generate `text`. */
  bits(text: string): number | null;
  accepts(text: string): boolean;
}

/** Texts drawn from a grammar, with its exact statistics. */
export interface GrammarCorpus {
  readonly texts: string[];
  /** Bits per character of the generating process (statistics.entropyRate). */
  readonly entropyRate: number;
  /** Bits per character of the character unigram distribution (statistics.unigramEntropy). */
  readonly unigramEntropy: number;
  readonly statistics: GrammarStatistics;
  readonly grammar: Grammar;
}

const EOS = '<eos>';
const length = (text: string) => Array.from(text).length;

function fail(summary: string, got: string, expected: string): never {
  throw new ConfigError(summary, { where: 'grammar', expected, got });
}

function checkSpec(spec: GrammarSpec): string[] {
  const names = Object.keys(spec.states);
  if (!names.includes(spec.start)) fail('unknown start state', JSON.stringify(spec.start), `one of ${names.join(', ')}`);
  for (const name of names) {
    const arcs = spec.states[name] as readonly GrammarArc[];
    if (arcs.length === 0) fail('a state without arcs', name, 'at least one arc');
    const total = arcs.reduce((sum, a) => sum + a.probability, 0);
    if (arcs.some((a) => !(a.probability > 0)) || Math.abs(total - 1) > 1e-9) fail('arc probabilities must be positive and sum to 1', `${name}: ${total}`, '1');
    for (const a of arcs) {
      if (a.to !== null && !names.includes(a.to)) fail('an arc to an unknown state', `${name} → ${a.to}`, 'a state of the grammar');
      if (a.emit === '') fail('an arc that emits nothing', name, 'a non-empty string');
      const clash = arcs.find((b) => b !== a && b.emit.startsWith(a.emit));
      if (clash) fail('ambiguous arcs: one emission is a prefix of another', `${name}: ${JSON.stringify(a.emit)} and ${JSON.stringify(clash.emit)}`, 'prefix-free emissions at every state');
    }
  }
  return names;
}

/** Solves A x = b (A n×n row-major) by Gaussian elimination with partial pivoting. */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col] as number) > Math.abs(a[pivot * n + col] as number)) pivot = r;
    if (Math.abs(a[pivot * n + col] as number) < 1e-12) fail('the grammar does not terminate with probability 1', 'a singular I − Q', 'every state able to reach the end');
    for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c] as number, a[col * n + c] as number];
    [x[col], x[pivot]] = [x[pivot] as number, x[col] as number];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = (a[r * n + col] as number) / (a[col * n + col] as number);
      if (factor === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] = (a[r * n + c] as number) - factor * (a[col * n + c] as number);
      x[r] = (x[r] as number) - factor * (x[col] as number);
    }
  }
  return x.map((v, i) => v / (a[i * n + i] as number));
}

/** The exact statistics of the module comment: visits, H(S), E[L], the entropy rate and the unigram entropy. */
export function grammarStatistics(spec: GrammarSpec): GrammarStatistics {
  const names = checkSpec(spec);
  const n = names.length;
  const index = new Map(names.map((name, i) => [name, i]));
  const system = new Float64Array(n * n); // I − Qᵀ
  for (let i = 0; i < n; i++) system[i * n + i] = 1;
  names.forEach((name, s) => {
    for (const arc of spec.states[name] as readonly GrammarArc[]) {
      if (arc.to !== null) {
        const t = index.get(arc.to) as number;
        system[t * n + s] = (system[t * n + s] as number) - arc.probability;
      }
    }
  });
  const start = new Float64Array(n);
  start[index.get(spec.start) as number] = 1;
  const visits = solve(system, start, n);
  let sentenceEntropy = 0;
  let meanLength = 0;
  const counts = new Map<string, number>();
  names.forEach((name, s) => {
    const v = visits[s] as number;
    for (const arc of spec.states[name] as readonly GrammarArc[]) {
      sentenceEntropy -= v * arc.probability * Math.log2(arc.probability);
      meanLength += v * arc.probability * length(arc.emit);
      for (const c of arc.emit) counts.set(c, (counts.get(c) ?? 0) + v * arc.probability);
    }
  });
  const symbols = meanLength + 1;
  counts.set(EOS, 1);
  const unigram = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([c, count]) => [c, count / symbols]));
  const unigramEntropy = -Object.values(unigram).reduce((sum, q) => sum + q * Math.log2(q), 0);
  return Object.freeze({ sentenceEntropy, meanLength, entropyRate: sentenceEntropy / symbols, unigramEntropy, unigram: Object.freeze(unigram) });
}

/** A grammar with its statistics, sampler and recogniser (checked: see the module comment). */
export function createGrammar(spec: GrammarSpec): Grammar {
  const statistics = grammarStatistics(spec);
  const arcsOf = (state: string) => spec.states[state] as readonly GrammarArc[];
  const bits = (text: string): number | null => {
    if (typeof text !== 'string') return null;
    let state: string | null = spec.start;
    let at = 0;
    let total = 0;
    while (state !== null) {
      const arc: GrammarArc | undefined = arcsOf(state).find((a) => text.startsWith(a.emit, at)); // prefix-free: at most one matches
      if (!arc) return null;
      total -= Math.log2(arc.probability);
      at += arc.emit.length;
      state = arc.to;
    }
    return at === text.length ? total : null;
  };
  return Object.freeze({
    spec,
    statistics,
    bits,
    accepts: (text: string) => bits(text) !== null,
    sample(rng: Rng): string {
      let text = '';
      for (let state: string | null = spec.start; state !== null; ) {
        const arcs = arcsOf(state);
        let u = rng.uniform();
        const arc: GrammarArc = arcs.find((a) => (u -= a.probability) < 0) ?? (arcs[arcs.length - 1] as GrammarArc);
        text += arc.emit;
        state = arc.to;
      }
      return text;
    },
  });
}

/** `count` sentences of `grammar` from a seeded generator (forked by `label`), with the grammar's statistics. */
export function grammarCorpus(grammar: Grammar, options: { readonly count: number; readonly seed: number }, label: string): GrammarCorpus {
  const { count, seed } = options;
  if (!Number.isSafeInteger(count) || count < 1) throw new ConfigError('invalid corpus size', { where: label, expected: 'an integer >= 1', got: String(count) });
  const rng = new Rng(seed).fork(label);
  const texts = Array.from({ length: count }, () => grammar.sample(rng));
  return { texts, entropyRate: grammar.statistics.entropyRate, unigramEntropy: grammar.statistics.unigramEntropy, statistics: grammar.statistics, grammar };
}

/** A grammar built once on first use, and its seeded corpora (`label` forks the seed). */
export function grammarSource(spec: GrammarSpec, label: string): { readonly grammar: () => Grammar; readonly corpus: (options: { readonly count: number; readonly seed: number }) => GrammarCorpus } {
  let grammar: Grammar | undefined;
  const get = () => (grammar ??= createGrammar(spec));
  return { grammar: get, corpus: (options) => grammarCorpus(get(), options, label) };
}
