import { ConfigError, DataError } from './errors';

/**
 * Tokenizers: text to token ids and back, as plain data that travels with the model (the spec's metadata
 * `tokenizer`, so a checkpoint and the exported file carry it and the edge turns text into ids with no other
 * file). An entry of its own (`@unfold/core/tokenizer`, no tfjs), so the runtime and the edge use it too.
 *
 *   char  every Unicode code point is a token          "abc"        → a, b, c
 *   word  runs of letters/digits, and each punctuation  "Hi, you!"   → hi , you !   (lower-cased by default)
 *
 * Ids: the specials first — 0 `<pad>`, 1 `<unk>` (anything not in the vocabulary), 2 `<bos>`, 3 `<eos>` —
 * then the vocabulary, most frequent first (ties by code-point order), so the same texts always give the
 * same ids. Decoding drops `<pad>`, `<bos>` and `<eos>`; `word` joins with spaces, none before punctuation.
 */
export interface TokenizerSpec {
  readonly kind: 'char' | 'word';
  /** Every token by id, the four specials first. */
  readonly tokens: readonly string[];
  /** `word` only: lower-case text before splitting (default true). */
  readonly lowercase?: boolean;
}

export const PAD_ID = 0;
export const UNKNOWN_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;
export const SPECIAL_TOKENS = Object.freeze(['<pad>', '<unk>', '<bos>', '<eos>']);

const WORD = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

export interface BuildTokenizerOptions {
  /** Keep tokens seen at least this often (default 1); the rest map to `<unk>`. */
  readonly minCount?: number;
  /** At most this many tokens in all, specials included (default unlimited). */
  readonly maxSize?: number;
  readonly lowercase?: boolean;
}

/** The pieces of a text, before the vocabulary. */
export function splitText(spec: Pick<TokenizerSpec, 'kind' | 'lowercase'>, text: string): string[] {
  if (spec.kind === 'char') return Array.from(text);
  return (spec.lowercase === false ? text : text.toLowerCase()).match(WORD) ?? [];
}

/** A tokenizer whose vocabulary is every piece of `texts` (see the options), ids as the module comment says. */
export function buildTokenizer(kind: 'char' | 'word', texts: Iterable<string>, options: BuildTokenizerOptions = {}): TokenizerSpec {
  if (kind !== 'char' && kind !== 'word') throw new ConfigError('unknown tokenizer kind', { where: 'buildTokenizer', expected: '"char" or "word"', got: JSON.stringify(kind) });
  const lowercase = options.lowercase ?? true;
  const counts = new Map<string, number>();
  for (const text of texts) for (const piece of splitText({ kind, lowercase }, text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  const kept = [...counts]
    .filter(([piece, count]) => count >= (options.minCount ?? 1) && !SPECIAL_TOKENS.includes(piece))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([piece]) => piece);
  const tokens = [...SPECIAL_TOKENS, ...kept].slice(0, options.maxSize ?? Infinity);
  return Object.freeze({ kind, tokens: Object.freeze(tokens), ...(kind === 'word' ? { lowercase } : {}) });
}

/** The tokenizer as plain JSON, for a spec's metadata (`tokenizer`, or a seq2seq model's `sourceTokenizer` / `targetTokenizer`). */
export function tokenizerJson(spec: TokenizerSpec): { kind: 'char' | 'word'; tokens: string[]; lowercase?: boolean } {
  return { kind: spec.kind, tokens: [...spec.tokens], ...(spec.lowercase === undefined ? {} : { lowercase: spec.lowercase }) };
}

/** Checks a tokenizer read from a file or a spec: a known kind, the specials in place, no duplicate tokens. */
export function checkTokenizer(value: unknown, where = 'tokenizer'): TokenizerSpec {
  const spec = value as Partial<TokenizerSpec> | null;
  const fail = (got: string): never => {
    throw new ConfigError('invalid tokenizer', { where, expected: `{ kind: "char" | "word", tokens: [${SPECIAL_TOKENS.map((t) => JSON.stringify(t)).join(', ')}, …] }`, got, fix: 'build it with buildTokenizer from the training texts' });
  };
  if (!spec || typeof spec !== 'object' || (spec.kind !== 'char' && spec.kind !== 'word')) return fail(JSON.stringify(spec)?.slice(0, 80) ?? String(spec));
  if (!Array.isArray(spec.tokens) || !spec.tokens.every((t) => typeof t === 'string')) return fail('tokens that are not a list of strings');
  if (SPECIAL_TOKENS.some((t, i) => spec.tokens?.[i] !== t)) return fail(`tokens starting ${JSON.stringify(spec.tokens.slice(0, 4))}`);
  if (new Set(spec.tokens).size !== spec.tokens.length) return fail('a token listed twice');
  return spec as TokenizerSpec;
}

/** Text to ids; pieces outside the vocabulary become `<unk>`. `bos`/`eos` add the markers around it. */
export function encodeText(spec: TokenizerSpec, text: string, options: { readonly bos?: boolean; readonly eos?: boolean } = {}): number[] {
  if (typeof text !== 'string') throw new DataError('text is not a string', { where: 'encodeText', expected: 'a string', got: typeof text });
  const ids = new Map(spec.tokens.map((token, id) => [token, id]));
  const body = splitText(spec, text).map((piece) => ids.get(piece) ?? UNKNOWN_ID);
  return [...(options.bos ? [BOS_ID] : []), ...body, ...(options.eos ? [EOS_ID] : [])];
}

/** Ids to text; `<pad>`, `<bos>` and `<eos>` are dropped, `<unk>` is kept as written, out-of-range ids are a DataError. */
export function decodeIds(spec: TokenizerSpec, ids: readonly number[]): string {
  const pieces: string[] = [];
  for (const [i, id] of ids.entries()) {
    if (!Number.isInteger(id) || id < 0 || id >= spec.tokens.length) throw new DataError('token id out of range', { where: `decodeIds: ids[${i}]`, expected: `an integer in [0, ${spec.tokens.length})`, got: String(id) });
    if (id !== PAD_ID && id !== BOS_ID && id !== EOS_ID) pieces.push(spec.tokens[id] as string);
  }
  if (spec.kind === 'char') return pieces.join('');
  return pieces.reduce((text, piece) => (text === '' ? piece : /^[^\p{L}\p{N}]$/u.test(piece) ? text + piece : `${text} ${piece}`), '');
}
