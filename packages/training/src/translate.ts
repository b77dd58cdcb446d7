import * as tf from '@tensorflow/tfjs-core';
import { decodeSources, runSeq2seq } from '@unfold/architectures';
import { BOS_ID, ConfigError, DataError, DECODER_INPUT_PORT, inferenceContext, portsOf } from '@unfold/core';
import { readDecodeRequest, type DecodeLimits, type DecodeRequest, type Hypothesis } from '@unfold/core/decoding';
import { checkTokenizer, decodeIds, encodeText, type TokenizerSpec } from '@unfold/core/tokenizer';
import type { Model } from './model';

/**
 * Decoding with a seq2seq model: sources in (text, with the model's source tokenizer, or token ids / feature
 * rows), target sequences out, by greedy search, beam search or sampling (`@unfold/core/decoding`, the same
 * searches the runtime's `generate` runs over onnxruntime).
 *
 * The tokenizers travel in the spec's metadata: `sourceTokenizer` and `targetTokenizer` (TokenizerSpec),
 * as `unfold train` writes them from the training pairs.
 */
export interface TranslateOptions extends DecodeRequest {
  /** Decoding limits (default 512 tokens, beam width 16). */
  readonly limits?: DecodeLimits;
}

export interface Translation {
  /** The best hypothesis's tokens (no <bos>/<eos>). */
  readonly tokens: readonly number[];
  /** Its text, when the model carries a target tokenizer. */
  readonly text?: string;
  /** Its log-probability (the <eos> included when it ended) and ranking score (beam: length-normalised). */
  readonly logProb: number;
  readonly score: number;
  /** Beam search: the n best, best first (the first is the one above). */
  readonly nBest: readonly Hypothesis[];
}

/** The model's tokenizer from the spec metadata key, or null. */
export function modelTokenizer(model: Model, key: 'sourceTokenizer' | 'targetTokenizer'): TokenizerSpec | null {
  const value = model.spec.metadata?.[key];
  return value === undefined ? null : checkTokenizer(value, `spec.metadata.${key}`);
}

function requireDecoder(model: Model, where: string): void {
  if (!portsOf(model.root).inputs.some((port) => port.name === DECODER_INPUT_PORT)) {
    throw new ConfigError('this model has no decoder', { where, expected: 'a seq2seq model', got: `a ${model.root.plugin.kind} model`, fix: 'use generate for a language model, predict for others' });
  }
}

/** Sources as a padded batch: token ids [B, S] or features [B, S, I], with lengths. */
function sourceBatch(model: Model, sources: readonly (string | readonly number[] | readonly (readonly number[])[])[]): { x: tf.Tensor; lengths: Int32Array } {
  const tokenizer = modelTokenizer(model, 'sourceTokenizer');
  const rows = sources.map((source, b) => {
    if (typeof source !== 'string') return source;
    if (!tokenizer) throw new DataError('text source without a source tokenizer', { where: `translate: sources[${b}]`, expected: 'token ids, or a model whose spec metadata has sourceTokenizer', got: 'a string', fix: 'encode the text yourself, or train with unfold train (it stores the tokenizers)' });
    return encodeText(tokenizer, source);
  });
  const lengths = Int32Array.from(rows, (row) => row.length);
  const S = Math.max(1, ...lengths);
  const input = model.input;
  if (input.kind === 'tokens') {
    const ids = new Int32Array(rows.length * S);
    rows.forEach((row, b) =>
      row.forEach((id, s) => {
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= input.size) throw new DataError('token id out of range', { where: `translate: sources[${b}][${s}]`, expected: `an integer in [0, ${input.size})`, got: JSON.stringify(id) });
        ids[b * S + s] = id;
      }),
    );
    return { x: tf.tensor2d(ids, [rows.length, S], 'int32'), lengths };
  }
  const values = new Float32Array(rows.length * S * input.size);
  rows.forEach((row, b) =>
    row.forEach((step, s) => {
      if (!Array.isArray(step) || step.length !== input.size || !step.every(Number.isFinite)) throw new DataError('bad source step', { where: `translate: sources[${b}][${s}]`, expected: `${input.size} finite numbers`, got: JSON.stringify(step)?.slice(0, 40) ?? String(step) });
      values.set(step, (b * S + s) * input.size);
    }),
  );
  return { x: tf.tensor3d(values, [rows.length, S, input.size]), lengths };
}

/** Decodes every source; see TranslateOptions for the strategies. */
export async function translate(model: Model, sources: readonly (string | readonly number[] | readonly (readonly number[])[])[], options: TranslateOptions = {}): Promise<Translation[]> {
  requireDecoder(model, 'translate');
  if (sources.length === 0) return [];
  const longest = Math.max(...sources.map((s) => s.length));
  const strategy = readDecodeRequest(options as Record<string, unknown>, model.outputSize, 2 * longest + 10, options.limits);
  if ('field' in strategy) throw new ConfigError(strategy.summary, { where: `translate: ${strategy.field}`, expected: strategy.expected, got: JSON.stringify((options as Record<string, unknown>)[strategy.field]), ...(strategy.fix ? { fix: strategy.fix } : {}) });
  const target = modelTokenizer(model, 'targetTokenizer');
  const { x, lengths } = sourceBatch(model, sources);
  try {
    const found = await decodeSources(model.bound, x, lengths, strategy);
    return found.map((list) => {
      const best = list[0] as Hypothesis;
      return { tokens: best.tokens, ...(target ? { text: decodeIds(target, best.tokens) } : {}), logProb: best.logProb, score: best.score, nBest: list };
    });
  } finally {
    x.dispose();
  }
}

/**
 * The attention weights of one source and an output (say, `translate`'s tokens): rows are the output
 * tokens and then <eos> (the step that reads each token's predecessor), columns the source tokens; each
 * row sums to 1. Runs the decoder teacher-forced on the output. Null for a model without attention.
 */
export function attentionWeights(model: Model, source: string | readonly number[], output: readonly number[]): number[][] | null {
  requireDecoder(model, 'attentionWeights');
  const { x, lengths } = sourceBatch(model, [source]);
  try {
    let weights: number[][] | null = null;
    tf.tidy(() => {
      const inputs = tf.tensor2d([[BOS_ID, ...output]], undefined, 'int32');
      const decoded = runSeq2seq(model.bound, x, lengths, { x: inputs }, inferenceContext());
      if (decoded.attention) weights = (decoded.attention.arraySync() as number[][][])[0] as number[][];
    });
    return weights;
  } finally {
    x.dispose();
  }
}
