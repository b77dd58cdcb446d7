import type { AssembledModel } from './assemble';
import { concreteDim, formatDims } from './dims';
import { importError } from './errors';
import type { Evaluation, GraphPort } from './evaluate';
import { declaredDims } from './read-graph';
import { entryKey, formatWord, type Atom, type DataValue, type Entry } from './values';

/**
 * How the imported model's interface relates to the file's inputs and outputs, so the same inputs.json
 * (keyed by the file's names) runs the .onnx file and the imported checkpoint. Stored in the imported
 * spec as `metadata.onnx` (JSON); `toUnfoldInputs` / `fromUnfoldOutputs` (feeds.ts) apply it.
 *
 * Each tensor is described axis by axis: the parts an axis holds, row-major — `time`, `batch`,
 * `feature`, and `entry`, an axis that stacks several tensors (PyTorch's h0 [layers·directions, batch,
 * hidden] stacks one initial state per entry; a bidirectional Y [time, 2, batch, hidden] stacks two
 * output blocks; [time, batch, 2·hidden] merges `entry` and `feature` on one axis). `[]` is a size-1 axis.
 */
export type AxisPart = 'time' | 'batch' | 'entry' | 'feature';

export interface ImportedInput {
  readonly name: string;
  /**
   * `input`: the features (or token ids) unfold reads; `target`: an encoder–decoder's teacher-forced decoder
   * inputs (token ids, unfold's `target` port); `sequence_lens`: lengths; `initial_state`: rows of initial
   * states; `unused`: not read.
   */
  readonly role: 'input' | 'target' | 'sequence_lens' | 'initial_state' | 'unused';
  readonly dtype: string;
  /** As declared in the file (symbolic dims by name). */
  readonly shape: readonly (number | string)[];
  readonly axes?: readonly (readonly AxisPart[])[];
  /** initial_state: the unfold state each entry starts (null: a row no state reads). */
  readonly states?: readonly (string | null)[];
  /** sequence_lens: the file clips lengths to [0, time] (so any value is accepted). */
  readonly clipped?: boolean;
}

export interface ImportedOutput {
  readonly name: string;
  /** `output`: unfold's output (features at every step); `final_state`: final states. */
  readonly role: 'output' | 'final_state';
  readonly axes: readonly (readonly AxisPart[])[];
  /** output: per entry, the range of unfold's output features it is. */
  readonly blocks?: readonly { readonly offset: number; readonly size: number }[];
  /** final_state: the unfold state path of each entry. */
  readonly states?: readonly string[];
}

export interface ImportedState {
  readonly path: string;
  readonly size: number;
  /** The file input and entry (row along its entry axis, 0 when it has none) it starts from; null: zeros. */
  readonly initial: { readonly input: string; readonly entry: number } | null;
}

export interface ImportedInterface {
  readonly format: 'unfold-onnx-import/1';
  readonly source: { readonly producer: string; readonly opset: number };
  readonly inputs: readonly ImportedInput[];
  readonly outputs: readonly ImportedOutput[];
  /** Every state of the imported model, in the model's state order. */
  readonly states: readonly ImportedState[];
  /** What differs between the file and the imported model, in words. */
  readonly notes: readonly string[];
}

function declared(port: GraphPort): { dtype: string; shape: (number | string)[] } {
  const dims = declaredDims(port.info);
  return { dtype: dims?.dtype ?? 'unsupported', shape: (dims?.dims ?? []).map((d) => (d.symbols.length ? formatDims([d]).slice(1, -1) : d.factor)) };
}

function axesOf(value: DataValue, roles: ReadonlyMap<string, string>, where: string, entryAxis: boolean): AxisPart[][] {
  return value.axes.map((group) =>
    group.map((i): AxisPart => {
      const atom = value.atoms[i] as Atom;
      if (atom.kind === 'units') return 'feature';
      if (atom.kind === 'entries') return 'entry';
      const role = roles.get(atom.id);
      if (role === 'time' || role === 'batch') return role;
      if (entryAxis) return 'entry';
      throw importError('an axis that is neither time nor batch', { where, expected: 'axes the recurrent nodes read as time or batch, stacked entries, or features', got: `axis ${atom.id} of size ${formatDims([atom.size])}`, fix: 'keep outputs in [time, batch, features] or [batch, time, features] form' });
    }),
  );
}

function entriesOf(value: DataValue): readonly Entry[] {
  const atom = value.atoms.find((a) => a.kind === 'entries');
  return atom?.kind === 'entries' ? atom.entries : [];
}

function describeInputs(evaluation: Evaluation, model: AssembledModel): ImportedInput[] {
  const file = evaluation.state.file;
  return evaluation.inputs.map((port): ImportedInput => {
    const base = { name: port.name, ...declared(port) };
    const value = port.value;
    if (port.name === model.input && value?.kind === 'data') return { ...base, role: 'input', axes: axesOf(value, evaluation.state.roles, `${file}: input ${JSON.stringify(port.name)}`, false) };
    if (port.name === model.decoderInput && value?.kind === 'data') return { ...base, role: 'target', axes: axesOf(value, evaluation.state.roles, `${file}: input ${JSON.stringify(port.name)}`, false) };
    if (port.name === model.lengthsInput) {
      const clipped = evaluation.state.recurrent.some((r) => r.lengths?.clipped);
      return { ...base, role: 'sequence_lens', ...(clipped ? { clipped } : {}) };
    }
    const rows = model.states.filter((s) => s.initial !== 'zeros' && s.initial.kind === 'input' && s.initial.name === port.name);
    if (rows.length && value?.kind === 'data') {
      const axes = axesOf(value, evaluation.state.roles, `${file}: input ${JSON.stringify(port.name)}`, true);
      const count = value.axes.flat().reduce((n, i) => {
        const atom = value.atoms[i] as Atom;
        return atom.kind === 'axis' && !evaluation.state.roles.has(atom.id) ? n * (concreteDim(atom.size) ?? 1) : n;
      }, 1);
      const states = Array.from({ length: count }, (_, k) => rows.find((s) => s.initial !== 'zeros' && s.initial.kind === 'input' && (s.initial.index ?? 0) === k)?.path ?? null);
      return { ...base, role: 'initial_state', axes, states };
    }
    return { ...base, role: 'unused' };
  });
}

function describeOutputs(evaluation: Evaluation, model: AssembledModel): ImportedOutput[] {
  const file = evaluation.state.file;
  const offsets = new Map<string, { offset: number; size: number }>();
  model.outputBlocks.reduce((offset, block) => (offsets.set(entryKey(block.entry), { offset, size: block.size }), offset + block.size), 0);
  const statePaths = new Map(model.states.map((s) => [entryKey({ kind: 'final', node: s.cell.record.index, direction: s.cell.direction, state: s.state === 0 ? 'h' : 'c' }), s.path]));
  return evaluation.outputs.map((port): ImportedOutput => {
    const where = `${file}: output ${JSON.stringify(port.name)}`;
    const value = port.value;
    if (value?.kind !== 'data') throw importError('an output that is not computed from the inputs', { where, expected: 'the recurrent outputs, a head over them, or final states', got: value ? value.kind : 'nothing the importer evaluates' });
    if (value.perm && value.perm.word.length) throw importError('an output left in a permuted batch order', { where, expected: 'outputs in input order', got: `batch read through ${formatWord(value.perm.word)}`, fix: 'unsort the batch before returning it (pad_packed_sequence does)' });
    const axes = axesOf(value, evaluation.state.roles, where, false);
    const entries = entriesOf(value);
    if (entries.every((e) => offsets.has(entryKey(e))) && (axes.some((a) => a.includes('time')) || model.readout === 'last')) {
      return { name: port.name, role: 'output', axes, blocks: entries.map((e) => offsets.get(entryKey(e)) as { offset: number; size: number }) };
    }
    if (entries.every((e) => statePaths.has(entryKey(e)))) return { name: port.name, role: 'final_state', axes, states: entries.map((e) => statePaths.get(entryKey(e)) as string) };
    throw importError('an output unfold’s model does not return', { where, expected: 'the last layer’s outputs (or the head over them) at every step, or final states', got: entries.map(entryKey).join(', '), fix: 'return the output of the last layer (or its head) and the final states h_n / c_n' });
  });
}

function notesFor(evaluation: Evaluation, model: AssembledModel, inputs: readonly ImportedInput[], outputs: readonly ImportedOutput[]): string[] {
  const notes: string[] = [];
  const x = inputs.find((i) => i.role === 'input');
  const order = x?.axes?.map((a) => a.join('·') || '1').join(', ');
  const reads = x?.axes?.some((a) => a.includes('feature')) === false ? 'batch, time' : 'batch, time, feature';
  notes.push(`input ${JSON.stringify(model.input)} is [${order}]; unfold reads [${reads}]${order === reads ? '' : ', so it is transposed'}`);
  if (model.lengthsInput) notes.push(`sequence lengths come from ${JSON.stringify(model.lengthsInput)}; unfold reads them in input order (a sort by length and its inverse in the file cancel out)`);
  if (model.lengthsInput && model.outputHead && model.readout === 'sequence' && !evaluation.outputs.some((o) => o.value?.kind === 'data' && o.value.zeroPadded)) {
    notes.push('at padded steps (t >= length) the file returns the head applied to zeros; unfold’s sequence-model returns 0 there; real steps are identical');
  }
  if (model.lengthsInput && outputs.some((o) => o.role === 'final_state') && !evaluation.outputs.some((o) => o.value?.kind === 'data' && o.value.keepsInitial)) {
    notes.push('for a sequence of length 0 the file returns zero final states (onnxruntime); unfold returns its initial state');
  }
  if (model.readout === 'last') notes.push('the file reads the last step; unfold’s sequence-model (readout "last") returns [batch, 1, features], which is the file’s output with the time axis removed');
  if (model.decoderInput) notes.push(`an encoder–decoder: ${JSON.stringify(model.input)} holds the source token ids and ${JSON.stringify(model.decoderInput)} the decoder inputs (teacher forcing), which unfold reads as int32 [batch, time] through its \`target\` port`);
  const zeros = model.states.filter((s) => s.initial === 'zeros').map((s) => s.path);
  if (zeros.length && zeros.length < model.states.length) notes.push(`states ${zeros.join(', ')} always start from zeros in the file`);
  return notes;
}

export function describeInterface(evaluation: Evaluation, model: AssembledModel, producer: string): ImportedInterface {
  const inputs = describeInputs(evaluation, model);
  const states = model.states.map((s): ImportedState => {
    const input = s.initial !== 'zeros' && s.initial.kind === 'input' ? { input: s.initial.name, entry: s.initial.index ?? 0 } : null;
    return { path: s.path, size: s.size, initial: input };
  });
  const outputs = describeOutputs(evaluation, model);
  return { format: 'unfold-onnx-import/1', source: { producer, opset: evaluation.state.opset }, inputs, outputs, states, notes: notesFor(evaluation, model, inputs, outputs) };
}
