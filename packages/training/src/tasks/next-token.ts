import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, type ModelSpec } from '@unfold/core';
import { BOS_ID, encodeText, EOS_ID, PAD_ID, tokenizerJson, type TokenizerSpec } from '@unfold/core/tokenizer';
import type { SequenceData } from '../data/sequence-data';
import type { Model } from '../model';

/**
 * Language-model data and its score. Each text becomes one sequence that reads `<bos>` and the text and
 * predicts the text and `<eos>`, one class target per step (readout "sequence", loss "cross-entropy"):
 *
 *     x = [<bos>, c₁, …, c_L]      y = [c₁, …, c_L, <eos>]
 *
 * `bitsPerToken` is the mean of −log₂ p(y_t | x_≤t) over every target of every text: for a character
 * tokenizer, bits per character counting `<eos>` as one (the units of finite-state-grammar.ts).
 */
export function nextTokenData(tokenizer: TokenizerSpec, texts: readonly string[]): SequenceData {
  const encoded = texts.map((text) => encodeText(tokenizer, text));
  return { x: encoded.map((ids) => [BOS_ID, ...ids]), y: encoded.map((ids) => [...ids, EOS_ID]) };
}

/**
 * The usual language model over a tokenizer's vocabulary: embedding → a recurrent cell (default LSTM with
 * forget bias 1; `cell: { kind: 'gru' }` for a GRU) → a linear head (logits, for loss "cross-entropy"),
 * readout "sequence", the tokenizer in its metadata so checkpoints and exported files carry it (`generate`
 * in the library and at the edge reads it there).
 */
export function languageModelSpec(tokenizer: TokenizerSpec, options: { readonly embeddingSize?: number; readonly hiddenSize?: number; readonly cell?: { readonly kind: string; readonly config?: Readonly<Record<string, number | string | boolean>> } } = {}): ModelSpec {
  const { embeddingSize = 16, hiddenSize = 64, cell = { kind: 'lstm', config: { forgetBias: 1 } } } = options;
  const vocabularySize = tokenizer.tokens.length;
  return {
    kind: 'sequence-model',
    config: { readout: 'sequence' },
    children: {
      input: { kind: 'embedding', config: { vocabularySize, embeddingSize } },
      body: { kind: cell.kind, config: { ...cell.config, inputSize: embeddingSize, hiddenSize } },
      output: { kind: 'dense', config: { inputSize: hiddenSize, outputSize: vocabularySize } },
    },
    metadata: { tokenizer: tokenizerJson(tokenizer) },
  };
}

/** Mean −log₂ p(target) of a token model over `data`'s per-step class targets (batches of `batchSize`). */
export function bitsPerToken(model: Model, data: SequenceData, batchSize = 64): number {
  if (model.input.kind !== 'tokens' || model.semantics.emits === 'features') {
    throw new ConfigError('bits per token needs a token model that scores its vocabulary', { where: 'bitsPerToken', expected: 'token inputs and probabilities or logits out', got: `${model.input.kind} in, ${model.semantics.emits} out` });
  }
  let bits = 0;
  let count = 0;
  for (let start = 0; start < data.x.length; start += batchSize) {
    const xs = data.x.slice(start, start + batchSize) as readonly (readonly number[])[];
    const ys = data.y.slice(start, start + batchSize) as readonly (readonly number[])[];
    const lengths = Int32Array.from(xs, (s) => s.length);
    const time = Math.max(...lengths);
    const pad = (rows: readonly (readonly number[])[]) => Int32Array.from(rows.flatMap((r) => [...r, ...new Array<number>(time - r.length).fill(PAD_ID)]));
    const mask = Float32Array.from(xs.flatMap((r) => Array.from({ length: time }, (_, t) => (t < r.length ? 1 : 0))));
    bits += tf.tidy(() => {
      const x = tf.tensor2d(pad(xs), [xs.length, time], 'int32');
      const outputs = model.forward(x as unknown as tf.Tensor3D, { lengths }).outputs;
      const logp = model.semantics.emits === 'probabilities' ? tf.log(outputs) : tf.logSoftmax(outputs);
      const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor2d(pad(ys), [xs.length, time], 'int32'), model.outputSize)), -1);
      return -(tf.sum(tf.mul(picked, tf.tensor2d(mask, [xs.length, time]))).dataSync()[0] as number) / Math.LN2;
    });
    count += lengths.reduce((a, b) => a + b, 0);
  }
  return bits / count;
}
