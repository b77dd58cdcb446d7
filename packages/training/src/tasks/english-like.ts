import { grammarSource, type GrammarArc, type GrammarSpec } from './finite-state-grammar';

/**
 * A probabilistic finite-state grammar of English-like sentences, rendered as characters: words separated
 * by single spaces, a capitalised first word, a closing period. 59 words (65 with the capitalised determiners) in 8 classes; within a class the
 * k-th word has probability ∝ 1/(k + 1) (Zipf-like), so the text has frequent and rare words.
 *
 *     sentence  = Det NP VP Tail
 *     NP        = [Adj [Adj]] Noun              (adjectives with probability 0.3, a second one 0.2)
 *     VP        = IntransitiveVerb | TransitiveVerb det NP
 *     Tail      = "." | Adverb Tail′ | Preposition det NP Tail′ | "and" det NP VP Tail
 *     Tail′     = "." | "and" det NP VP Tail
 *
 * e.g. "The old dog sees a cat.", "My teacher sleeps quietly and this small bird follows the farmer."
 * Every state's emissions are prefix-free (each is a space and a word, or the period), so parsing is
 * deterministic and the entropy rate is exact (finite-state-grammar.ts). The grammar is fixed; corpora are
 * drawn from a seed.
 */
const WORDS = {
  Det: ['The', 'A', 'My', 'This', 'Every', 'Some'],
  det: ['the', 'a', 'my', 'this', 'every', 'some'],
  Adj: ['old', 'small', 'happy', 'green', 'quiet', 'brave', 'lazy', 'clever', 'tired', 'young'],
  Noun: ['dog', 'cat', 'bird', 'child', 'farmer', 'teacher', 'horse', 'king', 'sailor', 'fox', 'baker', 'wolf', 'girl', 'boy'],
  IntransitiveVerb: ['sleeps', 'runs', 'sings', 'waits', 'laughs', 'falls', 'dances', 'smiles'],
  TransitiveVerb: ['sees', 'likes', 'finds', 'follows', 'watches', 'helps', 'carries', 'calls', 'feeds'],
  Adverb: ['quietly', 'today', 'again', 'slowly', 'outside', 'often'],
  Preposition: ['near', 'with', 'behind', 'under', 'beside', 'for'],
} as const;

/** Arcs for every word of a class: Zipf-like weights, scaled to `mass`, each emitted after a space (or not, first). */
function words(cls: keyof typeof WORDS, mass: number, to: string | null, first = false): GrammarArc[] {
  const list = WORDS[cls];
  const total = list.reduce((sum, _, k) => sum + 1 / (k + 1), 0);
  return list.map((word, k) => ({ probability: (mass * (1 / (k + 1))) / total, emit: first ? word : ` ${word}`, to }));
}

const and = (probability: number): GrammarArc => ({ probability, emit: ' and', to: 'clause' });
const period = (probability: number): GrammarArc => ({ probability, emit: '.', to: null });

/** A noun phrase after its determiner: optional adjectives, then a noun, then `next`. */
function nounPhrase(name: string, next: string): Record<string, GrammarArc[]> {
  return {
    [name]: [...words('Adj', 0.3, `${name}-adj`), ...words('Noun', 0.7, next)],
    [`${name}-adj`]: [...words('Adj', 0.2, `${name}-adj2`), ...words('Noun', 0.8, next)],
    [`${name}-adj2`]: words('Noun', 1, next),
  };
}

export const ENGLISH_LIKE: GrammarSpec = Object.freeze({
  start: 'start',
  states: Object.freeze({
    start: words('Det', 1, 'subject', true),
    clause: words('det', 1, 'subject'),
    ...nounPhrase('subject', 'verb'),
    verb: [...words('IntransitiveVerb', 0.4, 'tail'), ...words('TransitiveVerb', 0.6, 'object')],
    object: words('det', 1, 'object-np'),
    ...nounPhrase('object-np', 'tail'),
    tail: [period(0.55), ...words('Adverb', 0.15, 'tail-end'), ...words('Preposition', 0.15, 'place'), and(0.15)],
    place: words('det', 1, 'place-np'),
    ...nounPhrase('place-np', 'tail-end'),
    'tail-end': [period(0.8), and(0.2)],
  }),
});

const source = grammarSource(ENGLISH_LIKE, 'english-like');

/** The English-like grammar: exact statistics, a sampler and a recogniser. */
export const englishLike = source.grammar;

/** `count` English-like sentences from `seed`, with the exact entropy rate and unigram baseline (bits/char). */
export const englishLikeCorpus = source.corpus;
