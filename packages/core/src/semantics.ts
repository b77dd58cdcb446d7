/**
 * What a model reads and emits, declared by its plugins so that training, the exporter, the runtime and
 * the edge never dig through a spec by kind or config key. `semanticsOf(root)` (parts.ts) fills the
 * defaults; the exporter writes the result into the file's interface.
 *
 *   readout     `sequence`: an output at every step; `last`: one at each sequence's last real step;
 *               `pooled`: one per sequence from all steps
 *   emits       `features`: real values (a forecaster can feed them back when sizes agree);
 *               `probabilities` / `logits`: a distribution over `vocabulary` (a token model's next token)
 *   vocabulary  the input vocabulary of a token model, and its tokens when the spec carries them
 *   tokenizer   how text becomes token ids (from the spec's metadata `tokenizer`), for text in and out
 *   head        the child slot of an affine output head over `body` (closed-form readout fitting), if any
 */
export interface ModelSemantics {
  readonly readout: 'sequence' | 'last' | 'pooled';
  readonly emits: 'features' | 'probabilities' | 'logits';
  readonly vocabulary: { readonly size: number; readonly tokens?: readonly string[] } | null;
  readonly tokenizer: Readonly<Record<string, unknown>> | null;
  readonly head: { readonly slot: string; readonly body: string } | null;
}

export const DEFAULT_SEMANTICS: ModelSemantics = Object.freeze({ readout: 'sequence', emits: 'features', vocabulary: null, tokenizer: null, head: null });
