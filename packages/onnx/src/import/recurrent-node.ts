import { hostTensor, type HostTensor, type JsonValue } from '@unfold/core';
import { concreteDim, formatDim, sameDim } from './dims';
import { axisAtomAt, dataValue, entriesAlong, featuresAt } from './data-layout';
import { importError } from './errors';
import { asDim } from './layout-ops';
import type { NodeContext, OpHandler } from './node-context';
import type { AxisRole, CellKind, DirectionCell, RecurrentRecord } from './records';
import { takeStatic } from './static-ops';
import { formatWord, sameWord, shapeOf, type Atom, type DataValue, type Entry, type LengthsSource, type StaticValue, type Value } from './values';

/**
 * ONNX RNN, GRU and LSTM nodes as unfold cells. ONNX's layout and gate order are unfold's, so the
 * weights are copies: W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H], P [D, 3H] split by direction. The
 * attributes map to cell options (activations, clip, input_forget, linear_before_reset); what a cell
 * cannot compute exactly is an error naming the node and the attribute. The outputs are data values:
 * Y [T, D, B, H] (layout 0) whose entries are this node's directions, Y_h and Y_c [D, B, H].
 */
const GATES = { RNN: 1, GRU: 3, LSTM: 4 } as const;
const KINDS: Readonly<Record<keyof typeof GATES, CellKind>> = { RNN: 'rnn', GRU: 'gru', LSTM: 'lstm' };
const DEFAULT_ACTIVATIONS = { RNN: ['Tanh'], GRU: ['Sigmoid', 'Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'] } as const;
const KNOWN_ATTRIBUTES = new Set(['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'layout', 'input_forget', 'linear_before_reset']);

type Op = keyof typeof GATES;

function assignRole(context: NodeContext, value: DataValue, axis: number, role: AxisRole, what: string): string {
  const atom = axisAtomAt(value, axis);
  const held = atom && context.state.roles.get(atom.id);
  if (!atom || (held && held !== role)) {
    throw importError(`${what} has no ${role} axis where the node reads one`, { where: context.where, expected: `axis ${axis} to be the ${role} axis`, got: atom ? `an axis already used as ${held}` : 'an axis that merges or stacks values', fix: 'feed the node a [time, batch, features] tensor (layout 0) or [batch, time, features] (layout 1)' });
  }
  context.state.roles.set(atom.id, role);
  return atom.id;
}

function weight(context: NodeContext, index: number, name: string, shape: readonly number[]): StaticValue {
  const value = context.input(index);
  if (value.kind !== 'static' || value.dtype !== 'float32') throw importError(`${name} is not a float32 constant`, { where: context.where, expected: `${name} as a float32 initializer or folded constant`, got: context.describe(index), fix: 'export with constant folding, or store the weights as initializers' });
  if (value.shape.length !== shape.length || value.shape.some((d, i) => d !== shape[i])) throw importError(`${name} has the wrong shape`, { where: context.where, expected: `[${shape.join(', ')}]`, got: `[${value.shape.join(', ')}]` });
  return value;
}

function row(value: StaticValue, d: number, name: string): HostTensor {
  const picked = takeStatic(value, 0, [d], true);
  return hostTensor(picked.shape, Float32Array.from(picked.data as number[]), name);
}

function sequenceLengths(context: NodeContext, value: Value | undefined, time: Atom & { kind: 'axis' }, perm: readonly { symbol: string; inverse: boolean }[]): LengthsSource | undefined {
  if (!value) return undefined;
  if (value.kind === 'marked' && value.meaning.what === 'lengths' && value.shape.length === 1) {
    if (!sameWord(value.meaning.lengths.word, perm)) throw importError('sequence_lens and X are in different batch orders', { where: context.where, expected: `lengths read through ${formatWord(perm)}, as X`, got: formatWord(value.meaning.lengths.word) });
    return value.meaning.lengths;
  }
  const full = (e: unknown) => (typeof e === 'number' ? concreteDim(time.size) === e : sameDim(asDim(e as number), time.size));
  if ((value.kind === 'filled' && full(value.value)) || (value.kind === 'static' && value.data.every(full))) return undefined;
  throw importError('sequence_lens is not the model’s lengths input', { where: context.where, expected: `a graph input of lengths, or every sequence full length (${formatDim(time.size)})`, got: context.describe(4), fix: 'pass the lengths as a graph input (pack_padded_sequence does)' });
}

function initialStates(context: NodeContext, index: number, directions: number, H: number, layout: 0 | 1, perm: readonly { symbol: string; inverse: boolean }[], what: string): (Entry | 'zeros')[] {
  const value = context.optional(index);
  const zeros = new Array<'zeros'>(directions).fill('zeros');
  if (!value || (value.kind === 'static' && value.data.every((e) => e === 0)) || (value.kind === 'filled' && value.value === 0)) return zeros;
  if (value.kind !== 'data' || shapeOf(value).length !== 3) throw importError(`${what} is not zeros or a graph input`, { where: context.where, expected: `zeros or rows of a graph input, [${directions}, batch, ${H}]`, got: context.describe(index), fix: 'make initial states graph inputs (pass h0 / c0 to the module when exporting)' });
  const [stack, batch] = layout === 0 ? [0, 1] : [1, 0];
  const entries = entriesAlong(value, stack, context.where);
  assignRole(context, value, batch, 'batch', what);
  if (!sameWord(value.perm?.word ?? [], perm)) throw importError(`${what} and X are in different batch orders`, { where: context.where, expected: formatWord(perm), got: formatWord(value.perm?.word ?? []) });
  const group = value.axes[2] ?? [];
  const units = group.length === 1 ? value.atoms[group[0] as number] : undefined;
  if (entries.length !== directions || units?.kind !== 'units' || units.size !== H) throw importError(`${what} has the wrong shape`, { where: context.where, expected: `${directions} directions of ${H} units`, got: `${entries.length} entries, last axis ${units?.kind === 'units' ? `${units.size} units` : 'not features'}` });
  // Rows of a graph input; or, in an encoder–decoder, the encoder's final states (a copy bridge) or a dense
  // head over them (a projection bridge): the assembler decides whether the model can use them.
  return entries.map((entry) => {
    if (entry.kind !== 'input' && entry.kind !== 'final' && entry.kind !== 'head' && entry.kind !== 'head-part') throw computedInitialState(context.where, what);
    return entry;
  });
}

/** The error for an initial state computed inside the graph where the model has no bridge to compute it. */
export function computedInitialState(where: string, what: string) {
  return importError(`${what} is computed inside the graph`, { where, expected: 'zeros or rows of a graph input (or, in an encoder–decoder, the encoder’s final states or a dense bridge over them)', got: 'a value computed by other nodes (for example another layer’s final state)', fix: 'unfold models start every layer from its own state input; export the layers separately' });
}

function activations(context: NodeContext, op: Op, directions: number): string[] {
  const given = context.attributes.strings('activations');
  const per = DEFAULT_ACTIVATIONS[op].length;
  const list = given ?? Array.from({ length: directions }, () => [...DEFAULT_ACTIVATIONS[op]]).flat();
  if (list.length !== per * directions) throw importError('activations has the wrong length', { where: `${context.where} attribute "activations"`, expected: `${per * directions} names (${per} per direction)`, got: `[${list.join(', ')}]` });
  for (const name of ['activation_alpha', 'activation_beta']) {
    if (context.attributes.has(name)) throw importError(`attribute ${JSON.stringify(name)} is not supported`, { where: `${context.where} attribute ${JSON.stringify(name)}`, expected: 'no activation parameters (unfold cells use sigmoid, tanh and relu as they are)', got: `[${context.attributes.floats(name)?.join(', ')}]`, fix: 'remove it, or train the model with the default activations' });
  }
  return list;
}

/** The shortest decimal that reads back as the same float32 (a clip of 0.3 is stored as 0.30000001192…). */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

function cellConfig(context: NodeContext, op: Op, acts: readonly string[], base: Record<string, JsonValue>): Record<string, JsonValue> {
  const unsupported = (attribute: string, got: string, fix: string) =>
    importError(`${op} ${attribute} ${got} cannot be represented`, { where: `${context.where} attribute ${JSON.stringify(attribute)}`, expected: op === 'RNN' ? 'activations Tanh or Relu, no clip' : op === 'GRU' ? 'activations [Sigmoid, Tanh], no clip' : 'activations [Sigmoid, Tanh, Tanh]', got, fix });
  const given = context.attributes.float('clip');
  const clip = given === undefined ? undefined : shortestFloat32(given);
  if (op === 'RNN') {
    const act = (acts[0] as string).toLowerCase();
    if (act !== 'tanh' && act !== 'relu') throw unsupported('activations', `[${acts.join(', ')}]`, 'unfold’s rnn cell computes tanh or relu; retrain with one of them');
    if (clip !== undefined) throw unsupported('clip', String(clip), 'remove clip (unfold clips only LSTM gates)');
    return { ...base, activation: act };
  }
  const expected = DEFAULT_ACTIVATIONS[op];
  if (acts.some((a, i) => a.toLowerCase() !== (expected[i] as string).toLowerCase())) throw unsupported('activations', `[${acts.join(', ')}]`, `unfold’s ${KINDS[op]} cell computes [${expected.join(', ')}]; retrain with those`);
  if (op === 'GRU') {
    if (clip !== undefined) throw unsupported('clip', String(clip), 'remove clip (unfold clips only LSTM gates)');
    return { ...base, linearBeforeReset: context.attributes.int('linear_before_reset', 0) === 1 };
  }
  return { ...base, inputForget: context.attributes.int('input_forget', 0) === 1, ...(clip !== undefined ? { clip } : {}) };
}

const recurrent: OpHandler = (context) => {
  const op = context.node.opType as Op;
  const G = GATES[op];
  const unknown = context.attributes.names().filter((name) => !KNOWN_ATTRIBUTES.has(name));
  if (unknown.length) throw importError(`unknown ${op} attribute`, { where: `${context.where} attribute ${JSON.stringify(unknown[0])}`, expected: [...KNOWN_ATTRIBUTES].join(', '), got: unknown.join(', ') });
  const direction = context.attributes.string('direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw importError('unknown direction', { where: `${context.where} attribute "direction"`, expected: 'forward, reverse or bidirectional', got: direction });
  const D = direction === 'bidirectional' ? 2 : 1; // ONNX's direction attribute, not a plugin kind
  const layout = context.attributes.int('layout', 0) === 1 ? 1 : 0;
  const x = context.input(0);
  if (x.kind !== 'data' || shapeOf(x).length !== 3) throw importError('X is not a sequence computed from the inputs', { where: context.where, expected: 'X [time, batch, features] from a graph input', got: context.describe(0) });
  const [timeAxis, batchAxis] = layout === 0 ? [0, 1] : [1, 0];
  assignRole(context, x, timeAxis, 'time', 'X');
  const batchId = assignRole(context, x, batchAxis, 'batch', 'X');
  const perm = x.perm?.word ?? [];
  if (x.perm && x.perm.atom !== batchId) throw importError('X is permuted along an axis that is not the batch', { where: context.where, expected: `a permutation of axis ${batchId}`, got: `a permutation of axis ${x.perm.atom}` });
  const features = featuresAt(x, 2, context.where);
  const I = features.entries.length * features.units;
  const R = context.input(2);
  const H = context.attributes.int('hidden_size', R.kind === 'static' ? (R.shape[2] ?? 0) : 0);
  const W = weight(context, 1, 'W', [D, G * H, I]);
  const Rv = weight(context, 2, 'R', [D, G * H, H]);
  const B = context.optional(3) ? weight(context, 3, 'B', [D, 2 * G * H]) : undefined;
  const P = op === 'LSTM' && context.optional(7) ? weight(context, 7, 'P', [D, 3 * H]) : undefined;
  const time = axisAtomAt(x, timeAxis) as Atom & { kind: 'axis' };
  const lengths = sequenceLengths(context, context.optional(4), time, perm);
  const initialH = initialStates(context, 5, D, H, layout, perm, 'initial_h');
  const initialC = op === 'LSTM' ? initialStates(context, 6, D, H, layout, perm, 'initial_c') : [];
  const acts = activations(context, op, D);
  const per = DEFAULT_ACTIVATIONS[op].length;
  const index = context.state.recurrent.length;
  const directions: DirectionCell[] = Array.from({ length: D }, (_, d) => {
    const base: Record<string, JsonValue> = { inputSize: I, hiddenSize: H, bias: B !== undefined, ...(op === 'LSTM' ? { peepholes: P !== undefined } : {}) };
    const weights: Record<string, HostTensor> = { W: row(W, d, 'W'), R: row(Rv, d, 'R') };
    if (B) weights.B = row(B, d, 'B');
    if (P) weights.P = row(P, d, 'P');
    const initial = op === 'LSTM' ? [initialH[d] as Entry | 'zeros', initialC[d] as Entry | 'zeros'] : [initialH[d] as Entry | 'zeros'];
    return { reverse: direction === 'reverse' || d === 1, config: cellConfig(context, op, acts.slice(d * per, (d + 1) * per), base), weights, initial };
  });
  const record: RecurrentRecord = { index, label: context.where, op, kind: KINDS[op], input: features.entries, inputSize: I, hiddenSize: H, directions, lengths, batchPerm: perm, layout };
  context.state.recurrent.push(record);
  const batch = axisAtomAt(x, batchAxis) as Atom;
  const stacked = (make: (d: number) => Entry): Atom => ({ kind: 'entries', entries: Array.from({ length: D }, (_, d) => make(d)) });
  const units: Atom = { kind: 'units', size: H };
  const rest = { perm: x.perm };
  const Y = dataValue([time, stacked((d) => ({ kind: 'output', node: index, direction: d })), batch, units], layout === 0 ? [[0], [1], [2], [3]] : [[2], [0], [1], [3]], rest);
  const final = (state: 'h' | 'c') => dataValue([stacked((d) => ({ kind: 'final', node: index, direction: d, state })), batch, units], layout === 0 ? [[0], [1], [2]] : [[1], [0], [2]], rest);
  return op === 'LSTM' ? [Y, final('h'), final('c')] : [Y, final('h')];
};

export const recurrentOps: Readonly<Record<string, OpHandler>> = { RNN: recurrent, GRU: recurrent, LSTM: recurrent };
