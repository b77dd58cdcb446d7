import { chooseToken, createTokenRng, readSamplingRequest, type SamplingRequest, type TokenSampling } from '@unfold/core/sampling';
import { BOS_ID, checkTokenizer, decodeIds, encodeText, EOS_ID, PAD_ID, type TokenizerSpec } from '@unfold/core/tokenizer';
import { sequenceError, sequenceOf, streamError } from '../capabilities';
import { describeValue, RuntimeError } from '../errors';
import type { EntryInfo, UnfoldInfo } from '../info/unfold-info';
import { checkLimit, type RuntimeLimits } from '../limits';
import { readCount } from '../requests';
import { packSequences, type PackedSequences } from '../sequences';
import { packStates } from '../states';
import { runChunk, type ChunkResult } from '../unfold-run';
import type { OperationEvent } from '../model';
import type { OperationModule } from './operation';

/**
 * `generate`: text in, text out, for a token language model whose file carries its tokenizer
 * (`semantics.tokenizer`). Each prompt is encoded after `<bos>`; the model reads it, then each chosen token
 * is fed back one step at a time with the state carried, until `<eos>` (with `stopAtEos`, the default) or
 * `maxLength` tokens. Tokens are chosen by @unfold/core/sampling's `chooseToken`, the library's `generate`
 * algorithm: prompt b draws from its own generator seeded `seed + b`, so each answer equals the library's
 * `generate(model, { prompt, seed: seed + b, … })` and does not depend on the rest of the batch.
 *
 *   { "prompt": "BT" | ["BT", "BP"], "maxLength": 100, "strategy": "sample" | "greedy",
 *     "temperature": 1, "topK": 5, "topP": 0.9, "seed": 0, "stopAtEos": true, "stream": false }
 *   (stream: each token is also reported to the caller's onEvent as it is chosen)
 *   → { "outputs": ["generated text", …], "tokens": [[id, …], …] }     (`<eos>` in tokens, not in text)
 */
export interface GenerateRequest extends SamplingRequest {
  /** One text or a batch (default: one empty prompt, i.e. `<bos>` alone). */
  readonly prompt?: string | readonly string[];
  /** Tokens to generate at most (default 100; capped by maxRolloutSteps); `<eos>` counts. */
  readonly maxLength?: number;
  /** Stop a text at `<eos>` (default true). */
  readonly stopAtEos?: boolean;
}

export type GenerateResult = {
  /** The generated texts (prompts not included; `<eos>` dropped). */
  readonly outputs: string[];
  /** The generated ids, `<eos>` included when it ended the text. */
  readonly tokens: number[][];
};

const FIELDS = ['prompt', 'maxLength', 'strategy', 'temperature', 'topK', 'topP', 'seed', 'stopAtEos', 'stream'] as const;
export const DEFAULT_GENERATE_LENGTH = 100;

/** An E_REQUEST naming the field at fault (shared by the generate modules). */
export function requestError(where: string, summary: string, expected: string, value: unknown, fix?: string): RuntimeError {
  return new RuntimeError('E_REQUEST', summary, { where, expected, got: describeValue(value), ...(fix ? { fix } : {}) });
}

/** The tokenizer an entry's interface carries, or null. */
export function tokenizerOf(entry: EntryInfo): TokenizerSpec | null {
  try {
    return checkTokenizer(entry.interface.semantics.tokenizer, 'semantics.tokenizer');
  } catch {
    return null;
  }
}

function generateError(entry: EntryInfo, where: string): RuntimeError | null {
  const error = sequenceError(entry, where);
  if (error || !entry.sequence) return error;
  const info = entry.sequence;
  if (info.inputKind !== 'tokens' || info.outputKind === 'features' || info.readout !== 'sequence' || info.outputSize !== info.inputSize) {
    return new RuntimeError('E_UNSUPPORTED', 'generate needs a token language model', { where, expected: 'token inputs and a score for every vocabulary entry at every step', got: `${info.inputKind} inputs, ${info.outputSize} ${info.outputKind} out, readout ${info.readout}`, fix: 'use predict, or rollout for a forecaster' });
  }
  const tokenizer = tokenizerOf(entry);
  if (!tokenizer || tokenizer.tokens.length !== info.inputSize) {
    return new RuntimeError('E_UNSUPPORTED', 'the model carries no usable tokenizer', { where, expected: `semantics.tokenizer with ${info.inputSize} tokens, the specials first`, got: entry.interface.semantics.tokenizer ? 'a tokenizer that does not fit the model' : 'none', fix: 'export a model whose spec metadata has a tokenizer, or use rollout with token ids' });
  }
  return streamError(info, where);
}

function readSampling(fields: Record<string, unknown>, vocabulary: number): { readonly sampling: TokenSampling; readonly seed: number } {
  const read = readSamplingRequest(fields, vocabulary);
  if ('field' in read) throw requestError(read.field, read.summary, read.expected, fields[read.field], read.fix);
  return read;
}

/** The prompts as `<bos>`-led id sequences, packed (batch, length and element limits checked). */
function readPrompts(value: unknown, tokenizer: TokenizerSpec, info: UnfoldInfo, limits: RuntimeLimits): PackedSequences {
  const prompts = value === undefined ? [''] : typeof value === 'string' ? [value] : value;
  if (!Array.isArray(prompts) || prompts.length === 0) throw requestError('prompt', 'prompt must be text or a batch of texts', 'a string, or a non-empty array of strings', value);
  checkLimit('maxBatch', prompts.length, limits, 'prompt', 'prompts in a batch');
  const ids = prompts.map((text, b) => {
    const where = typeof value === 'string' ? 'prompt' : `prompt[${b}]`;
    if (typeof text !== 'string') throw requestError(where, 'a prompt must be text', 'a string', text);
    checkLimit('maxTime', text.length + 1, limits, where, 'tokens in a prompt (<bos> included)');
    return [BOS_ID, ...encodeText(tokenizer, text)];
  });
  return packSequences(ids, info, limits, { where: 'prompt', allowEmpty: false });
}

/** The output row each sequence's next token is chosen from: its last real step. */
function lastRow(result: ChunkResult, b: number, length: number, size: number): Float32Array {
  const offset = (b * result.steps + length - 1) * size;
  return result.output.subarray(offset, offset + size);
}

export async function generateText({ label, info, session, tokenizer }: { label: string; info: UnfoldInfo; session: Parameters<typeof runChunk>[0]; tokenizer: TokenizerSpec }, request: unknown, limits: RuntimeLimits, onEvent?: (event: OperationEvent) => void): Promise<GenerateResult> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw requestError('request', 'the request must be an object', `{ ${FIELDS.map((k) => `"${k}"`).join(', ')} }`, request);
  const fields = request as Record<string, unknown>;
  const unknown = Object.keys(fields).find((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw requestError(`request.${unknown}`, 'unknown field', `one of ${FIELDS.map((k) => `"${k}"`).join(', ')}`, unknown, 'remove the field or fix its spelling');
  const maxLength = fields.maxLength === undefined ? Math.min(DEFAULT_GENERATE_LENGTH, limits.maxRolloutSteps) : readCount(fields.maxLength, 'maxLength', { name: 'maxRolloutSteps', limits, what: 'generated tokens' });
  const { sampling, seed } = readSampling(fields, info.inputSize);
  const stopAtEos = fields.stopAtEos ?? true;
  if (typeof stopAtEos !== 'boolean') throw requestError('stopAtEos', 'stopAtEos must be true or false', 'a boolean', fields.stopAtEos);
  if (fields.stream !== undefined && typeof fields.stream !== 'boolean') throw requestError('stream', 'stream must be true or false', 'a boolean', fields.stream);
  const prompts = readPrompts(fields.prompt, tokenizer, info, limits);
  const batch = prompts.batch;
  if (seed > Number.MAX_SAFE_INTEGER - (batch - 1)) throw requestError('seed', 'seed too large for the batch', `at most ${Number.MAX_SAFE_INTEGER - batch + 1} (prompt b uses seed + b)`, seed);
  checkLimit('maxElements', prompts.data.length + batch * (maxLength - 1), limits, 'maxLength', 'input numbers over the whole generation (prompts + batch × (maxLength − 1))');
  const rngs = Array.from({ length: batch }, (_, b) => createTokenRng(seed + b));
  const kind = info.outputKind as 'probabilities' | 'logits';
  const tokens: number[][] = Array.from({ length: batch }, () => []);
  const done = new Array<boolean>(batch).fill(false);
  let result = await runChunk(session, info, prompts, packStates(undefined, info.states, batch, 'state'), label);
  let lengths = prompts.lengths;
  for (let k = 0; k < maxLength; k++) {
    const next = Int32Array.from({ length: batch }, (_, b) => {
      if (done[b]) return PAD_ID; // finished: fed padding, its rows ignored
      const id = chooseToken(lastRow(result, b, lengths[b] as number, info.outputSize), kind, sampling, rngs[b] as ReturnType<typeof createTokenRng>);
      tokens[b]?.push(id);
      onEvent?.({ index: b, token: id, text: decodeIds(tokenizer, [id]) });
      if (stopAtEos && id === EOS_ID) done[b] = true;
      return id;
    });
    if (k === maxLength - 1 || done.every(Boolean)) break;
    lengths = new Int32Array(batch).fill(1);
    result = await runChunk(session, info, { batch, time: 1, lengths, data: next }, result.states.map((data) => ({ rows: batch, data })), label);
  }
  return { outputs: tokens.map((ids) => decodeIds(tokenizer, ids)), tokens };
}

export const generateOperation: OperationModule = {
  name: 'generate',
  scope: 'entry',
  unsupported: (entry, where) => generateError(entry, where),
  run({ label, entry }, request, limits, onEvent) {
    const error = generateError(entry.info, `${label}: generate`);
    if (error) return Promise.reject(error);
    const info = sequenceOf(entry.info, `${label}: generate`);
    return generateText({ label, info, session: entry.session, tokenizer: tokenizerOf(entry.info) as TokenizerSpec }, request, limits, onEvent);
  },
};
