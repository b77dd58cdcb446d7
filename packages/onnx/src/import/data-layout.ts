import { concreteDim, divDims, formatDims, isOneDim, mulDims, numberDim, sameDim, type Dim } from './dims';
import { importError } from './errors';
import { checkStaticShape, sliceIndices } from './static-ops';
import { atomSize, entryKey, reduceWord, sameWord, shapeOf, type Atom, type DataValue, type Entry, type PermWord } from './values';

/**
 * Layout operations on data values (see values.ts): they move atoms between physical axes instead of
 * moving numbers. Transpose permutes axes; Reshape regroups atoms in order (merging [entries, units] is
 * PyTorch's [T, B, D, H] → [T, B, D·H]); Squeeze pins size-1 axes; Slice and Gather pick entries (a
 * direction, a layer's slice of h0) or permute the batch; Concat joins entries (PyTorch's h_n, a
 * bidirectional merge); Expand broadcasts. Anything that would cut through time, batch or features
 * throws, naming what it would have done.
 */
export function dataValue(atoms: readonly Atom[], axes: readonly (readonly number[])[], rest: Partial<Omit<DataValue, 'kind' | 'atoms' | 'axes'>> = {}): DataValue {
  return normalize({ kind: 'data', atoms, axes, perm: rest.perm, zeroPadded: rest.zeroPadded ?? false, keepsInitial: rest.keepsInitial ?? false, lastStep: rest.lastStep ?? false });
}

/** Size-1 atoms inside a group of several change nothing; pin them so every group reads cleanly. */
function normalize(value: DataValue): DataValue {
  const axes = value.axes.map((group) => (group.length > 1 ? group.filter((i) => !isOneDim(atomSize(value.atoms[i] as Atom))) : group));
  return { ...value, axes };
}

export function entriesIndex(value: DataValue): number {
  return value.atoms.findIndex((atom) => atom.kind === 'entries');
}

export function entriesOf(value: DataValue): readonly Entry[] {
  const atom = value.atoms[entriesIndex(value)];
  return atom?.kind === 'entries' ? atom.entries : [];
}

export function unitsOf(value: DataValue): number {
  const atom = value.atoms.find((a) => a.kind === 'units');
  return atom?.kind === 'units' ? atom.size : 0;
}

export function withAtom(value: DataValue, index: number, atom: Atom): DataValue {
  return normalize({ ...value, atoms: value.atoms.map((a, i) => (i === index ? atom : a)) });
}

function describeAtom(atom: Atom): string {
  if (atom.kind === 'axis') return `axis ${atom.id}`;
  if (atom.kind === 'units') return `${atom.size} features`;
  return `entries [${atom.entries.map(entryKey).join('; ')}]`;
}

/**
 * An axis atom of a graph input with a concrete size, used as an index (a layer's slice of PyTorch's
 * h0 [L·D, B, H]), becomes an entries atom: entry k is row k of the input.
 */
function inputAxisAsEntries(value: DataValue, atomIndex: number, where: string): DataValue {
  const atom = value.atoms[atomIndex] as Atom;
  const size = atom.kind === 'axis' ? concreteDim(atom.size) : undefined;
  const current = entriesIndex(value);
  const whole = value.atoms[current];
  const pinned = !value.axes.some((group) => group.includes(current));
  if (atom.kind !== 'axis' || !atom.input || size === undefined || whole?.kind !== 'entries' || !pinned || whole.entries.length !== 1 || whole.entries[0]?.kind !== 'input' || whole.entries[0].index !== undefined) {
    throw importError('cannot index this axis', { where, expected: 'an axis that stacks entries (directions, layers, states) or a constant-size axis of a graph input', got: describeAtom(atom), fix: 'index only the stacked-state axis; time, batch and feature axes must be kept whole' });
  }
  const name = whole.entries[0].name;
  checkStaticShape([size], where, 'an indexed input axis');
  const entries: Atom = { kind: 'entries', entries: Array.from({ length: size }, (_, k): Entry => ({ kind: 'input', name, index: k })) };
  const atoms = value.atoms.map((a, i) => (i === atomIndex ? entries : a)).filter((_, i) => i !== current);
  const shift = (i: number) => (i > current ? i - 1 : i);
  return normalize({ ...value, atoms, axes: value.axes.map((group) => group.map(shift)) });
}

/** The single atom of axis `axis`, turned into entries when it is an input's constant-size axis. */
function indexableAtom(value: DataValue, axis: number, where: string): { value: DataValue; atom: number } {
  const group = value.axes[axis] as readonly number[];
  if (group.length !== 1) throw importError('cannot index an axis that merges several', { where, expected: 'an axis holding one of time, batch, entries or features', got: group.map((i) => describeAtom(value.atoms[i] as Atom)).join(' × ') || 'an axis of size 1', fix: 'index before merging axes' });
  const index = group[0] as number;
  const atom = value.atoms[index] as Atom;
  if (atom.kind === 'axis' && atom.input && concreteDim(atom.size) !== undefined) {
    const converted = inputAxisAsEntries(value, index, where);
    return { value: converted, atom: (converted.axes[axis] as readonly number[])[0] as number };
  }
  return { value, atom: index };
}

export function transposeData(value: DataValue, perm: readonly number[]): DataValue {
  return { ...value, axes: perm.map((p) => value.axes[p] as readonly number[]) };
}

export function unsqueezeData(value: DataValue, axes: readonly number[]): DataValue {
  const rank = value.axes.length + axes.length;
  const inserted = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const groups: (readonly number[])[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) groups.push(inserted.has(i) ? [] : (value.axes[next++] as readonly number[]));
  return { ...value, axes: groups };
}

export function squeezeData(value: DataValue, axes: readonly number[] | undefined, where: string): DataValue {
  const dims = shapeOf(value);
  const drop = axes ? new Set(axes.map((a) => (a < 0 ? a + dims.length : a))) : new Set(dims.flatMap((d, i) => (isOneDim(d) ? [i] : [])));
  for (const axis of drop) {
    if (!isOneDim(dims[axis] as Dim)) throw importError('Squeeze of an axis that is not 1', { where, expected: 'axes of size 1', got: `axis ${axis} of shape ${formatDims(dims)}`, fix: 'squeeze only size-1 axes' });
  }
  return { ...value, axes: value.axes.filter((_, i) => !drop.has(i)) };
}

/** Regroups the atoms (in order) into axes of the target dims; fails when a target would cut an atom. */
export function reshapeData(value: DataValue, target: readonly Dim[], where: string): DataValue {
  const order = value.axes.flat();
  const groups: number[][] = [];
  let next = 0;
  const fail = (why: string) =>
    importError('Reshape cuts through an axis', { where, expected: 'a reshape that only merges or splits whole axes (time, batch, entries, features)', got: `${formatDims(shapeOf(value))} → ${formatDims(target)}: ${why}`, fix: 'reshape only to merge stacked directions with features ([T, B, D, H] → [T, B, D·H]) or to add or remove size-1 axes' });
  for (const dim of target) {
    const group: number[] = [];
    let size = numberDim(1);
    while (!sameDim(size, dim)) {
      const atomIndex = order[next++];
      if (atomIndex === undefined) throw fail(`nothing left for ${formatDims([dim])}`);
      group.push(atomIndex);
      size = mulDims(size, atomSize(value.atoms[atomIndex] as Atom));
      if (!divDims(dim, size)) throw fail(`${formatDims([size])} does not divide ${formatDims([dim])}`);
    }
    groups.push(group);
  }
  while (next < order.length) {
    const atomIndex = order[next++] as number;
    if (!isOneDim(atomSize(value.atoms[atomIndex] as Atom))) throw fail('atoms left over');
  }
  return normalize({ ...value, axes: groups });
}

function isFullRange(start: number, end: number, step: number, size: Dim): boolean {
  const n = concreteDim(size);
  if (n !== undefined) return sliceIndices(start, end, step, n).every((v, i, all) => v === i && all.length === n);
  return start === 0 && step === 1 && end >= 2 ** 31 - 1;
}

export function sliceData(value: DataValue, axis: number, start: number, end: number, step: number, where: string): DataValue {
  const size = shapeOf(value)[axis] as Dim;
  if (isFullRange(start, end, step, size)) return value;
  const { value: source, atom } = indexableAtom(value, axis, where);
  const picked = source.atoms[atom] as Atom;
  if (picked.kind !== 'entries') throw importError('Slice takes part of an axis', { where, expected: 'a slice of stacked entries (directions, layers) or the whole axis', got: `[${start}:${end}:${step}] of ${describeAtom(picked)}`, fix: 'keep time, batch and feature axes whole' });
  const entries = sliceIndices(start, end, step, picked.entries.length).map((i) => picked.entries[i] as Entry);
  if (entries.length === 0) throw importError('Slice selects nothing', { where, expected: 'at least one entry', got: `[${start}:${end}:${step}] of ${picked.entries.length}` });
  return withAtom(source, atom, { kind: 'entries', entries });
}

/** Gather with constant indices picks entries; a scalar index removes the axis. */
export function gatherDataEntries(value: DataValue, axis: number, indices: readonly number[], scalar: boolean, where: string): DataValue {
  const { value: source, atom } = indexableAtom(value, axis, where);
  const picked = source.atoms[atom] as Atom;
  if (picked.kind !== 'entries') throw importError('Gather picks part of an axis', { where, expected: 'indices into stacked entries (directions, layers)', got: `indices [${indices.join(', ')}] of ${describeAtom(picked)}`, fix: 'keep time, batch and feature axes whole' });
  const count = picked.entries.length;
  const entries = indices.map((i) => {
    const entry = picked.entries[i < 0 ? i + count : i];
    if (!entry) throw importError('Gather index out of range', { where, expected: `indices in [${-count}, ${count})`, got: String(i) });
    return entry;
  });
  const result = withAtom(source, atom, { kind: 'entries', entries });
  return scalar ? { ...result, axes: result.axes.filter((_, i) => i !== axis) } : result;
}

/** Gather with a batch permutation (PyTorch's sort by length and its inverse) reorders the batch. */
export function permuteData(value: DataValue, axis: number, word: PermWord, size: Dim, where: string): DataValue {
  const group = value.axes[axis] as readonly number[];
  const atom = value.atoms[group[0] as number];
  if (group.length !== 1 || atom?.kind !== 'axis' || !sameDim(atom.size, size)) {
    throw importError('Gather by a batch permutation on an axis that is not the batch', { where, expected: `the batch axis (size ${formatDims([size])})`, got: group.map((i) => describeAtom(value.atoms[i] as Atom)).join(' × ') || 'a size-1 axis', fix: 'permute the batch axis only' });
  }
  if (value.perm && value.perm.atom !== atom.id) throw importError('two axes are permuted as batch', { where, expected: `axis ${value.perm.atom}`, got: `axis ${atom.id}` });
  return { ...value, perm: { atom: atom.id, word: reduceWord([...(value.perm?.word ?? []), ...word]) } };
}

function signature(value: DataValue, skip: number): string {
  const atom = (i: number) => (i === skip ? 'E' : describeAtom(value.atoms[i] as Atom));
  return `${value.axes.map((group) => group.map(atom).join('×')).join('|')} pinned ${value.atoms.flatMap((_, i) => (value.axes.some((g) => g.includes(i)) || i === skip ? [] : [atom(i)])).join(',')}`;
}

/** The axis group at `axis` with the entries atom in front (a pinned single entry is put there). */
function withEntriesAt(value: DataValue, axis: number, where: string): DataValue {
  const e = entriesIndex(value);
  const group = value.axes[axis] as readonly number[];
  if (group[0] === e) return value;
  const pinned = !value.axes.some((g) => g.includes(e));
  const unitsOnly = group.length === 1 && value.atoms[group[0] as number]?.kind === 'units';
  if (!pinned || !(unitsOnly || group.length === 0)) throw importError('Concat along an axis that does not stack entries', { where, expected: 'concatenation of directions, layers or states (an entries axis, or features [entries, units])', got: group.map((i) => describeAtom(value.atoms[i] as Atom)).join(' × ') || 'a size-1 axis', fix: 'concatenate recurrent outputs or states only' });
  return { ...value, axes: value.axes.map((g, i) => (i === axis ? [e, ...g] : g)) };
}

export function concatData(values: readonly DataValue[], axis: number, where: string): DataValue {
  const prepared = values.map((v) => withEntriesAt(v, axis, where));
  const first = prepared[0] as DataValue;
  const key = signature(first, entriesIndex(first));
  for (const other of prepared.slice(1)) {
    if (signature(other, entriesIndex(other)) !== key || !sameWord(other.perm?.word ?? [], first.perm?.word ?? [])) {
      throw importError('Concat of values laid out differently', { where, expected: `every input laid out as ${key}`, got: signature(other, entriesIndex(other)), fix: 'concatenate values with the same time, batch and feature axes' });
    }
  }
  const entries = prepared.flatMap(entriesOf);
  return { ...withAtom(first, entriesIndex(first), { kind: 'entries', entries }), zeroPadded: prepared.every((v) => v.zeroPadded), keepsInitial: prepared.every((v) => v.keepsInitial), lastStep: prepared.every((v) => v.lastStep) };
}

/** Expand: equal dims stay; a size-1 or different symbolic batch axis takes the target's dim (broadcast). */
export function expandData(value: DataValue, target: readonly Dim[], fresh: () => string, where: string): DataValue {
  const dims = shapeOf(value);
  const lead = target.length - dims.length;
  if (lead < 0) throw importError('Expand to a lower rank', { where, expected: `rank >= ${dims.length}`, got: formatDims(target) });
  let atoms = [...value.atoms];
  const axes: (readonly number[])[] = [];
  target.forEach((dim, t) => {
    const i = t - lead;
    const own = i >= 0 ? (dims[i] as Dim) : numberDim(1);
    const group = i >= 0 ? (value.axes[i] as readonly number[]) : [];
    if (sameDim(own, dim) || isOneDim(dim)) return axes.push(group);
    const atom = group.length === 1 ? atoms[group[0] as number] : undefined;
    if (group.length === 0 || isOneDim(own)) {
      atoms.push({ kind: 'axis', id: fresh(), size: dim });
      return axes.push([...group.filter((g) => isOneDim(atomSize(atoms[g] as Atom))), atoms.length - 1]);
    }
    if (atom?.kind === 'axis' && concreteDim(own) === undefined && concreteDim(dim) === undefined) {
      atoms = atoms.map((a, k) => (k === group[0] ? { ...atom, size: dim } : a));
      return axes.push(group);
    }
    throw importError('Expand changes an axis that is not 1', { where, expected: `dims that broadcast to ${formatDims(target)}`, got: formatDims(dims), fix: 'expand only size-1 axes' });
  });
  return normalize({ ...value, atoms, axes });
}

/**
 * What axis `axis` holds as features: entries (each `units` wide), from a group [entries, units] or
 * either part alone when the other is pinned (size 1). Anything else (time or batch merged in, units
 * before entries) is not a feature axis.
 */
export function featuresAt(value: DataValue, axis: number, where: string): { entries: readonly Entry[]; units: number } {
  const group = value.axes[axis] ?? [];
  const kinds = group.map((i) => (value.atoms[i] as Atom).kind).join(',');
  if (!['entries,units', 'units', 'entries', ''].includes(kinds)) {
    throw importError('not a feature axis', { where, expected: 'features (stacked directions then units, as [T, B, D·H])', got: group.map((i) => describeAtom(value.atoms[i] as Atom)).join(' × ') || 'a size-1 axis', fix: 'merge directions before units: transpose [T, D, B, H] to [T, B, D, H], then reshape to [T, B, D·H]' });
  }
  const pinned = (kind: Atom['kind']) => !value.axes.some((g) => g.some((i) => value.atoms[i]?.kind === kind));
  if ((!kinds.includes('entries') && !pinned('entries')) || (!kinds.includes('units') && !pinned('units'))) {
    throw importError('features split over two axes', { where, expected: 'stacked directions and units on the same axis', got: value.axes.map((g) => g.map((i) => describeAtom(value.atoms[i] as Atom)).join(' × ') || '1').join(' | '), fix: 'merge directions before units: transpose [T, D, B, H] to [T, B, D, H], then reshape to [T, B, D·H]' });
  }
  const tokens = entriesOf(value).find((entry) => entry.kind === 'tokens');
  if (tokens) throw importError('token ids read as features', { where, expected: 'features computed from float inputs, or token ids looked up by an embedding (Gather of a constant table [V, D] by the ids)', got: entryKey(tokens), fix: 'embed the ids (nn.Embedding) before the recurrent layer or head' });
  return { entries: entriesOf(value), units: unitsOf(value) };
}

/** The entries along a stacked axis (a recurrent node's initial states [D, B, H]). */
export function entriesAlong(value: DataValue, axis: number, where: string): readonly Entry[] {
  const group = value.axes[axis] ?? [];
  if (group.length === 0) return entriesOf(value);
  const { value: source, atom } = indexableAtom(value, axis, where);
  const picked = source.atoms[atom] as Atom;
  if (picked.kind !== 'entries') throw importError('not a stacked axis', { where, expected: 'an axis of stacked states (directions)', got: describeAtom(picked) });
  return picked.entries;
}

/** The id of the single axis atom on `axis`, or undefined. */
export function axisAtomAt(value: DataValue, axis: number): Extract<Atom, { kind: 'axis' }> | undefined {
  const group = value.axes[axis] ?? [];
  const atom = group.length === 1 ? value.atoms[group[0] as number] : undefined;
  return atom?.kind === 'axis' ? atom : undefined;
}
