import { hostTensor } from '@unfold/core';
import type { Dim } from './dims';
import { dataValue, entriesIndex, entriesOf } from './data-layout';
import { importError } from './errors';
import type { NodeContext } from './node-context';
import type { EmbeddingRecord } from './records';
import type { Atom, DataValue, StaticValue } from './values';

/**
 * Token ids and embeddings. An integer graph input of rank 2 or more ([batch, time] ids) is a data value
 * whose one entry is `tokens` with a single unit per position, so Transpose / Reshape / Unsqueeze move its
 * axes like any other; only an embedding may read it (featuresAt rejects ids as features).
 *
 * nn.Embedding exports as Gather(E, ids) on axis 0 with E a constant [V, D]: unfold's `embedding` head,
 *   e(ids)[…, :] = E[ids[…], :]
 * Its output keeps the ids' axes and adds a feature axis of D units whose entry is this embedding.
 */
export function tokensValue(name: string, dims: readonly Dim[]): DataValue {
  const atoms: Atom[] = dims.map((size, axis) => ({ kind: 'axis', id: `${name}:${axis}`, size, input: { name, axis } }));
  atoms.push({ kind: 'units', size: 1 }, { kind: 'entries', entries: [{ kind: 'tokens', name }] });
  return dataValue(atoms, dims.map((_, axis) => [axis]));
}

/** The graph input whose ids a data value holds, when it holds token ids (and nothing else). */
export function tokensInput(value: DataValue): string | undefined {
  const entries = entriesOf(value);
  const entry = entries.length === 1 ? entries[0] : undefined;
  return entry?.kind === 'tokens' ? entry.name : undefined;
}

/** Gather(table, ids): an embedding lookup, recorded, with the ids' axes and D features. */
export function embeddingLookup(context: NodeContext, table: StaticValue, ids: DataValue): DataValue {
  const name = tokensInput(ids);
  const axis = context.attributes.int('axis', 0);
  if (name === undefined || table.dtype !== 'float32' || table.shape.length !== 2 || axis !== 0) {
    throw importError('Gather of a constant by computed values that is not an embedding', {
      where: context.where,
      expected: 'Gather(table float32 [V, D], token ids from an integer graph input) on axis 0 (nn.Embedding)',
      got: `${context.describe(0)} indexed by ${name === undefined ? context.describe(1) : `the ids of ${JSON.stringify(name)}`} on axis ${axis}`,
      fix: 'feed token ids as an int64 or int32 graph input straight into the embedding',
    });
  }
  const [V, D] = table.shape as [number, number];
  const index = context.state.embeddings.length;
  const record: EmbeddingRecord = { index, label: context.where, input: name, vocabularySize: V, embeddingSize: D, E: hostTensor([V, D], Float32Array.from(table.data as number[]), 'E') };
  context.state.embeddings.push(record);
  const e = entriesIndex(ids);
  const atoms = ids.atoms.map((atom, i): Atom => (i === e ? { kind: 'entries', entries: [{ kind: 'embedded', embedding: index }] } : atom.kind === 'units' ? { kind: 'units', size: D } : atom));
  const units = atoms.findIndex((atom) => atom.kind === 'units');
  return dataValue(atoms, [...ids.axes.map((group) => group.filter((i) => i !== units && i !== e)), [units]], { perm: ids.perm });
}
