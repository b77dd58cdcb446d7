import { entriesIndex, entriesOf, withAtom } from './data-layout';
import { importError } from './errors';
import type { Atom, DataValue } from './values';

/**
 * Slicing a head's features: PyTorch's bridge `z = tanh(Linear(s))` split as `z[:, :H]` (the decoder's h0)
 * and `z[:, H:]` (c0). A Slice of the feature axis of one head's output (or of a part of it), with step 1,
 * gives a `head-part` entry: features [offset, offset + size) of that head. Any other cut through
 * features is an error naming the node.
 */
export function featureAxisHolds(value: DataValue, axis: number): boolean {
  const group = value.axes[axis] ?? [];
  return group.length === 1 && value.atoms[group[0] as number]?.kind === 'units';
}

export function sliceHeadFeatures(value: DataValue, axis: number, start: number, end: number, step: number, where: string): DataValue {
  const units = (value.axes[axis] as readonly number[])[0] as number;
  const size = (value.atoms[units] as Extract<Atom, { kind: 'units' }>).size;
  const entries = entriesOf(value);
  const entry = entries.length === 1 ? entries[0] : undefined;
  const pinned = !value.axes.some((group) => group.includes(entriesIndex(value)));
  const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const [from, to] = [clamp(start), clamp(end)];
  if ((entry?.kind !== 'head' && entry?.kind !== 'head-part') || !pinned || step !== 1 || to <= from) {
    throw importError('Slice cuts through features', {
      where,
      expected: 'a slice with step 1 of one dense head’s output features (a bridge split into decoder states), or of stacked entries',
      got: `[${start}:${end}:${step}] of ${size} features of ${entries.length === 1 ? (entry?.kind ?? 'nothing') : `${entries.length} stacked values`}`,
      fix: 'slice only the output of a Linear layer into the decoder’s initial states; keep time, batch and other feature axes whole',
    });
  }
  const base = entry.kind === 'head-part' ? entry.offset : 0;
  const withEntry = withAtom(value, entriesIndex(value), { kind: 'entries', entries: [{ kind: 'head-part', head: entry.head, offset: base + from, size: to - from }] });
  return withAtom(withEntry, units, { kind: 'units', size: to - from });
}
