import { formatDims, isOneDim, numberDim, sameDim, type Dim } from './dims';
import { entriesOf } from './data-layout';
import { importError } from './errors';
import { asDim } from './layout-ops';
import type { NodeContext, OpHandler } from './node-context';
import { entryKey, formatWord, invertWord, reduceWord, sameWord, shapeOf, type DataValue, type Entry, type LengthsSource, type MarkedValue, type Value } from './values';

/**
 * Sequence lengths and what glue does with them, evaluated by meaning:
 *   TopK(lengths, batch) (PyTorch's pack_padded_sequence(enforce_sorted=False)) sorts by a fresh batch
 *   permutation P: its values are the lengths read through P, its indices are P. ScatterElements(_, P, Q)
 *   is Q∘P⁻¹ (Range(0, batch) is the identity), so the unsort Gather cancels the sort.
 *   Min / Max with constants clip lengths to [0, time] (unfold's exporter).
 *   Less(Range(time), lengths) is the padding mask and Greater(lengths, 0) the non-empty flag; a Where on
 *   them sets padded outputs to 0 or keeps initial states for empty sequences, as unfold does anyway.
 */
function lengthsOf(value: Value | undefined): LengthsSource | undefined {
  return value?.kind === 'marked' && value.meaning.what === 'lengths' ? value.meaning.lengths : undefined;
}

function isZero(value: Value | undefined): boolean {
  if (value?.kind === 'static') return value.data.every((e) => e === 0);
  return value?.kind === 'filled' && value.value === 0;
}

function permutationWord(value: Value): readonly { symbol: string; inverse: boolean }[] | undefined {
  if (value.kind !== 'marked' || value.shape.length !== 1) return undefined;
  if (value.meaning.what === 'permutation') return value.meaning.word;
  return value.meaning.what === 'index' ? [] : undefined;
}

/** Right-aligned broadcast of two symbolic shapes (a 1 takes the other's dim). */
function broadcast(a: readonly Dim[], b: readonly Dim[], context: NodeContext): Dim[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? numberDim(1);
    const y = b[b.length - rank + i] ?? numberDim(1);
    if (isOneDim(x)) return y;
    if (isOneDim(y) || sameDim(x, y)) return x;
    throw importError('shapes do not broadcast', { where: context.where, expected: 'broadcastable shapes', got: `${formatDims(a)} and ${formatDims(b)}` });
  });
}

function shift(mark: number | undefined, from: number, to: number): number | undefined {
  return mark === undefined ? undefined : mark + to - from;
}

const topK: OpHandler = (context) => {
  const input = context.input(0);
  const lengths = lengthsOf(input);
  const k = context.input(1);
  const size = shapeOf(input)[0] as Dim;
  if (!lengths || shapeOf(input).length !== 1 || k.kind !== 'static' || k.data.length !== 1 || !sameDim(asDim(k.data[0] as number), size)) {
    throw importError('TopK that is not a sort of the sequence lengths', { where: context.where, expected: 'TopK(lengths, k = batch) as pack_padded_sequence(enforce_sorted=False) exports it', got: `${context.describe(0)} with k ${context.describe(1)}`, fix: 'sort by lengths before export, or pass enforce_sorted=True' });
  }
  const symbol = context.freshSymbol('P');
  const word = [{ symbol, inverse: false }];
  const values: MarkedValue = { kind: 'marked', dtype: (input as MarkedValue).dtype, shape: [size], meaning: { what: 'lengths', lengths: { ...lengths, word: reduceWord([...lengths.word, ...word]) } }, marks: { seq: 0 } };
  const indices: MarkedValue = { kind: 'marked', dtype: 'int64', shape: [size], meaning: { what: 'permutation', word }, marks: { seq: 0 } };
  return [values, indices];
};

const scatterElements: OpHandler = (context) => {
  const indices = permutationWord(context.input(1));
  const updates = permutationWord(context.input(2));
  const size = shapeOf(context.input(1))[0] as Dim;
  if (!indices || !updates || shapeOf(context.input(0)).length !== 1 || context.attributes.string('reduction', 'none') !== 'none') {
    throw importError('ScatterElements that is not the inverse of a batch permutation', { where: context.where, expected: 'ScatterElements(zeros [batch], P, Range(batch)) as pack_padded_sequence(enforce_sorted=False) exports it', got: `${context.describe(1)} scattered with ${context.describe(2)}`, fix: 'sort by lengths before export, or pass enforce_sorted=True' });
  }
  const word = reduceWord([...updates, ...invertWord(indices)]);
  return [{ kind: 'marked', dtype: 'int64', shape: [size], meaning: { what: 'permutation', word }, marks: { seq: 0 } }];
};

/** Min / Max of lengths with a constant: the lengths, clipped. */
function clip(context: NodeContext): readonly Value[] {
  const inputs = context.node.input.map((_, i) => context.input(i));
  const lengthsIndex = inputs.findIndex((v) => lengthsOf(v));
  const others = inputs.filter((_, i) => i !== lengthsIndex);
  if (lengthsIndex < 0 || !others.every((v) => v.kind === 'static' || v.kind === 'filled')) {
    throw importError(`${context.node.opType} that is not a clip of sequence lengths`, { where: context.where, expected: `${context.node.opType}(lengths, constant or time)`, got: inputs.map((_, i) => context.describe(i)).join('; ') });
  }
  const value = inputs[lengthsIndex] as MarkedValue;
  const lengths = lengthsOf(value) as LengthsSource;
  const dims = inputs.map(shapeOf).reduce((a, b) => broadcast(a, b, context));
  return [{ ...value, shape: dims, marks: { seq: shift(value.marks.seq, value.shape.length, dims.length) as number }, meaning: { what: 'lengths', lengths: { ...lengths, clipped: true } } }];
}

/** A constant truth value of a comparison of constants (symbolic dims are sizes, so at least 1), or undefined. */
function constantTruth(value: Value): boolean | undefined {
  const elements = value.kind === 'static' ? value.data : value.kind === 'filled' ? [value.value] : undefined;
  if (!elements || elements.length === 0) return undefined;
  const truths = elements.map((e) => (typeof e === 'number' ? e !== 0 : true));
  return truths.every((t) => t === truths[0]) ? truths[0] : undefined;
}

function constantGreater(context: NodeContext): Value | undefined {
  const [a, b] = [context.input(0), context.input(1)];
  const isConstant = (v: Value) => v.kind === 'static' || v.kind === 'filled';
  if (!isConstant(a) || !isZero(b)) return undefined;
  const positive = a.kind === 'filled' ? (typeof a.value === 'number' ? a.value > 0 : true) : (a as { data: readonly unknown[] }).data.every((e) => (typeof e === 'number' ? e > 0 : true));
  return { kind: 'filled', dtype: 'bool', shape: broadcast(shapeOf(a), shapeOf(b), context), value: positive ? 1 : 0 };
}

const greater: OpHandler = (context) => {
  const folded = constantGreater(context);
  if (folded) return [folded];
  const lengths = lengthsOf(context.input(0));
  const value = context.input(0) as MarkedValue;
  if (!lengths || !isZero(context.input(1))) throw importError('Greater that is not "length > 0"', { where: context.where, expected: 'Greater(lengths, 0)', got: `${context.describe(0)} > ${context.describe(1)}` });
  const dims = broadcast(value.shape, shapeOf(context.input(1)), context);
  return [{ kind: 'marked', dtype: 'bool', shape: dims, meaning: { what: 'non-empty', lengths }, marks: { seq: shift(value.marks.seq, value.shape.length, dims.length) as number } }];
};

const less: OpHandler = (context) => {
  const steps = context.input(0);
  const lengths = lengthsOf(context.input(1));
  const value = context.input(1) as MarkedValue;
  if (steps.kind !== 'marked' || steps.meaning.what !== 'index' || !lengths) throw importError('Less that is not "step < length"', { where: context.where, expected: 'Less(Range(time) as a column, lengths)', got: `${context.describe(0)} < ${context.describe(1)}` });
  const dims = broadcast(steps.shape, value.shape, context);
  return [{ kind: 'marked', dtype: 'bool', shape: dims, meaning: { what: 'mask', lengths }, marks: { step: shift(steps.marks.step, steps.shape.length, dims.length) as number, seq: shift(value.marks.seq, value.shape.length, dims.length) as number } }];
};

/** The role of the data axis a marked axis of `condition` lines up with (right-aligned broadcast). */
function roleAt(context: NodeContext, data: DataValue, condition: MarkedValue, mark: number | undefined): string | undefined {
  if (mark === undefined) return undefined;
  const group = data.axes[data.axes.length - condition.shape.length + mark];
  const atom = group?.length === 1 ? data.atoms[group[0] as number] : undefined;
  return atom?.kind === 'axis' ? context.state.roles.get(atom.id) : undefined;
}

function checkLengths(context: NodeContext, lengths: LengthsSource, data: DataValue): void {
  const used = context.state.recurrent.find((r) => r.lengths)?.lengths;
  if (!used || used.input !== lengths.input || !sameWord(lengths.word, data.perm?.word ?? [])) {
    throw importError('Where on lengths other than the recurrent nodes read', { where: context.where, expected: used ? `lengths from ${JSON.stringify(used.input)} read through ${formatWord(data.perm?.word ?? [])}` : 'recurrent nodes with sequence_lens', got: `lengths from ${JSON.stringify(lengths.input)} read through ${formatWord(lengths.word)}` });
  }
}

function initialOf(context: NodeContext, entry: Entry): Entry | 'zeros' | undefined {
  if (entry.kind !== 'final') return undefined;
  return context.state.recurrent[entry.node]?.directions[entry.direction]?.initial[entry.state === 'h' ? 0 : 1];
}

const where: OpHandler = (context) => {
  const condition = context.input(0);
  const chosen = context.input(1);
  const other = context.input(2);
  const truth = constantTruth(condition);
  if (truth !== undefined) return [truth ? chosen : other];
  if (condition.kind === 'marked' && chosen.kind === 'data') {
    if (condition.meaning.what === 'mask' && isZero(other) && roleAt(context, chosen, condition, condition.marks.step) === 'time' && roleAt(context, chosen, condition, condition.marks.seq) === 'batch') {
      checkLengths(context, condition.meaning.lengths, chosen);
      return [{ ...chosen, zeroPadded: true }];
    }
    if (condition.meaning.what === 'non-empty' && roleAt(context, chosen, condition, condition.marks.seq) === 'batch') {
      checkLengths(context, condition.meaning.lengths, chosen);
      const initial = entriesOf(chosen).map((entry) => initialOf(context, entry));
      const otherEntries = other.kind === 'data' ? entriesOf(other).map(entryKey) : undefined;
      const same = initial.every((e) => e !== undefined) && (isZero(other) ? initial.every((e) => e === 'zeros') : otherEntries !== undefined && initial.every((e, i) => e !== 'zeros' && entryKey(e as Entry) === otherEntries[i]));
      if (same) return [{ ...chosen, keepsInitial: true }];
    }
  }
  throw importError('Where that is not a padding mask or an empty-sequence state rule', { where: context.where, expected: 'Where(step < length, outputs, 0) or Where(length > 0, final state, the same node’s initial state)', got: `${context.describe(0)} choosing ${context.describe(1)} or ${context.describe(2)}`, fix: 'this glue cannot be evaluated without running the model' });
};

export const lengthsOps: Readonly<Record<string, OpHandler>> = { TopK: topK, ScatterElements: scatterElements, Min: clip, Max: clip, Greater: greater, Less: less, Where: where };
