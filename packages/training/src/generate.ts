import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataError } from '@unfold/core';
import { chooseToken, createTokenRng, readSamplingRequest, type SamplingRequest, type TokenSampling } from '@unfold/core/sampling';
import { BOS_ID, checkTokenizer, decodeIds, encodeText, EOS_ID, type TokenizerSpec } from '@unfold/core/tokenizer';
import type { Model } from './model';

/**
 * Free-running (generative) prediction: the model reads a priming sequence, then runs on its own
 * predictions for `steps` more steps, carrying its state one step at a time.
 *
 * `nextInput(prediction)` turns a prediction into the next input row (default: the prediction itself,
 * for an autoregressive forecaster whose input is the previous value; an ESN with output feedback returns
 * [u_t, prediction]). Needs readout "sequence". Returns the `steps` predictions, [steps][O].
 */
export function freeRun(model: Model, prime: readonly (readonly number[])[], steps: number, nextInput: (prediction: readonly number[], step: number) => readonly number[] = (p) => p): number[][] {
  if (model.input.kind === 'tokens') {
    throw new ConfigError('freeRun feeds predictions back as feature rows; a token model reads token ids', { where: 'freeRun', expected: 'a features model (input kind "features")', got: 'input kind "tokens"', fix: 'use generate for a token model (it samples each next token id and feeds it back)' });
  }
  if (model.readout !== 'sequence') throw new ConfigError('free-running needs per-step outputs', { where: 'freeRun', expected: 'a model with readout "sequence"', got: 'readout "last"' });
  if (prime.length === 0) throw new ConfigError('free-running needs a priming sequence', { where: 'freeRun', expected: 'at least one input step', got: '0' });
  const inputSize = model.input.size;
  const run = (rows: readonly (readonly number[])[], state: readonly tf.Tensor[] | undefined) =>
    tf.tidy(() => {
      const x = tf.tensor3d([rows.map((r) => [...r])], [1, rows.length, inputSize]);
      const result = model.forward(x, { ...(state ? { initialState: state } : {}) });
      const last = tf.slice(result.outputs, [0, rows.length - 1, 0], [1, 1, model.outputSize]);
      return { prediction: Array.from(last.dataSync()), state: result.finalState.map((s) => tf.keep(s)) };
    });
  let { prediction, state } = run(prime, undefined);
  const out: number[][] = [];
  try {
    for (let step = 0; step < steps; step++) {
      out.push(prediction);
      if (step === steps - 1) break;
      const next = run([nextInput(prediction, step)], state);
      tf.dispose(state as tf.Tensor[]);
      ({ prediction, state } = next);
    }
  } finally {
    tf.dispose(state as tf.Tensor[]);
  }
  return out;
}

export interface GenerateOptions extends SamplingRequest {
  /** Text (encoded after `<bos>`) or token ids (read as given: start them with `<bos>` as training did). Default: `<bos>` alone. */
  readonly prompt?: string | readonly number[];
  /** Tokens to generate at most (an integer ≥ 1); `<eos>` counts. */
  readonly maxLength: number;
  /** Stop after generating `<eos>` (default true). */
  readonly stopAtEos?: boolean;
}

export interface GenerateResult {
  /** The generated text (the prompt not included; `<eos>` dropped). */
  readonly text: string;
  /** The generated ids, `<eos>` included when it ended the text. */
  readonly ids: number[];
  /** The ids the model read first. */
  readonly promptIds: number[];
  readonly stopReason: 'eos' | 'max-length';
}

function invalid(field: string, expected: string, got: unknown): never {
  throw new ConfigError(`invalid ${field}`, { where: `generate: ${field}`, expected, got: JSON.stringify(got) ?? String(got) });
}

function samplingOf(options: GenerateOptions, vocabulary: number): { readonly sampling: TokenSampling; readonly seed: number } {
  const read = readSamplingRequest(options as unknown as Readonly<Record<string, unknown>>, vocabulary);
  if ('field' in read) throw new ConfigError(read.summary, { where: `generate: ${read.field}`, expected: read.expected, got: JSON.stringify(options[read.field]) ?? 'nothing', ...(read.fix ? { fix: read.fix } : {}) });
  return read;
}

/** The model's tokenizer, checked against a token model that scores its own vocabulary. */
function tokenizerOf(model: Model): TokenizerSpec {
  if (model.input.kind !== 'tokens' || model.semantics.emits === 'features' || model.readout !== 'sequence') {
    throw new ConfigError('generate needs a token language model', { where: 'generate', expected: 'token inputs, probabilities or logits over the vocabulary at every step (readout "sequence")', got: `${model.input.kind} inputs, ${model.semantics.emits} out, readout "${model.readout}"`, fix: 'use freeRun for a features model' });
  }
  if (!model.semantics.tokenizer) {
    throw new ConfigError('the model has no tokenizer', { where: 'generate', expected: 'spec metadata "tokenizer" (buildTokenizer from the training texts)', got: 'none', fix: 'give the spec metadata { tokenizer } when creating the model, or call generate with a prompt of ids and decode yourself' });
  }
  const tokenizer = checkTokenizer(model.semantics.tokenizer, 'generate: the model’s tokenizer');
  if (tokenizer.tokens.length !== model.input.size || model.outputSize !== model.input.size) {
    throw new ConfigError('the tokenizer does not match the model', { where: 'generate', expected: `${model.input.size} tokens, as many outputs`, got: `${tokenizer.tokens.length} tokens, ${model.outputSize} outputs` });
  }
  return tokenizer;
}

function promptIdsOf(prompt: GenerateOptions['prompt'], tokenizer: TokenizerSpec): number[] {
  if (prompt === undefined || typeof prompt === 'string') return [BOS_ID, ...encodeText(tokenizer, prompt ?? '')];
  if (!Array.isArray(prompt) || prompt.length === 0) invalid('prompt', 'text, or a non-empty list of token ids', Array.isArray(prompt) ? '[]' : typeof prompt);
  prompt.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= tokenizer.tokens.length) throw new DataError('token id out of range', { where: `generate: prompt[${i}]`, expected: `an integer in [0, ${tokenizer.tokens.length})`, got: String(id) });
  });
  return [...prompt];
}

/**
 * Text generation from a token language model whose spec metadata has a tokenizer: reads the prompt, then
 * feeds each chosen token back one step at a time, carrying the state. Tokens are chosen by
 * @unfold/core/sampling's `chooseToken` (greedy, or temperature / top-k / top-p from a seeded generator),
 * the algorithm the runtime's `generate` operation uses, so the same seed gives the same text there.
 */
export function generate(model: Model, options: GenerateOptions): GenerateResult {
  const tokenizer = tokenizerOf(model);
  if (!Number.isSafeInteger(options.maxLength) || options.maxLength < 1) invalid('maxLength', 'an integer ≥ 1', options.maxLength);
  const { sampling, seed } = samplingOf(options, tokenizer.tokens.length);
  const promptIds = promptIdsOf(options.prompt, tokenizer);
  const kind = model.semantics.emits as 'probabilities' | 'logits';
  const rng = createTokenRng(seed);
  const stopAtEos = options.stopAtEos ?? true;
  const run = (ids: readonly number[], state: readonly tf.Tensor[] | undefined) =>
    tf.tidy(() => {
      const x = tf.tensor2d([[...ids]], [1, ids.length], 'int32');
      const result = model.forward(x as unknown as tf.Tensor3D, { ...(state ? { initialState: state } : {}) });
      const last = tf.slice(result.outputs, [0, ids.length - 1, 0], [1, 1, model.outputSize]);
      return { row: last.dataSync(), state: result.finalState.map((s) => tf.keep(s)) };
    });
  let { row, state } = run(promptIds, undefined);
  const ids: number[] = [];
  let stopReason: GenerateResult['stopReason'] = 'max-length';
  try {
    for (;;) {
      const id = chooseToken(row, kind, sampling, rng);
      ids.push(id);
      if (stopAtEos && id === EOS_ID) {
        stopReason = 'eos';
        break;
      }
      if (ids.length >= options.maxLength) break;
      const next = run([id], state);
      tf.dispose(state as tf.Tensor[]);
      ({ row, state } = next);
    }
  } finally {
    tf.dispose(state as tf.Tensor[]);
  }
  return { text: decodeIds(tokenizer, ids), ids, promptIds, stopReason };
}
