import { beamSearch, readDecodeRequest, sampleSearch, type DecodeStrategy, type Hypothesis, type SearchDecoder } from '@unfold/core/decoding';
import { decodeIds, encodeText, type TokenizerSpec } from '@unfold/core/tokenizer';
import { describeValue, RuntimeError } from '../errors';
import type { EntryInfo } from '../info/unfold-info';
import { checkLimit, type RuntimeLimits } from '../limits';
import type { HostTensor, ModelSession } from '../session';
import type { OperationEvent } from '../model';
import { requestError, tokenizerOf } from './generate';
import type { LoadedEntry, OperationModule, OperationTarget } from './operation';

/**
 * `generate` for a seq2seq model (the manifest's task spanning `encoder` and `decoder_step`): source texts
 * in, target texts out. The encoder runs once on the batch; the decoder step runs once per token on every
 * live row with the decoder state, the memory and its keys carried here, by the searches of
 * @unfold/core/decoding, the library's own, so the tokens equal the library's `translate`.
 *
 *   { "inputs": ["source text", …] (or token id lists), "strategy": "greedy" | "beam" | "sample",
 *     "maxLength": 50, "beamWidth": 4, "alpha": 0.6, "nBest": 1, "temperature": 1, "topK": 5, "topP": 0.9, "seed": 0,
 *     "stream": false }   (stream: each token is also reported as it is chosen, greedy and sample only)
 *   → { "outputs": ["target text", …], "tokens": [[id, …], …], "scores": [s, …] }       (+ "nBest" when nBest > 1)
 *
 * Limits: sources × beam width rows ≤ maxBatch, tokens per source ≤ maxTime, maxLength ≤ maxRolloutSteps,
 * beamWidth ≤ 16. A score is the hypothesis's log-probability (beam: divided by the length penalty).
 */
const FIELDS = ['inputs', 'strategy', 'maxLength', 'beamWidth', 'alpha', 'nBest', 'temperature', 'topK', 'topP', 'seed', 'stream'] as const;
const MAX_BEAM_WIDTH = 16;

function portSize(entry: EntryInfo, name: string): number {
  return entry.interface.ports.inputs.find((p) => p.name === name)?.size ?? 0;
}

/** Sources as padded int32 ids [B, S] and lengths. */
function readSources(value: unknown, tokenizer: TokenizerSpec | null, vocabulary: number, limits: RuntimeLimits): { ids: Int32Array; lengths: Int32Array; steps: number } {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw requestError('inputs', 'inputs must be a source text or a batch of them', 'a string, or a non-empty array of strings (or of token id lists)', value);
  checkLimit('maxBatch', list.length, limits, 'inputs', 'sources in a batch');
  const rows = list.map((source, b) => {
    const where = `inputs[${b}]`;
    if (typeof source === 'string') {
      if (!tokenizer) throw requestError(where, 'this model has no source tokenizer', 'token id lists', source, 'send token ids, or export a model trained from text pairs');
      checkLimit('maxTime', source.length, limits, where, 'characters in a source');
      return encodeText(tokenizer, source);
    }
    if (!Array.isArray(source)) throw requestError(where, 'a source must be text or token ids', 'a string or a list of integers', source);
    checkLimit('maxTime', source.length, limits, where, 'tokens in a source');
    source.forEach((id, s) => {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabulary) throw new RuntimeError('E_TOKEN_RANGE', 'token id out of range', { where: `${where}[${s}]`, expected: `an integer in [0, ${vocabulary})`, got: describeValue(id) });
    });
    return source as number[];
  });
  const steps = Math.max(1, ...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * steps);
  rows.forEach((row, b) => ids.set(row, b * steps));
  return { ids, lengths: Int32Array.from(rows, (r) => r.length), steps };
}

/** Rows `rows` of a batch-first tensor (axis 0), in that order. */
function gatherRows(tensor: HostTensor, rows: Int32Array): HostTensor {
  const width = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  const Data = tensor.data.constructor as { new (length: number): HostTensor['data'] };
  const data = new Data(rows.length * width);
  rows.forEach((row, i) => (data as Float32Array).set((tensor.data as Float32Array).subarray(row * width, (row + 1) * width), i * width));
  return { dtype: tensor.dtype, shape: [rows.length, ...tensor.shape.slice(1)], data };
}

/** The decoder_step session as the searches see it: the feeds (memory, keys, lengths, states) are the state. */
function ortDecoder(session: ModelSession, vocabulary: number, states: readonly string[]): SearchDecoder<Record<string, HostTensor>> {
  return {
    vocabulary,
    async step(previous, feeds) {
      const results = await session.run({ ...feeds, previous: { dtype: 'int32', shape: [previous.length, 1], data: Int32Array.from(previous) } });
      const next: Record<string, HostTensor> = { ...feeds };
      for (const state of states) next[`state_in.${state}`] = results[`state_out.${state}`] as HostTensor;
      return { logProbs: (results.log_probs as HostTensor).data as Float32Array, state: next };
    },
    select: (feeds, rows) => Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, gatherRows(tensor, rows)])),
  };
}

function strategyOf(fields: Record<string, unknown>, vocabulary: number, longest: number, limits: RuntimeLimits): DecodeStrategy {
  const { inputs: _inputs, stream: _stream, ...rest } = fields;
  const strategy = readDecodeRequest(rest, vocabulary, Math.min(2 * longest + 10, limits.maxRolloutSteps), { maxLength: limits.maxRolloutSteps, maxBeamWidth: MAX_BEAM_WIDTH });
  if ('field' in strategy) throw requestError(strategy.field, strategy.summary, strategy.expected, fields[strategy.field], strategy.fix);
  return strategy;
}

export async function translateText(target: OperationTarget, request: unknown, limits: RuntimeLimits, onEvent?: (event: OperationEvent) => void): Promise<Record<string, unknown>> {
  const [encoder, step] = target.entries as [LoadedEntry, LoadedEntry];
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw requestError('request', 'the request must be an object', `{ ${FIELDS.map((k) => `"${k}"`).join(', ')} }`, request);
  const fields = request as Record<string, unknown>;
  const unknown = Object.keys(fields).find((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw requestError(`request.${unknown}`, 'unknown field', `one of ${FIELDS.map((k) => `"${k}"`).join(', ')}`, unknown, 'remove the field or fix its spelling');
  const sourceTokenizer = tokenizerOf(encoder.info);
  const targetTokenizer = tokenizerOf(step.info);
  const vocabulary = portSize(step.info, 'previous');
  const sources = readSources(fields.inputs, sourceTokenizer, portSize(encoder.info, 'source'), limits);
  const batch = sources.lengths.length;
  const strategy = strategyOf(fields, vocabulary, Math.max(...sources.lengths), limits);
  if (fields.stream !== undefined && typeof fields.stream !== 'boolean') throw requestError('stream', 'stream must be true or false', 'a boolean', fields.stream);
  if (fields.stream === true && strategy.strategy === 'beam') throw requestError('stream', 'beam search cannot stream', 'stream with strategy "greedy" or "sample" (a beam’s tokens are final only at the end)', fields.stream, 'leave stream out for beam search');
  if (strategy.strategy === 'beam') checkLimit('maxBatch', batch * strategy.width, limits, 'beamWidth', 'rows decoded at once (sources × beam width)');
  const encoded = await encoder.session.run({ source: { dtype: 'int32', shape: [batch, sources.steps], data: sources.ids }, 'sequence_lens.source': { dtype: 'int32', shape: [batch], data: sources.lengths } });
  const stepStates = step.info.interface.states.map((s) => s.path);
  const feeds: Record<string, HostTensor> = {};
  for (const state of stepStates) feeds[`state_in.${state}`] = encoded[`initial.${state}`] as HostTensor;
  if (step.info.interface.ports.inputs.some((p) => p.name === 'memory')) {
    feeds.memory = encoded.memory as HostTensor;
    feeds.memory_keys = encoded.memory_keys as HostTensor;
    feeds['sequence_lens.memory'] = { dtype: 'int32', shape: [batch], data: sources.lengths };
  }
  const decoder = ortDecoder(step.session, vocabulary, stepStates);
  const found: Hypothesis[][] =
    strategy.strategy === 'beam'
      ? await beamSearch(decoder, feeds, batch, strategy)
      : (
          await sampleSearch(decoder, feeds, batch, {
            maxLength: strategy.maxLength,
            sampling: strategy.strategy === 'greedy' ? { strategy: 'greedy', temperature: 1, topK: null } : strategy.sampling,
            ...(strategy.strategy === 'sample' ? { seed: strategy.seed } : {}),
            ...(onEvent ? { onToken: (index: number, token: number) => onEvent({ index, token, ...(targetTokenizer ? { text: decodeIds(targetTokenizer, [token]) } : {}) }) } : {}),
          })
        ).map((h) => [h]);
  const text = (tokens: readonly number[]) => (targetTokenizer ? decodeIds(targetTokenizer, tokens) : null);
  const best = found.map((list) => list[0] as Hypothesis);
  return {
    outputs: best.map((h) => text(h.tokens)),
    tokens: best.map((h) => [...h.tokens]),
    scores: best.map((h) => h.score),
    ...(strategy.strategy === 'beam' && strategy.nBest > 1 ? { nBest: found.map((list) => list.map((h) => ({ output: text(h.tokens), tokens: [...h.tokens], score: h.score, logProb: h.logProb }))) } : {}),
  };
}

export const translateOperation: OperationModule = {
  name: 'generate',
  scope: 'model',
  unsupported: (entry, where) =>
    entry.interface.ports.inputs.some((p) => p.name === 'source') && entry.interface.ports.outputs.some((p) => p.name === 'memory')
      ? null
      : new RuntimeError('E_UNSUPPORTED', 'generate across entries needs a seq2seq encoder first', { where, expected: 'an encoder entry with a source input and a memory output', got: `entry ${entry.name}` }),
  run: (target, request, limits, onEvent) => translateText(target, request, limits, onEvent),
};
