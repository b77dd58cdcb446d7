import { ExportError, type OnnxGraphBuilder, type PortSpec, type ResolvedNode, type SequenceOnnxResult, type StateSpec } from '@unfold/core';
import type { InterfaceSemantics } from '@unfold/core/interface';

/**
 * Export entries: the graphs a model exports. Every model has the `main` entry (its sequence interface,
 * what `exportModel` writes); a model may export several (`encoder` + `step`, or a seq2seq model's
 * `encoder` + `decoder_step`), each with its own ports, states and declared tasks, through `exportEntries`.
 *
 * An entry is declared, then built: the declaration (ports, states, tasks) fixes the graph's inputs and
 * outputs and the file's `unfold.interface`; `build` gets the boundary values (time-major sequences and
 * their lengths, vectors, initial states broadcast to the batch) and emits the nodes between them with
 * the model's own plugin mappings (`sequence`, `step`, `head`). The exporter owns everything at the
 * boundary, as for `main`. The types use only core's, so a plugin could later declare its entries itself.
 */

/** An input port of an entry: `features` [B, T, size], `tokens` [B, T] or `vector` [B, size]. */
export interface EntryInputPort extends PortSpec {
  /** The graph input carrying the port (default: the port's name). */
  readonly tensor?: string;
  /** Sequence ports: take the lengths as a graph input (default true); false means all full length. */
  readonly lengths?: boolean;
}

/** An output port of an entry: `features` [B, T, size] (or [B, 1, size] read at the last step) or `vector` [B, size]. */
export interface EntryOutputPort extends PortSpec {
  /** The graph output carrying the port (default: the port's name). */
  readonly tensor?: string;
}

/** A value at an input port, as `build` receives it. */
export interface EntryInputValue {
  /** Sequence ports: time-major [T, B, size] float32 or [T, B] int32 ids; vector ports: [B, size] float32. */
  readonly value: string;
  /** Sequence ports: int32 [B], each in [0, T]. */
  readonly lengths?: string;
}

/** A sequence output with its readout: [T, B, size] for `sequence`, [1, B, size] for `last`. */
export interface EntrySequenceOutput {
  readonly value: string;
  readonly readout: 'sequence' | 'last';
}

export interface EntryContext {
  /** The entry's main graph (stems are prefixed by the calling plugin's path inside `sequence`/`step`/`head`). */
  readonly graph: OnnxGraphBuilder;
  /** The resolved model. */
  readonly root: ResolvedNode;
  /** Values at the input ports, by port name. */
  readonly inputs: Readonly<Record<string, EntryInputValue>>;
  /** The initial states, in the entry's `states` order, each [B, ...shape]. */
  readonly initialState: readonly string[];
  /** The batch size, int64 [1]. */
  readonly batch: string;
  /** Zeros [B, ...shape] (a state the entry does not take, such as an encoder's initial state). */
  zeros(shape: readonly number[]): string;
  /** The model's node at a dotted path (`''` the root, `body`, `body.layers.1`). */
  node(path: string): ResolvedNode;
  /** Runs a cell or layer over a time-major sequence with its lengths (the lengths of an input port). */
  sequence(node: ResolvedNode, input: { readonly input: string; readonly lengths: string; readonly initialState: readonly string[]; readonly reverse?: boolean }): SequenceOnnxResult;
  /** Runs a cell or layer for one step: x [B, I] and the state to the output [B, O] and the next state. */
  step(node: ResolvedNode, input: { readonly input: string; readonly state: readonly string[] }): { readonly output: string; readonly state: readonly string[] };
  /** Applies a head over any leading axes. */
  head(node: ResolvedNode, input: string): string;
}

export interface EntryResult {
  /** By output port: sequence ports time-major (a name means readout `sequence`), vector ports [B, size]. */
  readonly outputs: Readonly<Record<string, string | EntrySequenceOutput>>;
  /** Final states in the entry's `states` order, each [B, ...shape]. */
  readonly finalState: readonly string[];
}

export interface ExportEntry {
  /** The entry's name, also its file's (`<name>.onnx`): lower-case letters, digits, `_` and `-`. */
  readonly name: string;
  /** What a runtime may do with the entry: `predict`, `stream`, `rollout`, `generate`, or a task of your own. */
  readonly tasks: readonly string[];
  readonly inputs: readonly EntryInputPort[];
  readonly outputs: readonly EntryOutputPort[];
  /** The states the entry takes (`state_in.<name>`) and returns (`state_out.<name>`); names are paths. */
  readonly states: readonly StateSpec[];
  /** Take `state_in.*` inputs (default true); false: states start from zeros. */
  readonly stateInputs?: boolean;
  /** Overrides of the model's declared semantics for this entry (an encoder's readout is `last`). */
  readonly semantics?: Partial<InterfaceSemantics>;
  /** The graph's doc string. */
  readonly doc?: string;
  build(context: EntryContext): EntryResult;
}

export interface EntryOptions {
  /** Tasks that span entries, written into the manifest (`generate` runs `encoder` then `decoder_step`). */
  readonly tasks?: readonly { readonly name: string; readonly entries: readonly string[] }[];
  /** Graph name prefix (default: the root's kind). */
  readonly name?: string;
  /** Extra `metadata_props` entries (keys without the `unfold.` prefix), in every file. */
  readonly metadata?: Readonly<Record<string, string>>;
}

const ENTRY_NAME = /^[a-z][a-z0-9_-]*$/;

function entryError(entry: string, message: string, details: { expected: string; got: string; fix?: string }): ExportError {
  return new ExportError(message, { where: `entry ${JSON.stringify(entry)}`, ...details });
}

function checkPorts(entry: ExportEntry): void {
  if (entry.inputs.length === 0 || entry.outputs.length === 0) throw entryError(entry.name, 'an entry needs an input and an output port', { expected: 'at least one port each way', got: `${entry.inputs.length} inputs, ${entry.outputs.length} outputs` });
  const ports = new Set<string>();
  const tensors = new Set<string>();
  for (const port of [...entry.inputs, ...entry.outputs]) {
    const tensor = port.tensor ?? port.name;
    if (ports.has(port.name) || tensors.has(tensor)) throw entryError(entry.name, `port ${JSON.stringify(port.name)} is declared twice`, { expected: 'unique port names and tensors (each names a graph value)', got: `${port.name} (tensor ${tensor})` });
    ports.add(port.name);
    tensors.add(tensor);
    if (!Number.isSafeInteger(port.size) || port.size < 1) throw entryError(entry.name, `port ${JSON.stringify(port.name)} has no valid size`, { expected: 'an integer >= 1', got: String(port.size) });
  }
  for (const port of entry.inputs) {
    if (port.kind === 'tree') throw entryError(entry.name, `tree port ${JSON.stringify(port.name)} cannot be exported yet`, { expected: 'features, tokens or vector input ports', got: 'tree' });
  }
  for (const port of entry.outputs) {
    if (port.kind !== 'features' && port.kind !== 'vector') throw entryError(entry.name, `output port ${JSON.stringify(port.name)} cannot be exported`, { expected: 'features or vector output ports', got: port.kind });
  }
}

/** Checks the declarations of a model's entries (names, ports, tasks) before any graph is built. */
export function checkEntries(entries: readonly ExportEntry[], options: EntryOptions = {}): void {
  if (entries.length === 0) throw new ExportError('no entries to export', { where: 'exportEntries', expected: 'at least one entry', got: 'none', fix: 'pass mainEntry(root) or entries of your own' });
  const names = new Set<string>();
  for (const entry of entries) {
    if (typeof entry.name !== 'string' || !ENTRY_NAME.test(entry.name)) throw entryError(String(entry.name), 'invalid entry name', { expected: 'lower-case letters, digits, "_" and "-", starting with a letter (it names the file)', got: JSON.stringify(entry.name) });
    if (names.has(entry.name)) throw entryError(entry.name, 'two entries have the same name', { expected: 'unique entry names', got: `${entry.name} twice` });
    names.add(entry.name);
    if (!Array.isArray(entry.tasks) || !entry.tasks.every((t) => typeof t === 'string' && t.length > 0)) throw entryError(entry.name, 'invalid task', { expected: 'task names (predict, stream, ...)', got: JSON.stringify(entry.tasks) });
    checkPorts(entry);
  }
  for (const task of options.tasks ?? []) {
    const unknown = task.entries.filter((e) => !names.has(e));
    if (unknown.length) throw new ExportError(`task ${JSON.stringify(task.name)} names unknown entries`, { where: 'exportEntries options.tasks', expected: `entries among ${[...names].join(', ')}`, got: unknown.join(', ') });
  }
}

function findNode(node: ResolvedNode, path: string): ResolvedNode | undefined {
  if (node.path === path) return node;
  for (const child of Object.values(node.children)) {
    for (const c of Array.isArray(child) ? child : [child as ResolvedNode]) {
      const found = findNode(c, path);
      if (found) return found;
    }
  }
  return undefined;
}

/** The model's node at a dotted path from the root (`''`, `body`, `body.layers.1`). */
export function nodeAt(root: ResolvedNode, path: string, entry: string): ResolvedNode {
  const node = findNode(root, path);
  if (!node) throw entryError(entry, `no node at ${JSON.stringify(path)}`, { expected: 'a path of child slots from the root (body, body.layers.1)', got: 'no such node in the model' });
  return node;
}
