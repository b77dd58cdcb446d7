/**
 * A seq2seq model's ONNX export: two entries, so that any host decodes with the decoder state in its own
 * hands (the equations are layer.ts's; every step mirrors decoder.ts).
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
 *
 * The manifest's task `generate` runs `encoder` once and `decoder_step` per token (greedy, beam or sampled:
 * @unfold/core/decoding, as the library does). Decoder states must be vectors (any cell of 1-D states).
 */
import { ExportError, int32Constant, int64Constant, stateOf, type EntryContext, type ExportEntry, type HostTensor, type ModelExports, type OnnxGraphBuilder, type ResolvedNode, type StateSpec } from '@unfold/core';
import type { AttentionOnnx } from './attention';
import { decoderStates, partsOf, sizesOf, type Seq2seqConfig } from './parts';

export const ENCODER_ENTRY = 'encoder';
export const DECODER_STEP_ENTRY = 'decoder_step';
export const GENERATE_TASK = 'generate';
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
  const projected = one(graph, 'Tanh', [one(graph, 'Gemm', [joined, graph.constant('bridgeW', weights.bridgeW as HostTensor), graph.constant('bridgeB', weights.bridgeB as HostTensor)], 'bridge_linear', { transB: 1 })], 'bridge');
  if (specs.length === 1) return [projected];
  return graph.node('Split', [projected, graph.constant('bridge_sizes', int64Constant(specs.map((s) => s.size)))], { axis: 1 }, { outputs: specs.length, stem: 'bridge_state' });
}

function encoderEntry(node: ResolvedNode, states: readonly StateSpec[]): ExportEntry {
  const sizes = sizesOf(node);
  const { source, encoder, attention } = partsOf(node);
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
      const input = context.inputs.source as { value: string; lengths: string };
      const x = source ? context.head(context.node(source.path), input.value) : input.value;
      const encoded = context.sequence(context.node(encoder.path), { input: x, lengths: input.lengths, initialState: stateOf(encoder).map((s) => context.zeros(s.shape)) });
      const initial = bridgeOnnx(context, node, encoded.finalState);
      const feed = states.length > initial.length ? [context.zeros([sizes.attentional])] : [];
      const outputs: Record<string, string> = { memory: encoded.outputs };
      if (attention) {
        const scorer = context.component(attention);
        const batchFirst = one(scorer.graph, 'Transpose', [encoded.outputs], 'memory_batch_first', { perm: [1, 0, 2] });
        const keys = (attentionMapping(node) as AttentionOnnx<unknown>).keys(scorer, batchFirst);
        outputs.memory_keys = one(scorer.graph, 'Transpose', [keys], 'keys_time_major', { perm: [1, 0, 2] });
      }
      [...initial, ...feed].forEach((value, i) => (outputs[initialStateName((states[i] as StateSpec).name)] = value));
      return { outputs, finalState: [] };
    },
  };
}

/** K, the width of the scorer's keys: E for dot, Q for general, A for additive (the scorer's own `keys`). */
function keysSize(node: ResolvedNode): number {
  const attention = partsOf(node).attention;
  if (!attention) return 0;
  const params = attention.plugin.parameters(attention.config);
  const Wm = params.find((p) => p.name === 'Wm');
  const W = params.find((p) => p.name === 'W');
  return Wm ? (Wm.shape[0] as number) : W ? (W.shape[0] as number) : attention.plugin.memorySize(attention.config);
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
      const previous = (context.inputs.previous as { value: string }).value; // [1, B] int32
      const embedded = one(graph, 'Squeeze', [context.head(context.node(target.path), previous), graph.constant('time_axis', int64Constant([0]))], 'embedded'); // [B, D]
      const cellStates = context.initialState.slice(0, feeding ? -1 : undefined);
      let u = feeding ? one(graph, 'Concat', [embedded, context.initialState.at(-1) as string], 'decoder_input', { axis: 1 }) : embedded;
      const next: string[] = [];
      let offset = 0;
      for (const cell of decoder) {
        const count = stateOf(cell).length;
        const step = context.step(context.node(cell.path), { input: u, state: cellStates.slice(offset, offset + count) });
        offset += count;
        next.push(...step.state);
        u = step.output;
      }
      let readout = u;
      const outputs: Record<string, string> = {};
      if (attention) {
        const memory = context.inputs.memory as { value: string; lengths: string };
        const scorer = context.component(attention);
        const memoryBatch = one(graph, 'Transpose', [memory.value], 'memory_batch_first', { perm: [1, 0, 2] }); // [B, S, E]
        const keys = one(graph, 'Transpose', [(context.inputs.memory_keys as { value: string }).value], 'keys_batch_first', { perm: [1, 0, 2] });
        const query = one(graph, 'Unsqueeze', [u, graph.constant('query_axis', int64Constant([1]))], 'query'); // [B, 1, Q]
        const scores = (attentionMapping(node) as AttentionOnnx<unknown>).score(scorer, query, keys); // [B, 1, S]
        const weights = one(graph, 'Softmax', [one(graph, 'Add', [scores, maskTerm(graph, memory.value, memory.lengths)], 'masked_scores')], 'attention_weights', { axis: -1 });
        const attended = one(graph, 'Squeeze', [one(graph, 'MatMul', [weights, memoryBatch], 'context_step'), graph.constant('context_axis', int64Constant([1]))], 'context'); // [B, E]
        const own = context.component(node);
        const joined = one(graph, 'Concat', [attended, u], 'context_and_h', { axis: 1 });
        readout = one(graph, 'Tanh', [one(graph, 'Gemm', [joined, graph.constant('combineW', own.weights.combineW as HostTensor), graph.constant('combineB', own.weights.combineB as HostTensor)], 'combine_linear', { transB: 1 })], 'attentional');
        outputs.attention = one(graph, 'Transpose', [weights], 'attention_time_major', { perm: [2, 0, 1] }); // [S, B, 1]
      }
      outputs.log_probs = one(graph, 'LogSoftmax', [context.head(context.node(output.path), readout)], 'log_probs', { axis: 1 });
      return { outputs, finalState: feeding ? [...next, readout] : next };
    },
  };
}

/** The seq2seq layer's `exports`: its two entries and the `generate` task that spans them. */
export function seq2seqExports(node: ResolvedNode): ModelExports {
  const states = checkExportable(node);
  return {
    entries: [encoderEntry(node, states), decoderStepEntry(node, states)],
    tasks: [{ name: GENERATE_TASK, entries: [ENCODER_ENTRY, DECODER_STEP_ENTRY] }],
  };
}
