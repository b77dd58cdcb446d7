import { concreteDim, divDims, formatDims, isOneDim, numberDim, productDims, sameDim, type Dim } from './dims';
import { concatData, expandData, gatherDataEntries, permuteData, reshapeData, sliceData, squeezeData, transposeData, unsqueezeData } from './data-layout';
import { embeddingLookup } from './embedding-node';
import { importError } from './errors';
import { featureAxisHolds, sliceHeadFeatures } from './head-parts';
import { staticInts } from './read-graph';
import { concatStatic, expandStatic, normalizeAxis, sizeOf, sliceIndices, staticValue, takeStatic, transposeStatic } from './static-ops';
import type { OpHandler, NodeContext } from './node-context';
import { shapeOf, type DataValue, type Element, type FilledValue, type MarkedValue, type StaticValue, type Value } from './values';

/**
 * Transpose, Reshape, Squeeze, Unsqueeze, Slice, Gather, Concat and Expand for every kind of value:
 * folded on static tensors, computed on the symbolic shape of filled and marked values (marked axes
 * follow their axis), and delegated to data-layout.ts for data values.
 */
export function asDim(element: Element): Dim {
  return typeof element === 'number' ? numberDim(element) : element;
}

export function elementOfDim(dim: Dim): Element {
  return concreteDim(dim) ?? dim;
}

/** One output axis of a shape-only op: kept from input axis `from`, or new with size `dim`. */
type Plan = { readonly from: number } | { readonly dim: Dim };

function applyPlan(value: FilledValue | MarkedValue, plan: readonly Plan[]): Value {
  const shape = plan.map((p) => ('from' in p ? (value.shape[p.from] as Dim) : p.dim));
  if (value.kind === 'filled') return { ...value, shape };
  const follow = (axis: number | undefined) => (axis === undefined ? undefined : plan.findIndex((p) => 'from' in p && p.from === axis));
  const seq = follow(value.marks.seq);
  const step = follow(value.marks.step);
  return { ...value, shape, marks: { ...(seq !== undefined && seq >= 0 ? { seq } : {}), ...(step !== undefined && step >= 0 ? { step } : {}) } };
}

function staticInput(context: NodeContext, index: number, what: string): StaticValue {
  const value = context.input(index);
  if (value.kind !== 'static') throw importError(`${what} is not a constant`, { where: context.where, expected: `a constant ${what} (input ${index})`, got: context.describe(index), fix: 'export with constant folding so the glue depends only on shapes' });
  return value;
}

/** Axes from input `index` (opset 13+) or the `axes` attribute (older opsets); undefined when neither. */
function axesOf(context: NodeContext, index: number, rank: number): number[] | undefined {
  const given = context.node.input[index] ? staticInts(staticInput(context, index, 'axes'), 'axes', context.where) : context.attributes.ints('axes');
  return given?.map((axis) => {
    const normalized = normalizeAxis(axis, rank);
    if (normalized === undefined) throw importError('axis out of range', { where: context.where, expected: `an axis in [${-rank}, ${rank})`, got: String(axis) });
    return normalized;
  });
}

const transpose: OpHandler = (context) => {
  const value = context.input(0);
  const rank = shapeOf(value).length;
  const perm = context.attributes.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (value.kind === 'static') return [transposeStatic(value, perm)];
  if (value.kind === 'data') return [transposeData(value, perm)];
  return [applyPlan(value, perm.map((from) => ({ from })))];
};

const unsqueeze: OpHandler = (context) => {
  const value = context.input(0);
  const rank = shapeOf(value).length;
  const raw = context.node.input[1] ? staticInts(staticInput(context, 1, 'axes'), 'axes', context.where) : context.attributes.ints('axes');
  if (!raw) throw importError('Unsqueeze without axes', { where: context.where, expected: 'axes (input 1 or attribute)', got: 'none' });
  const axes = raw.map((axis) => normalizeAxis(axis, rank + raw.length));
  if (axes.some((axis) => axis === undefined)) throw importError('axis out of range', { where: context.where, expected: `axes in [${-(rank + raw.length)}, ${rank + raw.length})`, got: raw.join(', ') });
  const inserted = new Set(axes as number[]);
  const plan: Plan[] = [];
  for (let i = 0, from = 0; i < rank + raw.length; i++) plan.push(inserted.has(i) ? { dim: numberDim(1) } : { from: from++ });
  if (value.kind === 'static') return [staticValue(value.dtype, plan.map((p) => ('from' in p ? (value.shape[p.from] as number) : 1)), value.data)];
  if (value.kind === 'data') return [unsqueezeData(value, axes as number[])];
  return [applyPlan(value, plan)];
};

const squeeze: OpHandler = (context) => {
  const value = context.input(0);
  const dims = shapeOf(value);
  const axes = axesOf(context, 1, dims.length) ?? dims.flatMap((d, i) => (isOneDim(d) ? [i] : []));
  if (value.kind === 'data') return [squeezeData(value, axes, context.where)];
  for (const axis of axes) {
    if (!isOneDim(dims[axis] as Dim)) throw importError('Squeeze of an axis that is not 1', { where: context.where, expected: 'size-1 axes', got: `axis ${axis} of ${formatDims(dims)}` });
  }
  const plan: Plan[] = dims.flatMap((_, from) => (axes.includes(from) ? [] : [{ from }]));
  if (value.kind === 'static') return [staticValue(value.dtype, plan.map((p) => value.shape[(p as { from: number }).from] as number), value.data)];
  return [applyPlan(value, plan)];
};

/** Reshape's target with 0 (copy, unless allowzero) and -1 (the rest) resolved against the input dims. */
function resolveTarget(context: NodeContext, dims: readonly Dim[], target: StaticValue): Dim[] {
  const allowZero = context.attributes.int('allowzero', 0) === 1;
  const resolved: (Dim | undefined)[] = target.data.map((element, i) => {
    if (element === -1) return undefined;
    if (element === 0 && !allowZero) return dims[i];
    return asDim(element);
  });
  const unknown = resolved.indexOf(undefined);
  if (unknown >= 0) {
    const rest = divDims(productDims(dims), productDims(resolved.filter((d): d is Dim => d !== undefined)));
    if (!rest) throw importError('Reshape cannot infer its -1 dimension', { where: context.where, expected: `a target whose known dims divide ${formatDims(dims)}`, got: formatDims(resolved.map((d) => d ?? numberDim(-1))) });
    resolved[unknown] = rest;
  }
  return resolved as Dim[];
}

const reshape: OpHandler = (context) => {
  const value = context.input(0);
  const dims = shapeOf(value);
  const target = resolveTarget(context, dims, staticInput(context, 1, 'shape'));
  if (value.kind === 'static') {
    const shape = target.map(concreteDim);
    if (shape.some((d) => d === undefined) || sizeOf(shape as number[]) !== value.data.length) throw importError('Reshape of a constant to a different size', { where: context.where, expected: `${value.data.length} elements`, got: formatDims(target) });
    return [staticValue(value.dtype, shape as number[], value.data)];
  }
  if (value.kind === 'data') return [reshapeData(value, target, context.where)];
  if (value.kind === 'filled') return [{ ...value, shape: target }];
  const kept = dims.flatMap((d, i) => (isOneDim(d) ? [] : [i]));
  const plan: Plan[] = [];
  let next = 0;
  for (const dim of target) {
    const from = kept[next];
    if (from !== undefined && sameDim(dims[from] as Dim, dim)) {
      plan.push({ from });
      next++;
    } else if (isOneDim(dim)) plan.push({ dim });
    else throw importError('Reshape of lengths or masks beyond adding or removing size-1 axes', { where: context.where, expected: `the axes of ${formatDims(dims)} with 1s added or removed`, got: formatDims(target) });
  }
  return [applyPlan(value, plan)];
};

/**
 * Gather(-1) or Slice([-1:]) on the time axis of a recurrent output: the output at the last step, which
 * is unfold's `readout: "last"` when every sequence is full length (checked when the model is assembled).
 */
function lastStep(context: NodeContext, value: DataValue, axis: number, picked: string, keepAxis: boolean): DataValue | undefined {
  const group = value.axes[axis] ?? [];
  const atom = group.length === 1 ? value.atoms[group[0] as number] : undefined;
  if (atom?.kind !== 'axis' || context.state.roles.get(atom.id) !== 'time') return undefined;
  if (picked !== '-1' && picked !== '[-1:]') throw importError('time steps other than the last are picked', { where: context.where, expected: 'the whole time axis, or its last step (index -1 or slice [-1:])', got: picked, fix: 'read every step, or the last one (unfold’s readout "last")' });
  return { ...value, axes: keepAxis ? value.axes.map((g, a) => (a === axis ? [] : g)) : value.axes.filter((_, a) => a !== axis), lastStep: true };
}

function isFullSlice(start: number, end: number, step: number, size: Dim): boolean {
  const n = concreteDim(size);
  return start === 0 && step === 1 && end >= (n ?? 2 ** 31 - 1);
}

const slice: OpHandler = (context) => {
  const value = context.input(0);
  const dims = shapeOf(value);
  const opsetSlice = context.node.input.length > 1;
  const starts = opsetSlice ? staticInts(staticInput(context, 1, 'starts'), 'starts', context.where) : (context.attributes.ints('starts') ?? []);
  const ends = opsetSlice ? staticInts(staticInput(context, 2, 'ends'), 'ends', context.where) : (context.attributes.ints('ends') ?? []);
  const axes = (opsetSlice ? axesOf(context, 3, dims.length) : context.attributes.ints('axes')?.map((a) => normalizeAxis(a, dims.length) as number)) ?? starts.map((_, i) => i);
  const steps = context.node.input[4] ? staticInts(staticInput(context, 4, 'steps'), 'steps', context.where) : starts.map(() => 1);
  let result = value;
  axes.forEach((axis, i) => {
    const [start, end, step] = [starts[i] as number, ends[i] as number, steps[i] as number];
    const whole = result.kind === 'data' && isFullSlice(start, end, step, shapeOf(result)[axis] as Dim);
    const picked = start === -1 && end >= 2 ** 31 - 1 && step === 1 ? '[-1:]' : `[${start}:${end}:${step}]`;
    const last = result.kind === 'data' && !whole ? lastStep(context, result, axis, picked, true) : undefined;
    if (last) result = last;
    else if (result.kind === 'data' && featureAxisHolds(result, axis)) result = sliceHeadFeatures(result, axis, start, end, step, context.where);
    else if (result.kind === 'data') result = sliceData(result, axis, start, end, step, context.where);
    else if (result.kind === 'static') result = takeStatic(result, axis, sliceIndices(start, end, step, result.shape[axis] as number), false);
    else {
      const size = concreteDim(result.shape[axis] as Dim);
      const full = start === 0 && step === 1 && (size === undefined ? end >= 2 ** 31 - 1 : end >= size);
      if (!full && size === undefined) throw importError('Slice of a symbolic axis', { where: context.where, expected: 'a whole symbolic axis, or a constant-size axis', got: `[${start}:${end}:${step}] of ${formatDims([result.shape[axis] as Dim])}` });
      if (!full) result = applyPlan(result, result.shape.map((_, a): Plan => (a === axis ? { dim: numberDim(sliceIndices(start, end, step, size as number).length) } : { from: a })));
    }
  });
  return [result];
};

const gather: OpHandler = (context) => {
  const value = context.input(0);
  const indices = context.input(1);
  const dims = shapeOf(value);
  const axis = normalizeAxis(context.attributes.int('axis', 0), dims.length) as number;
  if (indices.kind === 'static') {
    const picks = staticInts(indices, 'Gather indices', context.where);
    const scalar = indices.shape.length === 0;
    const last = value.kind === 'data' && scalar ? lastStep(context, value, axis, String(picks[0]), false) : undefined;
    if (last) return [last];
    if (value.kind === 'data') return [gatherDataEntries(value, axis, picks, scalar, context.where)];
    if (value.kind === 'static') {
      if (indices.shape.length > 1) throw importError('Gather with multi-dimensional indices', { where: context.where, expected: 'a scalar or a vector of indices', got: `indices of shape [${indices.shape.join(', ')}]` });
      const size = value.shape[axis] as number;
      return [takeStatic(value, axis, picks.map((i) => (i < 0 ? i + size : i)), scalar)];
    }
    if (value.kind === 'filled') return [{ ...value, shape: [...value.shape.slice(0, axis), ...indices.shape.map(numberDim), ...value.shape.slice(axis + 1)] }];
  }
  if (value.kind === 'static' && indices.kind === 'data') return [embeddingLookup(context, value, indices)];
  if (indices.kind === 'marked' && (indices.meaning.what === 'permutation' || indices.meaning.what === 'index') && indices.shape.length === 1) {
    const word = indices.meaning.what === 'permutation' ? indices.meaning.word : [];
    const size = indices.shape[0] as Dim;
    if (value.kind === 'data') return [permuteData(value, axis, word, size, context.where)];
    if (value.kind === 'filled') return [value];
    if (value.kind === 'marked' && value.meaning.what === 'lengths' && value.marks.seq === axis) {
      return [{ ...value, meaning: { what: 'lengths', lengths: { ...value.meaning.lengths, word: [...value.meaning.lengths.word, ...word] } } }];
    }
  }
  throw importError('Gather of this kind is not supported', { where: context.where, expected: 'constant indices into constants, shapes or stacked entries, or a batch permutation', got: `${context.describe(0)} indexed by ${context.describe(1)}`, fix: 'this glue cannot be evaluated without running the model' });
};

const concat: OpHandler = (context) => {
  const values = context.node.input.map((_, i) => context.input(i));
  const rank = shapeOf(values[0] as Value).length;
  const axis = normalizeAxis(context.attributes.int('axis', 0), rank) as number;
  if (values.every((v): v is StaticValue => v.kind === 'static')) return [concatStatic(values, axis)];
  if (values.every((v): v is DataValue => v.kind === 'data')) return [concatData(values, axis, context.where)];
  throw importError('Concat of mixed kinds of values', { where: context.where, expected: 'all constants (shapes) or all computed tensors', got: values.map((_, i) => context.describe(i)).join('; '), fix: 'this glue cannot be evaluated without running the model' });
};

const expand: OpHandler = (context) => {
  const value = context.input(0);
  const target = staticInput(context, 1, 'shape').data.map(asDim);
  const dims = shapeOf(value);
  const rank = Math.max(dims.length, target.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const own = dims[dims.length - rank + i] ?? numberDim(1);
    const want = target[target.length - rank + i] ?? numberDim(1);
    out.push(isOneDim(want) ? own : want);
  }
  if (value.kind === 'data') return [expandData(value, out, () => context.freshSymbol('broadcast'), context.where)];
  if (value.kind === 'static') {
    const shape = out.map(concreteDim);
    if (shape.every((d): d is number => d !== undefined)) return [expandStatic(value, shape)];
    const first = value.data[0];
    if (first === undefined || value.data.some((e) => !sameDim(asDim(e), asDim(first)))) {
      throw importError('Expand of a non-uniform constant to a symbolic shape', { where: context.where, expected: 'a constant with one repeated value (zeros for initial states)', got: `[${value.data.slice(0, 4).join(', ')}…]` });
    }
    return [{ kind: 'filled', dtype: value.dtype, shape: out, value: first }];
  }
  if (value.kind === 'filled') return [{ ...value, shape: out }];
  const lead = rank - dims.length;
  const planned = applyPlan(value, out.map((dim, i): Plan => (i >= lead ? { from: i - lead } : { dim })));
  return [{ ...planned, shape: out } as Value];
};

export const layoutOps: Readonly<Record<string, OpHandler>> = { Transpose: transpose, Unsqueeze: unsqueeze, Squeeze: squeeze, Reshape: reshape, Slice: slice, Gather: gather, Concat: concat, Expand: expand };
