/**
 * A seq2seq model's ONNX export: three entries (the equations are layer.ts's; every step mirrors
 * decoder.ts). `encoder` and `decoder_step` let any host decode with the decoder state in its own hands;
 * `greedy` decodes in one call for consumers with no host loop (see greedyEntry).
 *
 *   encoder        source [B, S] int32 ids (or [B, S, I] features) + sequence_lens.source [B]
 *                  → memory [B, S, E]                     the encoder outputs, zeros at padded steps
 *                    memory_keys [B, S, K]                the attention scorer's per-source work (with attention)
 *                    initial.<state> [B, size]            the decoder's initial states (the bridge; h̃₀ = 0 as initial.feed)
 *   decoder_step   memory [B, S, E] + sequence_lens.memory [B] + memory_keys [B, S, K]   (with attention)
 *                  previous [B, 1] int32                   the previous token (<bos> first)
 *                  state_in.<state> [B or 1, size]        the decoder state (from `initial.*`, then `state_out.*`)
 *                  → log_probs [B, V]                     log softmax of the next token's logits
 *                    attention [B, S, 1]                  the attention weights (with attention)
 *                    state_out.<state> [B, size]
 *   greedy         source [B, S] + sequence_lens.source [B] → tokens [B, L] int32 (a Loop over decoder steps)
 *
 * The manifest's task `generate` runs `encoder` once and `decoder_step` per token (greedy, beam or sampled:
 * @unfold/core/decoding, as the library does). Decoder states must be vectors (any cell of 1-D states).
 */
import { BOS_ID, EOS_ID, ExportError, int32Constant, int64Constant, PAD_ID, stateOf, type EntryContext, type ExportEntry, type HostTensor, type ModelExports, type OnnxGraphBuilder, type ResolvedNode, type StateSpec } from '@unfold/core';
import type { AttentionOnnx } from './attention';
import { decoderStates, partsOf, sizesOf, type Seq2seqConfig } from './parts';

export const ENCODER_ENTRY = 'encoder';
export const DECODER_STEP_ENTRY = 'decoder_step';
export const GENERATE_TASK = 'generate';
export const GREEDY_ENTRY = 'greedy';
/** The encoder output carrying a decoder state's initial value. */
export const initialStateName = (state: string): string => `initial.${state}`;

function one(graph: OnnxGraphBuilder, op: string, inputs: readonly string[], stem: string, attributes: Record<string, number | readonly number[]> = {}): string {
  return graph.node(op, inputs, attributes, { stem })[0] as string;
}

/** A tokenizer the spec's metadata carries (`sourceTokenizer`, `targetTokenizer`), for the entry that reads or writes that side's tokens. */
function tokenizerAt(node: ResolvedNode, key: 'sourceTokenizer' | 'targetTokenizer'): Readonly<Record<string, unknown>> | null {
  const value = node.metadata[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Readonly<Record<string, unknown>>) : null;
}

function attentionMapping(node: ResolvedNode): AttentionOnnx<unknown> | undefined {
  const attention = partsOf(node).attention;
  return attention?.plugin.onnx as AttentionOnnx<unknown> | undefined;
}

function checkExportable(node: ResolvedNode): StateSpec[] {
  const states = decoderStates(node);
  const shaped = states.find((s) => s.shape.length !== 1);
  if (shaped) throw new ExportError('a seq2seq decoder with shaped states cannot be exported yet', { where: node.path || 'seq2seq', expected: 'decoder cells with vector states ([B, size])', got: `${shaped.name} of shape [${shaped.shape.join(', ')}]`, fix: 'use rnn, gru, lstm or leaky cells in the decoder' });
  const attention = partsOf(node).attention;
  if (attention && !attentionMapping(node)) throw new ExportError('the attention scorer has no ONNX mapping', { where: attention.path, expected: 'an attention plugin with `onnx` (keys, score)', got: attention.plugin.kind });
  return states;
}

/** The bridge: the decoder's initial states [B, size] from the encoder's final states (decoder.ts `bridge`). */
function bridgeOnnx(context: EntryContext, node: ResolvedNode, encoderFinal: readonly string[]): string[] {
  const config = node.config as Seq2seqConfig;
  const specs = partsOf(node).decoder.flatMap((cell) => stateOf(cell));
  if (config.bridge === 'zeros') return specs.map((s) => context.zeros(s.shape));
  if (config.bridge === 'copy') return [...encoderFinal];
  const { graph, weights } = context.component(node);
  const joined = encoderFinal.length === 1 ? (encoderFinal[0] as string) : one(graph, 'Concat', encoderFinal, 'bridge_input', { axis: 1 });
  const linear = one(graph, 'Gemm', [joined, graph.constant('bridgeW', weights.bridgeW as HostTensor), graph.constant('bridgeB', weights.bridgeB as HostTensor)], 'bridge_linear', { transB: 1 });
  const projected = config.bridgeActivation === 'linear' ? linear : one(graph, 'Tanh', [linear], 'bridge');
  if (specs.length === 1) return [projected];
  return graph.node('Split', [projected, graph.constant('bridge_sizes', int64Constant(specs.map((s) => s.size)))], { axis: 1 }, { outputs: specs.length, stem: 'bridge_state' });
}

function encoderEntry(node: ResolvedNode, states: readonly StateSpec[]): ExportEntry {
  const sizes = sizesOf(node);
  const { source, attention } = partsOf(node);
  const tokens = source?.plugin.inputKind === 'tokens';
  const keySize = attention ? keysSize(node) : 0;
  return {
    name: ENCODER_ENTRY,
    tasks: ['encode'],
    inputs: [{ name: 'source', kind: tokens ? 'tokens' : 'features', size: sizes.sourceVocabulary, doc: 'the source sequence, batch-first' }],
    outputs: [
      { name: 'memory', kind: 'features', size: sizes.memory, doc: 'the encoder outputs, zeros at padded steps' },
      ...(attention ? [{ name: 'memory_keys', kind: 'features' as const, size: keySize, doc: 'the attention scorer’s keys of the memory' }] : []),
      ...states.map((s) => ({ name: initialStateName(s.name), kind: 'vector' as const, size: s.size, doc: `the decoder's initial ${s.name}` })),
    ],
    states: [],
    semantics: { readout: 'sequence', emits: 'features', vocabulary: tokens ? { size: sizes.sourceVocabulary } : null, tokenizer: tokenizerAt(node, 'sourceTokenizer') },
    build(context) {
      const encoded = encodeOnnx(context, node, states);
      const graph = context.component(node).graph;
      const outputs: Record<string, string> = { memory: encoded.memory };
      if (encoded.keys) outputs.memory_keys = one(graph, 'Transpose', [encoded.keys], 'keys_time_major', { perm: [1, 0, 2] });
      encoded.initial.forEach((value, i) => (outputs[initialStateName((states[i] as StateSpec).name)] = value));
      return { outputs, finalState: [] };
    },
  };
}

/** What encoding gives the decoder: the memory (time-major [S, B, E]), its keys (batch-first), the source lengths and the decoder's initial states. */
interface EncodedOnnx {
  readonly memory: string;
  readonly keys?: string;
  readonly lengths: string;
  readonly initial: readonly string[];
}

/** The source head, the encoder, the scorer's keys and the bridge (decoder.ts `encode`). */
function encodeOnnx(context: EntryContext, node: ResolvedNode, states: readonly StateSpec[]): EncodedOnnx {
  const { source, encoder, attention } = partsOf(node);
  const input = context.inputs.source as { value: string; lengths: string };
  const x = source ? context.head(context.node(source.path), input.value) : input.value;
  const encoded = context.sequence(context.node(encoder.path), { input: x, lengths: input.lengths, initialState: stateOf(encoder).map((s) => context.zeros(s.shape)) });
  const initial = bridgeOnnx(context, node, encoded.finalState);
  const feed = states.length > initial.length ? [context.zeros([sizesOf(node).attentional])] : [];
  let keys: string | undefined;
  if (attention) {
    const scorer = context.component(attention);
    const batchFirst = one(scorer.graph, 'Transpose', [encoded.outputs], 'memory_batch_first', { perm: [1, 0, 2] });
    keys = (attentionMapping(node) as AttentionOnnx<unknown>).keys(scorer, batchFirst);
  }
  return { memory: encoded.outputs, ...(keys ? { keys } : {}), lengths: input.lengths, initial: [...initial, ...feed] };
}

/** K, the width of the scorer's keys (its declared `keySize`). */
function keysSize(node: ResolvedNode): number {
  const attention = partsOf(node).attention;
  return attention ? attention.plugin.keySize(attention.config) : 0;
}

/** The source mask as an additive term [B, 1, S]: 0 at real steps, −10⁹ at padding (decoder.ts `attend`). */
function maskTerm(graph: OnnxGraphBuilder, memory: string, lengths: string): string {
  const steps = one(graph, 'Cast', [one(graph, 'Gather', [one(graph, 'Shape', [memory], 'memory_shape'), graph.constant('source_axis', int64Constant([0]))], 'source_steps', { axis: 0 })], 'source_steps_int32', { to: 6 });
  const positions = one(graph, 'Range', [graph.constant('zero', int32Constant([0], [])), one(graph, 'Squeeze', [steps, graph.constant('squeeze_axis', int64Constant([0]))], 'source_steps_scalar'), graph.constant('one', int32Constant([1], []))], 'source_positions'); // [S]
  const real = one(graph, 'Less', [one(graph, 'Unsqueeze', [positions, graph.constant('row_axis', int64Constant([0]))], 'positions_row'), one(graph, 'Unsqueeze', [lengths, graph.constant('column_axis', int64Constant([1]))], 'lengths_column')], 'real_steps'); // [B, S]
  const mask = one(graph, 'Cast', [real], 'mask', { to: 1 });
  const term = one(graph, 'Mul', [one(graph, 'Sub', [mask, graph.constant('one_float', { shape: [], data: Float32Array.of(1) })], 'mask_minus_one'), graph.constant('big', { shape: [], data: Float32Array.of(1e9) })], 'mask_term');
  return one(graph, 'Unsqueeze', [term, graph.constant('step_axis', int64Constant([1]))], 'mask_term_step'); // [B, 1, S]
}

function decoderStepEntry(node: ResolvedNode, states: readonly StateSpec[]): ExportEntry {
  const sizes = sizesOf(node);
  const { target, decoder, attention, output } = partsOf(node);
  const config = node.config as Seq2seqConfig;
  const feeding = attention !== undefined && config.inputFeeding;
  return {
    name: DECODER_STEP_ENTRY,
    tasks: ['decode-step'],
    inputs: [
      ...(attention
        ? [
            { name: 'memory', kind: 'features' as const, size: sizes.memory, doc: 'the encoder’s memory (with its source lengths)' },
            { name: 'memory_keys', kind: 'features' as const, size: keysSize(node), lengths: false, doc: 'the encoder’s memory_keys' },
          ]
        : []),
      { name: 'previous', kind: 'tokens', size: sizes.targetVocabulary, lengths: false, doc: 'the previous token, [B, 1] (<bos> first)' },
    ],
    outputs: [
      { name: 'log_probs', kind: 'vector', size: sizes.targetVocabulary, doc: 'log softmax of the next token’s logits' },
      ...(attention ? [{ name: 'attention', kind: 'features' as const, size: 1, doc: 'the attention weights over the source, [B, S, 1]' }] : []),
    ],
    states: [...states],
    semantics: { readout: 'last', emits: 'logits', vocabulary: { size: sizes.targetVocabulary }, tokenizer: tokenizerAt(node, 'targetTokenizer') },
    build(context) {
      const { graph } = context.component(node);
      const previous = one(graph, 'Squeeze', [(context.inputs.previous as { value: string }).value, graph.constant('time_axis', int64Constant([0]))], 'previous_ids'); // [B] int32
      const memory = attention ? (context.inputs.memory as { value: string; lengths: string }) : undefined;
      const attending = memory
        ? {
            memory: one(graph, 'Transpose', [memory.value], 'memory_batch_first', { perm: [1, 0, 2] }),
            keys: one(graph, 'Transpose', [(context.inputs.memory_keys as { value: string }).value], 'keys_batch_first', { perm: [1, 0, 2] }),
            mask: maskTerm(graph, memory.value, memory.lengths),
          }
        : undefined;
      const step = decodeStepOnnx(context, node, previous, context.initialState, attending);
      const outputs: Record<string, string> = { log_probs: one(graph, 'LogSoftmax', [step.logits], 'log_probs', { axis: 1 }) };
      if (step.weights) outputs.attention = one(graph, 'Transpose', [step.weights], 'attention_time_major', { perm: [2, 0, 1] }); // [S, B, 1]
      return { outputs, finalState: step.state };
    },
  };
}

/** What the decoder attends over, batch-first: memory [B, S, E], keys [B, S, K], the mask term [B, 1, S]. */
interface Attending {
  readonly memory: string;
  readonly keys: string;
  readonly mask: string;
}

/**
 * One decoder step as ONNX nodes (decoder.ts `decoderStep`), emitted through `emit` (the entry, or a Loop
 * body it builds): previous ids [B] int32 and the decoder states → logits [B, V], the attention weights
 * [B, 1, S] and the next states (h̃ last with input feeding).
 */
function decodeStepOnnx(emit: Pick<EntryContext, 'step' | 'head' | 'component'>, node: ResolvedNode, previous: string, states: readonly string[], attending: Attending | undefined): { logits: string; weights?: string; state: string[] } {
  const { target, decoder, attention, output } = partsOf(node);
  const feeding = attention !== undefined && (node.config as Seq2seqConfig).inputFeeding;
  const own = emit.component(node);
  const graph = own.graph;
  const embedded = emit.head(target, previous); // [B, D]
  const cellStates = states.slice(0, feeding ? -1 : undefined);
  let u = feeding ? one(graph, 'Concat', [embedded, states.at(-1) as string], 'decoder_input', { axis: 1 }) : embedded;
  const next: string[] = [];
  let offset = 0;
  for (const cell of decoder) {
    const count = stateOf(cell).length;
    const step = emit.step(cell, { input: u, state: cellStates.slice(offset, offset + count) });
    offset += count;
    next.push(...step.state);
    u = step.output;
  }
  if (!attention || !attending) return { logits: emit.head(output, u), state: next };
  const query = one(graph, 'Unsqueeze', [u, graph.constant('query_axis', int64Constant([1]))], 'query'); // [B, 1, Q]
  const scores = (attentionMapping(node) as AttentionOnnx<unknown>).score(emit.component(attention), query, attending.keys); // [B, 1, S]
  const weights = one(graph, 'Softmax', [one(graph, 'Add', [scores, attending.mask], 'masked_scores')], 'attention_weights', { axis: -1 });
  const attended = one(graph, 'Squeeze', [one(graph, 'MatMul', [weights, attending.memory], 'context_step'), graph.constant('context_axis', int64Constant([1]))], 'context'); // [B, E]
  const joined = one(graph, 'Concat', [attended, u], 'context_and_h', { axis: 1 });
  const readout = one(graph, 'Tanh', [one(graph, 'Gemm', [joined, graph.constant('combineW', own.weights.combineW as HostTensor), graph.constant('combineB', own.weights.combineB as HostTensor)], 'combine_linear', { transB: 1 })], 'attentional');
  return { logits: emit.head(output, readout), weights, state: feeding ? [...next, readout] : next };
}

/**
 * `greedy`: the whole greedy decode in one graph, for any ONNX consumer with no host loop: the encoder,
 * then a Loop of at most `maxDecodeLength` trips whose body is the decoder step with an ArgMax; a row that
 * chose <eos> emits <pad> (0) from then on, and the Loop stops when every row has chosen <eos>.
 *
 *   source [B, S] int32 + sequence_lens.source [B]  →  tokens [B, L] int32   (L ≤ maxDecodeLength; <eos> included)
 */
function greedyEntry(node: ResolvedNode, states: readonly StateSpec[]): ExportEntry {
  const sizes = sizesOf(node);
  const { source, attention } = partsOf(node);
  const limit = (node.config as Seq2seqConfig).maxDecodeLength;
  return {
    name: GREEDY_ENTRY,
    tasks: ['greedy-decode'],
    inputs: [{ name: 'source', kind: source?.plugin.inputKind === 'tokens' ? 'tokens' : 'features', size: sizes.sourceVocabulary, doc: 'the source sequence, batch-first' }],
    outputs: [{ name: 'tokens', kind: 'tokens', size: sizes.targetVocabulary, doc: `the greedy decode, <eos> included, then <pad> (0); at most ${limit} tokens` }],
    states: [],
    semantics: { readout: 'sequence', emits: 'features', vocabulary: { size: sizes.targetVocabulary }, tokenizer: tokenizerAt(node, 'targetTokenizer') },
    build(context) {
      const graph = context.component(node).graph;
      const encoded = encodeOnnx(context, node, states);
      const attending = attention
        ? { memory: one(graph, 'Transpose', [encoded.memory], 'memory_batch_first', { perm: [1, 0, 2] }), keys: encoded.keys as string, mask: maskTerm(graph, encoded.memory, encoded.lengths) }
        : undefined;
      const ids = (stem: string, value: number) => one(graph, 'Expand', [graph.constant(stem, int32Constant([value])), context.batch], `${stem}_rows`);
      const first = ids('bos', BOS_ID);
      const notDone = one(graph, 'Cast', [one(graph, 'Expand', [graph.constant('false', int32Constant([0])), context.batch], 'done_rows_int')], 'done_rows', { to: 9 });
      const row = (dtype: 'int32' | 'bool') => ({ dtype, shape: ['batch'] });
      const body = graph.subgraph('greedy_step', {
        inputs: [{ dtype: 'int64', shape: [], stem: 'trip' }, { dtype: 'bool', shape: [], stem: 'cond_in' }, { ...row('int32'), stem: 'previous' }, { ...row('bool'), stem: 'done' }, ...states.map((s) => ({ dtype: 'float32' as const, shape: ['batch', s.size], stem: `${s.name}.in` }))],
        outputs: [{ dtype: 'bool', shape: [] }, row('int32'), row('bool'), ...states.map((s) => ({ dtype: 'float32' as const, shape: ['batch', s.size] })), row('int32')],
      }, (sub, [, , previous, done, ...carried]) => {
        const step = decodeStepOnnx(context.within(sub), node, previous as string, carried as string[], attending);
        const chosen = sub.node('Cast', [sub.node('ArgMax', [step.logits], { axis: 1, keepdims: 0 }, { stem: 'argmax' })[0] as string], { to: 6 }, { stem: 'chosen' })[0] as string;
        const token = sub.node('Where', [done as string, sub.constant('pad', int32Constant([PAD_ID])), chosen], {}, { stem: 'token' })[0] as string;
        const ended = sub.node('Or', [done as string, sub.node('Equal', [chosen, sub.constant('eos', int32Constant([EOS_ID]))], {}, { stem: 'is_eos' })[0] as string], {}, { stem: 'ended' })[0] as string;
        const open = sub.node('ReduceMin', [sub.node('Cast', [ended], { to: 6 }, { stem: 'ended_int' })[0] as string], { keepdims: 0 }, { stem: 'all_ended' })[0] as string;
        const cond = sub.node('Equal', [open, sub.constant('zero_scalar', int32Constant([0], []))], {}, { stem: 'cond_out' })[0] as string;
        return [cond, token, ended, ...step.state, token];
      });
      const loop = graph.node('Loop', [graph.constant('max_trips', int64Constant([limit], [])), one(graph, 'Cast', [graph.constant('go_int', int32Constant([1], []))], 'go', { to: 9 }), first, notDone, ...encoded.initial], { body }, { outputs: 3 + states.length, stem: 'greedy_loop' });
      return { outputs: { tokens: loop.at(-1) as string }, finalState: [] };
    },
  };
}

/** The seq2seq layer's `exports`: its two entries and the `generate` task that spans them. */
export function seq2seqExports(node: ResolvedNode): ModelExports {
  const states = checkExportable(node);
  return {
    entries: [encoderEntry(node, states), decoderStepEntry(node, states), greedyEntry(node, states)],
    tasks: [{ name: GENERATE_TASK, entries: [ENCODER_ENTRY, DECODER_STEP_ENTRY] }],
  };
}
