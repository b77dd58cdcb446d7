import { buildTokenizer, encodeText, tokenizerJson, type BuildTokenizerOptions, type TokenizerSpec } from '@unfold/core/tokenizer';
import type { PairData } from './pairs';

/** Text pairs encoded for training, with the tokenizers that encoded them (store them in the spec's metadata). */
export interface EncodedPairs {
  readonly data: PairData;
  readonly sourceTokenizer: TokenizerSpec;
  readonly targetTokenizer: TokenizerSpec;
  /** Both tokenizers as spec metadata: `{ ...spec, metadata: { ...spec.metadata, ...pairs.metadata } }`. */
  readonly metadata: { readonly sourceTokenizer: ReturnType<typeof tokenizerJson>; readonly targetTokenizer: ReturnType<typeof tokenizerJson> };
}

export interface TextPairOptions extends BuildTokenizerOptions {
  /** `char` (default) or `word`, for both sides. */
  readonly kind?: 'char' | 'word';
}

/**
 * Source and target texts to token ids, each side with its own tokenizer built from its texts (the four
 * specials first, then by frequency: see @unfold/core/tokenizer). Pass `tokenizers` to encode more text
 * (validation, test) with the training tokenizers.
 */
export function encodeTextPairs(sources: readonly string[], targets: readonly string[], options: TextPairOptions = {}, tokenizers?: { readonly source: TokenizerSpec; readonly target: TokenizerSpec }): EncodedPairs {
  const kind = options.kind ?? 'char';
  const sourceTokenizer = tokenizers?.source ?? buildTokenizer(kind, sources, options);
  const targetTokenizer = tokenizers?.target ?? buildTokenizer(kind, targets, options);
  return {
    data: { source: sources.map((text) => encodeText(sourceTokenizer, text)), target: targets.map((text) => encodeText(targetTokenizer, text)) },
    sourceTokenizer,
    targetTokenizer,
    metadata: { sourceTokenizer: tokenizerJson(sourceTokenizer), targetTokenizer: tokenizerJson(targetTokenizer) },
  };
}
