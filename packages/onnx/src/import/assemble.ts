import type { HostTensor, JsonValue, ModelSpec } from '@unfold/core';
import { importError } from './errors';
import { computedInitialState } from './recurrent-node';
import type { DirectionCell, EvalState, HeadRecord, RecurrentRecord } from './records';
import { entryKey, type Entry, type Value } from './values';

/**
 * The evaluated graph as an unfold model. Every recurrent direction is a cell; cells reading the same
 * features form a layer (one forward cell: the cell itself; one reverse cell: `recurrent` with reverse;
 * a forward and a reverse cell concatenated in that order: `bidirectional`, as ONNX's direction axis
 * reshaped the PyTorch way and as unfold's own export of two nodes). Layers reading each other form a
 * `stacked` body. A dense head over the top layer's outputs makes a `sequence-model`, as does one
 * between the input and the first layer.
 */
export interface CellRef {
  readonly record: RecurrentRecord;
  readonly direction: number;
}

export interface ModelState {
  /** Path in the unfold model (`layers.1.forward.c`). */
  readonly path: string;
  readonly size: number;
  readonly cell: CellRef;
  /** 0 = h, 1 = c. */
  readonly state: number;
  readonly initial: Entry | 'zeros';
}

export interface AssembledModel {
  readonly spec: ModelSpec;
  readonly weights: Readonly<Record<string, HostTensor>>;
  /** The name of the graph input the model reads. */
  readonly input: string;
  /** In the model's state order: layer by layer, forward before backward, h before c. */
  readonly states: readonly ModelState[];
  /** What the model's output features are, in order: the top layer's directions, or the output head. */
  readonly outputBlocks: readonly { readonly entry: Entry; readonly size: number }[];
  readonly lengthsInput: string | undefined;
  readonly outputHead: HeadRecord | undefined;
  /** `last` when the outputs are read at the last step (y[:, -1], or a head over the top layer's h_n). */
  readonly readout: 'sequence' | 'last';
  /** An encoder–decoder: the graph input of the teacher-forced decoder inputs (unfold's `target` port). */
  readonly decoderInput?: string;
}

const cellKey = (record: number, direction: number) => entryKey({ kind: 'output', node: record, direction });
const listKey = (entries: readonly Entry[]) => entries.map(entryKey).join(' | ');
export const join = (...parts: string[]) => parts.filter(Boolean).join('.');

export const cellRefKey = (cell: CellRef) => cellKey(cell.record.index, cell.direction);

/** Every direction of every recurrent node, as cells. */
export function allCells(state: EvalState): CellRef[] {
  return state.recurrent.flatMap((record) => record.directions.map((_, direction) => ({ record, direction })));
}

/** Layers bottom-up from `base`: each the cells that read the previous layer's outputs, in the order they are read. */
export function stackFrom(state: EvalState, cells: readonly CellRef[], base: readonly Entry[]): CellRef[][] {
  const layers: CellRef[][] = [];
  let below = listKey(base);
  for (;;) {
    const readers = cells.filter((cell) => listKey(cell.record.input) === below);
    if (readers.length === 0) break;
    const consumer = state.recurrent.find((r) => readers.every((cell) => r.input.some((e) => entryKey(e) === cellRefKey(cell))));
    const order = consumer ? consumer.input.map(entryKey) : readers.map(cellRefKey);
    const layer = [...readers].sort((a, b) => order.indexOf(cellRefKey(a)) - order.indexOf(cellRefKey(b)));
    layers.push(layer);
    below = listKey(layer.map((cell): Entry => ({ kind: 'output', node: cell.record.index, direction: cell.direction })));
  }
  return layers;
}

function layersOf(state: EvalState, base: readonly Entry[]): CellRef[][] {
  const all = allCells(state);
  const layers = stackFrom(state, all, base);
  const used = new Set(layers.flat().map(cellRefKey));
  const unused = all.filter((cell) => !used.has(cellRefKey(cell)));
  if (unused.length || layers.length === 0) {
    const cell = unused[0] ?? all[0];
    throw importError('recurrent nodes that do not form one stack', { where: cell?.record.label ?? state.file, expected: 'each recurrent node reading the model input or all directions of the node below it, concatenated', got: cell ? `${cell.record.op} direction ${cell.direction} reads ${listKey(cell.record.input)}` : 'no RNN, GRU or LSTM node', fix: 'import one recurrent network at a time; parallel branches and partial reads are not unfold layers' });
  }
  return layers;
}

/** Orders a layer by how its consumer (the head or the next layer) reads it; forward must come first. */
function orderTop(layer: CellRef[], readBy: readonly Entry[] | undefined): CellRef[] {
  if (!readBy) return [...layer].sort((a, b) => Number(a.record.directions[a.direction]?.reverse) - Number(b.record.directions[b.direction]?.reverse));
  const order = readBy.map(entryKey);
  return [...layer].sort((a, b) => order.indexOf(cellKey(a.record.index, a.direction)) - order.indexOf(cellKey(b.record.index, b.direction)));
}

export function layerSpec(layer: readonly CellRef[], path: string, weights: Record<string, HostTensor>, states: ModelState[]): ModelSpec {
  const cellSpec = (cell: CellRef, at: string): ModelSpec => {
    const direction = cell.record.directions[cell.direction] as DirectionCell;
    for (const [name, tensor] of Object.entries(direction.weights)) weights[join(at, name)] = tensor;
    direction.initial.forEach((initial, s) => states.push({ path: join(at, s === 0 ? 'h' : 'c'), size: cell.record.hiddenSize, cell, state: s, initial }));
    return { kind: cell.record.kind, config: direction.config as Record<string, JsonValue> };
  };
  const reverse = layer.map((cell) => cell.record.directions[cell.direction]?.reverse === true);
  const first = layer[0] as CellRef;
  if (layer.length === 1 && !reverse[0]) return cellSpec(first, path);
  if (layer.length === 1) return { kind: 'recurrent', config: { reverse: true }, children: { cell: cellSpec(first, join(path, 'cell')) } };
  if (layer.length === 2 && !reverse[0] && reverse[1]) {
    return { kind: 'bidirectional', config: { merge: 'concat' }, children: { forward: cellSpec(first, join(path, 'forward')), backward: cellSpec(layer[1] as CellRef, join(path, 'backward')) } };
  }
  throw importError('a layer that is not forward, reverse or forward-then-backward', { where: first.record.label, expected: 'one direction, or a forward and a reverse direction concatenated in that order', got: layer.map((c) => (reverse[layer.indexOf(c)] ? 'reverse' : 'forward')).join(' then '), fix: 'concatenate the forward outputs before the backward ones (unfold’s bidirectional merge)' });
}

export function headSpec(head: HeadRecord, path: string, weights: Record<string, HostTensor>): ModelSpec {
  weights[join(path, 'W')] = head.W;
  if (head.b) weights[join(path, 'b')] = head.b;
  return { kind: 'dense', config: { inputSize: head.inputSize, outputSize: head.outputSize, bias: head.b !== undefined, activation: head.activation } };
}

function findInputHead(state: EvalState, layers: readonly CellRef[][]): { head: HeadRecord | undefined; base: readonly Entry[] } {
  const base = (layers[0]?.[0] as CellRef).record.input;
  const entry = base.length === 1 ? base[0] : undefined;
  const head = entry?.kind === 'head' ? state.heads[entry.head] : undefined;
  return { head, base: head ? head.input : base };
}

function modelInputName(base: readonly Entry[], state: EvalState): string {
  const entry = base.length === 1 ? base[0] : undefined;
  if (entry?.kind !== 'input' || entry.index !== undefined) {
    throw importError('the first layer does not read a graph input', { where: state.recurrent[0]?.label ?? state.file, expected: 'X computed from one graph input by glue (and at most one dense head)', got: listKey(base) });
  }
  return entry.name;
}

/**
 * `last` when the file reads the top layer at the last step: Gather(-1) on time (exact only when every
 * sequence is full length, so not with lengths) or a head over a forward top layer's final h (exact:
 * h_n is the output at each sequence's last real step). Per-step and last-step outputs cannot mix.
 */
function readoutOf(state: EvalState, outputs: readonly (Value | undefined)[], headReadsFinal: boolean, hasLengths: boolean): 'sequence' | 'last' {
  const data = outputs.filter((v): v is Extract<Value, { kind: 'data' }> => v?.kind === 'data' && !v.atoms.some((a) => a.kind === 'entries' && a.entries.some((e) => e.kind === 'final')));
  const perStep = data.filter((v) => v.axes.some((g) => g.length === 1 && state.roles.get((v.atoms[g[0] as number] as { id?: string }).id ?? '') === 'time'));
  const last = data.filter((v) => v.lastStep);
  if ((last.length || headReadsFinal) && perStep.length) throw importError('outputs read both every step and the last step', { where: state.file, expected: 'one readout: every step, or the last step', got: `${perStep.length} per-step and ${last.length + Number(headReadsFinal)} last-step outputs`, fix: 'return one of them (unfold’s sequence-model has one readout)' });
  if (last.length && hasLengths) throw importError('the last time step is read from padded sequences', { where: state.file, expected: 'y[:, -1] only when every sequence is full length (no lengths input)', got: 'a lengths input: step T − 1 is padding for shorter sequences', fix: 'read the final state h_n instead, which is each sequence’s last real step' });
  return last.length || headReadsFinal ? 'last' : 'sequence';
}

export function assembleModel(state: EvalState, outputs: readonly (Value | undefined)[]): AssembledModel {
  for (const record of state.recurrent) {
    for (const direction of record.directions) {
      direction.initial.forEach((initial, s) => {
        if (initial !== 'zeros' && initial.kind !== 'input') throw computedInitialState(record.label, s === 0 ? 'initial_h' : 'initial_c');
      });
    }
  }
  const entryOfInput = state.recurrent.map((r) => r.input).find((input) => input.length === 1 && (input[0]?.kind === 'input' || input[0]?.kind === 'head'));
  const layers = layersOf(state, entryOfInput ?? []);
  const { head: inputHead, base } = findInputHead(state, layers);
  const input = modelInputName(base, state);
  const top = layers[layers.length - 1] as CellRef[];
  const topKeys = new Set(top.map((c) => cellKey(c.record.index, c.direction)));
  const topCell = top.length === 1 && !top[0]?.record.directions[top[0].direction]?.reverse ? top[0] : undefined;
  const topFinal = topCell ? entryKey({ kind: 'final', node: topCell.record.index, direction: topCell.direction, state: 'h' }) : undefined;
  const readsFinal = (h: HeadRecord) => h.input.length === 1 && entryKey(h.input[0] as Entry) === topFinal;
  const outputHead = state.heads.find((h) => (h.input.length === top.length && h.input.every((e) => topKeys.has(entryKey(e)))) || readsFinal(h));
  const stray = state.heads.filter((h) => h !== outputHead && h !== inputHead);
  if (stray.length) throw importError('a dense head that reads neither the input nor the top layer’s outputs', { where: (stray[0] as HeadRecord).label, expected: 'one head over all directions of the last recurrent layer (and at most one before the first)', got: `a head over ${listKey((stray[0] as HeadRecord).input)}`, fix: 'apply the head to the full output of the last layer' });
  layers[layers.length - 1] = orderTop(top, outputHead?.input);
  const lengths = new Set(state.recurrent.map((r) => r.lengths?.input ?? ''));
  if (lengths.size > 1) throw importError('recurrent nodes read different sequence lengths', { where: state.file, expected: 'every node with the same sequence_lens (or none)', got: [...lengths].map((l) => l || 'none').join(', '), fix: 'pass the lengths to every layer (nn.LSTM with num_layers does)' });
  const readout = readoutOf(state, outputs, outputHead !== undefined && readsFinal(outputHead), [...lengths][0] !== '');
  const weights: Record<string, HostTensor> = {};
  const states: ModelState[] = [];
  const bodyPath = inputHead || outputHead || readout === 'last' ? 'body' : '';
  const layerSpecs = layers.map((layer, l) => layerSpec(layer, layers.length === 1 ? bodyPath : join(bodyPath, 'layers', String(l)), weights, states));
  const body: ModelSpec = layerSpecs.length === 1 ? (layerSpecs[0] as ModelSpec) : { kind: 'stacked', children: { layers: layerSpecs } };
  const children: Record<string, ModelSpec> = {};
  if (inputHead) children.input = headSpec(inputHead, 'input', weights);
  children.body = body;
  if (outputHead) children.output = headSpec(outputHead, 'output', weights);
  const spec: ModelSpec = bodyPath ? { kind: 'sequence-model', config: { readout }, children } : body;
  const finalTop = layers[layers.length - 1] as CellRef[];
  const outputBlocks = outputHead ? [{ entry: { kind: 'head', head: outputHead.index } as Entry, size: outputHead.outputSize }] : finalTop.map((c) => ({ entry: { kind: 'output', node: c.record.index, direction: c.direction } as Entry, size: c.record.hiddenSize }));
  return { spec, weights, input, states, outputBlocks, lengthsInput: [...lengths][0] || undefined, outputHead, readout };
}
