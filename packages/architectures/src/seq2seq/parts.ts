import { ConfigError, inputSizeOf, outputSizeOf, stateOf, type CellPlugin, type HeadPlugin, type ResolvedNode, type StateSpec } from '@unfold/core';
import type { AttentionPlugin } from './attention';

/** The seq2seq layer's options (layer.ts documents them). */
export interface Seq2seqConfig {
  readonly bridge: 'projection' | 'copy' | 'zeros';
  readonly bridgeActivation: 'tanh' | 'linear';
  readonly inputFeeding: boolean;
  readonly attentionSize?: number;
  readonly maxDecodeLength: number;
}

/** The children of a `seq2seq` node, typed. */
export interface Seq2seqParts {
  /** Optional: the source embedding (token ids) or projection. */
  readonly source: ResolvedNode<unknown, HeadPlugin> | undefined;
  /** Any cell or layer over the (embedded) source. */
  readonly encoder: ResolvedNode;
  /** The target embedding: the decoder reads the previous target token. */
  readonly target: ResolvedNode<unknown, HeadPlugin>;
  /** The decoder stack, bottom first. */
  readonly decoder: readonly ResolvedNode<unknown, CellPlugin>[];
  readonly attention: ResolvedNode<unknown, AttentionPlugin> | undefined;
  /** Scores of the target vocabulary. */
  readonly output: ResolvedNode<unknown, HeadPlugin>;
}

export function partsOf(node: ResolvedNode): Seq2seqParts {
  const c = node.children;
  return {
    source: c.source as ResolvedNode<unknown, HeadPlugin> | undefined,
    encoder: c.encoder as ResolvedNode,
    target: c.target as ResolvedNode<unknown, HeadPlugin>,
    decoder: c.decoder as readonly ResolvedNode<unknown, CellPlugin>[],
    attention: c.attention as ResolvedNode<unknown, AttentionPlugin> | undefined,
    output: c.output as ResolvedNode<unknown, HeadPlugin>,
  };
}

/** The sizes every part agrees on (checkSizes enforces them). */
export interface Seq2seqSizes {
  /** E: the encoder's output size, what attention reads. */
  readonly memory: number;
  /** D: the target embedding size. */
  readonly embedding: number;
  /** Q: the top decoder cell's output size. */
  readonly query: number;
  /** A: the attentional vector h̃ = tanh(W_c [c; h] + b_c) (with attention). */
  readonly attentional: number;
  /** What the output head reads: A with attention, else Q. */
  readonly readout: number;
  /** The bottom decoder cell's input: D, plus A with input feeding. */
  readonly decoderInput: number;
  readonly sourceVocabulary: number;
  readonly targetVocabulary: number;
}

export function sizesOf(node: ResolvedNode<unknown>): Seq2seqSizes {
  const config = node.config as Seq2seqConfig;
  const { source, encoder, target, decoder, attention, output } = partsOf(node);
  const top = decoder[decoder.length - 1] as ResolvedNode<unknown, CellPlugin>;
  const query = top.plugin.outputSize(top.config);
  const attentional = attention ? (config.attentionSize ?? query) : 0;
  const embedding = target.plugin.outputSize(target.config);
  return {
    memory: outputSizeOf(encoder),
    embedding,
    query,
    attentional,
    readout: attention ? attentional : query,
    decoderInput: embedding + (attention && config.inputFeeding ? attentional : 0),
    sourceVocabulary: source ? source.plugin.inputSize(source.config) : inputSizeOf(encoder),
    targetVocabulary: output.plugin.outputSize(output.config),
  };
}

/** Every decoder state, bottom cell first (`decoder.0.h`, `decoder.0.c`, …), then `feed` (h̃ₜ₋₁) with input feeding. */
export function decoderStates(node: ResolvedNode): StateSpec[] {
  const config = node.config as Seq2seqConfig;
  const { decoder, attention } = partsOf(node);
  const cells = decoder.flatMap((cell) => stateOf(cell));
  const attentional = sizesOf(node).attentional;
  return attention && config.inputFeeding ? [...cells, { name: 'feed', shape: [attentional], size: attentional }] : cells;
}

/** How many of `decoderStates` belong to the cells (the rest is `feed`). */
export function cellStateCount(node: ResolvedNode): number {
  return partsOf(node).decoder.reduce((count, cell) => count + stateOf(cell).length, 0);
}

function mismatch(where: string, summary: string, expected: string, got: string, fix: string): never {
  throw new ConfigError(summary, { where, expected, got, fix });
}

/** Cross-part checks: every size above agrees, the bridge can map the encoder's states to the decoder's. */
export function checkParts(node: ResolvedNode): void {
  const config = node.config as Seq2seqConfig;
  const at = (slot: string) => (node.path ? `${node.path}.${slot}` : slot);
  const { source, encoder, target, decoder, attention, output } = partsOf(node);
  if (decoder.length === 0) mismatch(at('decoder'), 'the decoder has no cells', 'a list of at least one cell', '[]', 'give the decoder one or more cells, bottom first');
  if (source && source.plugin.outputSize(source.config) !== inputSizeOf(encoder)) {
    mismatch(at('encoder'), 'the encoder input size does not match the source head', `inputSize ${source.plugin.outputSize(source.config)} (the output size of ${source.path})`, `inputSize ${inputSizeOf(encoder)}`, `set inputSize: ${source.plugin.outputSize(source.config)} in ${encoder.path}`);
  }
  if (target.plugin.inputKind !== 'tokens') mismatch(at('target'), 'the target head must read token ids', 'an embedding (inputKind tokens)', target.plugin.kind, 'use { "kind": "embedding" } for the target');
  if (!attention && (config.attentionSize !== undefined || config.inputFeeding)) {
    mismatch(at(config.inputFeeding ? 'config.inputFeeding' : 'config.attentionSize'), 'attention options without attention', 'an `attention` child, or neither attentionSize nor inputFeeding', config.inputFeeding ? 'inputFeeding true' : `attentionSize ${config.attentionSize}`, 'add an attention child ({ "kind": "additive" | "dot" | "general" }) or drop the option');
  }
  const sizes = sizesOf(node);
  let expected = sizes.decoderInput;
  decoder.forEach((cell, k) => {
    const got = cell.plugin.inputSize(cell.config);
    const why = k === 0 ? `the target embedding size ${sizes.embedding}${sizes.decoderInput > sizes.embedding ? ` + the attentional size ${sizes.attentional} (input feeding)` : ''}` : `the output size of ${decoder[k - 1]?.path}`;
    if (got !== expected) mismatch(cell.path, 'decoder cell input size does not match', `inputSize ${expected} (${why})`, `inputSize ${got}`, `set inputSize: ${expected} in ${cell.path}`);
    expected = cell.plugin.outputSize(cell.config);
  });
  if (attention) {
    const { querySize, memorySize } = { querySize: attention.plugin.querySize(attention.config), memorySize: attention.plugin.memorySize(attention.config) };
    if (memorySize !== sizes.memory) mismatch(attention.path, 'attention memory size does not match the encoder', `memorySize ${sizes.memory} (the encoder's output size)`, `memorySize ${memorySize}`, `set memorySize: ${sizes.memory} in ${attention.path}`);
    if (querySize !== sizes.query) mismatch(attention.path, 'attention query size does not match the decoder', `querySize ${sizes.query} (the top decoder cell's output size)`, `querySize ${querySize}`, `set querySize: ${sizes.query} in ${attention.path}`);
  }
  if (output.plugin.inputSize(output.config) !== sizes.readout) {
    mismatch(output.path, 'output head input size does not match the decoder', `inputSize ${sizes.readout} (${attention ? 'the attentional size' : 'the top decoder cell’s output size'})`, `inputSize ${output.plugin.inputSize(output.config)}`, `set inputSize: ${sizes.readout} in ${output.path}`);
  }
  if (sizes.targetVocabulary !== target.plugin.inputSize(target.config)) {
    mismatch(output.path, 'the output head does not score the target vocabulary', `outputSize ${target.plugin.inputSize(target.config)} (the target embedding's vocabularySize)`, `outputSize ${sizes.targetVocabulary}`, `set outputSize: ${target.plugin.inputSize(target.config)} in ${output.path}`);
  }
  if (config.bridge === 'copy') {
    const from = stateOf(encoder).map((s) => s.size);
    const to = decoder.flatMap((cell) => stateOf(cell)).map((s) => s.size);
    if (from.length !== to.length || from.some((size, i) => size !== to[i])) {
      mismatch(at('config.bridge'), 'the copy bridge needs the encoder and decoder states to match', `decoder states of sizes [${from.join(', ')}] (the encoder's final states)`, `[${to.join(', ')}]`, 'use the same cells and sizes on both sides, or bridge "projection" (a learned map) or "zeros"');
    }
  }
}
