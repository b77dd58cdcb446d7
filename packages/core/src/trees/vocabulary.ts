import { SPECIAL_TOKENS, UNKNOWN_ID, type TokenizerSpec } from '../tokenizer';

/**
 * The vocabulary of a tree model's node tokens, as a tokenizer that travels with the model (the spec's
 * metadata `tokenizer`, so the checkpoint and the exported file carry it). A node's token is one whole
 * word (`+`, `<=`, `max`, `7`): it is looked up as written, never split or lower-cased.
 *
 * Ids: the four specials first (`<pad>`, `<unk>`, `<bos>`, `<eos>`, as every unfold tokenizer), then the
 * tokens, most frequent first (ties by code-point order), so the same trees always give the same ids.
 */
export function treeTokenizer(tokens: Iterable<string>): TokenizerSpec {
  const counts = new Map<string, number>();
  for (const token of tokens) if (!SPECIAL_TOKENS.includes(token)) counts.set(token, (counts.get(token) ?? 0) + 1);
  const kept = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([token]) => token);
  return Object.freeze({ kind: 'word', tokens: Object.freeze([...SPECIAL_TOKENS, ...kept]), lowercase: false });
}

/** Token → id under a tokenizer: the whole token (lower-cased first when the tokenizer says so), `<unk>` when absent. */
export function treeTokenIds(tokenizer: TokenizerSpec): (token: string) => number {
  const ids = new Map(tokenizer.tokens.map((token, id) => [token, id]));
  const lower = tokenizer.kind === 'word' && tokenizer.lowercase !== false;
  return (token) => ids.get(lower ? token.toLowerCase() : token) ?? UNKNOWN_ID;
}
