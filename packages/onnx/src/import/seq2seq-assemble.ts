import { hostTensor, type HostTensor, type JsonValue, type ModelSpec } from '@unfold/core';
import { allCells, cellRefKey, headSpec, join, layerSpec, stackFrom, type AssembledModel, type CellRef, type ModelState } from './assemble';
import { importError } from './errors';
import type { EmbeddingRecord, EvalState, HeadRecord } from './records';
import { entryKey, type Entry } from './values';

/**
 * An encoder–decoder graph as unfold's `seq2seq` layer (packages/architectures/src/seq2seq/layer.ts):
 *
 *   m, s¹…sᴷ = encoder(source(x))                 a stack read from the source embedding (or features)
 *   d¹…dᴸ    = tanh(W_b [s¹; …; sᴷ] + b_b)         the bridge (or without tanh: bridgeActivation "linear"), split into the decoder's states in order
 *   hₜ       = decoder(target(yₜ₋₁), dₜ₋₁)         a stack of forward cells over the target embedding
 *   zₜ       = output(hₜ)                          the vocabulary head
 *
 * Recognised when a recurrent node's initial state is computed from another's final states: PyTorch's
 * `tanh(nn.Linear(h_n[-1]))` sliced into h0 and c0 (`head-part` entries), or the final states themselves.
 * The bridge becomes unfold's: every decoder state row block of W_b is the file's head rows that feed it,
 * at the columns of the encoder states that head reads (zero columns for states it does not read, zero
 * rows and bias for a decoder state that starts from zeros: tanh(0) = 0). The encoder's states are in
 * unfold's order (layer by layer, forward before backward, h before c), as `stateOf(encoder)`.
 * What unfold's seq2seq cannot compute (a bridge mixing activations, decoder states from graph inputs,
 * lengths, a bidirectional decoder) is an error naming the node.
 */
export function isSeq2seq(state: EvalState): boolean {
  return state.recurrent.some((r) => r.directions.some((d) => d.initial.some((e) => e !== 'zeros' && e.kind !== 'input')));
}

interface Chain {
  readonly base: readonly Entry[];
  readonly layers: CellRef[][];
}

/** Every stack that starts from a model input (an embedding or a graph input), bottom-up. */
function chainsOf(state: EvalState, cells: readonly CellRef[]): Chain[] {
  const bases = new Map<string, readonly Entry[]>();
  for (const cell of cells) {
    const input = cell.record.input;
    if (input.length === 1 && (input[0]?.kind === 'embedded' || input[0]?.kind === 'input')) bases.set(entryKey(input[0]), input);
  }
  return [...bases.values()].map((base) => ({ base, layers: stackFrom(state, cells, base) }));
}

function top(chain: Chain): readonly CellRef[] {
  return chain.layers[chain.layers.length - 1] ?? [];
}

function embeddingSpec(record: EmbeddingRecord, path: string, weights: Record<string, HostTensor>): ModelSpec {
  weights[join(path, 'E')] = record.E;
  return { kind: 'embedding', config: { vocabularySize: record.vocabularySize, embeddingSize: record.embeddingSize } };
}

/** The encoder and decoder stacks and the vocabulary head, told apart by what reads what. */
function stacksOf(state: EvalState): { encoder: Chain; decoder: Chain; output: HeadRecord; bridgeHeads: Set<number> } {
  const cells = allCells(state);
  const chains = chainsOf(state, cells);
  const used = new Set(chains.flatMap((c) => c.layers.flat().map(cellRefKey)));
  const stray = cells.find((cell) => !used.has(cellRefKey(cell)));
  if (stray || chains.length !== 2) {
    throw importError('recurrent nodes that do not form an encoder and a decoder', { where: stray?.record.label ?? state.file, expected: 'two stacks: an encoder over the source and a decoder over the target, the decoder starting from the encoder’s final states', got: stray ? `${stray.record.op} reading ${stray.record.input.map(entryKey).join(' | ')}` : `${chains.length} stacks over ${chains.map((c) => c.base.map(entryKey).join(' | ')).join('; ')}`, fix: 'export one encoder and one decoder, each a stack of recurrent layers' });
  }
  const bridgeHeads = new Set(cells.flatMap((cell) => (cell.record.directions[cell.direction]?.initial ?? []).flatMap((e) => (e !== 'zeros' && (e.kind === 'head' || e.kind === 'head-part') ? [e.head] : []))));
  const readsTop = (head: HeadRecord, chain: Chain) => head.input.length === top(chain).length && top(chain).every((cell) => head.input.some((e) => entryKey(e) === entryKey({ kind: 'output', node: cell.record.index, direction: cell.direction })));
  const heads = state.heads.filter((h) => !bridgeHeads.has(h.index));
  const decoder = chains.find((chain) => heads.some((h) => readsTop(h, chain)));
  const output = decoder && heads.length === 1 ? heads[0] : undefined;
  if (!decoder || !output) {
    throw importError('an encoder–decoder without one vocabulary head over the decoder', { where: heads[1]?.label ?? heads[0]?.label ?? state.file, expected: 'one dense head over the top decoder layer’s outputs at every step (the logits), besides the bridge', got: heads.length ? heads.map((h) => `a head over ${h.input.map(entryKey).join(' | ')}`).join('; ') : 'no head besides the bridge', fix: 'apply one nn.Linear to the decoder’s outputs' });
  }
  return { encoder: chains.find((c) => c !== decoder) as Chain, decoder, output, bridgeHeads };
}

/** The decoder's rows: each cell a forward, unidirectional layer of the stack, bottom first. */
function decoderCells(decoder: Chain): CellRef[] {
  return decoder.layers.map((layer) => {
    const cell = layer[0] as CellRef;
    if (layer.length !== 1 || cell.record.directions[cell.direction]?.reverse) {
      throw importError('a decoder layer that is not one forward cell', { where: cell.record.label, expected: 'a unidirectional decoder (it runs one step at a time when decoding)', got: `${layer.length} direction${layer.length === 1 ? '' : 's'}${cell.record.directions[cell.direction]?.reverse ? ', reverse' : ''}`, fix: 'use a forward (unidirectional) nn.LSTM / nn.GRU as the decoder' });
    }
    return cell;
  });
}

type Bridge = { readonly kind: 'zeros' | 'copy' } | { readonly kind: 'projection'; readonly W: HostTensor; readonly b: HostTensor; readonly activation: 'tanh' | 'linear' };

function bridgeOf(state: EvalState, encoderStates: readonly ModelState[], decoderStates: readonly ModelState[]): Bridge {
  const initials = decoderStates.map((s) => s.initial);
  if (initials.every((e) => e === 'zeros')) return { kind: 'zeros' };
  const finalKey = (s: ModelState) => entryKey({ kind: 'final', node: s.cell.record.index, direction: s.cell.direction, state: s.state === 0 ? 'h' : 'c' });
  if (initials.length === encoderStates.length && initials.every((e, i) => e !== 'zeros' && entryKey(e) === finalKey(encoderStates[i] as ModelState))) return { kind: 'copy' };
  const columns = new Map<string, number>();
  encoderStates.reduce((offset, s) => (columns.set(finalKey(s), offset), offset + s.size), 0);
  const from = encoderStates.reduce((n, s) => n + s.size, 0);
  const to = decoderStates.reduce((n, s) => n + s.size, 0);
  const W = new Float32Array(to * from);
  const b = new Float32Array(to);
  let row = 0;
  let activation: 'tanh' | 'linear' | undefined;
  decoderStates.forEach((target, k) => {
    const initial = initials[k] as Entry | 'zeros';
    const where = target.cell.record.label;
    const what = `${target.path} (initial_${target.state === 0 ? 'h' : 'c'})`;
    if (initial !== 'zeros') {
      if (initial.kind !== 'head' && initial.kind !== 'head-part') {
        throw importError('a decoder state the bridge cannot compute', { where, expected: 'zeros, or features of a dense head over the encoder’s final states (a projection bridge), or every decoder state a copy of the encoder’s in order', got: `${what} from ${entryKey(initial)}`, fix: initial.kind === 'input' ? 'unfold’s seq2seq computes the decoder’s initial state from the encoder; do not feed it as a graph input' : 'project the encoder’s final states with nn.Linear and tanh, or copy all of them in order' });
      }
      const head = state.heads[initial.head] as HeadRecord;
      const offset = initial.kind === 'head-part' ? initial.offset : 0;
      const size = initial.kind === 'head-part' ? initial.size : head.outputSize;
      if ((head.activation !== 'tanh' && head.activation !== 'linear') || (activation !== undefined && head.activation !== activation)) {
        throw importError('a bridge that is neither tanh(W s + b) nor W s + b throughout', { where: head.label, expected: 'the decoder’s initial states as one dense layer over the encoder’s final states, with tanh or no activation for all of them (unfold’s projection bridge)', got: `${what} from a dense head with activation ${head.activation}${activation !== undefined && head.activation !== activation ? ` after ${activation}` : ''}`, fix: 'use one nn.Linear (optionally followed by torch.tanh) for every decoder state' });
      }
      activation = head.activation;
      if (size !== target.size) throw importError('a bridge part of the wrong size', { where: head.label, expected: `${target.size} features for ${what}`, got: `${size}` });
      let column = 0;
      for (const entry of head.input) {
        const at = columns.get(entryKey(entry));
        const width = encoderStates.find((s) => finalKey(s) === entryKey(entry))?.size;
        if (at === undefined || width === undefined) {
          throw importError('a bridge that reads something other than the encoder’s final states', { where: head.label, expected: 'the encoder’s final states (h_n, c_n of any of its layers and directions)', got: entryKey(entry), fix: 'feed the bridge the encoder’s final states only (h_n[-1], or torch.cat of h_n and c_n rows)' });
        }
        for (let r = 0; r < size; r++) for (let c = 0; c < width; c++) W[(row + r) * from + at + c] = head.W.data[(offset + r) * head.inputSize + column + c] as number;
        column += width;
      }
      for (let r = 0; r < size; r++) b[row + r] = head.b ? (head.b.data[offset + r] as number) : 0;
    }
    row += target.size;
  });
  return { kind: 'projection', W: hostTensor([to, from], W, 'bridgeW'), b: hostTensor([to], b, 'bridgeB'), activation: activation ?? 'tanh' };
}

function checkNoLengths(state: EvalState): void {
  const record = state.recurrent.find((r) => r.lengths);
  if (record) throw importError('an encoder–decoder with sequence lengths', { where: record.label, expected: 'full-length source and target (no sequence_lens)', got: `lengths from ${JSON.stringify(record.lengths?.input)}`, fix: 'export the model without pack_padded_sequence; unfold’s seq2seq takes lengths with the inputs instead' });
}

export function assembleSeq2seq(state: EvalState): AssembledModel {
  checkNoLengths(state);
  const { encoder, decoder, output } = stacksOf(state);
  const weights: Record<string, HostTensor> = {};
  const encoderStates: ModelState[] = [];
  const encoderLayers = encoder.layers.map((layer, l) => layerSpec(layer, encoder.layers.length === 1 ? 'encoder' : join('encoder', 'layers', String(l)), weights, encoderStates));
  const zeroStart = encoderStates.find((s) => s.initial !== 'zeros');
  if (zeroStart) throw importError('an encoder that does not start from zeros', { where: zeroStart.cell.record.label, expected: 'the encoder’s initial states zeros (unfold’s seq2seq encoder starts from zeros)', got: `${zeroStart.path} from ${entryKey(zeroStart.initial as Entry)}`, fix: 'leave the encoder’s h0 / c0 out when exporting' });
  const decoderStates: ModelState[] = [];
  const decoderSpecs = decoderCells(decoder).map((cell, k) => layerSpec([cell], join('decoder', String(k)), weights, decoderStates));
  const bridge = bridgeOf(state, encoderStates, decoderStates);
  if (bridge.kind === 'projection') Object.assign(weights, { bridgeW: bridge.W, bridgeB: bridge.b });
  const sourceEntry = encoder.base[0] as Entry;
  const targetEntry = decoder.base[0] as Entry;
  if (targetEntry.kind !== 'embedded') throw importError('a decoder that does not read target tokens', { where: (decoder.layers[0]?.[0] as CellRef).record.label, expected: 'the decoder over an embedding of the target token ids (nn.Embedding)', got: entryKey(targetEntry), fix: 'feed the decoder nn.Embedding(target)' });
  const children: Record<string, ModelSpec | readonly ModelSpec[]> = {};
  if (sourceEntry.kind === 'embedded') children.source = embeddingSpec(state.embeddings[sourceEntry.embedding] as EmbeddingRecord, 'source', weights);
  children.encoder = encoderLayers.length === 1 ? (encoderLayers[0] as ModelSpec) : { kind: 'stacked', children: { layers: encoderLayers } };
  const target = state.embeddings[targetEntry.embedding] as EmbeddingRecord;
  children.target = embeddingSpec(target, 'target', weights);
  children.decoder = decoderSpecs;
  children.output = headSpec(output, 'output', weights);
  const spec: ModelSpec = { kind: 'seq2seq', config: { bridge: bridge.kind, ...(bridge.kind === 'projection' && bridge.activation === 'linear' ? { bridgeActivation: 'linear' } : {}) } as Record<string, JsonValue>, children };
  const input = sourceEntry.kind === 'embedded' ? (state.embeddings[sourceEntry.embedding] as EmbeddingRecord).input : sourceEntry.kind === 'input' ? sourceEntry.name : '';
  return { spec, weights, input, states: [], outputBlocks: [{ entry: { kind: 'head', head: output.index }, size: output.outputSize }], lengthsInput: undefined, outputHead: output, readout: 'sequence', decoderInput: target.input };
}
